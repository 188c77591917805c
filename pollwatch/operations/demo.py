"""Demo hook: a realistic election day for the operations screens.

``build_demo_operations(summary, rng)`` runs after the demo generator has made its missions, deployments, forms,
opening checklists and quick-count reports. It adds count reports from the other static observers, arriving in a
burst after polls close (some late, some missing, some second observers who disagree, some that fail arithmetic
checks), form schedules, quality checks, a few hundred incidents in every triage state, and derives expected
reports and master records. The count reports are instances of the count form observers have on their phones
(``count_form``, one ``votes_<ballot position>`` per candidate), like every demo report.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from pollwatch.checks.services import check_create_quality_check
from pollwatch.collection.demo import count_values, demo_report, import_demo_forms
from pollwatch.collection.models import DeriveState, Submission
from pollwatch.incidents.models import Incident
from pollwatch.incidents.services import (
    check_mark_duplicate,
    check_report_incident,
    check_transition_incident,
)
from pollwatch.missions.models import Deployment, Membership, Role
from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates
from pollwatch.operations.derive import do_rebuild_master_records
from pollwatch.operations.services import do_set_form_schedule

CATEGORIES = ["campaigning near station", "unauthorised persons", "ballot stuffing", "carousel voting",
              "intimidation", "voter list problems", "secrecy of the vote", "obstruction of observers"]
COUNT_FORM = "count_form"
OPENING_FORM = "opening_checklist"


def _at(election, hour: int, minute: float) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(getattr(election, "timezone", "") or "UTC")
    return dt.datetime.combine(election.date, dt.time(hour), tzinfo=tz) + dt.timedelta(minutes=minute)


def _count(rng, station, positions: list[int], truth, *, broken: bool) -> dict:
    """A count report's answers: the honest count of the simulation when there is one, else a plausible one."""
    honest = getattr(truth, "honest_counts", {}).get(station.code) if truth is not None else None
    if honest is not None:
        cast, invalid, votes = honest
        votes = list(votes)
    else:
        cast = int(station.registered_voters * rng.uniform(0.35, 0.75))
        invalid = int(cast * rng.uniform(0.005, 0.03))
        valid = cast - invalid
        votes = [int(valid * s) for s in rng.dirichlet([6, 3, 1.5, 1, 1, 1, 1][: len(positions)] or [1])]
        votes[0] += valid - sum(votes)
    if broken:  # an arithmetic slip on the protocol copy
        votes[0] += int(rng.integers(5, 40))
    values = count_values(station, cast, invalid, dict(zip(positions, votes, strict=True)),
                          sealed=bool(rng.random() > 0.04))
    if rng.random() < 0.03:  # a required answer left empty
        values["invalid"] = None
    return values


