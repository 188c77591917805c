"""Media monitoring tables: a mission's outlets and news items, its actor catalogue, the machine's coding of
each item (stored by :func:`pollwatch.media.services.do_analyse_items`, replaced on re-analysis) and the
monitors' codings that confirm or override it.

The automatic part lives in :mod:`pollwatch.media.analysis` (pure, no Django); these models only store what it
proposes and what monitors decide, so that every number in a report can be traced to an item and a sentence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pollwatch.missions.models import MissionScopedQuerySet


class Tone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Outlet(models.Model):
    """A newspaper, agency, broadcaster or site; its ownership matters for the balance findings."""

    class Ownership(models.TextChoices):
        STATE = "state", pgettext_lazy("ownership", "State")
        PRIVATE = "private", _("Private")
        UNKNOWN = "unknown", _("Unknown")

    class Kind(models.TextChoices):
        AGENCY = "agency", _("News agency")
        ONLINE = "online", _("Online")
        PRINT = "print", _("Print")
        TV = "tv", _("Television")
        RADIO = "radio", _("Radio")
        OTHER = "other", _("Other")

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="outlets")
    name = models.CharField(max_length=200)
    ownership = models.CharField(max_length=8, choices=Ownership.choices, default=Ownership.UNKNOWN)
    language = models.CharField(max_length=8, blank=True, help_text="Main language, ISO 639-1")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ONLINE)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "name"]
        constraints = [models.UniqueConstraint(fields=["mission", "name"], name="outlet_unique_name")]

    def __str__(self) -> str:
        return self.name


class NewsItem(models.Model):
    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="news_items")
    # RESTRICT: an outlet with items cannot be deleted on its own, but deleting the mission removes both.
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.RESTRICT, related_name="items")
    # The id the item had in its source (file stem, CSV id column): how monitors refer to it outside the app.
    external_id = models.CharField(max_length=200, blank=True)
    date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    # The bytes exactly as received (file, upload, fetched page), so the extraction can be re-checked or redone.
    original = models.BinaryField()
    original_name = models.CharField(max_length=300, blank=True)
    # sha256 of the normalised text (pollwatch.media.analysis.corpus.fingerprint): the same text twice is
    # one item, so re-importing a batch is idempotent.
    content_hash = models.CharField(max_length=64)
    # A near-identical earlier item (rapidfuzz token-set ratio ≥ 90): reprints are counted once in reports.
    reprint_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reprints")
    reprint_similarity = models.FloatField(null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    tagger = models.CharField(max_length=64, blank=True, help_text="The tone tagger of the machine coding")

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.UniqueConstraint(fields=["mission", "content_hash"], name="newsitem_unique_text")]
        indexes = [models.Index(fields=["mission", "outlet", "date"])]

    def __str__(self) -> str:
        return self.title or self.external_id or f"item {self.pk}"


class Actor(models.Model):
    """One entry of the mission's actor catalogue (loaded from the bundled TOML unless the mission brings one)."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="media_actors")
    key = models.CharField(max_length=64, help_text="The catalogue id, e.g. osce_odihr")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, default="other")
    aliases = models.JSONField(default=list, help_text="Names in any language, matched as in analysis.actors")
    generic = models.JSONField(default=list, blank=True, help_text="'the mission': resolves to the last named")
    speaks_for = models.CharField(max_length=64, blank=True, help_text="Key of the organisation it speaks for")
    role = models.CharField(max_length=200, blank=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "name"]
        constraints = [models.UniqueConstraint(fields=["mission", "key"], name="actor_unique_key")]

    def __str__(self) -> str:
        return self.name


class ItemScopedQuerySet(models.QuerySet):
    """Rows that belong to a news item are mission-scoped through it."""

    def for_mission(self, mission):
        return self.filter(item__mission=mission)


class MachineCoding(models.Model):
    """The machine's coding of one item for one actor it mentions (the proposal a monitor confirms)."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="machine_codings")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="machine_codings")
    mentions = models.PositiveIntegerField()
    # Space: the words of the sentences that mention the actor (the share-of-voice unit).
    words = models.PositiveIntegerField()
    direct_speech = models.PositiveIntegerField(default=0)
    reported_speech = models.PositiveIntegerField(default=0)
    tone = models.CharField(max_length=8, choices=Tone.choices)

    objects = ItemScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-words", "actor"]
        constraints = [models.UniqueConstraint(fields=["item", "actor"], name="machinecoding_unique")]

    def __str__(self) -> str:
        return f"{self.actor}: {self.tone}"


class LoadedTermFlag(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="loaded_flags")
    position = models.PositiveIntegerField(help_text="Order in the item")
    term = models.CharField(max_length=200)
    category = models.CharField(max_length=64)
    sentence = models.TextField()

    objects = ItemScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "position"]

    def __str__(self) -> str:
        return self.term


class Claim(models.Model):
    """An attributed claim about the election, with its sentence as evidence (see analysis.claims)."""

    class Stance(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        NO_COMMENT = "no_comment", _("Declined to comment")

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveIntegerField()
    source = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="claims")
    speaker = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=32)
    stance = models.CharField(max_length=12, choices=Stance.choices)
    sentence = models.TextField()
    direct = models.BooleanField(default=False)

    objects = ItemScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "position"]

    # The subjects analysis.claims gives a claim, as the pages name them.
    SUBJECT_LABELS = {"observation_reports": _("observation reports"), "election_conduct": _("conduct of the election"),
                      "campaign": _("campaign")}

    def __str__(self) -> str:
        return f"{self.source} on {self.subject}: {self.stance}"

    @property
    def subject_label(self) -> str:
        return str(self.SUBJECT_LABELS.get(self.subject, self.subject))


class Coding(models.Model):
    """A monitor's decision on the tone of one item towards one actor; several monitors may code one item."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="codings")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="media_codings")
    tone = models.CharField(max_length=8, choices=Tone.choices)
    # The machine's proposal when the monitor decided: tone == proposed_tone is a confirmation, else an override.
    proposed_tone = models.CharField(max_length=8, choices=Tone.choices, blank=True)
    coded_at = models.DateTimeField(auto_now=True)

    objects = ItemScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "actor", "coder"]
        constraints = [models.UniqueConstraint(fields=["item", "actor", "coder"], name="coding_unique")]

    def __str__(self) -> str:
        return f"{self.coder} on {self.actor}: {self.tone}"

    @property
    def is_override(self) -> bool:
        return bool(self.proposed_tone) and self.tone != self.proposed_tone


class FlagReview(models.Model):
    """A monitor's verdict on one loaded-term flag: really loaded wording (confirmed) or a false alarm."""

    flag = models.ForeignKey(LoadedTermFlag, on_delete=models.CASCADE, related_name="reviews")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="media_flag_reviews")
    confirmed = models.BooleanField()
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["flag", "coder"]
        constraints = [models.UniqueConstraint(fields=["flag", "coder"], name="flagreview_unique")]

    def __str__(self) -> str:
        return f"{self.coder} on {self.flag}: {'loaded' if self.confirmed else 'not loaded'}"
