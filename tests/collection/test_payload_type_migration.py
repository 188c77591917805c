"""The migration that gave reports a payload type: reports stored before it are XForm instances, SMS text is SMS."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("collection", "0012_worker_heartbeat")]
AFTER = [("collection", "0013_w16b_payload_type")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_reports_are_read_as_instances_and_sms_reports_as_sms_text():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    election = old.get_model("elections", "Election").objects.create(
        slug="e", name="E", country="az", date="2024-02-07", kind="presidential")
    mission = old.get_model("missions", "Mission").objects.create(election=election, slug="m", name="M",
                                                                   kind="citizen")
    Submission = old.get_model("collection", "Submission")
    for transport, instance_id, raw in [("openrosa", "uuid:1", '<data id="f"/>'), ("web", "uuid:2", "<data/>"),
                                        ("sms", "sms:1", "OP 101 A1 B2"), ("sms", "uuid:demo", "<data/>")]:
        Submission.objects.create(mission=mission, transport=transport, instance_id=instance_id, raw=raw,
                                  received_at="2024-02-07T08:00:00Z")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    types = dict(new.get_model("collection", "Submission").objects.values_list("instance_id", "payload_type"))
    # The demo generator's "sms" reports are XForm instances.
    assert types == {"uuid:1": "xform-xml", "uuid:2": "xform-xml", "sms:1": "sms-text", "uuid:demo": "xform-xml"}
