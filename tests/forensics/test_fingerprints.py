"""0/5 last digits and the Sobyanin–Sukhovolsky regression on honest and on falsified synthetic counts."""

import numpy as np

from pollwatch.stats.forensics.fingerprints import sobyanin_sukhovolsky, zero_five_digits


def test_round_invented_counts_show_in_the_zero_five_share_and_honest_ones_do_not():
    rng = np.random.default_rng(1)
    honest = rng.integers(10, 3000, 20000)
    ok = zero_five_digits(honest)
    assert ok.low <= 0.2 <= ok.high and ok.p_value > 0.001
    invented = np.where(rng.random(20000) < 0.2, rng.integers(2, 300, 20000) * 10, honest)
    bad = zero_five_digits(invented)
    assert bad.low > 0.3 and bad.p_value < 1e-10


def test_stuffing_raises_the_leaders_slope_and_lowers_the_others():
    rng = np.random.default_rng(2)
    n = 20000
    reg = rng.integers(500, 2000, n)
    turnout = np.clip(rng.normal(0.5, 0.08, n), 0.1, 0.95)
    voters = rng.binomial(reg, turnout)
    lead = rng.binomial(voters, 0.5)
    others = voters - lead
    clean = sobyanin_sukhovolsky(reg, voters, lead, others)
    assert 0 < clean.leader_slope < 1 and 0 < clean.others_slope < 1
    assert clean.leader_interval[0] <= 0.5 <= clean.leader_interval[1]
    # a third of the stations: 20 % of the register stuffed for the leader, 30 % of the others' votes moved
    hit = rng.random(n) < 0.33
    stuffed = np.where(hit, (0.2 * (reg - voters)).astype(int), 0)
    moved = np.where(hit, (0.3 * others).astype(int), 0)
    bad = sobyanin_sukhovolsky(reg, voters + stuffed, lead + stuffed + moved, others - moved)
    assert bad.leader_interval[0] > clean.leader_interval[1] + 0.2
    assert bad.others_interval[1] < clean.others_interval[0] - 0.2 and bad.others_slope < 0.2
