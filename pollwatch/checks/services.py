"""Writes for quality checks: defining rules (validated at save time) and evaluating them."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.checks import expr
from pollwatch.checks.models import CheckResult, QualityCheck


def known_fields(mission, form_id: str) -> set[str]:
    """The fields a rule on ``form_id`` may name: those of every version of the form's definition, and,
    for forms without a definition (demo forms), the fields seen in its submissions."""
    from pollwatch.collection.models import ObservationForm, Submission

    names: set[str] = set()
    for fields in ObservationForm.objects.for_mission(mission).filter(form_id=form_id).values_list("fields", flat=True):
        names.update(f["name"] for f in fields or [] if f.get("name"))
    if not names:
        for values in (
            Submission.objects.for_mission(mission).filter(form__form_id=form_id).values_list("values", flat=True)[:200]
        ):
            names.update(values or {})
    return names


def check_create_quality_check(mission, *, form_id: str, name: str, expression: str, user=None) -> QualityCheck:
    """Validate the rule (syntax, fields known to the form, unique name) and create it.

    Raises ``ValueError`` with a message for the person writing the rule.
    """
    name = name.strip()
    if not name:
        raise ValueError("a check needs a name")
    fields = known_fields(mission, form_id)
    if not fields:
        raise ValueError(f"form {form_id!r} has no known fields in this mission")
    expr.parse(expression, fields)
    if QualityCheck.objects.for_mission(mission).filter(form_id=form_id, name=name).exists():
        raise ValueError(f"a check named {name!r} already exists for {form_id}")
    return do_create_quality_check(mission, form_id=form_id, name=name, expression=expression, user=user)


def do_create_quality_check(mission, *, form_id: str, name: str, expression: str, user=None) -> QualityCheck:
    with transaction.atomic():
        check = QualityCheck.objects.create(
            mission=mission, form_id=form_id, name=name, expression=expression,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        do_record_audit("check.create", user=user, mission=mission, obj=check, detail={"expression": expression})
        do_evaluate_check_everywhere(check)
    return check


def active_checks(mission, form_id: str) -> list[tuple[QualityCheck, Any]]:
    """The form's active rules, parsed: read once per rebuild and passed to both evaluations below."""
    return [
        (c, expr.parse(c.expression))
        for c in QualityCheck.objects.for_mission(mission).filter(form_id=form_id, is_active=True)
    ]


class _ActiveChecks(dict):
    """Active rules per (mission, form id), parsed once per batch."""

    def of(self, mission, form_id: str) -> list[tuple[QualityCheck, Any]]:
        key = (mission.pk, form_id)
        if key not in self:
            self[key] = active_checks(mission, form_id)
        return self[key]


def derive_check_results(submissions) -> None:
    """The deriver subscribed to "reports stored": every active rule of each report's form, evaluated on the
    report if it is current (a report an edit replaced, and the report an edit replaces, keep no results)."""
    ids = [s.pk for s in submissions] + [s.deprecates_id for s in submissions if s.deprecates_id]
    CheckResult.objects.filter(submission_id__in=ids).delete()
    checks = _ActiveChecks()
    CheckResult.objects.bulk_create([
        CheckResult(quality_check=check, submission=s, mission_id=s.mission_id, station_id=s.station_id,
                    outcome=expr.evaluate(tree, s.values or {}))
        for s in submissions if s.is_current and s.form_id is not None
        for check, tree in checks.of(s.mission, s.form.form_id)
    ], batch_size=1000)


def do_evaluate_checks_on_masters(mission, masters) -> None:
    """(Re)evaluate every active rule of their forms on master records just rebuilt (one mission's)."""
    if not masters:
        return
    CheckResult.objects.filter(master_id__in=[m.pk for m in masters]).delete()
    checks = _ActiveChecks()
    CheckResult.objects.bulk_create([
        CheckResult(quality_check=check, master=m, mission_id=m.mission_id, station_id=m.station_id,
                    outcome=expr.evaluate(tree, m.values or {}))
        for m in masters for check, tree in checks.of(mission, m.form_id)
    ], batch_size=1000)


def do_evaluate_check_everywhere(check: QualityCheck) -> int:
    """Evaluate a new rule on every current submission and master record of its form."""
    from pollwatch.collection.models import Submission
    from pollwatch.operations.models import MasterRecord

    tree = expr.parse(check.expression)
    rows = [
        CheckResult(mission_id=check.mission_id, quality_check=check, submission_id=pk, station_id=station,
                    outcome=expr.evaluate(tree, values or {}))
        for pk, station, values in Submission.objects.for_mission(check.mission)
        .filter(form__form_id=check.form_id, is_current=True)
        .values_list("pk", "station_id", "values")
        .iterator()
    ]
    rows += [
        CheckResult(mission_id=check.mission_id, quality_check=check, master_id=pk, station_id=station,
                    outcome=expr.evaluate(tree, values or {}))
        for pk, station, values in MasterRecord.objects.for_mission(check.mission)
        .filter(form_id=check.form_id)
        .values_list("pk", "station_id", "values")
        .iterator()
    ]
    CheckResult.objects.filter(quality_check=check).delete()
    CheckResult.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
