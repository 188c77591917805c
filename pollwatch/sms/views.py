"""SMS webhooks (public, signed) and the coordinators' message log, corrections and broadcasts. Thin."""

from __future__ import annotations

import json
import logging
from xml.sax.saxutils import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.services import do_set_form_sms_tags
from pollwatch.missions.access import access_mission_by_slug, has_capability, sealed_form_ids
from pollwatch.missions.models import Mission
from pollwatch.missions.permissions import Cap
from pollwatch.sms.forms import SmsTagsForm
from pollwatch.sms.models import Broadcast, InboundMessage, OutboundMessage, SmsSettings
from pollwatch.sms.queries import forget_grammars, tagged_forms
from pollwatch.sms.queries import message_log as log_query
from pollwatch.sms.services import do_correct_sms, do_receive_sms, do_send_broadcast
from pollwatch.sms.signing import gateway_signature_ok, twilio_signature_ok

logger = logging.getLogger("pollwatch.sms")

MAX_BODY = 64 * 1024  # a webhook body; an SMS is at most a few kB


def _webhook_mission(slug: str) -> tuple[Mission, SmsSettings | None]:
    mission = Mission.objects.filter(slug=slug).first()
    if mission is None:
        raise Http404("No such mission.")
    return mission, SmsSettings.objects.filter(mission=mission).first()


def _twiml(text: str = "") -> HttpResponse:
    # The reply itself goes out through the mission's sender (queued, retried, logged): the TwiML only acknowledges.
    body = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    if text:
        response["X-Pollwatch-Reply"] = escape(text)[:200].encode("ascii", "replace").decode()
    return response


@csrf_exempt
@login_not_required
@require_POST
def twilio_webhook(request, slug: str):
    """Twilio's inbound SMS webhook: validated with the twilio SDK's RequestValidator (403 when it fails)."""
    mission, settings = _webhook_mission(slug)
    if len(request.body) > MAX_BODY:
        return HttpResponse("Body too large.", status=413)
    params = {k: request.POST.get(k, "") for k in request.POST}
    url = request.build_absolute_uri()
    if not twilio_signature_ok(settings, url, params, request.headers.get("X-Twilio-Signature", "")):
        logger.warning("sms twilio webhook for %s: bad signature from %s", slug, request.META.get("REMOTE_ADDR"))
        return HttpResponse("Invalid signature.", status=403)
    message_id = params.get("MessageSid") or params.get("SmsSid") or ""
    if not message_id:
        return HttpResponse("MessageSid is missing.", status=400)
    outcome = do_receive_sms(mission, gateway="twilio", message_id=message_id, sender=params.get("From", ""),
                             text=params.get("Body", ""))
    return _twiml(outcome.reply)


