"""Collection pages: the mission's forms (upload, close), its submissions inbox, and web entry. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pollwatch.collection.access import access_attachment_by_id, access_submission_by_id, visible_submissions
from pollwatch.collection.attachments import INLINE_TYPES, attachment_response
from pollwatch.collection.forms import XlsFormUpload, entry_form_class
from pollwatch.collection.models import ApiToken, DeviceCredential, ObservationForm
from pollwatch.collection.payloads import WEB_JSON, json_payload
from pollwatch.collection.services import (
    check_import_form,
    do_accept_submission,
    do_create_api_token,
    do_create_device_token,
    do_revoke_api_token,
    do_revoke_device_token,
    do_set_device_credential,
    do_set_form_active,
    do_set_mission_device_tokens,
    servable_forms,
)
from pollwatch.collection.submissions import SubmissionRejected, receive_submission
from pollwatch.collection.xforms import FormError, label_in
from pollwatch.missions.access import access_mission_by_slug, has_capability, require_capability
from pollwatch.missions.models import Mission, Observer, Role
from pollwatch.missions.permissions import Cap
from pollwatch.web.params import BadParameter, id_param, parse_int


def form_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    upload = XlsFormUpload()
    errors: list[str] = []
    if request.method == "POST":
        require_capability(request.user, mission, Cap.AUTHOR_FORMS)
        upload = XlsFormUpload(request.POST, request.FILES)
        if upload.is_valid():
            f = upload.cleaned_data["file"]
            try:
                form, created = check_import_form(mission, f.read(), filename=f.name,
                                                  kind=upload.cleaned_data["kind"], user=request.user)
            except FormError as exc:
                errors = exc.messages
            else:
                messages.success(request, (_("Imported {title} version {version}.") if created
                                           else _("{title} version {version} was already there.")).format(
                                              title=form.title, version=form.version))
                for w in form.warnings:
                    messages.warning(request, w)
                return redirect("collection-forms", slug=mission.slug)
    forms_ = ObservationForm.objects.for_mission(mission).defer("xform", "xlsform")
    members = has_capability(request.user, mission, Cap.MANAGE_MEMBERS)
    return render(request, "collection/form_list.html", {
        "mission": mission, "forms": forms_, "upload": upload, "errors": errors,
        "can_enter": has_capability(request.user, mission, Cap.ENTER_REPORTS),
        "can_author": has_capability(request.user, mission, Cap.AUTHOR_FORMS),
        "can_manage_members": members,
        "openrosa_url": request.build_absolute_uri(f"/m/{mission.slug}/"),
        "observers": Observer.objects.for_mission(mission).select_related("device_credential") if members else [],
        "url_logins": (DeviceCredential.objects.filter(mission=mission, token_hash__isnull=False)
                       .select_related("observer").order_by("username") if members else []),
    }, status=400 if errors or upload.errors else 200)


def _posted_observer(request, mission):
    """The observer of this mission the form names, or None (a missing, malformed or other mission's id)."""
    observer_id = id_param(request.POST, "observer")
    return Observer.objects.for_mission(mission).filter(pk=observer_id).first() if observer_id else None


@require_POST
def device_login(request, slug: str):
    """Give an observer a device login (new PIN); the PIN is shown once, only its digest is kept."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.MANAGE_MEMBERS)
    observer = _posted_observer(request, mission)
    if observer is None:
        messages.error(request, _("Choose an observer of this mission."))
        return redirect("collection-forms", slug=mission.slug)
    try:
        cred, pin = do_set_device_credential(observer, user=request.user)
    except ValueError as exc:
        messages.error(request, _("Device login for {code}: {error}.").format(code=observer.code, error=exc))
        return redirect("collection-forms", slug=mission.slug)
    messages.success(request, _("Device login for {code}: user {username}, PIN {pin} (shown once).").format(
        code=observer.code, username=cred.username, pin=pin))
    return redirect("collection-forms", slug=mission.slug)


@require_POST
def device_tokens(request, slug: str):
    """Allow login URLs for the mission's phones, or stop allowing them (which revokes every one)."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.MANAGE_MEMBERS)
    enabled = request.POST.get("enabled") == "1"
    revoked = do_set_mission_device_tokens(mission, enabled, user=request.user)
    if enabled:
        messages.success(request, _("Phones of this mission may now log in with a login URL."))
    else:
        messages.success(request, _("Login URLs are off for this mission; {count} revoked.").format(count=revoked))
    return redirect("collection-forms", slug=mission.slug)


@require_POST
def device_token(request, slug: str):
    """Give an observer's phone a login URL (shown once, with its QR code for ODK Collect), or revoke it."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.MANAGE_MEMBERS)
    observer = _posted_observer(request, mission)
    if observer is None:
        messages.error(request, _("Choose an observer of this mission."))
        return redirect("collection-forms", slug=mission.slug)
    if request.POST.get("revoke") == "1":
        cred = DeviceCredential.objects.filter(observer=observer, token_hash__isnull=False).first()
        if cred is not None:
            do_revoke_device_token(cred, user=request.user)
            messages.success(request, _("Revoked the login URL of {code}.").format(code=observer.code))
        return redirect("collection-forms", slug=mission.slug)
    try:
        cred, token = do_create_device_token(observer, user=request.user)
    except ValueError:
        messages.error(request, _("This mission does not allow login URLs: turn them on first."))
        return redirect("collection-forms", slug=mission.slug)
    url = request.build_absolute_uri(f"/key/{token}/m/{mission.slug}/")
    return render(request, "collection/device_token.html", {
        "mission": mission, "observer": observer, "cred": cred, "url": url,
        "qr": _collect_settings_qr(url, mission.name),
    }, status=201)


def collect_settings(url: str, project: str) -> str:
    """What ODK Collect reads from a configuration QR code: base64 of the zlib-compressed settings JSON (the server
    URL and the project's name; a setting left out keeps its default)."""
    import base64
    import json
    import zlib

    # Collect takes a code with both its "general" and its protected section (empty here: nothing locked).
    settings_json = json.dumps(dict(general={"server_url": url}, admin={}, project={"name": project}))
    return base64.b64encode(zlib.compress(settings_json.encode())).decode()


def _collect_settings_qr(url: str, project: str) -> str:
    """ODK Collect's configuration QR code as inline SVG, drawn on the server; "" when no QR library is installed
    (segno is a dependency already: the TOTP enrolment page draws its code with it)."""
    try:
        import segno
    except ImportError:  # pragma: no cover - segno is a dependency
        return ""
    return segno.make(collect_settings(url, project), error="m", micro=False).svg_inline(scale=4, border=4,
                                                                                         title="ODK Collect")


@require_POST
def form_toggle(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug, need=Cap.AUTHOR_FORMS)
    form = get_object_or_404(ObservationForm.objects.for_mission(mission), pk=pk)
    do_set_form_active(form, not form.is_active, user=request.user)
    return redirect("collection-forms", slug=mission.slug)


def submission_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    qs = visible_submissions(request.user, mission).filter(is_current=True).select_related("form", "observer",
                                                                                            "station")
    if request.GET.get("review") == "1":
        qs = qs.filter(needs_review=True)
    if request.GET.get("form"):
        qs = qs.filter(form__form_id=request.GET["form"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "collection/submission_list.html", {
        "mission": mission, "page": page, "can_enter": has_capability(request.user, mission, Cap.ENTER_REPORTS),
        "forms": ObservationForm.objects.for_mission(mission).filter(is_active=True).defer("xform", "xlsform"),
    })


def submission_detail(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    sub = access_submission_by_id(request.user, mission, pk)
    language = get_language()
    labels = {f["name"]: label_in(f, language) or f["name"] for f in (sub.form.fields if sub.form else [])}
    rows = [(labels.get(k, k), v) for k, v in sub.values.items()]
    return render(request, "collection/submission_detail.html", {
        "mission": mission, "sub": sub, "rows": rows, "attachments": sub.attachments.all(),
        "inline_types": INLINE_TYPES,
        "versions": visible_submissions(request.user, mission).filter(deprecates=sub),
        "can_accept": sub.held and has_capability(request.user, mission, Cap.RESOLVE_CONFLICTS),
    })


@require_POST
def submission_accept(request, slug: str, pk: int):
    """Accept a held report (RESOLVE_CONFLICTS): it counts from now on, next to the report it claimed to edit."""
    mission = access_mission_by_slug(request.user, slug)
    sub = access_submission_by_id(request.user, mission, pk, need=Cap.RESOLVE_CONFLICTS)
    if sub.held:
        do_accept_submission(sub, user=request.user)
        messages.success(request, "Report accepted: it counts from now on.")
    return redirect("collection-submission", slug=mission.slug, pk=sub.pk)


def attachment_download(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    att = access_attachment_by_id(request.user, mission, pk)
    return attachment_response(att, inline=request.GET.get("inline") == "1")


def submission_entry(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug, need=Cap.ENTER_REPORTS)
    form = get_object_or_404(servable_forms(mission).filter(is_active=True), pk=pk)
    Entry = entry_form_class(form, mission)
    entry = Entry(request.POST or None)
    if request.method == "POST" and entry.is_valid():
        data = dict(entry.cleaned_data)
        observer = data.pop("observer")
        raw = json_payload(form, {k: v for k, v in data.items() if v not in (None, "", [])},
                           observer_code=observer.code)
        try:
            receipt = receive_submission(raw, transport="web", payload_type=WEB_JSON, mission=mission,
                                         observer=observer, entered_by=request.user)
        except SubmissionRejected as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Report entered."))
            return redirect("collection-submission", slug=mission.slug, pk=receipt.submission.pk)
    return render(request, "collection/submission_entry.html", {"mission": mission, "form": form, "entry": entry},
                  status=400 if entry.errors else 200)


def api_tokens(request):
    """The user's own REST API tokens: create one (its key is shown once), revoke one."""
    new_key = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=id_param(request.POST, "revoke") or 0, user=request.user)
            do_revoke_api_token(token, user=request.user)
            messages.success(request, _("Revoked the token {name}.").format(name=token.name or _("(unnamed)")))
            return redirect("collection-api-tokens")
        name = request.POST.get("name", "").strip()[:100]
        slug = request.POST.get("mission", "")
        mission = Mission.objects.visible_to(request.user).filter(slug=slug).first() if slug else None
        role = request.POST.get("role", "")
        try:
            days = parse_int("days", request.POST.get("days", "") or "90", low=1, high=366)
        except BadParameter as exc:
            messages.error(request, exc.translated())
            return redirect("collection-api-tokens")
        if (slug and mission is None) or role not in ("", *Role.values):
            messages.error(request, _("Choose one of your missions and one of the roles."))
            return redirect("collection-api-tokens")
        _token, new_key = do_create_api_token(request.user, name, mission=mission, role=role, days=days)
    tokens = ApiToken.objects.filter(user=request.user).select_related("mission").order_by("-created_at")
    return render(request, "collection/api_tokens.html", {
        "tokens": tokens, "new_key": new_key, "missions": Mission.objects.visible_to(request.user),
        "roles": Role.choices, "now": timezone.now(),
    }, status=201 if new_key else 200)
