"""Writes of the SMS app: receive an inbound message (idempotent), correct and reprocess it, queue and send
outbound messages (replies, broadcasts)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from pollwatch.accounts.services import do_record_audit
from pollwatch.collection.submissions import SubmissionRejected, receive_submission
from pollwatch.missions.models import Deployment, Observer
from pollwatch.sms.grammar import parse_message
from pollwatch.sms.models import Broadcast, InboundMessage, OutboundMessage, SmsSettings
from pollwatch.sms.queries import observer_by_sms_code, same_phone, sms_grammar
from pollwatch.sms.replies import language_of, problems_text, rejection_text, reply_text
from pollwatch.sms.senders.base import SendError, get_sender

logger = logging.getLogger("pollwatch.sms")

MAX_TEXT = 5000  # characters kept of one message (a concatenated SMS is at most ~1,600)
MAX_ATTEMPTS = 5
RETRY_DELAYS = (10, 30, 120, 600)  # seconds before the 2nd, 3rd, … attempt


@dataclass
class Outcome:
    message: InboundMessage
    replayed: bool  # the gateway delivered this message id before: nothing was done again
    reply: str


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; everything else is kept as it came.
    return (text or "").replace("\x00", "\ufffd")[:MAX_TEXT]


def do_receive_sms(mission, *, gateway: str, message_id: str, sender: str, text: str,
                   corrects: InboundMessage | None = None, trust_sender: bool = False, user=None) -> Outcome:
    """Store one inbound SMS and act on it: a report through the collection's receive path, or a rejection, or
    quarantine when the sender is not the observer's registered phone. A message id seen before does nothing.

    The row is written first (so no message is lost, whatever happens next), then the report, then the reply is
    queued for the worker.
    """
    message_id = (message_id or "")[:128]
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                mission=mission, gateway=gateway, message_id=message_id, sender=(sender or "")[:32],
                text=_clean(text), received_at=timezone.now(), status=InboundMessage.Status.IGNORED,
                problems=["processing"], corrects=corrects,
                corrected_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:
        message = InboundMessage.objects.get(mission=mission, gateway=gateway, message_id=message_id)
        logger.info("sms %s/%s replayed: processed once", gateway, message_id)
        reply = message.replies.values_list("text", flat=True).first() or ""
        return Outcome(message, replayed=True, reply=reply)
    reply = _process(message, trust_sender=trust_sender)
    logger.info("sms %s/%s from …%s: %s", gateway, message_id, message.sender[-4:], message.status)
    return Outcome(message, replayed=False, reply=reply)


def _process(message: InboundMessage, *, trust_sender: bool) -> str:
    mission = message.mission
    text = message.text
    result = parse_message(text, sms_grammar(mission))
    message.parsed = result.as_dict()
    observer = observer_by_sms_code(mission, result.participant_id) if result.participant_id else None
    message.observer = observer
    language = language_of(observer)
    problems = [p for p in result.problems if getattr(p, "code", "") != "duplicate"]
    notes = [reply_text("duplicate", language, tag=t) for t in result.duplicates]
    reply = ""
    if not text.strip() or result.problems in (["Empty message"], ["Only a comment; no report"]):
        message.status = InboundMessage.Status.IGNORED
        message.problems = result.problems or ["Empty message"]
        example = _example(mission)
        reply = reply_text("empty", language, example=example) if example else ""
    elif result.form is None:
        message.status = InboundMessage.Status.REJECTED
        message.problems = result.problems
        reply = reply_text("problems", language, problems=problems_text(result.problems, language))
    elif observer is None:
        message.status = InboundMessage.Status.REJECTED
        message.problems = [f"Unknown observer code {result.participant_id}", *problems]
        reply = reply_text("unknown_observer", language, code=result.participant_id or "?")
    elif not trust_sender and not same_phone(message.sender, observer.phone):
        message.status = InboundMessage.Status.QUARANTINED
        message.problems = [f"Sender {message.sender} is not the registered phone of observer {observer.code}",
                            *problems]
        reply = reply_text("wrong_phone", language, code=observer.code)
    elif problems:
        message.status = InboundMessage.Status.REJECTED
        message.problems = problems
        reply = reply_text("problems", language, problems=problems_text(problems, language))
    else:
        try:
            receipt = receive_submission(text.encode(), transport="sms", mission=mission, observer=observer,
                                         instance_id=f"sms:{message.gateway}:{message.message_id}")
        except SubmissionRejected as exc:
            message.status = InboundMessage.Status.REJECTED
            message.problems = [exc.message]
            reply = reply_text("problems", language, problems=rejection_text(exc, language))
        else:
            submission = receipt.submission
            message.submission = submission
            message.status = InboundMessage.Status.ACCEPTED
            message.problems = [p for p in result.problems if getattr(p, "code", "") == "duplicate"]
            station = submission.station.code if submission.station_id else ""
            form = submission.form.title if submission.form_id else result.form.name
            key = "received" if station else "received_no_station"
            reply = " ".join([reply_text(key, language, form=form, station=station), *notes])
    with transaction.atomic():
        message.save(update_fields=["parsed", "observer", "status", "problems", "submission"])
        if reply and message.sender:
            do_queue_outbound(mission, to=message.sender, text=reply, observer=observer, in_reply_to=message)
    return reply


def _example(mission) -> str:
    forms = sms_grammar(mission)
    if not forms or not forms[0].fields:
        return ""
    f = forms[0]
    pairs = "".join(x.tag + ("" if x.type == "boolean" else "1") for x in f.fields[:3] if x.type != "comment")
    return f"{f.prefix}1234{pairs}"


def do_correct_sms(message: InboundMessage, text: str, *, user, trust_sender: bool = False) -> Outcome:
    """A coordinator's corrected text of a misparsed (or quarantined) message, processed as a new message that
    points to the original; the original is kept unchanged."""
    n = message.corrections.count() + 1
    outcome = do_receive_sms(message.mission, gateway=message.gateway, message_id=f"{message.message_id}~fix{n}",
                             sender=message.sender, text=text, corrects=message, trust_sender=trust_sender,
                             user=user)
    do_record_audit("sms.correct", user=user, mission=message.mission, obj=outcome.message,
                    detail={"original": message.pk, "status": outcome.message.status})
    return outcome


def do_queue_outbound(mission, *, to: str, text: str, observer: Observer | None = None,
                      in_reply_to: InboundMessage | None = None, broadcast: Broadcast | None = None
                      ) -> OutboundMessage:
    """Queue one SMS; the worker sends it after the commit (a slow gateway never holds up ingestion)."""
    out = OutboundMessage.objects.create(mission=mission, to=to[:32], text=text, observer=observer,
                                         in_reply_to=in_reply_to, broadcast=broadcast)
    transaction.on_commit(lambda: _enqueue(out.pk))
    return out


def _enqueue(pk: int, delay: float = 0.0) -> None:
    from django_tasks import default_task_backend

    from pollwatch.sms.tasks import send_outbound_message

    if delay and default_task_backend.supports_defer:
        send_outbound_message.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(pk)
    elif not delay:
        send_outbound_message.enqueue(pk)
    # else: an immediate backend cannot wait; the row stays pending for do_send_pending_outbound


def do_send_outbound(pk: int) -> OutboundMessage | None:
    """Send one pending outbound message through the mission's sender; retried later on a transient failure."""
    out = OutboundMessage.objects.select_related("mission").filter(pk=pk).first()
    if out is None or out.status != OutboundMessage.Status.PENDING:
        return out
    settings = SmsSettings.objects.filter(mission=out.mission).first()
    name = settings.sender if settings else SmsSettings.Sender.CONSOLE
    out.attempts += 1
    try:
        out.provider_id = get_sender(name).send(out.to, out.text, settings=settings)[:128]
    except SendError as exc:
        out.last_error = str(exc)[:300]
        if exc.retry and out.attempts < MAX_ATTEMPTS:
            delay = RETRY_DELAYS[min(out.attempts - 1, len(RETRY_DELAYS) - 1)]
            out.save(update_fields=["attempts", "last_error"])
            logger.warning("sms to …%s failed (attempt %d), retry in %ds: %s", out.to[-4:], out.attempts, delay,
                           out.last_error)
            transaction.on_commit(lambda: _enqueue(out.pk, delay))
            return out
        out.status = OutboundMessage.Status.FAILED
        logger.error("sms to …%s failed for good: %s", out.to[-4:], out.last_error)
    else:
        out.status, out.sent_at, out.last_error = OutboundMessage.Status.SENT, timezone.now(), ""
    out.save(update_fields=["attempts", "last_error", "status", "sent_at", "provider_id"])
    return out


