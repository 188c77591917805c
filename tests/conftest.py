"""The named test world: one small election observed by an OSCE-like and a CIS-like mission.

People (refer to them by name in tests):
- ``alice``: admin of the OSCE/ODIHR-like mission ``odihr``; ``anna``: analyst there.
- ``boris``: coordinator of the CIS-like mission ``cis``; ``bella``: analyst there.
- ``outsider``: a user of no mission.
Observers: ``ODI-001``/``ODI-002`` (a mobile team in region ``R1``), ``CIS-001`` (static at station ``S111``).
Geography: country ``AZ`` → regions ``R1``, ``R2`` → constituencies ``C11``, ``C12``, ``C21`` → stations
``S111``, ``S112``, ``S121``, ``S211`` with 800/1200/600/1500 registered voters.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass

import pytest

PASSWORD = "correct horse battery staple"

# Browser tests: Debian's Chromium, launched headless with the flags a closed network needs. One Playwright
# instance per test process (its sync API runs an event loop in the thread; a second one cannot start).
CHROMIUM = os.environ.get("POLLWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
# Django's ORM calls from a browser test's body are still synchronous and safe under Playwright's loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + "; under CI the browser tests must run")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class World:
    election: object
    contest: object
    odihr: object
    cis: object
    alice: object
    anna: object
    boris: object
    bella: object
    outsider: object
    stations: dict
    units: dict
    observers: dict


# Official results of the world's contest (pollwatch results' canonical columns), for the forensics and what reads
# them: S111 at 62.5 % turnout (no integer), S112 at exactly 50 %, S121, and S211 at 100 %.
RESULTS_HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid",
                  "Ilgar Mammadov", "Leyla Aliyeva"]
RESULTS_ROWS = [["S111", "", "", "800", "500", "498", "8", "400", "90"],
                ["S112", "", "", "1200", "600", "600", "10", "500", "90"],
                ["S121", "", "", "600", "300", "300", "0", "200", "100"],
                ["S211", "", "", "1500", "1500", "1500", "0", "1499", "1"]]


@pytest.fixture
def world(db) -> World:
    from pollwatch.elections.services import do_create_contest, do_create_election
    from pollwatch.geography.services import do_create_station, do_create_unit
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import (
        do_add_member,
        do_create_mission,
        do_create_observer,
        do_create_user,
        do_deploy_observer,
    )

    election = do_create_election(
        slug="az-2024", name="Snap presidential election 2024", country="az", date=dt.date(2024, 2, 7),
        kind="presidential", timezone="Asia/Baku",
    )
    contest = do_create_contest(election, "President", [("Ilgar Mammadov", "Renewal"), ("Leyla Aliyeva", "Unity")])
    units = {"AZ": do_create_unit(election, code="AZ", name="Azerbaijan", level="country")}
    units["R1"] = do_create_unit(election, code="R1", name="Absheron", level="region", parent=units["AZ"])
    units["R2"] = do_create_unit(election, code="R2", name="Ganja-Dashkasan", level="region", parent=units["AZ"])
    units["C11"] = do_create_unit(election, code="C11", name="Sumgait", level="constituency", parent=units["R1"])
    units["C12"] = do_create_unit(election, code="C12", name="Khirdalan", level="constituency", parent=units["R1"])
    units["C21"] = do_create_unit(election, code="C21", name="Ganja", level="constituency", parent=units["R2"])
    stations = {
        "S111": do_create_station(units["C11"], code="S111", name="School 1", registered_voters=800),
        "S112": do_create_station(units["C11"], code="S112", name="School 2", registered_voters=1200),
        "S121": do_create_station(units["C12"], code="S121", name="Library", registered_voters=600),
        "S211": do_create_station(units["C21"], code="S211", name="Youth centre", registered_voters=1500),
    }
    odihr = do_create_mission(election, slug="odihr", name="OSCE/ODIHR EOM", kind="international")
    cis = do_create_mission(election, slug="cis", name="CIS Observer Mission", kind="international")
    people = {name: do_create_user(name, PASSWORD) for name in ("alice", "anna", "boris", "bella", "outsider")}
    do_add_member(odihr, people["alice"], Role.ADMIN)
    do_add_member(odihr, people["anna"], Role.ANALYST)
    do_add_member(cis, people["boris"], Role.COORDINATOR)
    do_add_member(cis, people["bella"], Role.ANALYST)
    start = dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC)
    end = dt.datetime(2024, 2, 7, 17, 0, tzinfo=dt.UTC)
    observers = {
        "ODI-001": do_create_observer(odihr, code="ODI-001", name="Ingrid Larsen", phone="+4790000001"),
        "ODI-002": do_create_observer(odihr, code="ODI-002", name="Tomas Novak", phone="+4209000002"),
        "CIS-001": do_create_observer(cis, code="CIS-001", name="Pavel Orlov", phone="+7900000001"),
    }
    for code in ("ODI-001", "ODI-002"):
        do_deploy_observer(observers[code], area=units["R1"], team="T01", shift_start=start, shift_end=end)
    do_deploy_observer(observers["CIS-001"], station=stations["S111"], team="C1", shift_start=start, shift_end=end)
    return World(
        election=election, contest=contest, odihr=odihr, cis=cis, stations=stations, units=units,
        observers=observers, **people,
    )


@pytest.fixture
def login(client):
    """``login(user)`` logs the Django test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _derive_in_process(settings):
    # A stored report is derived in the request that stores it, so a test sees the election-day tables at once;
    # tests/collection/test_derivation_queue.py checks the production path (pending in the reports table,
    # derived in batches by the worker). Other slow jobs run in-process too.
    settings.POLLWATCH_DERIVE = "immediate"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def _forensics_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("forensics-cache")


@pytest.fixture(autouse=True)
def _forensics_cache_of_the_session(settings, _forensics_cache_dir):
    # Computed forensic reports are cached on disk under the data dir; tests keep theirs out of the checkout's var/.
    settings.CACHES = {**settings.CACHES, "forensics": {**settings.CACHES["forensics"],
                                                        "LOCATION": str(_forensics_cache_dir)}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 takes ~0.6 s a password here, and the world alone has five users: ~3 s per test spent on nothing any
    # test checks (Django's testing docs recommend a fast hasher). Production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language (Accept-Language, the switcher) active in the thread after the response: the
    # next test's direct service calls would speak it. Each test starts and ends in the default language.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_unit_trees():
    # Each test builds its own geography, and SQLite reuses the ids a rolled-back test used: a tree cached by
    # (unit count, highest id) could look current in the next test.
    from pollwatch.geography.tree import forget_trees

    forget_trees()


@pytest.fixture(autouse=True)
def _fresh_device_logins():
    # Device logins, and logins seen with no failure on record, are cached per process for a few seconds: a
    # rolled-back test's observers, PINs and axes rows must not look current in the next test.
    from pollwatch.collection.openrosa import forget_credentials

    forget_credentials()
