from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollwatch.missions.models import MissionScopedQuerySet


class QualityCheck(models.Model):
    """An analyst's rule over one form's fields, e.g. ``ballots_cast == valid + invalid``."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="quality_checks")
    # The XForm id (stable across versions): a rule applies to every version of the form.
    form_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    # Source text in the language of pollwatch.checks.expr; validated against the form's fields on save.
    expression = models.TextField()
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "form_id", "name"]
        constraints = [models.UniqueConstraint(fields=["mission", "form_id", "name"], name="check_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}: {self.expression}"


class CheckResult(models.Model):
    """The outcome of one check on one submission or one master record (exactly one of the two is set)."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NOT_APPLICABLE = "na", _("Not applicable")

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    quality_check = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="results")
    submission = models.ForeignKey(
        "collection.Submission", null=True, blank=True, on_delete=models.CASCADE, related_name="check_results"
    )
    master = models.ForeignKey(
        "operations.MasterRecord", null=True, blank=True, on_delete=models.CASCADE, related_name="check_results"
    )
    # Denormalised so results filter by station/region without joining the submission.
    station = models.ForeignKey("geography.PollingStation", null=True, blank=True, on_delete=models.CASCADE)
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    evaluated_at = models.DateTimeField(auto_now=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quality_check", "submission"], condition=models.Q(submission__isnull=False),
                name="checkresult_unique_submission",
            ),
            models.UniqueConstraint(
                fields=["quality_check", "master"], condition=models.Q(master__isnull=False),
                name="checkresult_unique_master",
            ),
            models.CheckConstraint(
                condition=models.Q(submission__isnull=False) ^ models.Q(master__isnull=False),
                name="checkresult_one_target",
            ),
        ]
        indexes = [models.Index(fields=["mission", "outcome"])]

    def __str__(self) -> str:
        return f"{self.quality_check_id}: {self.outcome}"
