"""A mission's statement: findings in ODIHR's sections, bound to data by placeholders, and its frozen versions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """The sections of an observation statement, in ODIHR's order."""

    LEGAL = "legal", _("Legal framework")
    ADMINISTRATION = "administration", _("Election administration")
    VOTER_REGISTRATION = "voter_registration", _("Voter registration")
    CANDIDATE_REGISTRATION = "candidate_registration", _("Candidate registration")
    CAMPAIGN = "campaign", _("Campaign environment and fundamental freedoms")
    MEDIA = "media", _("Media")
    COMPLAINTS = "complaints", _("Complaints and appeals")
    OPENING = "opening", _("Election day: opening")
    VOTING = "voting", _("Election day: voting")
    COUNTING = "counting", _("Election day: counting")
    TABULATION = "tabulation", _("Election day: tabulation")
    PARTICIPATION = "participation", _("Participation of women and minorities")
    OBSERVERS = "observers", _("Citizen and international observers")


# The comparison's topic for each section (pollwatch.statements.compare.lexicon)
SECTION_TOPIC = {
    Section.LEGAL: "legal framework", Section.ADMINISTRATION: "election administration",
    Section.VOTER_REGISTRATION: "voter registration", Section.CANDIDATE_REGISTRATION: "candidate registration",
    Section.CAMPAIGN: "campaign environment and fundamental freedoms", Section.MEDIA: "media",
    Section.COMPLAINTS: "complaints and appeals", Section.OPENING: "election day: opening",
    Section.VOTING: "election day: voting", Section.COUNTING: "election day: counting",
    Section.TABULATION: "election day: tabulation", Section.PARTICIPATION: "participation of women and minorities",
    Section.OBSERVERS: "citizen and international observers",
}


class Assessment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    MIXED = "mixed", _("mixed")
    NEGATIVE = "negative", _("negative")


class StatementQuerySet(models.QuerySet):
    def for_mission(self, mission):
        return self.filter(mission=mission)


class Statement(models.Model):
    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="statements")
    slug = models.SlugField(max_length=80)  # stable public URL /p/<mission>/<slug>/
    title = models.CharField(max_length=300)
    # The conclusions first, as a statement opens; may hold placeholders like the findings.
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")  # the language its template is rendered in
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "slug"], name="statement_slug_unique")]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="findings")
    section = models.CharField(max_length=30, choices=Section.choices)
    position = models.PositiveIntegerField(default=0)  # order within its section
    text = models.TextField()  # with {{ placeholders }} bound to data (pollwatch.statements.placeholders)
    assessment = models.CharField(max_length=10, choices=Assessment.choices)

    class Meta:
        ordering = ["statement", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.text[:60]}"


class StatementVersion(models.Model):
    """A frozen statement: its numbers rendered once, with the hash of the data they were computed from."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # {"summary": str, "findings": [{section, text, assessment}], "values": {placeholder: {...value, rows...}},
    #  "methodology": {...}}: everything the page needs, so later data never changes it.
    content = models.JSONField()
    data_hash = models.CharField(max_length=64)  # sha256 of the values and their evidence rows
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="statement_version_unique")]

    def __str__(self) -> str:
        return f"{self.statement} v{self.number}"
