"""The quick count warns before publication when the silent sample stations are not like the reporting ones."""

import numpy as np

from pollwatch.stats.pvt.estimate import RatioEstimate
from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.nonresponse import nonresponse_check
from pollwatch.stats.pvt.quick_count import estimate_quick_count
from pollwatch.stats.results import results_from_rows


def _world(seed=1, n=3000):
    rng = np.random.default_rng(seed)
    urban = rng.random(n) < 0.4
    registered = np.where(urban, rng.integers(1500, 3000, n), rng.integers(200, 900, n))
    region = rng.choice(["North", "South", "East"], n)
    frame = Frame(np.array([f"S{i}" for i in range(n)]), registered.astype(np.int64),
                  {"setting": np.where(urban, "urban", "rural"), "region": region})
    sample = rng.choice(n, 600, replace=False)
    return rng, frame, urban, sample


def _results(rng, frame, rows, urban):
    out = []
    for i in rows:
        reg = int(frame.registered[i])
        issued = rng.binomial(reg, 0.55)
        a = rng.binomial(issued, 0.35 if urban[i] else 0.6)  # the leader is weaker in towns
        small = rng.binomial(issued - a, 0.01)
        out.append([str(frame.station_id[i]), str(reg), str(issued), str(issued), "0", str(a), str(small),
                    str(issued - a - small)])
    return results_from_rows(["station_id", "registered", "issued", "ballots", "invalid", "A", "Tiny", "B"], out)


def test_the_warning_fires_when_the_silent_stations_are_the_large_urban_ones():
    rng, frame, urban, sample = _world()
    big_urban = urban[sample] & (frame.registered[sample] > 2000)
    reported = sample[~big_urban | (rng.random(sample.size) < 0.2)]  # 80 % of big urban stations silent
    estimate = estimate_quick_count(frame, _results(rng, frame, reported, urban), design="srs",
                                    sample_ids=frame.station_id[sample])
    assert estimate.warnings and estimate.warnings[0].startswith("non-response")
    differs = {f.column for f in estimate.nonresponse.findings if f.differs}
    assert {"registered voters", "setting"} <= differs and "region" not in differs
    assert estimate.as_dict()["nonresponse"]["warning"] == estimate.warnings[0]


def test_no_warning_when_stations_are_silent_at_random():
    rng, frame, urban, sample = _world(seed=2)
    reported = sample[rng.random(sample.size) < 0.8]
    check = nonresponse_check(frame, frame.station_id[sample], frame.station_id[reported])
    assert check.warning is None and check.reported == reported.size and check.sampled == sample.size


def test_the_logit_interval_of_a_small_candidate_stays_inside_zero_one_and_covers():
    rng, frame, urban, sample = _world(seed=3)
    estimate = estimate_quick_count(frame, _results(rng, frame, sample, urban), design="srs")
    tiny = estimate.candidates["Tiny"]
    low, high = tiny.logit_interval
    assert 0 < low < tiny.estimate < high < 1 and tiny.estimate < 0.01
    assert estimate.as_dict()["candidates"]["Tiny"]["stations"] == sample.size
    # coverage of the logit interval for a 0.4 % share from a small sample of stations
    hits = 0
    for _ in range(300):
        p = 0.004
        votes = rng.binomial(500, p, 40)
        se = np.sqrt(np.var(votes / 500, ddof=1) / 40) or 1e-9
        e = RatioEstimate(votes.sum() / 20000, se, 1.96 * se)
        lo, hi = e.logit_interval
        hits += lo <= p <= hi
    assert hits / 300 > 0.9
