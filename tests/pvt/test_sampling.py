"""Drawing the quick-count sample: proportional allocation, reserves, reproducibility, bad requests."""

import numpy as np
import pytest

from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.sampling import allocate, draw_sample


def frame():
    # 1,000 stations: region A has 600 (small stations, 100 voters), B 300 and C 100 (large, 1,000 voters);
    # every other station is urban.
    region = np.array(["A"] * 600 + ["B"] * 300 + ["C"] * 100)
    registered = np.where(region == "A", 100, 1000).astype(np.int64)
    setting = np.array(["urban" if i % 2 else "rural" for i in range(1000)])
    return Frame(np.array([f"S{i}" for i in range(1000)]), registered, {"region": region, "setting": setting})


def test_allocation_is_proportional_to_stations_by_default():
    sample = draw_sample(frame(), 100, strata="region", rng=1)
    assert sample.allocation == {"A": 60, "B": 30, "C": 10}
    labels = frame().attributes["region"][sample.index]
    assert (labels == sample.stratum).all()


def test_allocation_by_voters_follows_registered_voters():
    # Voters: A 60,000, B 300,000, C 100,000 of 460,000 → 100 stations: 13.04, 65.2, 21.7 → 13, 65, 22.
    sample = draw_sample(frame(), 100, strata="region", by="voters", rng=1)
    assert sample.allocation == {"A": 13, "B": 65, "C": 22}


def test_every_stratum_gets_two_stations_so_its_variance_exists():
    assert allocate([990, 5, 5], 20).tolist() == [16, 2, 2]


def test_crossed_strata_and_reserves():
    sample = draw_sample(frame(), 60, strata=["region", "setting"], reserve=2, rng=4)
    assert set(sample.allocation) == {f"{r} × {s}" for r in "ABC" for s in ("rural", "urban")}
    main, spare = sample.index[~sample.reserve], sample.index[sample.reserve]
    assert len(main) == 60 and len(spare) == 12  # two reserves in each of the six strata
    assert len(set(sample.index.tolist())) == 72  # reserves are never main-sample stations
    assert not sample.reserve[:60].any() and sample.reserve[60:].all()  # reserves come last


def test_the_same_seed_draws_the_same_sample_and_another_seed_another():
    first = draw_sample(frame(), 50, strata="region", rng=7)
    assert np.array_equal(first.index, draw_sample(frame(), 50, strata="region", rng=7).index)
    assert not np.array_equal(first.index, draw_sample(frame(), 50, strata="region", rng=8).index)


def test_each_station_is_equally_likely_within_its_stratum():
    # 2,000 draws of 10 from C's 100 stations: each is drawn 2,000 × 10/100 = 200 times on average (SD ≈ 13.4).
    c = np.flatnonzero(frame().attributes["region"] == "C")
    small = Frame(np.array([f"S{i}" for i in c]), np.full(100, 1000, dtype=np.int64))
    rng = np.random.default_rng(11)
    counts = np.bincount(np.concatenate([draw_sample(small, 10, rng=rng).index for _ in range(2000)]),
                         minlength=100)
    assert counts.min() > 200 - 5 * 13.4 and counts.max() < 200 + 5 * 13.4


def test_impossible_requests_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="larger than the frame"):
        draw_sample(frame(), 1001, rng=1)
    with pytest.raises(ValueError, match="no stratum column 'province'"):
        draw_sample(frame(), 10, strata="province", rng=1)
    with pytest.raises(ValueError, match="'stations' or by 'voters'"):
        draw_sample(frame(), 10, by="people", rng=1)