def do_send_pending_outbound(mission=None, *, limit: int = 500) -> int:
    """Send what is still pending (e.g. retries an immediate task backend could not defer); returns the count."""
    qs = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING).order_by("pk")
    if mission is not None:
        qs = qs.for_mission(mission)
    n = 0
    for pk in qs.values_list("pk", flat=True)[:limit]:
        do_send_outbound(pk)
        n += 1
    return n


def broadcast_audience(mission, *, region: str = "", team: str = "", missing_form: str = "") -> list[Observer]:
    """Observers of a region (deployed at a station or area under it), a team, and/or without a report of a form."""
    qs = Observer.objects.for_mission(mission).exclude(phone="")
    if region:
        from pollwatch.geography.models import AdministrativeUnit
        from pollwatch.geography.tree import unit_tree

        unit = AdministrativeUnit.objects.filter(election_id=mission.election_id, code=region).first()
        if unit is None:
            return []
        units = unit_tree(mission.election_id).under(unit.pk) | {unit.pk}
        ids = Deployment.objects.filter(mission=mission).filter(
            models_q_station_or_area(units)).values_list("observer_id", flat=True)
        qs = qs.filter(pk__in=set(ids))
    if team:
        qs = qs.filter(pk__in=Deployment.objects.filter(mission=mission, team=team).values("observer_id"))
    if missing_form:
        from pollwatch.collection.models import Submission

        sent = Submission.objects.for_mission(mission).filter(form__form_id=missing_form, observer__isnull=False)
        qs = qs.exclude(pk__in=sent.values("observer_id"))
    return list(qs.order_by("code"))


