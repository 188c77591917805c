from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollwatch.accounts.fields import EncryptedTextField


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    DATA_CLERK = "data_clerk", _("Data clerk")
    OBSERVER = "observer", _("Observer")


# What each role may do is in pollwatch/missions/permissions.py (the one permission table).


def validate_language_codes(value: str) -> None:
    """Comma-separated codes of the interface's languages (settings.LANGUAGES), e.g. ``az,ru,en``."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    known = dict(settings.LANGUAGES)
    unknown = [c for c in (c.strip() for c in value.split(",")) if c and c not in known]
    if unknown:
        raise ValidationError(_("Unknown language codes: {codes} (known: {known}).").format(
            codes=", ".join(unknown), known=", ".join(known)))


class MissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> MissionQuerySet:
        """The missions ``user`` is a member of. Superusers are members like anyone else: no implicit access."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Mission(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL = "international", _("International mission")
        CITIZEN = "citizen", _("Citizen observer group")

    election = models.ForeignKey("elections.Election", on_delete=models.PROTECT, related_name="missions")
    slug = models.SlugField(unique=True, help_text="Used in URLs, e.g. /m/<slug>/ for OpenRosa")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # The mission's coordinators and admins must log in with a TOTP code (pollwatch.accounts.two_factor; the site
    # setting POLLWATCH_REQUIRE_TOTP requires it in every mission).
    require_totp = models.BooleanField("require a second factor (TOTP)", default=False, db_default=False,
                                       help_text="Coordinators and admins must log in with a TOTP code")
    # Phones may log in with a login URL holding a token (/key/<token>/m/<slug>/, as ODK Central's App Users) instead
    # of a user name and PIN over Digest: weaker (the URL is the whole credential), so off unless a coordinator
    # turns it on (docs/security.md, "Login URLs").
    allow_device_tokens = models.BooleanField("allow login URLs for phones", default=False, db_default=False,
                                              help_text="ODK Collect may log in with a login URL (a token) "
                                                        "instead of a user name and PIN")
    # The mission's working languages, comma-separated codes of settings.LANGUAGES, first = main (e.g. "az,ru,en"):
    # statements are rendered in each, and they are what observers without a preferred language are written to in.
    languages = models.CharField(max_length=100, blank=True, default="", db_default="",
                                 validators=[validate_language_codes],
                                 help_text="Working languages: comma-separated codes, e.g. az,ru,en")

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def language_codes(self) -> list[str]:
        """The working languages the interface has catalogues for, in the mission's order."""
        from django.conf import settings

        known = dict(settings.LANGUAGES)
        return [c for c in (c.strip() for c in self.languages.split(",")) if c in known]


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "mission"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.mission}"


class MissionScopedQuerySet(models.QuerySet):
    """Every model that belongs to a mission is read through ``for_mission``: there is no other path."""

    def for_mission(self, mission: Mission):
        return self.filter(mission=mission)


class Observer(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="observers")
    code = models.CharField(max_length=32, help_text="The observer's code, used in SMS and forms")
    name = models.CharField(max_length=200)
    # Encrypted at rest (Fernet, keys from POLLWATCH_PII_KEYS): a copied database does not hand out the phones.
    phone = EncryptedTextField(blank=True)
    email = models.EmailField(blank=True)
    languages = models.CharField(max_length=100, blank=True, help_text="Comma-separated ISO 639-1 codes")
    # Long-term or short-term observer, team leader, ... free text kept for the coordinators.
    category = models.CharField(max_length=64, blank=True)
    # The device login used for OpenRosa/SMS (issue: Collection); empty until the observer gets one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="observer"
    )

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "code"]
        constraints = [models.UniqueConstraint(fields=["mission", "code"], name="observer_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def preferred_language(self) -> str:
        """The language to write to this observer in (SMS replies, broadcasts, e-mails): the first of their
        languages the interface has, else the mission's first working language, else the default (English)."""
        from django.conf import settings

        known = dict(settings.LANGUAGES)
        own = [c for c in (c.strip() for c in self.languages.split(",")) if c in known]
        return (own or self.mission.language_codes or [settings.LANGUAGE_CODE])[0]


class Deployment(models.Model):
    """An observer posted to one station (static) or to an area (mobile team) for one shift."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="deployments")
    observer = models.ForeignKey(Observer, on_delete=models.CASCADE, related_name="deployments")
    station = models.ForeignKey(
        "geography.PollingStation", null=True, blank=True, on_delete=models.RESTRICT, related_name="deployments"
    )
    area = models.ForeignKey(
        "geography.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="deployments",
    )
    # Observers deployed together (e.g. the two members of an international short-term team).
    team = models.CharField(max_length=32, blank=True)
    shift_start = models.DateTimeField()
    shift_end = models.DateTimeField()

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "shift_start", "observer"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(station__isnull=False) | models.Q(area__isnull=False),
                name="deployment_has_place",
            ),
            models.CheckConstraint(
                condition=models.Q(shift_end__gt=models.F("shift_start")), name="deployment_shift_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.observer} @ {self.station or self.area}"
