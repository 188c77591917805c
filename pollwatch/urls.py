from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pollwatch import api
from pollwatch.accounts.i18n import set_language
from pollwatch.collection.openrosa_urls import key_urlpatterns
from pollwatch.health import health, health_ready

admin.site.site_header = _("pollwatch administration")

urlpatterns = [
    path("health", health, name="health"),
    path("health/ready", health_ready, name="health-ready"),
    path("", include("pollwatch.accounts.urls")),  # login (password, then a TOTP code if enrolled), logout
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls()),
    path("m/<slug:slug>/", include("pollwatch.collection.openrosa_urls")),
    # The same, through a phone's login URL (ODK Central's /v1/key/<token>/projects/<id>/ style, no HTTP auth).
    path("key/<str:token>/m/<slug:slug>/", include(key_urlpatterns)),
    path("", include("pollwatch.collection.urls")),
    path("", include("pollwatch.missions.urls")),
    path("", include("pollwatch.forensics.urls")),
    path("", include("pollwatch.pvt.urls")),
    path("", include("pollwatch.reconciliation.urls")),
    path("", include("pollwatch.operations.urls")),
    path("", include("pollwatch.incidents.urls")),
    path("", include("pollwatch.checks.urls")),
    path("", include("pollwatch.media.urls")),
    path("", include("pollwatch.statements.urls")),
    path("", include("pollwatch.sms.urls")),
]

# The database unreachable or the disk full: 503 with Retry-After (the client sends again), not a 500.
handler500 = "pollwatch.web.unavailable.server_error"
