"""Placeholders over the mission's analyses: the forensics of the official results and the media monitor."""

from __future__ import annotations

from pathlib import Path

import pytest

from pollwatch.results.official import do_import_results
from pollwatch.statements import services
from pollwatch.statements.placeholders import PlaceholderError
from pollwatch.statements.sources import resolve
from pollwatch.stats.results import results_from_rows
from tests.conftest import RESULTS_HEADER, RESULTS_ROWS

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[1] / "media" / "fixtures"


def test_forensics_figures_resolve_with_their_regional_evidence(world):
    with pytest.raises(PlaceholderError, match="no official results yet"):
        resolve(world.odihr, "forensics.near_full_turnout.count")
    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, RESULTS_ROWS))  # S211 at 100 % turnout
    near_full = resolve(world.odihr, "forensics.near_full_turnout.count")
    assert near_full.text == "1" and "forensics of the official results" in near_full.label
    assert near_full.columns[0] == "region" and sum(r[-1] for r in near_full.rows) == 1
    assert resolve(world.odihr, "forensics.turnout.share").text == "70.7 %"  # 2,900 ballots issued / 4,100 registered
    with pytest.raises(PlaceholderError, match="write forensics.<figure>"):
        resolve(world.odihr, "forensics.benford")


def test_media_figures_need_monitored_items_and_a_known_actor(world):
    from pollwatch.media.importers import check_import_corpus

    st = services.do_create_statement(world.odihr, slug="s", title="S")
    with pytest.raises(ValueError, match="no news items monitored yet"):
        services.check_add_finding(st, section="media", assessment="negative", text="{{ media.items.count }}")
    check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))], user=world.alice)
    items = resolve(world.odihr, "media.items.count")
    assert int(items.text) == len(list(SEEDS.glob("*.txt")))
    assert items.columns[:4] == ["actor", "items", "words", "share of voice %"]
    share = resolve(world.odihr, "media.cis_mission.share")
    assert share.text.endswith(" %") and share.label == "share of voice of CIS observation mission"
    with pytest.raises(PlaceholderError, match="no media actor 'nobody'"):
        resolve(world.odihr, "media.nobody.share")
    with pytest.raises(PlaceholderError, match="write media.items.count"):
        resolve(world.odihr, "media.cis_mission.loudness")
