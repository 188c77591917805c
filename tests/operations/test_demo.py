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


def test_the_demo_hook_builds_count_reports_schedules_checks_and_incidents(world):
    summary = types.SimpleNamespace(election=world.election, missions=[world.cis, world.odihr], counts={})
    counts = build_demo_operations(summary, np.random.default_rng(7))
    assert counts["closing_reports"] >= 0 and counts["incidents"] == Incident.objects.count() > 0
    # One expected report per observer and scheduled form (the opening checklist and the count form).
    assert ExpectedReport.objects.filter(mission=world.cis).count() == 2
    assert ExpectedReport.objects.filter(mission=world.odihr).count() == 4
    assert MasterRecord.objects.count() == counts["master_records"]
    closing = Submission.objects.filter(mission=world.cis, form__form_id="count_form").count()
    masters = MasterRecord.objects.filter(mission=world.cis, form_id="count_form").count()
    assert closing > 0
    assert CheckResult.objects.filter(mission=world.cis).count() == 3 * (closing + masters)


def test_the_demo_hooks_count_reports_are_instances_of_the_count_form_phones_download(world):
    from pollwatch.collection.xforms import parse_xml, read_instance_header, read_values

    summary = types.SimpleNamespace(election=world.election, missions=[world.cis], counts={})
    build_demo_operations(summary, np.random.default_rng(7))
    report = Submission.objects.select_related("form").get(mission=world.cis)
    header = read_instance_header(report.raw.encode())
    assert (header.form_id, header.version) == (report.form.form_id, report.form.version)
    assert report.form.xform and report.form.md5
    # What is stored is what parsing the raw instance gives, as for a report a phone sent.
    assert read_values(parse_xml(report.raw), report.form.fields)[0] == report.values
    assert {"votes_1", "votes_2", "ballots_cast", "ballot_box_sealed"} <= report.values.keys()
