"""A forensic report is computed once for given results and code: another web worker, or the server after a
restart, reads it from the data dir's cache instead of fitting the Klimek model again; new results, or a damaged
cache, are computed afresh."""

import pytest
from django.urls import reverse

from pollwatch.forensics import queries
from pollwatch.results.official import do_import_results
from pollwatch.stats.results import results_from_rows
from tests.conftest import RESULTS_HEADER, RESULTS_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(world, monkeypatch, settings, tmp_path):
    settings.CACHES = {**settings.CACHES, "forensics": {**settings.CACHES["forensics"], "LOCATION": str(tmp_path)}}
    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, RESULTS_ROWS))
    runs = []
    real = queries.run_forensics
    monkeypatch.setattr(queries, "run_forensics", lambda table, rng: runs.append(len(table)) or real(table, rng=rng))
    queries.forget_computed_reports()
    first = queries.forensics_report(world.contest)
    queries.forget_computed_reports()  # as a freshly started web worker
    return first, runs, tmp_path


def test_another_worker_reads_the_computed_report(world, computed, login):
    first, runs, _ = computed
    again = queries.forensics_report(world.contest)
    assert runs == [4]  # computed once, for the first worker
    assert again.to_json() == first.to_json()
    assert login(world.alice).get(reverse("forensics", args=["odihr"])).status_code == 200 and runs == [4]


def test_new_results_are_computed_afresh(world, computed):
    first, runs, _ = computed
    changed = [row[:] for row in RESULTS_ROWS]
    changed[0][7], changed[0][8] = "300", "190"  # same totals: only the candidates' votes differ
    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, changed))
    queries.forget_computed_reports()
    report = queries.forensics_report(world.contest)
    assert runs == [4, 4] and report.to_json() != first.to_json()


def test_a_damaged_cache_costs_time_not_the_page(world, computed, login):
    first, runs, cache_dir = computed
    for entry in cache_dir.rglob("*.djcache"):
        entry.write_bytes(b"not a cache entry")
    response = login(world.alice).get(reverse("forensics", args=["odihr"]))
    assert response.status_code == 200 and "Integer percentages" in response.content.decode()
    assert runs == [4, 4]
