"""Batches, single reports and the bulk rebuild derive identical election-day tables from one stream of reports.

The stream is what a close of polls looks like: reports arriving out of order (received times not in arrival
order), identical resubmissions, edits (deprecatedID), two observers disagreeing at one station, a roaming
observer reporting by station code, an incident report — all through the real receive path.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from pollwatch.checks.services import check_create_quality_check
from pollwatch.collection import submissions as receive_path
from pollwatch.collection.derivation import derive_or_mark_failed, with_relations
from pollwatch.collection.models import DeriveState, Submission
from pollwatch.collection.submissions import receive_submission
from pollwatch.incidents.models import Incident
from pollwatch.missions.services import do_create_observer, do_deploy_observer
from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates
from pollwatch.operations.bulk import do_rebuild_election_day
from pollwatch.operations.models import ExpectedReport, MasterRecord
from pollwatch.operations.services import do_set_form_schedule
from tests.operations.reports import snapshot

pytestmark = pytest.mark.django_db
CLOSE = dt.datetime(2024, 2, 7, 16, 0, tzinfo=dt.UTC)  # 20:00 in Baku


def count_xml(instance_id: str, station: str, ballots: int, *, valid: int | None = None, edits: str = "") -> bytes:
    valid = ballots - 10 if valid is None else valid
    deprecated = f"<deprecatedID>{edits}</deprecatedID>" if edits else ""
    return (f'<data id="count_form" version="2024020701"><station_code>{station}</station_code>'
            f"<registered>1500</registered><ballots_cast>{ballots}</ballots_cast><invalid>10</invalid>"
            f"<votes_mammadov>{valid - 100}</votes_mammadov><votes_aliyeva>100</votes_aliyeva>"
            f"<protocol_posted>{'yes' if ballots % 2 else 'no'}</protocol_posted>"
            f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>").encode()


def incident_xml(instance_id: str, station: str) -> bytes:
    return (f'<data id="incident_report" version="2024020701"><station_code>{station}</station_code>'
            f"<category>intimidation</category><severity>3</severity><description>Observer pushed out</description>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()


class Clock:
    """The receive path's clock, set per report so that received times arrive out of order."""

    def __init__(self):
        self.at = CLOSE

    def now(self):
        return self.at


@pytest.fixture
def stream(world, forms, monkeypatch):
    cis, o, s = world.cis, world.observers, world.stations
    start = CLOSE - dt.timedelta(hours=13)
    for code, station in (("CIS-002", "S112"), ("CIS-003", "S211"), ("CIS-004", "S111")):
        o[code] = do_create_observer(cis, code=code, name=code, phone="")
        do_deploy_observer(o[code], station=s[station], shift_start=start, shift_end=start + dt.timedelta(hours=14))
    o["CIS-009"] = do_create_observer(cis, code="CIS-009", name="Roaming", phone="")  # no deployment
    do_set_form_schedule(cis, form_id="count_form", due_time=dt.time(21), required_fields=["votes_aliyeva"])
    check_create_quality_check(cis, form_id="count_form", name="adds up",
                               expression="ballots_cast == invalid + votes_mammadov + votes_aliyeva")
    clock = Clock()
    monkeypatch.setattr(receive_path, "timezone", clock)
    rng = random.Random(7)
    sent: list[tuple[str, bytes]] = []

    def send(observer: str, xml: bytes, minutes: float) -> None:
        clock.at = CLOSE + dt.timedelta(minutes=minutes)
        receive_submission(xml, transport="openrosa", mission=cis, observer=o[observer])
        sent.append((observer, xml))

    stations = ["S111", "S112", "S211", "S121"]
    for i in range(40):
        observer = rng.choice(["CIS-001", "CIS-002", "CIS-003", "CIS-004", "CIS-009"])
        station = {"CIS-001": "S111", "CIS-002": "S112", "CIS-003": "S211", "CIS-004": "S111"}.get(
            observer, rng.choice(stations))
        send(observer, count_xml(f"uuid:r{i}", station, rng.randint(400, 900)), rng.uniform(-60, 240))
        if rng.random() < 0.25:  # an identical resubmission (ODK Collect retrying): stored once
            send(*sent[rng.randrange(len(sent))], rng.uniform(0, 240))
    # Edits of an earlier report by the same observer, and a late one arriving before its original's time.
    for i, (observer, xml) in enumerate(list(sent[:12])):
        original = xml.split(b"<instanceID>")[1].split(b"<")[0].decode()
        if observer != "CIS-009" and rng.random() < 0.5:
            station = xml.split(b"<station_code>")[1].split(b"<")[0].decode()
            send(observer, count_xml(f"{original}-e{i}", station, rng.randint(400, 900), edits=original),
                 rng.uniform(-30, 300))
    send("CIS-004", incident_xml("uuid:incident-1", "S111"), 45)
    return cis


def reset_to_before_any_report(mission) -> None:
    """The derived tables as they stand before the first report: every expected report missing, no master
    record, check result or incident, counters recounted from that."""
    MasterRecord.objects.filter(mission=mission).delete()
    Incident.objects.filter(mission=mission).delete()
    from pollwatch.checks.models import CheckResult

    CheckResult.objects.filter(mission=mission).delete()
    ExpectedReport.objects.filter(mission=mission).update(status="missing", submission=None, first_received_at=None)
    do_rebuild_dashboard_aggregates(mission)
    Submission.objects.filter(mission=mission).update(derive_state=DeriveState.PENDING)


def derive_in(order: list[int], batch: int) -> None:
    for i in range(0, len(order), batch):
        chunk = list(with_relations(Submission.objects.filter(pk__in=order[i:i + batch])))
        assert derive_or_mark_failed(chunk) == 0


def incidents(mission) -> list:
    return sorted(Incident.objects.filter(mission=mission).values_list("submission__instance_id", "category",
                                                                       "severity", "station_id"))


def test_batches_single_reports_and_the_bulk_rebuild_derive_the_same_tables(stream):
    mission = stream
    per_report = snapshot(mission)  # derived as each report arrived (the suite's immediate mode)
    per_report_incidents = incidents(mission)
    assert per_report["masters"] and per_report["checks"] and per_report["coverage"] and per_report_incidents
    assert any(m[4] > 0 for m in per_report["masters"]), "the stream has an open conflict"
    assert Submission.objects.filter(mission=mission, is_current=False).exists(), "and edits"

    ids = list(Submission.objects.filter(mission=mission).order_by("pk").values_list("pk", flat=True))
    rng = random.Random(11)
    for order, batch in [(ids, len(ids)), (ids, 7), (ids[::-1], 5), (rng.sample(ids, len(ids)), 3),
                         (rng.sample(ids, len(ids)), 1)]:
        reset_to_before_any_report(mission)
        derive_in(order, batch)
        assert snapshot(mission) == per_report, f"batches of {batch}"
        assert incidents(mission) == per_report_incidents
        assert not Submission.objects.filter(mission=mission).exclude(derive_state=DeriveState.DONE).exists()

    reset_to_before_any_report(mission)
    do_rebuild_election_day(mission)
    bulk = snapshot(mission)
    assert bulk == per_report


def test_deriving_a_batch_twice_changes_nothing(stream):
    mission = stream
    before = snapshot(mission)
    ids = list(Submission.objects.filter(mission=mission).values_list("pk", flat=True))
    derive_in(ids, 10)
    assert snapshot(mission) == before
