"""Bulk rebuild of a mission's election-day tables, for loaders that write many reports at once (the demo, a
bulk re-parse, a restore).

``do_rebuild_election_day(mission)`` runs the batch rules of ``operations.derive`` over the whole mission (a few
queries over all its reports instead of a batch at a time), so it gives exactly the tables the worker would
(tests/operations/test_bulk.py compares the two).
"""

from __future__ import annotations

from django.db import transaction

from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates
from pollwatch.operations.derive import do_rebuild_expected_statuses, do_rebuild_master_records


def do_rebuild_election_day(mission) -> dict[str, int]:
    """Rebuild every derived election-day table of ``mission`` from its current reports; idempotent."""
    from pollwatch.checks.models import QualityCheck
    from pollwatch.checks.services import do_evaluate_check_everywhere
    from pollwatch.operations.models import ExpectedReport, MasterRecord

    with transaction.atomic():
        do_rebuild_master_records(mission)
        do_rebuild_expected_statuses(mission)
        for check in QualityCheck.objects.for_mission(mission).filter(is_active=True):
            do_evaluate_check_everywhere(check)
        do_rebuild_dashboard_aggregates(mission)
        return {"master_records": MasterRecord.objects.for_mission(mission).count(),
                "expected_reports": ExpectedReport.objects.for_mission(mission).count()}
