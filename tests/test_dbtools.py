"""``bulk_update_rows`` writes exactly what it is given (JSON with unicode and nesting, NULLs, zeros, times,
foreign keys) and nothing else, on both databases: the derivation batch's updates go through it."""

from __future__ import annotations

import datetime as dt

import pytest

from pollwatch.dbtools import bulk_update_rows
from pollwatch.operations.models import MasterRecord

pytestmark = pytest.mark.django_db


def test_writes_each_rows_own_values_and_leaves_other_rows_and_fields_alone(world):
    stations = list(world.stations.values())[:3]
    rows = [MasterRecord.objects.create(mission=world.odihr, station=s, form_id="count", values={"n": i},
                                        report_count=1) for i, s in enumerate(stations)]
    untouched = rows.pop()
    at = dt.datetime(2024, 2, 7, 19, 30, 15, 123456, tzinfo=dt.UTC)
    rows[0].values = {"seals": "Möhürlər", "nested": {"a": [1, 2.5, None]}, "ok": True}
    rows[0].conflicts, rows[0].open_conflicts, rows[0].updated_at = {"seals": ["yes", "no"]}, 2, at
    rows[1].values, rows[1].conflicts, rows[1].open_conflicts = {}, {}, 0
    rows[1].updated_at = at + dt.timedelta(days=1)
    rows[1].report_count = 99  # not among the fields written: must stay 1

    assert bulk_update_rows(rows, ["values", "conflicts", "open_conflicts", "updated_at"]) == 2

    first, second = (MasterRecord.objects.get(pk=r.pk) for r in rows)
    assert first.values == {"seals": "Möhürlər", "nested": {"a": [1, 2.5, None]}, "ok": True}
    assert (first.conflicts, first.open_conflicts, first.updated_at) == ({"seals": ["yes", "no"]}, 2, at)
    assert (second.values, second.conflicts, second.open_conflicts) == ({}, {}, 0)
    assert second.updated_at == at + dt.timedelta(days=1) and second.report_count == 1
    assert MasterRecord.objects.get(pk=untouched.pk).values == {"n": 2}


def test_batches_larger_than_one_statement_and_foreign_keys_to_null(world):
    from pollwatch.operations.models import ExpectedReport, FormSchedule

    schedule = FormSchedule.objects.create(mission=world.odihr, form_id="count", due_time=dt.time(20))
    observer = next(iter(world.observers.values()))
    rows = [ExpectedReport.objects.create(mission=world.odihr, schedule=schedule, observer=observer,
                                          station=s, due_at=dt.datetime(2024, 2, 7, 20, tzinfo=dt.UTC))
            for s in list(world.stations.values())]
    for i, r in enumerate(rows):
        r.status = "complete" if i % 2 else "late"
        r.submission_id = None
        r.first_received_at = dt.datetime(2024, 2, 7, 20, i, tzinfo=dt.UTC)
    assert len(rows) >= 3  # more rows than one batch of 2
    assert bulk_update_rows(rows, ["status", "submission", "first_received_at"], batch_size=2) == len(rows)
    stored = {r.pk: r for r in ExpectedReport.objects.filter(pk__in=[r.pk for r in rows])}
    for i, r in enumerate(rows):
        assert stored[r.pk].status == ("complete" if i % 2 else "late")
        assert stored[r.pk].submission_id is None
        assert stored[r.pk].first_received_at == dt.datetime(2024, 2, 7, 20, i, tzinfo=dt.UTC)
