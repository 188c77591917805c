from django.conf import settings
from django.db import models

from pollwatch.missions.models import MissionScopedQuerySet


class FormSchedule(models.Model):
    """When a form is due on election day, e.g. the opening checklist by 08:30 local time."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="form_schedules")
    # The XForm id the schedule expects (stable across versions).
    form_id = models.CharField(max_length=100)
    # Local time (the election's timezone) on election day after which a first report is late.
    due_time = models.TimeField()
    # Fields that must be filled for a report to be complete (until form definitions carry "required").
    required_fields = models.JSONField(default=list, blank=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "due_time"]
        constraints = [models.UniqueConstraint(fields=["mission", "form_id"], name="schedule_unique_form")]

    def __str__(self) -> str:
        return f"{self.form_id} due {self.due_time:%H:%M}"


class ExpectedReport(models.Model):
    """One report the coordination centre waits for: an observer × a place × a scheduled form.

    Its status is derived (recomputed from the current submissions, never incremented), so reports arriving
    out of order, edited or duplicated leave it correct; it is stored so coverage counts are one indexed
    GROUP BY on election day.
    """

    class Status(models.TextChoices):
        MISSING = "missing", "Missing"
        PARTIAL = "partial", "Partial"
        COMPLETE = "complete", "Complete"
        CONFLICTING = "conflicting", "Conflicting"
        LATE = "late", "Late"

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(FormSchedule, on_delete=models.CASCADE, related_name="expected")
    observer = models.ForeignKey("missions.Observer", on_delete=models.CASCADE, related_name="expected_reports")
    # A static observer's station; for a mobile team the area, and any station inside it counts.
    station = models.ForeignKey("geography.PollingStation", null=True, blank=True, on_delete=models.CASCADE)
    area = models.ForeignKey("geography.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE)
    # The region the place lies in (depth-1 unit), denormalised for coverage by region.
    region = models.ForeignKey(
        "geography.AdministrativeUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MISSING)
    # The latest current submission counted for this expectation.
    submission = models.ForeignKey("collection.Submission", null=True, blank=True, on_delete=models.SET_NULL)
    first_received_at = models.DateTimeField(null=True, blank=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "due_at", "observer"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "observer", "station", "area"], name="expected_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["mission", "status"]), models.Index(fields=["mission", "region", "status"])]

    def __str__(self) -> str:
        return f"{self.schedule_id}/{self.observer_id}: {self.status}"


class MasterRecord(models.Model):
    """One record per station and form, merged from every observer's current report there."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey("geography.PollingStation", on_delete=models.CASCADE, related_name="+")
    form_id = models.CharField(max_length=100)
    # Agreed (or resolved) value per field; conflicting unresolved fields are absent.
    values = models.JSONField(default=dict, blank=True)
    # {field: {"values": [distinct values reported], "resolved": value (only once resolved)}}.
    conflicts = models.JSONField(default=dict, blank=True)
    # Conflicts still waiting for a coordinator: what the dashboard's "conflicting" counts.
    open_conflicts = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "station", "form_id"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "station", "form_id"], name="master_unique")
        ]
        indexes = [models.Index(fields=["mission", "open_conflicts"])]

    def __str__(self) -> str:
        return f"{self.form_id} @ {self.station_id}"


class ConflictResolution(models.Model):
    """A coordinator's decision on one conflicting field; the latest per field wins, all are kept."""

    master = models.ForeignKey(MasterRecord, on_delete=models.CASCADE, related_name="resolutions")
    field = models.CharField(max_length=200)
    value = models.JSONField(null=True)
    reason = models.TextField()
    # The values in conflict when the decision was taken, for the history.
    candidates = models.JSONField(default=list)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["master", "field", "-resolved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field} = {self.value!r}"
