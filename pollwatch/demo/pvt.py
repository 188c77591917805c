"""The demo's quick count: count reports from the citizen network's sample stations through the evening.

Observers at the count see the ballots as really cast, so their reports carry the honest numbers of the
simulation — where the official protocol was stuffed or drawn, the quick count and the official result differ,
which is what a PVT is for. A few reports are late, missing, corrected, or impossible (flagged by the PVT page).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np

from pollwatch.collection.demo import count_values, demo_report
from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.demo.results import DemoResultsTruth
from pollwatch.missions.models import Deployment
from pollwatch.pvt.models import PvtSample

PVT_SAMPLE_SIZE = 1000
REPORTING = 0.92  # share of sample stations whose count arrives during the evening


def simulate_pvt_counts(sample: PvtSample, truth: DemoResultsTruth, rng: np.random.Generator) -> int:
    mission = sample.mission
    # The count form observers have on their phones (imported by the demo before any report).
    form = (ObservationForm.objects.for_mission(mission).filter(form_id=sample.count_form_id)
            .exclude(md5="").order_by("-created_at").first())
    observer_at = dict(Deployment.objects.for_mission(mission).exclude(station=None)
                       .values_list("station_id", "observer_id"))
    tz = zoneinfo.ZoneInfo(mission.election.timezone)
    closing = dt.datetime.combine(mission.election.date, dt.time(20, 0), tzinfo=tz)
    positions = list(sample.contest.candidates.order_by("ballot_position").values_list("ballot_position", flat=True))
    rows = []
    for entry in sample.stations.filter(is_reserve=False).select_related("station"):
        if rng.random() > REPORTING:
            continue  # the count never arrives (phone lost, observer expelled, ...)
        ballots, invalid, votes = truth.honest_counts[entry.station.code]
        values = count_values(entry.station, ballots, invalid, dict(zip(positions, votes, strict=True)))
        if rng.random() < 0.01:  # a typo the quality checks must catch: more ballots than voters
            values["ballots_cast"] = entry.station.registered_voters + int(rng.integers(100, 900))
        minutes = float(rng.gamma(3.0, 25.0))  # counts finish 30 min to 3 h after closing
        rows.append(demo_report(
            form, values, instance_id=f"uuid:demo-count-{entry.station.code}",
            observer_id=observer_at.get(entry.station_id), station=entry.station,
            transport=rng.choice(["sms", "sms", "openrosa"]).item(), received_at=closing + dt.timedelta(minutes=30 + minutes),
        ))
    Submission.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

