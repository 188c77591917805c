"""Helpers that make forms and reports for election-day tests.

Reports are stored as the Collection app stores a parsed submission and then go through the same entry
point it calls (``recompute_for_submission``), so the derived tables are built by the real path.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.operations.services import recompute_for_submission

_ids = itertools.count(1)
ELECTION_DAY = dt.datetime(2024, 2, 7, tzinfo=dt.UTC)


def make_form(mission, form_id="closing", kind="closing", fields=("registered", "valid", "invalid",
              "ballots_cast", "candidate_a", "candidate_b", "sealed")):
    return ObservationForm.objects.create(
        mission=mission, form_id=form_id, title=form_id.title(), kind=kind,
        fields=[{"name": f, "type": "int"} for f in fields],
    )


def report(form, observer, station, values, *, at="10:00", replaces=None, instance_id=""):
    hour, minute = map(int, at.split(":"))
    submission = Submission.objects.create(
        mission=form.mission, form=form, observer=observer, station=station, transport="web",
        instance_id=instance_id or f"uuid:{next(_ids)}", received_at=ELECTION_DAY.replace(hour=hour, minute=minute),
        raw="{}", values=values, deprecates=replaces,
    )
    if replaces is not None:
        Submission.objects.filter(pk=replaces.pk).update(is_current=False)
        replaces.refresh_from_db()
    recompute_for_submission(submission)
    return submission