def build_demo_operations(summary, rng) -> dict[str, int]:
    """Add the election-day simulation to the demo missions; returns counts to print."""
    counts = {"closing_reports": 0, "incidents": 0, "expected_reports": 0, "master_records": 0}
    truth = getattr(summary, "results_truth", None)
    for mission in summary.missions:
        all_deployments = list(Deployment.objects.for_mission(mission).select_related("station", "observer"))
        if not all_deployments:
            continue
        election = mission.election
        forms = import_demo_forms(mission)  # already there in the full demo: the same forms, found again
        count_form = forms[COUNT_FORM]
        positions = [int(f["name"][len("votes_"):]) for f in count_form.fields if f["name"].startswith("votes_")]
        # Stations whose count the demo's quick-count simulation reports (or loses) are left to it.
        owned = getattr(summary, "quick_count_stations", set())
        static = [d for d in all_deployments if d.station_id is not None and d.station_id not in owned]
        rows = []
        for n, dep in enumerate(static):
            if rng.random() < 0.06:  # silent at closing
                continue
            minutes = float(rng.gamma(2.0, 25.0))  # after 20:00, most within 1.5 hours; some after 21:00
            values = _count(rng, dep.station, positions, truth, broken=rng.random() < 0.04)
            rows.append(demo_report(
                count_form, values, instance_id=f"uuid:demo-close-{mission.slug}-{n:05d}", observer=dep.observer,
                station=dep.station, transport=rng.choice(["openrosa", "sms"]).item(),
                received_at=_at(election, 20, minutes),
            ))
            if rng.random() < 0.08 and len(static) > 1:  # a second observer at the station, sometimes disagreeing
                other = static[int(rng.integers(len(static)))].observer
                second = dict(values)
                if rng.random() < 0.5 and positions:
                    key = f"votes_{positions[0]}"
                    second[key] = int(second[key]) + int(rng.integers(10, 80))
                rows.append(demo_report(
                    count_form, second, instance_id=f"uuid:demo-close2-{mission.slug}-{n:05d}", observer=other,
                    station=dep.station, transport="openrosa",
                    received_at=_at(election, 20, minutes + float(rng.integers(1, 30))),
                ))
        Submission.objects.bulk_create(rows, batch_size=2000)
        counts["closing_reports"] += len(rows)
        # One bulk rebuild (the per-report path's own merge rule) instead of ~25 queries per station.
        counts["master_records"] += len(do_rebuild_master_records(mission).records)
        do_set_form_schedule(mission, form_id=OPENING_FORM, due_time=dt.time(8, 30),
                             required_fields=["opened_on_time", "ballot_box_sealed"])
        do_set_form_schedule(mission, form_id=COUNT_FORM, due_time=dt.time(21, 0),
                             required_fields=["ballots_cast", "invalid"])
        for name, expression in [("ballots add up", "sum(votes_*) + invalid == ballots_cast"),
                                 ("votes within ballots", "sum(votes_*) <= ballots_cast"),
                                 ("turnout possible", "ballots_cast <= registered")]:
            check_create_quality_check(mission, form_id=COUNT_FORM, name=name, expression=expression)
        counts["incidents"] += _demo_incidents(mission, all_deployments, rng)
        # The master records above were rebuilt without the per-report path: recount the dashboard's counters,
        # and take the bulk-loaded reports out of the derivation queue (the bulk rebuild derived them).
        do_rebuild_dashboard_aggregates(mission)
        Submission.objects.for_mission(mission).update(derive_state=DeriveState.DONE)
    from pollwatch.operations.models import ExpectedReport

    counts["expected_reports"] = ExpectedReport.objects.filter(mission__in=summary.missions).count()
    return counts


def _demo_incidents(mission, deployments, rng) -> int:
    coordinator = (Membership.objects.filter(mission=mission, role__in=[Role.COORDINATOR, Role.ADMIN])
                   .select_related("user").first())
    user = coordinator.user if coordinator else None
    n = min(300, max(3, len(deployments) // 6))
    made: list[Incident] = []
    for _ in range(n):
        dep = deployments[int(rng.integers(len(deployments)))]
        station = dep.station
        incident = check_report_incident(
            mission, source=rng.choice(["form", "sms", "staff"], p=[0.6, 0.3, 0.1]).item(),
            category=CATEGORIES[int(rng.integers(len(CATEGORIES)))], severity=int(rng.choice([1, 2, 3, 4], p=[0.3, 0.4, 0.2, 0.1])),
            description="Reported by the observer at the station.", station=station,
            location="" if station else str(dep.area), observer=dep.observer,
            occurred_at=_at(mission.election, 7, float(rng.uniform(0, 14 * 60))),
        )
        path = rng.choice(["new", "verifying", "verified", "rejected", "escalated", "resolved"],
                          p=[0.35, 0.2, 0.15, 0.1, 0.1, 0.1]).item()
        steps = {"new": [], "verifying": ["verifying"], "verified": ["verifying", "verified"],
                 "rejected": ["verifying", "rejected"], "escalated": ["verifying", "verified", "escalated"],
                 "resolved": ["verifying", "verified", "resolved"]}[path]
        for step in steps:
            check_transition_incident(incident, step, user=user, note="checked by phone")
        if made and rng.random() < 0.07:
            check_mark_duplicate(incident, made[int(rng.integers(len(made)))], user=user)
        made.append(incident)
    return n
