"""Benchmark: server time of the election-day dashboard and its partials on a large election.

Generates ``--stations`` polling stations (default 100,000) with one static observer each, two scheduled forms
and ``--submissions`` reports (default 1,000,000; several per station and form, as with edits and second
observers), then derives the stored tables the pages read (expected reports, master records) in bulk, as
the worker would have left them, and the dashboard's counters from them with
``do_rebuild_dashboard_aggregates`` (equal to what the per-report recounts leave, tests/operations/
test_aggregates.py). Each page is requested ``--repeat`` times through Django's test client (server time: view
+ queries + template, no network) with and without filters, and p50/p95 are printed. Target (issue 5): p95 <
200 ms. Then ``--writes`` new reports (default 5,000) are derived by the worker's batch path (``derive_backlog``)
on the built election: reports per second (target: >= 200/s at 100,000 stations / 1,000,000 reports).

    .venv/bin/python bench/dashboard.py [--backend sqlite|postgres|both]

SQLite goes to a temporary directory; PostgreSQL is a throwaway cluster (``pollwatch.testing.pgcluster``, unix
socket, fsync off), or the server of ``DATABASE_URL`` if it is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(n_stations: int, n_submissions: int, seed: int) -> None:
    import numpy as np

    from pollwatch.collection.models import DeriveState, ObservationForm, Submission
    from pollwatch.elections.models import Election
    from pollwatch.geography.models import AdministrativeUnit, PollingStation
    from pollwatch.missions.models import Deployment, Membership, Mission, Observer, Role
    from pollwatch.missions.services import do_create_user
    from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates
    from pollwatch.operations.models import MAP_BUCKETS, ExpectedReport, FormSchedule, MasterRecord

    rng = np.random.default_rng(seed)
    election = Election.objects.create(slug="bench", name="Bench", country="az", date=dt.date(2024, 2, 7),
                                       kind="presidential", timezone="Asia/Baku")
    mission = Mission.objects.create(election=election, slug="bench", name="Bench", kind="citizen")
    user = do_create_user("bench", "bench-password")
    Membership.objects.create(user=user, mission=mission, role=Role.COORDINATOR)
    country = AdministrativeUnit.objects.create(election=election, code="XX", name="Country", depth=0, level="country")
    regions = AdministrativeUnit.objects.bulk_create([
        AdministrativeUnit(election=election, parent=country, code=f"R{i:02d}", name=f"Region {i}", depth=1,
                           level="region") for i in range(20)])
    units = AdministrativeUnit.objects.bulk_create([
        AdministrativeUnit(election=election, parent=regions[i % 20], code=f"C{i:04d}", name=f"Const {i}", depth=2,
                           level="constituency") for i in range(500)])
    PollingStation.objects.bulk_create([
        PollingStation(election=election, unit=units[i % 500], code=f"S{i:06d}", registered_voters=1000,
                       latitude=38 + 4 * rng.random(), longitude=44 + 6 * rng.random()) for i in range(n_stations)],
        batch_size=5000)
    stations = list(PollingStation.objects.filter(election=election).order_by("pk").values_list("pk", "unit_id"))
    region_of = {u.pk: u.parent_id for u in units}
    Observer.objects.bulk_create([Observer(mission=mission, code=f"O{i:06d}", name=f"Observer {i}",
                                           phone=f"+99450{i:07d}") for i in range(n_stations)], batch_size=5000)
    observers = list(Observer.objects.filter(mission=mission).order_by("pk").values_list("pk", flat=True))
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    Deployment.objects.bulk_create([Deployment(mission=mission, observer_id=o, station_id=s, shift_start=start,
                                               shift_end=start + dt.timedelta(hours=16))
                                    for o, (s, _) in zip(observers, stations, strict=True)], batch_size=5000)
    forms = [ObservationForm.objects.create(mission=mission, form_id=f, title=f, kind=f, version="1")
             for f in ("opening", "closing")]
    schedules = [FormSchedule.objects.create(mission=mission, form_id=f, due_time=dt.time(h))
                 for f, h in (("opening", 8), ("closing", 21))]
    batch = []
    for i in range(n_submissions):
        k = i % n_stations
        form = forms[(i // n_stations) % 2]
        at = start + dt.timedelta(minutes=float(rng.gamma(2, 20)) + (0 if form.form_id == "opening" else 780))
        batch.append(Submission(mission=mission, form=form, observer_id=observers[k], station_id=stations[k][0],
                                transport="sms", instance_id=f"b{i}", received_at=at, raw="{}",
                                values={"ballot_box_sealed": bool(rng.random() > 0.05), "valid": 100},
                                derive_state=DeriveState.DONE))  # the bulk rebuild below derives them
        if len(batch) == 10000:
            Submission.objects.bulk_create(batch)
            batch = []
    Submission.objects.bulk_create(batch)
    statuses = ["complete"] * 80 + ["late"] * 8 + ["missing"] * 6 + ["partial"] * 3 + ["conflicting"] * 3
    for schedule in schedules:
        drawn = [statuses[int(rng.integers(100))] for _ in stations]
        ExpectedReport.objects.bulk_create([
            ExpectedReport(mission=mission, schedule=schedule, observer_id=o, station_id=s, region_id=region_of[u],
                           due_at=start, status=status, map_bucket=s % MAP_BUCKETS,
                           first_received_at=None if status == "missing" else
                           start + dt.timedelta(minutes=float(rng.gamma(2, 30))))
            for o, (s, u), status in zip(observers, stations, drawn, strict=True)], batch_size=5000)
        MasterRecord.objects.bulk_create([
            MasterRecord(mission=mission, station_id=s, form_id=schedule.form_id,
                         values={"ballot_box_sealed": bool(rng.random() > 0.05)}, report_count=1,
                         open_conflicts=int(rng.random() < 0.03)) for s, _ in stations], batch_size=5000)
    started = time.perf_counter()
    do_rebuild_dashboard_aggregates(mission)
    print(f"  do_rebuild_dashboard_aggregates: {time.perf_counter() - started:.1f} s")


def measure(repeat: int) -> list[tuple[str, float, float]]:
    from django.test import Client

    from pollwatch.geography.models import AdministrativeUnit

    client = Client()
    client.post("/login/", {"username": "bench", "password": "bench-password"})
    region = AdministrativeUnit.objects.filter(election__slug="bench", depth=1).first().pk
    pages = [
        ("dashboard", "/missions/bench/operations/dashboard", {}),
        ("dashboard region+form", "/missions/bench/operations/dashboard", {"region": region, "form": "closing"}),
        ("map partial", "/missions/bench/operations/map", {}),
        ("map partial region+form", "/missions/bench/operations/map", {"region": region, "form": "closing"}),
        ("coverage partial", "/missions/bench/operations/coverage", {}),
        ("coverage partial region", "/missions/bench/operations/coverage", {"region": region}),
        ("election-day page", "/missions/bench/operations/", {}),
        ("silent observers list", "/missions/bench/operations/expected/", {"status": "missing"}),
    ]
    out = []
    for name, url, params in pages:
        client.get(url, params, HTTP_HOST="localhost")  # warm-up, not timed: imports, template compilation
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, params, HTTP_HOST="localhost")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        out.append((name, statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]))
    return out


def measure_batch_derivation(n: int, seed: int) -> tuple[float, float]:
    """Reports derived per second by the worker's batch path (``derive_backlog``: claim a batch, derive every table
    for it, mark it done) for ``n`` new reports on the big election, and the p50 of one batch in ms."""
    import numpy as np

    from pollwatch.collection.derivation import batch_size, derive_backlog
    from pollwatch.collection.models import ObservationForm, Submission
    from pollwatch.missions.models import Deployment

    rng = np.random.default_rng(seed)
    form = ObservationForm.objects.get(mission__slug="bench", form_id="closing")
    deployments = list(Deployment.objects.filter(mission=form.mission).values_list("observer_id", "station_id"))
    at = dt.datetime(2024, 2, 7, 16, tzinfo=dt.UTC)
    picks = rng.integers(len(deployments), size=n)
    Submission.objects.bulk_create([
        Submission(mission=form.mission, form=form, observer_id=deployments[k][0], station_id=deployments[k][1],
                   transport="sms", instance_id=f"w{seed}-{i}", received_at=at + dt.timedelta(seconds=i), raw="{}",
                   values={"ballot_box_sealed": bool(rng.random() > 0.05), "valid": 100})
        for i, k in enumerate(picks)], batch_size=5000)
    batches: list[float] = []
    last = time.perf_counter()

    def lap(_count: int) -> None:
        nonlocal last
        now = time.perf_counter()
        batches.append((now - last) * 1000)
        last = now

    started = time.perf_counter()
    derived = derive_backlog(progress=lap)
    elapsed = time.perf_counter() - started
    assert derived == n, (derived, n)
    print(f"  (batches of {batch_size()})")
    return n / elapsed, statistics.median(batches) if batches else float("nan")


def run(args) -> None:
    """One backend, in this process: DATABASE_URL selects PostgreSQL, otherwise SQLite in a temporary dir."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("POLLWATCH_DATA_DIR", tmp)
        from pollwatch.cli.django_setup import setup_django

        setup_django(None if os.environ.get("DATABASE_URL") else Path(tmp) / "bench.sqlite3")
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        build(args.stations, args.submissions, args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:  # what `pollwatch worker` (and the demo build) run on SQLite
            from pollwatch.dbtools import refresh_sqlite_statistics

            refresh_sqlite_statistics()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"{engine}: {args.stations:,} stations, {args.submissions:,} submissions built in "
              f"{time.perf_counter() - started:.0f} s (load average {os.getloadavg()[0]:.2f})")
        for name, p50, p95 in measure(args.repeat):
            print(f"  {name:28s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        rate, batch_p50 = measure_batch_derivation(args.writes, args.seed)
        print(f"  {'batch derivation':28s} {rate:7.1f} reports/s   one batch p50 {batch_p50:7.1f} ms   "
              f"({args.writes} new reports)")
        print(f"  load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both", "current"], default="both",
                        help="current: whatever DATABASE_URL says, in this process")
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--writes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.backend == "current":
        run(args)
        return
    rest = [f"--{k}={getattr(args, k)}" for k in ("stations", "submissions", "repeat", "writes", "seed")]
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        env = dict(os.environ)
        cluster = None
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
        elif not env.get("DATABASE_URL"):
            from pollwatch.testing.pgcluster import Cluster, find_pg_bin

            bindir = find_pg_bin()
            if bindir is None:
                print("postgres: initdb not found, skipped")
                continue
            cluster = Cluster(bindir)
            env["DATABASE_URL"] = cluster.start()
            cluster._run("createdb", "-h", str(cluster.dir), "-U", "postgres", "pollwatch")
        try:
            subprocess.run([sys.executable, __file__, "--backend=current", *rest], env=env, check=True, cwd=ROOT)
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
