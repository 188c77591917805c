"""Django settings for pollwatch.

Everything that differs between a laptop and a production server comes from the environment:

- ``DATABASE_URL``: a ``postgres://`` URL selects PostgreSQL; without it, SQLite (WAL mode) at ``POLLWATCH_DB``
  (default ``$POLLWATCH_DATA_DIR/pollwatch.sqlite3``).
- ``POLLWATCH_SECRET_KEY``: required in production (``POLLWATCH_ENV=production`` or ``POLLWATCH_HTTPS=1``: the
  settings refuse to load without it); on a laptop a random key is created once under the data dir.
- ``POLLWATCH_DEBUG`` (``1`` to enable), ``POLLWATCH_ALLOWED_HOSTS`` (comma-separated),
  ``POLLWATCH_DATA_DIR`` (default ``./var``: SQLite file, secret key, uploaded media, cached forensic reports).
- ``POLLWATCH_DERIVE``: ``worker`` (default: stored reports are derived into the election-day tables in batches
  by ``pollwatch worker``) or ``immediate`` (in the request that stores them: no worker needed, slower ingest).
- ``POLLWATCH_TASKS``: ``database`` (default: other slow jobs queued in the database, run by ``pollwatch worker``)
  or ``immediate`` (run in-process at once).
- ``POLLWATCH_CONN_MAX_AGE``: seconds a database connection is kept (default 600, with health checks).
- ``POLLWATCH_BEHIND_PROXY`` (``1`` behind nginx or a load balancer): trust its ``X-Forwarded-Proto`` and
  ``X-Forwarded-Host``. Only behind a proxy that sets both itself, or any client could claim HTTPS or a host.
- ``POLLWATCH_LOGIN_FAILURE_LIMIT`` (10), ``POLLWATCH_LOCKOUT_MINUTES`` (15), ``POLLWATCH_PROXY_COUNT`` (0): login
  throttling (see AXES_* below).
- ``POLLWATCH_REQUIRE_TOTP`` (``1``): staff, superusers and every mission's coordinators and admins must log in
  with a TOTP code; ``POLLWATCH_TOTP_ISSUER`` (``pollwatch``): the name authenticator apps show.
- ``POLLWATCH_FETCH_ALLOW``: networks (CIDRs) a media import may fetch URLs from besides public addresses.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("POLLWATCH_DATA_DIR", "var")).resolve()


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


# A production server says so (POLLWATCH_ENV=production) or serves HTTPS (POLLWATCH_HTTPS=1); a laptop does
# neither. DEBUG alone does not tell: `make demo` runs with DEBUG off too.
PRODUCTION = os.environ.get("POLLWATCH_ENV", "").strip().lower() == "production" or _env_flag("POLLWATCH_HTTPS")


def _secret_key() -> str:
    key = os.environ.get("POLLWATCH_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        # A key made up on the server and kept on its disk would sign sessions with whatever a backup or another
        # server holds; production takes it from its secret store, and refuses to start without it.
        raise ImproperlyConfigured(
            "POLLWATCH_SECRET_KEY must be set in production (POLLWATCH_ENV=production or POLLWATCH_HTTPS=1); "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # A laptop install has no secret store: keep one random key per data dir so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
# Fernet keys (comma-separated, the first encrypts) for personal data at rest: pollwatch/accounts/fields.py.
POLLWATCH_PII_KEYS = os.environ.get("POLLWATCH_PII_KEYS", "")
# REST API tokens expire after this many days (pollwatch/collection/models.py ApiToken.expires_at).
POLLWATCH_API_TOKEN_DAYS = int(os.environ.get("POLLWATCH_API_TOKEN_DAYS", "90"))
DEBUG = _env_flag("POLLWATCH_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("POLLWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # Django's admin on pollwatch's admin site: a user with a TOTP device must have given its code (accounts).
    "pollwatch.accounts.admin_site.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The optional TOTP second factor (pollwatch.accounts.two_factor); before accounts, whose admin replaces
    # django-otp's TOTP device admin.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pollwatch.accounts",
    "pollwatch.elections",
    "pollwatch.geography",
    "pollwatch.missions",
    "pollwatch.collection",
    "pollwatch.forensics",
    "pollwatch.pvt",
    "pollwatch.reconciliation",
    "pollwatch.checks",
    "pollwatch.operations",
    "pollwatch.incidents",
    "pollwatch.media",
    "pollwatch.statements",
    "pollwatch.sms",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Security by default: every view needs a logged-in user unless decorated with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): whether this session gave a TOTP code (django-otp); then a user who must use a
    # second factor and has none is kept on the enrolment page (pollwatch.accounts.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "pollwatch.accounts.middleware.TwoFactorEnrolmentMiddleware",
    # The interface's language: the signed-in user's saved choice, else the language cookie (the switcher),
    # else Accept-Language (Django's LocaleMiddleware, extended in pollwatch.accounts.i18n).
    "pollwatch.accounts.i18n.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A parameter a view cannot use (pollwatch.web.params.BadParameter) is a 400 naming it, not a 500.
    "pollwatch.web.params.BadParameterMiddleware",
    "pollwatch.middleware.SecurityHeadersMiddleware",
    # Turns a login refused for too many failures into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pollwatch.urls"
WSGI_APPLICATION = "pollwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    # Persistent connections by default: opening a PostgreSQL connection per request (the old default of 0) cut
    # a burst's ingest from 194 to 63 reports/s. Health checks drop a connection the server closed. Behind a
    # transaction pooler (PgBouncer), set POLLWATCH_CONN_MAX_AGE=0.
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=int(os.environ.get("POLLWATCH_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that reads the socket instead of sending SELECT 1 (a round trip per request).
        DATABASES["default"]["ENGINE"] = "pollwatch.dbbackends.postgresql"
else:
    _sqlite_path = Path(os.environ.get("POLLWATCH_DB") or DATA_DIR / "pollwatch.sqlite3").resolve()
    DATABASES = {
        "default": {
            "ENGINE": "pollwatch.dbbackends.sqlite3",  # Django's, with a cross-process writer queue
            "NAME": _sqlite_path,
            # A web worker keeps its SQLite connection: opening one and closing it (the last close of a WAL
            # database checkpoints it) cost more than the report being stored.
            "CONN_MAX_AGE": int(os.environ.get("POLLWATCH_CONN_MAX_AGE", "600")),
            "CONN_HEALTH_CHECKS": True,
            # Tests: in memory, as Django's own SQLite backend defaults to (named here because pytest-django only
            # recognises that default under Django's engine name, and would give each xdist worker a file).
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                # WAL lets the dashboard read while observers' reports are written; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions under concurrent writers.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }

# Slow jobs other than derivation (e.g. outbound messages) leave the request path: they are queued in the
# database and run by `pollwatch worker`, which `pollwatch serve` starts.
# POLLWATCH_TASKS=immediate runs them in-process at once instead (the test suite's choice).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks = os.environ.get("POLLWATCH_TASKS", "").strip() or "database"
if _tasks not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"POLLWATCH_TASKS must be one of {', '.join(_TASK_BACKENDS)}, not {_tasks!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks]}}

# Stored reports are the derivation queue (pollwatch/collection/derivation.py): derived in batches by the worker,
# or at once in the storing request.
POLLWATCH_DERIVE = os.environ.get("POLLWATCH_DERIVE", "").strip() or "worker"
if POLLWATCH_DERIVE not in {"worker", "immediate"}:
    raise ImproperlyConfigured(f"POLLWATCH_DERIVE must be worker or immediate, not {POLLWATCH_DERIVE!r}")
# /health/ready (pollwatch/health.py): a worker not seen for this many seconds is down; a report waiting longer
# than this many seconds for derivation fails the backlog check.
POLLWATCH_WORKER_STALE_S = float(os.environ.get("POLLWATCH_WORKER_STALE_S") or 120)
POLLWATCH_BACKLOG_READY_S = float(os.environ.get("POLLWATCH_BACKLOG_READY_S") or 300)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one user name, or from one address, lock
# that user name or address out for AXES_COOLOFF_TIME — web logins, the admin, and phones' Digest logins
# (pollwatch.collection.openrosa) alike. Each lockout is written to the audit trail. `pollwatch manage axes_reset`
# lifts lockouts early. Behind a reverse proxy, set POLLWATCH_PROXY_COUNT so the client's address is read from
# X-Forwarded-For, not the proxy's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("POLLWATCH_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("POLLWATCH_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successful logins go to pollwatch's own audit trail
AXES_VERBOSE = False
PROXY_COUNT = int(os.environ.get("POLLWATCH_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "pollwatch.accounts.throttling.client_address"

# The optional TOTP second factor (pollwatch.accounts.two_factor, docs/security.md). POLLWATCH_REQUIRE_TOTP=1
# requires it of staff and superusers and of every mission's coordinators and admins (one mission can require it
# of its own with Mission.require_totp). Authenticator apps show OTP_TOTP_ISSUER as the account's issuer.
TOTP_REQUIRED = _env_flag("POLLWATCH_REQUIRE_TOTP")
OTP_TOTP_ISSUER = os.environ.get("POLLWATCH_TOTP_ISSUER", "pollwatch")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# The interface's languages (the catalogues under LOCALE_PATHS and each app's locale/, compiled .mo files
# committed: no gettext is needed at run time). Arabic is laid out right to left (base.html).
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("az", "Azərbaycanca"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "pollwatch_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_URL = "/static/"
# Plotly's own bundled JS is served as /static/plotly/plotly.min.js: charts work with no network.
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
# Only needed for `collectstatic` behind a web server; the app serves its own static files otherwise.
STATIC_ROOT = os.environ.get("POLLWATCH_STATIC_ROOT") or None
# Serve static files straight from the apps' folders: no collectstatic step on an air-gapped laptop.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Forensic reports of official results (a Klimek fit takes seconds): computed once per results and code version,
# then read by every web worker and after restarts (pollwatch.forensics.queries). Safe to delete at any time.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "forensics": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "forensics"),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}
# Media imports fetch URLs from public addresses only (pollwatch.media.fetch); these networks are allowed too.
FETCH_ALLOWED_NETWORKS = [n.strip() for n in os.environ.get("POLLWATCH_FETCH_ALLOW", "").split(",") if n.strip()]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG and _env_flag("POLLWATCH_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if int(os.environ.get("POLLWATCH_PROXY_COUNT", "0")) > 0:
        # TLS ends at the proxy: it says the request came over HTTPS (otherwise every request would redirect).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Adding a domain to browsers' HSTS preload list is its owner's decision, made at hstspreload.org, not a setting.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline script anywhere (figures are drawn by static/pollwatch/figures.js from data attributes): a script
# that slips into a page through data — an attachment, a media item, a report — does not run. Inline styles stay
# allowed: Plotly and HTMX set them, and a style cannot read a session.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
])
# The app uses no camera, microphone or position in the browser (phones report through ODK Collect).
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "browsing-topics",
))
if _env_flag("POLLWATCH_BEHIND_PROXY"):
    # nginx (deploy/nginx/) overwrites both headers on every request: request.is_secure() and the host in absolute
    # URLs (the OpenRosa formList's download links) are then the ones the phone used, not the unix socket's.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Bad input must get a clear 413, not exhaust memory: cap in-memory request bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No login URL's token in a log line (Django's "Not Found: /key/…" warnings): pollwatch/accounts/redaction.py.
    "filters": {"redact_tokens": {"()": "pollwatch.accounts.redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("POLLWATCH_LOG_LEVEL", "WARNING")},
}
