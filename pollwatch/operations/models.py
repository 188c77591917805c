from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        MISSING = "missing", _("Missing")
        PARTIAL = "partial", _("Partial")
        COMPLETE = "complete", _("Complete")
        CONFLICTING = "conflicting", _("Conflicting")
        LATE = "late", _("Late")

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
    # station_id % MAP_BUCKETS (0 without a station): the map draws every station of buckets < k, so a large
    # election is shown as an index-read sample of about k % of its stations instead of all of them.
    map_bucket = models.PositiveSmallIntegerField(default=0)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "due_at", "observer"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "observer", "station", "area"], name="expected_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["mission", "status"]), models.Index(fields=["mission", "region", "status"]),
            # The recounts of one region and form (coverage by status, first arrivals in one hour).
            models.Index(fields=["schedule", "region", "status"]),
            models.Index(fields=["schedule", "region", "first_received_at"]),
            # The map's sample (see map_bucket), with and without a region filter.
            models.Index(fields=["mission", "map_bucket"]), models.Index(fields=["mission", "region", "map_bucket"]),
            # The dashboard's time-window filter (reports received from/to), read by a GROUP BY without counters.
            models.Index(fields=["mission", "first_received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id}/{self.observer_id}: {self.status}"


MAP_BUCKETS = 100


class CoverageCount(models.Model):
    """Expected reports per status for one region and form: what the coverage tables read.

    Derived, like everything on the dashboard: ``operations.aggregates`` rewrites the row by recounting the
    region's expected reports of the form (never +1/-1) after ``recompute_for_submission`` re-derived them.
    The row is also the lock that serialises those recounts (and the arrival and checklist recounts of the same
    region and form) between concurrent writers, so the last writer's recount sees every committed change.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    # The depth-1 unit, as ExpectedReport.region; null for a place outside any region (a country-wide team).
    region = models.ForeignKey("geography.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    form_id = models.CharField(max_length=100)
    missing = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    complete = models.PositiveIntegerField(default=0)
    conflicting = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)

    class Meta:
        # Two constraints rather than nulls_distinct=False, which SQLite does not support (Django skips it there):
        # INSERT ... ON CONFLICT DO NOTHING must find the existing row on both backends.
        constraints = [
            models.UniqueConstraint(fields=["mission", "region", "form_id"], name="coverage_count_unique"),
            models.UniqueConstraint(fields=["mission", "form_id"], condition=models.Q(region__isnull=True),
                                    name="coverage_count_unique_no_region"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} @ {self.region_id}"


class ArrivalCount(models.Model):
    """First reports of one region and form that arrived in one local hour (the coverage-over-time chart)."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("geography.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    form_id = models.CharField(max_length=100)
    # Start of the hour in the election's timezone (stored as an aware datetime, i.e. UTC in the database).
    hour = models.DateTimeField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        # Written only under the CoverageCount lock of its region and form (delete + insert of the recounted hours).
        constraints = [models.UniqueConstraint(fields=["mission", "region", "form_id", "hour"],
                                               name="arrival_count_unique")]
        indexes = [models.Index(fields=["mission", "hour"])]

    def __str__(self) -> str:
        return f"{self.form_id} @ {self.region_id} {self.hour:%H}h: {self.n}"


class ChecklistCount(models.Model):
    """Yes answers and all yes/no answers to one checklist field over the master records of one unit's stations.

    Kept per lowest unit (the stations' own unit, e.g. a constituency) rather than per region so that the
    recount after one station's master record changed reads only that unit's records; the chart sums the units
    of each region.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("geography.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    # The unit's depth-1 ancestor, denormalised so the chart groups by region without walking the tree.
    region = models.ForeignKey("geography.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    form_id = models.CharField(max_length=100)
    field = models.CharField(max_length=200)
    yes = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "unit", "form_id", "field"],
                                               name="checklist_count_unique")]
        indexes = [models.Index(fields=["mission", "form_id", "field"])]

    def __str__(self) -> str:
        return f"{self.form_id}.{self.field} @ {self.unit_id}: {self.yes}/{self.total}"


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
