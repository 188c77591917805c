"""Collection writes for setup: forms, their media, device credentials, login URLs and API tokens.

The one path every report takes is in :mod:`pollwatch.collection.submissions`.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.collection import digest
from pollwatch.collection.models import ApiToken, DeviceCredential, FormMedia, ObservationForm, Submission
from pollwatch.collection.submissions import do_reparse_submission, forget_forms, safe_file_name
from pollwatch.collection.xforms import ConvertedForm, FormError, convert_xlsform
from pollwatch.missions.models import Observer

# ---------------------------------------------------------------- forms

def guess_kind(form_id: str, title: str) -> str:
    text = f"{form_id} {title}".lower()
    if "incident" in text:
        return ObservationForm.Kind.INCIDENT
    if "open" in text:
        return ObservationForm.Kind.OPENING
    if "count" in text or "clos" in text:
        return ObservationForm.Kind.CLOSING
    if "checklist" in text or "voting" in text or "visit" in text:
        return ObservationForm.Kind.VOTING
    return ObservationForm.Kind.OTHER


def check_import_form(mission, data: bytes, *, filename: str = "form.xlsx", kind: str = "", user=None
                      ) -> tuple[ObservationForm, bool]:
    """Convert and store an XLSForm; raises :class:`FormError` (pyxform's messages) on bad input.

    Returns ``(form, created)``: re-uploading the identical form is a no-op; a new version is a new row; the same
    version with other content is refused (clients cache forms by version).
    """
    converted = convert_xlsform(data, filename=filename)
    if not converted.form_id:
        raise FormError(["The form has no form_id."])
    if kind and kind not in ObservationForm.Kind.values:
        raise FormError([f"Unknown form kind {kind!r}; one of {', '.join(ObservationForm.Kind.values)}."])
    existing = ObservationForm.objects.for_mission(mission).filter(
        form_id=converted.form_id, version=converted.version
    ).first()
    if existing is not None:
        if existing.md5 == converted.md5:
            return existing, False
        raise FormError([
            f"Version {converted.version} of form {converted.form_id} already exists with different content: "
            "raise the version in the settings sheet."
        ])
    return do_import_form(mission, converted, kind=kind or guess_kind(converted.form_id, converted.title),
                          xlsform=data, user=user), True


def do_import_form(mission, converted: ConvertedForm, *, kind: str, xlsform: bytes = b"", user=None) -> ObservationForm:
    with transaction.atomic():
        forget_forms()
        form = ObservationForm.objects.create(
            mission=mission, form_id=converted.form_id, title=converted.title, kind=kind, version=converted.version,
            xform=converted.xform, md5=converted.md5, fields=converted.fields, warnings=converted.warnings,
            sms_prefix=converted.sms_prefix,
            xlsform=xlsform, uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        do_record_audit("form.import", user=user, mission=mission, obj=form,
                        detail={"form_id": form.form_id, "version": form.version})
    return form


def do_attach_form_media(form: ObservationForm, name: str, content: bytes, *, user=None) -> FormMedia:
    """Store a media file of a form version (replacing one of the same name); it appears in the manifest."""
    name = safe_file_name(name)
    rel = Path("collection") / form.mission.slug / "forms" / form.form_id / form.version / name
    path = Path(settings.MEDIA_ROOT) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with transaction.atomic():
        media, _ = FormMedia.objects.update_or_create(
            form=form, name=name,
            defaults={"file": str(rel), "size": len(content),
                      "md5": hashlib.md5(content).hexdigest()},  # noqa: S324 — the manifest's hash is md5
        )
        do_record_audit("form.media", user=user, mission=form.mission, obj=media, detail={"name": name})
    return media


def do_set_form_active(form: ObservationForm, active: bool, *, user=None) -> None:
    with transaction.atomic():
        ObservationForm.objects.filter(pk=form.pk).update(is_active=active)
        form.is_active = active
        forget_forms()
        do_record_audit("form.open" if active else "form.close", user=user, mission=form.mission, obj=form)


def servable_forms(mission):
    """The mission's form versions that have an XForm: the only ones OpenRosa lists, serves or accepts reports to.

    A form row without one (made by hand, or by an old demo) cannot be filled on a phone, and listing it made
    clients that validate the whole list (Enketo) give up on the server. Closed versions stay downloadable.
    """
    return ObservationForm.objects.for_mission(mission).exclude(xform="").exclude(md5="")


def current_forms(mission, form_id: str | None = None):
    """The newest active servable version of each form_id (or of ``form_id`` only): what the formList offers."""
    forms = servable_forms(mission).filter(is_active=True).order_by("form_id", "-created_at")
    if form_id is not None:
        forms = forms.filter(form_id=form_id)
    seen: dict[str, ObservationForm] = {}
    for f in forms:
        seen.setdefault(f.form_id, f)
    return list(seen.values())


# ---------------------------------------------------------------- credentials and tokens

# A device PIN is typed once into ODK Collect, so it can be long; with logins throttled (settings.AXES_*), 8 random
# digits leave a guesser 10 tries per 15 minutes against 10^8 PINs.
MIN_PIN_LENGTH = 8


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(MIN_PIN_LENGTH))


def do_set_device_credential(observer: Observer, *, username: str = "", password: str = "", user=None
                             ) -> tuple[DeviceCredential, str]:
    """Give an observer a device login (or a new PIN); returns the credential and the plaintext PIN, shown once.

    The username (default: the observer's code, lower-cased) is unique within the mission; another observer of the
    mission with that username is a ValueError. Another mission may use the same one. A PIN given by the caller must
    have at least ``MIN_PIN_LENGTH`` characters (ValueError otherwise).
    """
    username = username or observer.code.lower()
    if password and len(password) < MIN_PIN_LENGTH:
        raise ValueError(f"a device PIN needs at least {MIN_PIN_LENGTH} characters (leave it out for a random one)")
    password = password or new_pin()
    taken = DeviceCredential.objects.filter(mission=observer.mission, username=username).exclude(observer=observer)
    if taken.exists():
        raise ValueError(f"the device login {username!r} belongs to another observer of this mission")
    with transaction.atomic():
        from pollwatch.collection.openrosa import forget_credentials

        forget_credentials()
        cred, _ = DeviceCredential.objects.update_or_create(
            observer=observer, defaults={"mission": observer.mission, "username": username,
                                         "ha1": digest.ha1_for(username, password), "is_active": True},
        )
        do_record_audit("device_credential.set", user=user, mission=observer.mission, obj=cred,
                        detail={"username": username})
    return cred, password


# ---------------------------------------------------------------- login URLs (tokens in the URL, as ODK Central)

# 32 random bytes, URL-safe base64 (43 characters): guessing one is hopeless, throttled or not.
DEVICE_TOKEN_BYTES = 32
# A device login's columns without a login URL (never given, or revoked).
NO_DEVICE_TOKEN = {"token_hash": None, "token_created_at": None, "token_used_at": None}


def device_token_hash(token: str) -> str:
    """What is stored of a login URL's token: its sha256 (the token is random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def do_set_mission_device_tokens(mission, enabled: bool, *, user=None) -> int:
    """Allow login URLs for the mission's phones, or stop allowing them: turning them off revokes every one
    (returns how many), so turning them on again brings none back."""
    from pollwatch.collection.openrosa import forget_credentials

    with transaction.atomic():
        revoked = 0
        if not enabled:
            revoked = (DeviceCredential.objects.filter(mission=mission, token_hash__isnull=False)
                       .update(**NO_DEVICE_TOKEN))
        type(mission).objects.filter(pk=mission.pk).update(allow_device_tokens=enabled)
        mission.allow_device_tokens = enabled
        do_record_audit("mission.device_tokens", user=user, mission=mission, obj=mission,
                        detail={"enabled": enabled, "revoked": revoked})
    forget_credentials()
    return revoked


def do_create_device_token(observer: Observer, *, user=None) -> tuple[DeviceCredential, str]:
    """Give an observer's device login a login URL token (replacing any earlier one, which stops working); returns
    the credential and the token, shown once. An observer without a device login gets one (a random PIN nobody
    is shown: give a new PIN for Digest). ValueError when the mission does not allow login URLs."""
    from django.utils import timezone

    from pollwatch.collection.openrosa import forget_credentials

    mission = observer.mission
    if not mission.allow_device_tokens:
        raise ValueError("this mission does not allow login URLs")
    token = secrets.token_urlsafe(DEVICE_TOKEN_BYTES)
    with transaction.atomic():
        cred = DeviceCredential.objects.filter(observer=observer).first()
        if cred is None:
            cred, _pin = do_set_device_credential(observer, user=user)
        replaced = cred.token_hash is not None
        cred.token_hash, cred.token_created_at, cred.token_used_at = device_token_hash(token), timezone.now(), None
        cred.save(update_fields=["token_hash", "token_created_at", "token_used_at"])
        do_record_audit("device_token.create", user=user, mission=mission, obj=cred,
                        detail={"username": cred.username, "observer": observer.code, "replaced": replaced})
    forget_credentials()
    return cred, token


def do_revoke_device_token(cred: DeviceCredential, *, user=None) -> None:
    """Revoke a device login's login URL: its next request gets the answer of a URL that never existed."""
    from pollwatch.collection.openrosa import forget_credentials

    with transaction.atomic():
        DeviceCredential.objects.filter(pk=cred.pk).update(**NO_DEVICE_TOKEN)
        for column, value in NO_DEVICE_TOKEN.items():
            setattr(cred, column, value)
        do_record_audit("device_token.revoke", user=user, mission=cred.mission, obj=cred,
                        detail={"username": cred.username})
    forget_credentials()


def do_create_api_token(user, name: str = "", *, mission=None, role: str = "", days: int | None = None
                        ) -> tuple[ApiToken, str]:
    """A token shown once; scoped to ``mission`` and capped at ``role`` if given, expiring after ``days``
    (default ``settings.POLLWATCH_API_TOKEN_DAYS``)."""
    import datetime as dt

    from django.utils import timezone

    key = secrets.token_urlsafe(32)
    days = settings.POLLWATCH_API_TOKEN_DAYS if days is None else days
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=hashlib.sha256(key.encode()).hexdigest(),
                                        mission=mission, role=role, expires_at=timezone.now() + dt.timedelta(days=days))
        do_record_audit("api_token.create", user=user, mission=mission, obj=token,
                        detail={"name": name, "role": role, "days": days})
    return token, key


def do_revoke_api_token(token: ApiToken, *, user) -> None:
    """Delete a token: the next request that presents it gets 401."""
    with transaction.atomic():
        do_record_audit("api_token.revoke", user=user, obj=token, detail={"name": token.name})
        token.delete()


def do_accept_submission(submission: Submission, *, user) -> Submission:
    """A coordinator accepts a held report (an edit from another login, a station outside the observer's
    deployment): it counts from now on, next to the report it claimed to edit (which stays current)."""
    with transaction.atomic():
        submission.accepted_by, submission.held = user, False
        submission.save(update_fields=["accepted_by", "held"])
        do_reparse_submission(submission)
        do_record_audit("submission.accept", user=user, mission=submission.mission, obj=submission,
                        detail={"instance_id": submission.instance_id, "claimed_edit_of": submission.claimed_edit_of})
    return submission


def do_set_form_sms_tags(form: ObservationForm, *, prefix: str, tags: dict[str, str], user=None) -> None:
    """Set a form version's SMS prefix and its questions' SMS tags (``tags``: question name → tag, "" = none).

    Input is valid already (pollwatch.sms.forms.SmsTagsForm checks letters/digits, unique tags, unique prefix).
    """
    with transaction.atomic():
        fields = [dict(f) for f in form.fields]
        for f in fields:
            tag = tags.get(f["name"], f.get("sms_tag", ""))
            if tag:
                f["sms_tag"] = tag
            else:
                f.pop("sms_tag", None)
        before = {"prefix": form.sms_prefix, "tags": {f["name"]: f["sms_tag"] for f in form.fields if f.get("sms_tag")}}
        ObservationForm.objects.filter(pk=form.pk).update(sms_prefix=prefix, fields=fields)
        form.sms_prefix, form.fields = prefix, fields
        forget_forms()
        do_record_audit("form.sms_tags", user=user, mission=form.mission, obj=form, detail={
            "before": before, "prefix": prefix, "tags": {f["name"]: f["sms_tag"] for f in fields if f.get("sms_tag")}})
