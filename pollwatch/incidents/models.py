from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollwatch.missions.models import MissionScopedQuerySet


class Incident(models.Model):
    """An incident reported on election day, from a form, an SMS or entered by staff, triaged by coordinators."""

    class Source(models.TextChoices):
        FORM = "form", _("Observation form")
        SMS = "sms", _("SMS")
        STAFF = "staff", _("Entered by staff")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        VERIFYING = "verifying", _("Verifying")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        ESCALATED = "escalated", _("Escalated")
        RESOLVED = "resolved", _("Resolved")

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="incidents")
    source = models.CharField(max_length=8, choices=Source.choices)
    # The report it came from (photos are that submission's attachments); unique so re-processing is idempotent.
    submission = models.OneToOneField(
        "collection.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="incident"
    )
    category = models.CharField(max_length=64)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    station = models.ForeignKey("geography.PollingStation", null=True, blank=True, on_delete=models.SET_NULL)
    # Denormalised region for filters and the dashboard.
    region = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location = models.CharField(max_length=300, blank=True, help_text="Free text when there is no station")
    description = models.TextField()
    observer = models.ForeignKey("missions.Observer", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Points at the first report of the same event; duplicates are listed under it, counted once.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["mission", "status"]), models.Index(fields=["mission", "category", "severity"]),
                   # The dashboard's time-window filter on incidents (when they occurred).
                   models.Index(fields=["mission", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.category} ({self.get_severity_display()})"


class IncidentEvent(models.Model):
    """One step in an incident's history: a status change, an assignment, a note, a duplicate link."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16)  # created, status, assign, note, duplicate
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.to_status}".strip()
