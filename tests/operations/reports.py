"""Helpers that make forms and reports for election-day tests.

Reports are stored as the Collection app stores a parsed submission and then go through the same entry
point it calls (``recompute_for_submission``), so the derived tables are built by the real path.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pollwatch.checks.models import CheckResult
from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.operations.models import (
    ArrivalCount,
    ChecklistCount,
    CoverageCount,
    ExpectedReport,
    MasterRecord,
)
from pollwatch.operations.services import recompute_for_submission

_ids = itertools.count(1)
ELECTION_DAY = dt.datetime(2024, 2, 7, tzinfo=dt.UTC)


def make_form(mission, form_id="closing", kind="closing", fields=("registered", "valid", "invalid",
              "ballots_cast", "candidate_a", "candidate_b", "sealed")):
    return ObservationForm.objects.create(
        mission=mission, form_id=form_id, title=form_id.title(), kind=kind,
        fields=[{"name": f, "type": "int"} for f in fields],
    )


def report(form, observer, station, values, *, at="10:00", replaces=None, instance_id=""):
    hour, minute = map(int, at.split(":"))
    submission = Submission.objects.create(
        mission=form.mission, form=form, observer=observer, station=station, transport="web",
        instance_id=instance_id or f"uuid:{next(_ids)}", received_at=ELECTION_DAY.replace(hour=hour, minute=minute),
        raw="{}", values=values, deprecates=replaces,
    )
    if replaces is not None:
        Submission.objects.filter(pk=replaces.pk).update(is_current=False)
        replaces.refresh_from_db()
    recompute_for_submission(submission)
    return submission


def ordered(rows) -> list:
    return sorted(rows, key=repr)  # rows hold None next to numbers


def snapshot(mission) -> dict:
    return {
        "masters": ordered((m.station_id, m.form_id, m.values, m.conflicts, m.open_conflicts, m.report_count)
                          for m in MasterRecord.objects.filter(mission=mission)),
        "expected": ordered(ExpectedReport.objects.filter(mission=mission)
                           .values_list("observer_id", "station_id", "area_id", "status", "submission_id",
                                        "first_received_at")),
        "checks": ordered(CheckResult.objects.filter(mission=mission)
                         .values_list("quality_check_id", "submission_id", "master__station_id", "outcome")),
        # A row of zeros is the same as no row: writers create the row of a (region, form) they lock even when
        # the form has no schedule (aggregates._lock).
        "coverage": ordered(row for row in CoverageCount.objects.filter(mission=mission)
                            .values_list("region_id", "form_id", "missing", "partial", "complete", "conflicting",
                                         "late") if any(row[2:])),
        "arrivals": ordered(ArrivalCount.objects.filter(mission=mission).values_list("region_id", "form_id", "hour",
                                                                                   "n")),
        "checklist": ordered(ChecklistCount.objects.filter(mission=mission)
                            .values_list("unit_id", "form_id", "field", "yes", "total")),
    }


def scramble(mission) -> None:
    """Make every derived row wrong, as a loader that bypassed the per-report path would leave them."""
    MasterRecord.objects.filter(mission=mission).update(values={}, conflicts={}, open_conflicts=7, report_count=0)
    ExpectedReport.objects.filter(mission=mission).update(status="missing", submission=None, first_received_at=None)
    CheckResult.objects.filter(mission=mission).delete()
    CoverageCount.objects.filter(mission=mission).delete()
    ChecklistCount.objects.filter(mission=mission).delete()