@csrf_exempt
@login_not_required
@require_POST
def gateway_webhook(request, slug: str):
    """The generic gateway: JSON or form body ``{id, from, text}`` signed with ``X-Pollwatch-Signature:
    sha256=<hex HMAC-SHA256 of the raw body with the mission's gateway secret>`` (docs/sms.md)."""
    mission, settings = _webhook_mission(slug)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    if not gateway_signature_ok(settings, body, request.headers.get("X-Pollwatch-Signature", "")):
        logger.warning("sms gateway webhook for %s: bad signature", slug)
        return JsonResponse({"error": "invalid signature"}, status=403)
    if request.content_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return JsonResponse({"error": "the body is not JSON (UTF-8)"}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": "the body must be a JSON object"}, status=400)
    else:
        data = {k: request.POST.get(k, "") for k in request.POST}

    def pick(*names: str) -> str:
        value = next((data[n] for n in names if data.get(n) not in (None, "")), "")
        return value if isinstance(value, str) else str(value)

    message_id, sender, text = pick("id", "message_id"), pick("from", "sender", "phone"), pick("text", "body",
                                                                                             "message")
    if not message_id:
        return JsonResponse({"error": "'id' (the gateway's message id) is missing"}, status=400)
    if not sender:
        return JsonResponse({"error": "'from' (the sender's phone) is missing"}, status=400)
    outcome = do_receive_sms(mission, gateway="generic", message_id=message_id, sender=sender, text=text)
    return JsonResponse({"status": outcome.message.status, "replayed": outcome.replayed, "reply": outcome.reply,
                         "problems": outcome.message.problems})


def _manager_mission(request, slug):
    mission = access_mission_by_slug(request.user, slug)
    if not has_capability(request.user, mission, Cap.MESSAGE_OBSERVERS):
        raise PermissionDenied("Only the mission's admins and coordinators may do this.")
    return mission


def message_log(request, slug: str):
    mission = _manager_mission(request, slug)
    status = request.GET.get("status", "")
    if status and status not in InboundMessage.Status.values:
        status = ""
    q = request.GET.get("q", "")[:100]
    page = Paginator(log_query(mission, status=status, q=q, sealed=sealed_form_ids(request.user, mission)),
                     50).get_page(request.GET.get("page"))
    outbound = (OutboundMessage.objects.for_mission(mission).select_related("observer", "broadcast")[:50]
                if request.GET.get("out") else None)
    return render(request, "sms/log.html", {
        "mission": mission, "page": page, "status": status, "q": q, "statuses": InboundMessage.Status.choices,
        "outbound": outbound, "broadcasts": Broadcast.objects.for_mission(mission)[:10],
    })


@require_POST
def message_correct(request, slug: str, pk: int):
    mission = _manager_mission(request, slug)
    message = get_object_or_404(InboundMessage.objects.for_mission(mission), pk=pk)
    text = request.POST.get("text", "").strip()
    if not text or len(text) > 2000:
        messages.error(request, "The corrected text must be 1–2,000 characters.")
        return redirect("sms-log", slug=mission.slug)
    outcome = do_correct_sms(message, text, user=request.user, trust_sender=bool(request.POST.get("trust")))
    messages.info(request, f"Reprocessed: {outcome.message.get_status_display()}.")
    return redirect("sms-log", slug=mission.slug)


@require_POST
def broadcast(request, slug: str):
    mission = _manager_mission(request, slug)
    text = request.POST.get("text", "").strip()
    if not text or len(text) > 640:
        messages.error(request, "A broadcast needs a text of 1–640 characters.")
        return redirect("sms-log", slug=mission.slug)
    sent = do_send_broadcast(mission, text, user=request.user, region=request.POST.get("region", "")[:32],
                             team=request.POST.get("team", "")[:32],
                             missing_form=request.POST.get("missing_form", "")[:100])
    messages.info(request, f"Broadcast queued for {sent.recipients.count()} observers.")
    return redirect(f"{request.path.rsplit('/', 1)[0]}/?out=1")


def form_tags_list(request, slug: str):
    """The mission's current forms with their SMS prefixes: each links to its tag editor."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.AUTHOR_FORMS)
    return render(request, "sms/form_tags_list.html", {"mission": mission, "forms": tagged_forms(mission)})


def form_tags(request, slug: str, pk: int):
    """Edit one form's SMS prefix and its questions' SMS tags (coordinators: the capability to author forms)."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.AUTHOR_FORMS)
    form = get_object_or_404(ObservationForm.objects.for_mission(mission), pk=pk)
    others = [f for f in tagged_forms(mission) if f.form_id != form.form_id]
    editor = SmsTagsForm(request.POST or None, form=form, others=others)
    if request.method == "POST" and editor.is_valid():
        do_set_form_sms_tags(form, prefix=editor.cleaned_data["prefix"], tags=editor.tags(), user=request.user)
        forget_grammars()
        messages.success(request, _("SMS tags of “%(title)s” saved.") % {"title": form.title})
        return redirect("sms-form-tags", slug=mission.slug, pk=form.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "sms/form_tags.html", {"mission": mission, "form": form, "editor": editor},
                  status=status)