def models_q_station_or_area(units: set[int]):
    from django.db.models import Q

    return Q(station__unit_id__in=units) | Q(area_id__in=units)


def do_send_broadcast(mission, text: str, *, user, region: str = "", team: str = "", missing_form: str = ""
                      ) -> Broadcast:
    """One message to every observer of the audience, one outbound row (with its delivery status) each."""
    audience = {k: v for k, v in {"region": region, "team": team, "missing_form": missing_form}.items() if v}
    recipients = broadcast_audience(mission, region=region, team=team, missing_form=missing_form)
    with transaction.atomic():
        broadcast = Broadcast.objects.create(mission=mission, text=text, audience=audience,
                                             created_by=user if getattr(user, "is_authenticated", False) else None)
        for observer in recipients:
            do_queue_outbound(mission, to=observer.phone, text=text, observer=observer, broadcast=broadcast)
        do_record_audit("sms.broadcast", user=user, mission=mission, obj=broadcast,
                        detail={"audience": audience, "recipients": len(recipients)})
    return broadcast


def erase_message_numbers(mission, scrubber, dry_run: bool, progress) -> int:
    """Retention: every sender's and recipient's phone number of the mission's messages removed (the texts are
    scrubbed by ``pollwatch.missions.retention``); the messages, their status and their reports stay."""
    inbound = InboundMessage.objects.filter(mission=mission).exclude(sender="")
    outbound = OutboundMessage.objects.filter(mission=mission).exclude(to="")
    if dry_run:
        return inbound.count() + outbound.count()
    return inbound.update(sender="") + outbound.update(to="")
