"""SMS messages in and out, per mission; gateway settings; broadcasts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pollwatch.missions.models import MissionScopedQuerySet


class SmsSettings(models.Model):
    """A mission's gateway credentials and outbound sender. Secrets may stay empty here and come from the
    environment instead (``POLLWATCH_TWILIO_AUTH_TOKEN``, ``POLLWATCH_SMS_GATEWAY_SECRET``); never logged."""

    class Sender(models.TextChoices):
        CONSOLE = "console", "Console (development: printed, not sent)"
        TWILIO = "twilio", "Twilio REST API"
        HTTP = "http", "Generic HTTP gateway"

    mission = models.OneToOneField("missions.Mission", on_delete=models.CASCADE, related_name="sms_settings")
    sender = models.CharField(max_length=16, choices=Sender.choices, default=Sender.CONSOLE)
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = models.CharField(max_length=128, blank=True)
    # The number replies are sent from (E.164).
    from_number = models.CharField(max_length=32, blank=True)
    # Shared secret of the generic gateway's HMAC-SHA256 signature.
    gateway_secret = models.CharField(max_length=128, blank=True)
    # Where the generic HTTP sender posts outbound messages.
    http_send_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return f"SMS settings of {self.mission}"


class Broadcast(models.Model):
    """One message sent to many observers (a region, a group, a deployment status); recipients are outbound rows."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="sms_broadcasts")
    text = models.TextField()
    # The audience as chosen, e.g. {"region": "R1", "missing_form": "opening_checklist"}: shown in the log.
    audience = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Broadcast {self.pk}: {self.text[:40]}"


class InboundMessage(models.Model):
    """One SMS as the gateway delivered it: the text verbatim, what became of it, and the report it made."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted (report stored)"
        REJECTED = "rejected", "Rejected (reply says why)"
        QUARANTINED = "quarantined", "Quarantined (sender is not the observer's phone)"
        IGNORED = "ignored", "Ignored (empty or unreadable)"

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="sms_inbound")
    gateway = models.CharField(max_length=16)  # twilio, generic, simulate, cli
    # The gateway's id of the message: a replayed webhook finds its row and is processed once.
    message_id = models.CharField(max_length=128)
    sender = models.CharField(max_length=32, db_index=True)
    text = models.TextField(blank=True)
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    # Every problem of the parse (all of them, as the reply says) or why the message was held.
    problems = models.JSONField(default=list, blank=True)
    parsed = models.JSONField(default=dict, blank=True)
    observer = models.ForeignKey("missions.Observer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    submission = models.ForeignKey("collection.Submission", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # A coordinator's correction: the corrected text is reprocessed as a new message pointing to this original.
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "gateway", "message_id"], name="sms_inbound_unique_id")
        ]
        indexes = [models.Index(fields=["mission", "status", "received_at"], name="sms_in_status")]

    def __str__(self) -> str:
        return f"SMS {self.message_id} from {self.sender}"


class OutboundMessage(models.Model):
    """One SMS to send (a reply or a broadcast's recipient); the worker sends it, with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (retries exhausted)"

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="sms_outbound")
    to = models.CharField(max_length=32)
    text = models.TextField()
    observer = models.ForeignKey("missions.Observer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    in_reply_to = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replies")
    broadcast = models.ForeignKey(Broadcast, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="recipients")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # The sender's id of the sent message (e.g. Twilio's SM…), for delivery questions.
    provider_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"SMS to {self.to} ({self.status})"
