"""Media fixtures on top of the named world: news items imported into the OSCE-like mission through the real
import service (the seeds and a few gold-set items)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SEEDS = sorted((HERE / "fixtures").glob("*.txt"))  # AzerNews (000_…) and Vestnik Kavkaza (002_…)


def gold_items(*ids: str) -> list[dict]:
    entries = json.loads((HERE / "gold" / "items.json").read_text())
    return [e for e in entries if not ids or e["id"] in ids]


@pytest.fixture
def seeds(world):
    """The two real seed articles imported into ``odihr`` by its admin alice; returns {file stem: NewsItem}."""
    from pollwatch.media.importers import check_import_corpus

    report = check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in SEEDS], user=world.alice,
                                 outlet="Unknown outlet")
    assert not report.errors
    return {item.external_id: item for item in report.imported}
