"""Build the synthetic Azerbaijan-like demo election into the database.

Kept in its own module so later issues extend it (observer reports, incidents, official results with
injected anomalies, media). Everything is drawn from one seed: the same seed gives the same election.

This module writes with ``bulk_create`` rather than one ``do_*`` service call per row: it creates ~15,000
rows at once into an empty election, where the per-row services' audit entries would only be noise.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.collection.demo import demo_report, import_demo_forms
from pollwatch.collection.models import Submission
from pollwatch.demo import azerbaijan as az
from pollwatch.demo.pvt import PVT_SAMPLE_SIZE, simulate_pvt_counts
from pollwatch.demo.results import DemoResultsTruth, build_demo_results
from pollwatch.elections.models import Election, StationResult
from pollwatch.elections.services import do_create_contest, do_create_election
from pollwatch.geography.models import AdministrativeUnit, PollingStation
from pollwatch.media.demo import build_demo_media
from pollwatch.media.models import NewsItem
from pollwatch.missions.models import Deployment, Membership, Mission, Observer, Role
from pollwatch.pvt.services import do_draw_pvt_sample

ELECTION_SLUG = "az-2024-demo"
ELECTION_DATE = dt.date(2024, 2, 7)
TIMEZONE = "Asia/Baku"
INTERNATIONAL_OBSERVERS = 400  # short-term observers, in teams of two
CITIZEN_OBSERVERS = 1500
ADMIN_USER = "admin"
# A fixed, printed password: the demo is a local sandbox, and scripts and docs need to log in to it.
ADMIN_PASSWORD = "pollwatch-demo"  # noqa: S105
STAFF_USERS = [  # (username, mission slug, role)
    ("ieom-coordinator", "ieom", Role.COORDINATOR),
    ("ieom-analyst", "ieom", Role.ANALYST),
    ("ieom-clerk", "ieom", Role.DATA_CLERK),
    ("ieom-observer", "ieom", Role.OBSERVER),
    ("citizens-coordinator", "citizens", Role.COORDINATOR),
    ("citizens-analyst", "citizens", Role.ANALYST),
    ("citizens-clerk", "citizens", Role.DATA_CLERK),
    ("citizens-observer", "citizens", Role.OBSERVER),
]

Progress = Callable[[str, int], None]  # (step description, units of work done)


@dataclass
class DemoSummary:
    election: Election
    missions: list[Mission]
    results_truth: DemoResultsTruth | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # The quick-count sample's stations: their count reports (and missing ones) come from the PVT simulation, so
    # the election-day hook (pollwatch.operations.demo) adds none there.
    quick_count_stations: set[int] = field(default_factory=set)


def _local(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(ELECTION_DATE, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(TIMEZONE))


def _station_sizes(rng: np.random.Generator, n: int, urban: np.ndarray) -> np.ndarray:
    """Registered voters per station: log-normal, capped at 1,500 by law, urban stations larger.

    Tuned so that ~6,500 stations hold ~6.4 million voters, as in Azerbaijan's 2024 register.
    """
    mu = np.where(urban, 6.965, 6.765)
    sizes = np.exp(rng.normal(mu, 0.42))
    return np.clip(np.rint(sizes), 40, 1500).astype(int)


def build_demo(*, seed: int = 1, progress: Progress | None = None) -> DemoSummary:
    """Create the demo election, its geography, two missions, observers, deployments and election-day reports."""
    progress = progress or (lambda step, n: None)
    rng = np.random.default_rng(seed)
    names = random.Random(seed)
    with transaction.atomic():
        election = do_create_election(
            slug=ELECTION_SLUG,
            name="Snap presidential election 2024 (synthetic, Azerbaijan-like)",
            country="AZ",
            date=ELECTION_DATE,
            kind=Election.Kind.PRESIDENTIAL,
            timezone=TIMEZONE,
        )
        do_create_contest(election, "President", az.CANDIDATES)
        regions, constituencies = _build_geography(election, rng)
        progress("geography", 1)
        stations = _build_stations(election, constituencies, regions, rng)
        progress("stations", 1)
        ieom = Mission.objects.create(
            election=election, slug="ieom", name="International Election Observation Mission",
            kind=Mission.Kind.INTERNATIONAL, organisation="OSCE/ODIHR-like international mission (synthetic)",
            languages="en,ru,az",  # works in English, publishes in the country's languages too
        )
        citizens = Mission.objects.create(
            election=election, slug="citizens", name="Citizens for Fair Elections",
            kind=Mission.Kind.CITIZEN, organisation="Domestic citizen observer network (synthetic)",
            languages="az,ru",
        )
        _build_users([ieom, citizens])
        # The forms observers get on their phones, before any report: every simulated report is one of them.
        forms = {m.slug: import_demo_forms(m) for m in (ieom, citizens)}
        teams = _build_international(ieom, constituencies, names)
        truth = build_demo_results(election, rng)
        progress("official results", 1)
        sample = do_draw_pvt_sample(citizens, name="Quick count", size=PVT_SAMPLE_SIZE, strata=["region"],
                                    seed=seed, reserves=1)
        static = _build_citizens(citizens, stations, rng, names, sample)
        _link_observer_logins([ieom, citizens])
        progress("missions", 1)
        submissions = _simulate_election_day(forms, teams, static, stations, rng)
        submissions += simulate_pvt_counts(sample, truth, rng)
        progress("election day", 1)
        build_demo_media([ieom, citizens], seed=seed)
        do_record_audit("demo.build", detail={"seed": seed})
    from pollwatch.dbtools import refresh_planner_statistics

    refresh_planner_statistics()  # everything was written in bulk: the planner's statistics at once, not later
    summary = DemoSummary(election=election, missions=[ieom, citizens], results_truth=truth,
                          quick_count_stations=set(sample.stations.values_list("station_id", flat=True)))
    summary.counts = demo_counts(election)
    summary.counts["submissions"] = submissions
    return summary


def _build_geography(election, rng):
    country = AdministrativeUnit.objects.create(
        election=election, code="AZ", name="Azerbaijan", level="country", depth=0, latitude=40.3, longitude=47.7
    )
    regions = AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(election=election, parent=country, code=code, name=name, level="region", depth=1,
                           latitude=lat, longitude=lon)
        for code, name, lat, lon, _n, _u in az.REGIONS
    )
    constituencies = []
    number = 0
    for region, (_c, name, lat, lon, n, _u) in zip(regions, az.REGIONS, strict=True):
        spread = 0.04 if name == "Baku" else 0.35
        for k in range(1, n + 1):
            number += 1
            constituencies.append(
                AdministrativeUnit(
                    election=election, parent=region, code=f"C{number:03d}",
                    name=f"{name} No. {k}" if n > 1 else name, level="constituency", depth=2,
                    latitude=round(lat + rng.normal(0, spread), 4), longitude=round(lon + rng.normal(0, spread), 4),
                )
            )
    constituencies = AdministrativeUnit.objects.bulk_create(constituencies)
    return regions, constituencies


def _build_stations(election, constituencies, regions, rng):
    urban_share = {r.pk: u for r, (*_rest, u) in zip(regions, az.REGIONS, strict=True)}
    stations = []
    for c in constituencies:
        n = int(rng.integers(40, 65))
        urban = rng.random(n) < urban_share[c.parent_id]
        sizes = _station_sizes(rng, n, urban)
        lat = c.latitude + rng.normal(0, 0.03, n)
        lon = c.longitude + rng.normal(0, 0.03, n)
        for i in range(n):
            building = az.BUILDINGS[int(rng.integers(len(az.BUILDINGS)))].format(n=int(rng.integers(1, 300)))
            street = az.STREETS[int(rng.integers(len(az.STREETS)))]
            stations.append(
                PollingStation(
                    election=election, unit=c, code=f"{c.code[1:]}-{i + 1:03d}", name=building,
                    address=f"{street} str. {int(rng.integers(1, 200))}, {c.name}",
                    registered_voters=int(sizes[i]), setting="urban" if urban[i] else "rural",
                    latitude=round(float(lat[i]), 5), longitude=round(float(lon[i]), 5),
                )
            )
    return PollingStation.objects.bulk_create(stations, batch_size=2000)


def _build_users(missions):
    users = get_user_model()
    admin = users.objects.create_superuser(ADMIN_USER, email="admin@example.org", password=ADMIN_PASSWORD)
    by_slug = {m.slug: m for m in missions}
    Membership.objects.bulk_create(Membership(user=admin, mission=m, role=Role.ADMIN) for m in missions)
    for username, slug, role in STAFF_USERS:
        user = users.objects.create_user(username, password=ADMIN_PASSWORD)
        Membership.objects.create(user=user, mission=by_slug[slug], role=role)


def _link_observer_logins(missions) -> None:
    """Each mission's observer-role web login is its first observer's: they see that observer's assignment and
    reports, and nobody else's."""
    users = get_user_model()
    for mission in missions:
        observer = Observer.objects.for_mission(mission).order_by("code").first()
        if observer is not None:
            observer.user = users.objects.get(username=f"{mission.slug}-observer")
            observer.save(update_fields=["user"])


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, mission slug) of every demo web login, for ``pollwatch demo`` to print."""
    names = {ADMIN_USER, *(u for u, _, _ in STAFF_USERS)}
    return [(username, ADMIN_PASSWORD, role, slug) for username, role, slug in
            Membership.objects.filter(user__username__in=names).order_by("mission__slug", "role", "user__username")
            .values_list("user__username", "role", "mission__slug")]


def _person(names: random.Random, given: list[str], family: list[str]) -> str:
    return f"{names.choice(given)} {names.choice(family)}"


def _build_international(mission, constituencies, names):
    """200 mobile teams of two short-term observers, each touring one constituency for the whole day."""
    observers = Observer.objects.bulk_create(
        Observer(
            mission=mission, code=f"STO-{i + 1:03d}", name=_person(names, az.INT_GIVEN, az.INT_FAMILY),
            phone=f"{names.choice(az.INT_PHONE_PREFIXES)}{names.randrange(10**7, 10**8)}",
            languages=names.choice(["en", "en,ru", "en,fr", "en,de", "en,ru,tr"]), category="STO",
        )
        for i in range(INTERNATIONAL_OBSERVERS)
    )
    # Every constituency gets a team; the remaining teams double up where there are most stations (Baku first).
    teams_total = INTERNATIONAL_OBSERVERS // 2
    areas = list(constituencies) + names.sample(constituencies, k=teams_total - len(constituencies))
    deployments = []
    teams = []
    for t, area in enumerate(areas):
        pair = observers[2 * t : 2 * t + 2]
        team = f"T{t + 1:03d}"
        teams.append((team, area, pair))
        deployments += [
            Deployment(mission=mission, observer=o, area=area, team=team,
                       shift_start=_local(6, 30), shift_end=_local(23, 0))
            for o in pair
        ]
    Deployment.objects.bulk_create(deployments)
    return teams


def _build_citizens(mission, stations, rng, names, sample):
    """1,500 static observers, one per station: every quick-count sample station, then random others."""
    observers = Observer.objects.bulk_create(
        Observer(
            mission=mission, code=f"CO-{i + 1:04d}", name=_person(names, az.AZ_GIVEN, az.AZ_FAMILY),
            phone=f"+99450{names.randrange(10**6, 10**7)}", languages=names.choice(["az", "az,ru", "az,en"]),
            category="static",
        )
        for i in range(CITIZEN_OBSERVERS)
    )
    in_sample = set(sample.stations.filter(is_reserve=False).values_list("station_id", flat=True))
    first = [i for i, s in enumerate(stations) if s.pk in in_sample]
    others = np.array([i for i, s in enumerate(stations) if s.pk not in in_sample])
    chosen = first + [int(i) for i in rng.choice(others, size=CITIZEN_OBSERVERS - len(first), replace=False)]
    posts = [(o, stations[int(i)]) for o, i in zip(observers, chosen, strict=True)]
    Deployment.objects.bulk_create(
        Deployment(mission=mission, observer=o, station=s, team=f"S{s.code}",
                   shift_start=_local(7, 0), shift_end=_local(22, 0))
        for o, s in posts
    )
    return posts


def _simulate_election_day(forms, teams, static, stations, rng) -> int:
    """Opening checklists from the citizen network and station visits by the international teams.

    Arrivals come in a burst after 08:00 (polls open), a few late or missing. Each report is an instance of the
    form the observer has on the phone (the opening checklist, the election-day checklist).
    """
    opening_form, visit_form = forms["citizens"]["opening_checklist"], forms["ieom"]["election_day_checklist"]
    rows = []
    opening = _local(8, 0)
    for n, (observer, station) in enumerate(static):
        if rng.random() < 0.04:  # silent observer
            continue
        delay = float(rng.gamma(2.0, 9.0)) - 10  # minutes after 08:00, most within half an hour
        at = opening + dt.timedelta(minutes=delay)
        opened = opening + dt.timedelta(minutes=max(0.0, delay - 25) if rng.random() < 0.08 else 0)
        values = {
            "start": (at - dt.timedelta(minutes=6)).isoformat(timespec="milliseconds"),
            "end": at.isoformat(timespec="milliseconds"),
            "station_code": station.code,
            "observer_code": observer.code,
            "opened_at": opened.timetz().isoformat(timespec="milliseconds"),
            "opened_on_time": _yes(opened == opening),
            "ballot_box_sealed": _yes(rng.random() > 0.03),
            "voter_list_present": _yes(rng.random() > 0.02),
            "commission_members": int(rng.integers(5, 16)),
            "unauthorised_persons": _yes(rng.random() < 0.06),
        }
        rows.append(demo_report(
            opening_form, values, instance_id=f"uuid:demo-open-{n:05d}", observer=observer, station=station,
            transport=rng.choice(["openrosa", "sms", "sms"]).item(), received_at=at,
        ))
    by_unit: dict[int, list[PollingStation]] = {}
    for s in stations:
        by_unit.setdefault(s.unit_id, []).append(s)
    problems = ["carousel", "family", "stuffing", "pressure"]
    for team, area, pair in teams:
        visited = rng.choice(len(by_unit[area.pk]), size=min(8, len(by_unit[area.pk])), replace=False)
        for k, i in enumerate(sorted(visited)):
            station = by_unit[area.pk][int(i)]
            at = _local(8, 30) + dt.timedelta(minutes=75 * k + float(rng.integers(0, 40)))
            assessment = rng.choice(["very_good", "good", "good", "good", "bad", "very_bad"]).item()
            seen = [p for p in problems if rng.random() < (0.25 if "bad" in assessment else 0.03)]
            values = {
                "start": (at - dt.timedelta(minutes=40)).isoformat(timespec="milliseconds"),
                "end": at.isoformat(timespec="milliseconds"),
                "station_code": station.code,
                "observer_code": pair[0].code,
                "voters_present": int(rng.integers(0, 40)),
                "secrecy_respected": _yes(rng.random() > (0.3 if "bad" in assessment else 0.02)),
                "ink_checked": _yes(rng.random() > 0.1),
                "problems": seen,
                "overall_assessment": assessment,
            }
            rows.append(demo_report(
                visit_form, values, instance_id=f"uuid:demo-visit-{team}-{k}", observer=pair[0], station=station,
                transport="openrosa", received_at=at,
            ))
    Submission.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _yes(answer: bool) -> str:
    """A yes/no question's answer as the forms' ``yes_no`` choice list names it."""
    return "yes" if answer else "no"


def demo_counts(election: Election) -> dict[str, int]:
    """What ``pollwatch demo`` prints: the size of each part of the demo election."""
    from django.db.models import Sum

    missions = Mission.objects.filter(election=election)
    stations = PollingStation.objects.filter(election=election)
    return {
        "regions": AdministrativeUnit.objects.filter(election=election, level="region").count(),
        "constituencies": AdministrativeUnit.objects.filter(election=election, level="constituency").count(),
        "stations": stations.count(),
        "registered_voters": stations.aggregate(v=Sum("registered_voters"))["v"] or 0,
        "candidates": sum(c.candidates.count() for c in election.contests.all()),
        "missions": missions.count(),
        "observers": Observer.objects.filter(mission__in=missions).count(),
        "deployments": Deployment.objects.filter(mission__in=missions).count(),
        "submissions": Submission.objects.filter(mission__in=missions).count(),
        "official_results": StationResult.objects.filter(contest__election=election).count(),
        "news_items": NewsItem.objects.filter(mission__in=missions).count(),
    }
