from django.conf import settings
from django.db import models

from pollwatch.missions.models import MissionScopedQuerySet


class PvtSample(models.Model):
    """A named random sample of stations drawn for a mission's quick count (reproducible from its seed)."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="pvt_samples")
    contest = models.ForeignKey("elections.Contest", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    # Station attributes crossed to form strata: "region", "district", "setting" (comma-separated, may be empty).
    strata = models.CharField(max_length=100, blank=True)
    allocation = models.CharField(max_length=10, choices=[("stations", "Stations"), ("voters", "Voters")],
                                  default="stations")
    reserves_per_stratum = models.PositiveSmallIntegerField(default=0)
    # The form whose submissions are this sample's count reports (values votes_<ballot position>, ballots, ...).
    count_form_id = models.CharField(max_length=100, default="count_form")
    # Until published, only the mission's admins and analysts see the estimate.
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["mission", "name"], name="pvt_sample_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def strata_columns(self) -> list[str]:
        return [c for c in self.strata.split(",") if c]


class PvtSampleStation(models.Model):
    sample = models.ForeignKey(PvtSample, on_delete=models.CASCADE, related_name="stations")
    station = models.ForeignKey("geography.PollingStation", on_delete=models.CASCADE, related_name="+")
    stratum = models.CharField(max_length=200)
    is_reserve = models.BooleanField(default=False)
    position = models.PositiveIntegerField(help_text="Order of the draw")

    class Meta:
        ordering = ["sample", "position"]
        constraints = [models.UniqueConstraint(fields=["sample", "station"], name="pvt_station_unique")]

    def __str__(self) -> str:
        return f"{self.sample}: {self.station_id}"
