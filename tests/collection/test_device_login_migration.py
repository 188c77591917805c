"""The migration that made device-login usernames unique per mission keeps existing phone logins working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("collection", "0005_rebuild_indexes")]
AFTER = [("collection", "0006_device_login_unique_per_mission")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    # The test migrates collection back and forth: leave the database at every app's latest migration for the
    # tests after it in the same process.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_existing_login_keeps_its_username_and_pin_and_gets_its_observers_mission():
    from pollwatch.collection import digest

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    election = old.get_model("elections", "Election").objects.create(
        slug="e", name="E", country="az", date="2024-02-07", kind="presidential")
    mission = old.get_model("missions", "Mission").objects.create(election=election, slug="m", name="M",
                                                                   kind="citizen")
    observer = old.get_model("missions", "Observer").objects.create(mission=mission, code="CO-0001", name="O")
    ha1 = digest.ha1_for("co-0001", "1234")
    old.get_model("collection", "DeviceCredential").objects.create(observer=observer, username="co-0001", ha1=ha1)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    cred = new.get_model("collection", "DeviceCredential").objects.get()
    assert (cred.username, cred.ha1, cred.mission_id) == ("co-0001", ha1, mission.pk)
