from django.db import models
from django.utils.translation import gettext_lazy as _


class Election(models.Model):
    class Kind(models.TextChoices):
        PRESIDENTIAL = "presidential", _("Presidential")
        PARLIAMENTARY = "parliamentary", _("Parliamentary")
        LOCAL = "local", _("Local")
        REFERENDUM = "referendum", _("Referendum")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Polls open/close in local time; schedules and "late" reports are computed in this zone.
    timezone = models.CharField(max_length=64, default="UTC")

    class Meta:
        ordering = ["-date", "name"]

    def __str__(self) -> str:
        return self.name


class Contest(models.Model):
    """One race on the ballot (an election may have several, e.g. president and referendum)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="contests")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "name"], name="contest_unique_name")]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="candidates")
    ballot_position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    party = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["contest", "ballot_position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "ballot_position"], name="candidate_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_position}. {self.name}"


class StationResult(models.Model):
    """The official protocol of one station for one contest, as published (never corrected)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="results")
    station = models.ForeignKey("geography.PollingStation", on_delete=models.CASCADE, related_name="results")
    registered = models.PositiveIntegerField()
    # Ballots issued to voters; optional because many commissions publish only ballots found in the box.
    issued = models.PositiveIntegerField(null=True, blank=True)
    ballots = models.PositiveIntegerField(help_text="Ballots cast = valid + invalid")
    invalid = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "station"], name="result_unique_station")]

    def __str__(self) -> str:
        return f"{self.contest} @ {self.station_id}"


class CandidateVotes(models.Model):
    result = models.ForeignKey(StationResult, on_delete=models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE)
    votes = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "candidate votes"
        constraints = [models.UniqueConstraint(fields=["result", "candidate"], name="votes_unique_candidate")]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.votes}"
