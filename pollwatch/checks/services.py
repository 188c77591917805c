"""Writes for quality checks: defining rules (validated at save time) and evaluating them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


# A record a rule is evaluated on: (primary key, mission id, station id, values).
Record = tuple[int, int, int | None, dict | None]

# Where rules are evaluated besides reports: CheckResult's field → a reader of that table's records of a rule's
# form. Higher apps register theirs from AppConfig.ready() (operations: "master", its master records), so checks
# imports none of them.
_CHECKED_RECORDS: dict[str, Callable[[QualityCheck], Iterable[tuple[int, int | None, dict | None]]]] = {}


def register_checked_records(field: str, records: Callable[[QualityCheck], Iterable[tuple]]) -> None:
    """``records(check)`` yields (pk, station id, values) of every record of ``check``'s form in its mission;
    ``field`` is the foreign key of :class:`CheckResult` that points at that table."""
    _CHECKED_RECORDS[field] = records


def _evaluate(on: str, records: Iterable[tuple[Record, list[tuple[QualityCheck, Any]]]]) -> list[CheckResult]:
    """The one evaluation loop, for reports and master records alike: each rule on each record's values."""
    return [
        CheckResult(quality_check=check, mission_id=mission_id, station_id=station_id,
                    outcome=expr.evaluate(tree, values or {}), **{f"{on}_id": pk})
        for (pk, mission_id, station_id, values), rules in records
        for check, tree in rules
    ]


def derive_check_results(submissions) -> None:
    """The deriver subscribed to "reports stored": every active rule of each report's form, evaluated on the
    report if it is current (a report an edit replaced, and the report an edit replaces, keep no results)."""
    ids = [s.pk for s in submissions] + [s.deprecates_id for s in submissions if s.deprecates_id]
    CheckResult.objects.filter(submission_id__in=ids).delete()
    checks = _ActiveChecks()
    CheckResult.objects.bulk_create(_evaluate("submission", (
        ((s.pk, s.mission_id, s.station_id, s.values), checks.of(s.mission, s.form.form_id))
        for s in submissions if s.is_current and s.form_id is not None
    )), batch_size=1000)


def do_evaluate_checks_on_masters(mission, masters) -> None:
    """(Re)evaluate every active rule of their forms on master records just rebuilt (one mission's)."""
    if not masters:
        return
    CheckResult.objects.filter(master_id__in=[m.pk for m in masters]).delete()
    checks = _ActiveChecks()
    CheckResult.objects.bulk_create(_evaluate("master", (
        ((m.pk, m.mission_id, m.station_id, m.values), checks.of(mission, m.form_id)) for m in masters
    )), batch_size=1000)


def _current_reports(check: QualityCheck) -> Iterable[tuple]:
    from pollwatch.collection.models import Submission

    return (Submission.objects.for_mission(check.mission).filter(form__form_id=check.form_id, is_current=True)
            .values_list("pk", "station_id", "values").iterator())


def do_evaluate_check_everywhere(check: QualityCheck) -> int:
    """Evaluate a new rule on every current submission and every registered record (master records) of its form."""
    rule = [(check, expr.parse(check.expression))]
    rows: list[CheckResult] = []
    for on, records in [("submission", _current_reports), *_CHECKED_RECORDS.items()]:
        rows += _evaluate(on, (((pk, check.mission_id, station, values), rule) for pk, station, values in records(check)))
    CheckResult.objects.filter(quality_check=check).delete()
    CheckResult.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
