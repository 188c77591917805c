from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


class AdministrativeUnit(models.Model):
    """A node of the electoral geography (country → region → constituency → ...), any depth.

    Geography belongs to an election, not a mission: two missions observing one election share it.
    """

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    # Depth in the tree (0 = top); stored so "all constituencies" is one indexed filter, not a recursion.
    depth = models.PositiveSmallIntegerField(default=0)
    level = models.CharField(max_length=64, help_text="What this level is called, e.g. region, constituency")
    latitude = models.FloatField(null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(null=True, blank=True, validators=LONGITUDE)
    # The unit's outline as a GeoJSON geometry (Polygon or MultiPolygon, lon/lat), from `pollwatch import
    # boundaries`; the station map draws it, or an approximate hull of the stations when it is null.
    boundary = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["election", "depth", "code"]
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="unit_unique_code")]
        indexes = [models.Index(fields=["election", "level"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PollingStation(models.Model):
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="stations")
    # The lowest administrative unit the station belongs to (usually a constituency).
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.RESTRICT, related_name="stations")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    registered_voters = models.PositiveIntegerField()
    # Urban/rural: a common stratum for quick-count samples.
    setting = models.CharField(
        max_length=10, blank=True, choices=[("urban", "Urban"), ("rural", "Rural")], default=""
    )
    latitude = models.FloatField(null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(null=True, blank=True, validators=LONGITUDE)

    class Meta:
        ordering = ["election", "code"]
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="station_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()
