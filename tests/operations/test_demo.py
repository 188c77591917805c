"""The election-day demo hook gives every screen something to show."""

import types

import numpy as np
import pytest

from pollwatch.checks.models import CheckResult
from pollwatch.collection.models import Submission
from pollwatch.incidents.models import Incident
from pollwatch.operations.demo import build_demo_operations
from pollwatch.operations.models import ExpectedReport, MasterRecord

pytestmark = pytest.mark.django_db


def test_the_demo_hook_builds_closing_reports_schedules_checks_and_incidents(world):
    summary = types.SimpleNamespace(election=world.election, missions=[world.cis, world.odihr], counts={})
    counts = build_demo_operations(summary, np.random.default_rng(7))
    assert counts["closing_reports"] >= 0 and counts["incidents"] == Incident.objects.count() > 0
    assert ExpectedReport.objects.filter(mission=world.cis).count() == 1
    assert ExpectedReport.objects.filter(mission=world.odihr).count() == 2
    assert MasterRecord.objects.count() == counts["master_records"]
    closing = Submission.objects.filter(mission=world.cis, form__form_id="closing").count()
    masters = MasterRecord.objects.filter(mission=world.cis, form_id="closing").count()
    assert closing > 0
    assert CheckResult.objects.filter(mission=world.cis).count() == 3 * (closing + masters)
