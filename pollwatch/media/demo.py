"""Demo hook: a media corpus for every demo mission — the 28 synthetic gold-set items and the two real seed
articles (shipped in ``pollwatch/media/data/demo/``, so the demo needs nothing outside the package) — imported
and analysed through the real import path, with a few monitors' codings so the coding, agreement and report
pages have something to show."""

from __future__ import annotations

import json
import random
from importlib import resources

from pollwatch.media.importers import check_import_corpus
from pollwatch.media.services import check_code_item, do_analyse_items, do_save_outlet
from pollwatch.missions.models import Membership, Role

SEEDS = {"000_6924cd277f211afd.txt": "AzerNews", "002_9a19e5473040d1ab.txt": "Vestnik Kavkaza"}
# Demo attributes of the outlets named in the corpus: (ownership, kind, language). Approximate, for the demo only.
OUTLETS = {
    "Azertac": ("state", "agency", "en"), "TASS": ("state", "agency", "ru"), "Sputnik Azerbaijan": ("state", "online", "ru"),
    "Trend": ("private", "agency", "en"), "APA": ("private", "agency", "en"), "Report.az": ("private", "online", "en"),
    "Turan": ("private", "agency", "en"), "Interfax": ("private", "agency", "ru"), "AzerNews": ("private", "online", "en"),
    "Vestnik Kavkaza": ("private", "online", "ru"), "Caliber": ("private", "online", "en"),
    "Yeni Azerbaycan": ("private", "print", "en"), "Kommersant": ("private", "print", "ru"),
}
CODED_ITEMS = 10  # per mission, by each of two monitors


def _files() -> tuple[list[tuple[str, bytes]], list[dict]]:
    data = resources.files("pollwatch.media").joinpath("data/demo")
    files = [(name, data.joinpath(name).read_bytes()) for name in SEEDS]
    return files, json.loads(data.joinpath("items.json").read_text())


def build_demo_media(missions, *, seed: int = 1) -> dict[str, int]:
    """Import and analyse the demo corpus in each mission; two of its staff code the first items."""
    seeds, entries = _files()
    rng = random.Random(seed)
    totals = {"news_items": 0, "media_codings": 0}
    for mission in missions:
        for name, (ownership, kind, language) in OUTLETS.items():
            do_save_outlet(mission, name, ownership=ownership, kind=kind, language=language)
        csv_like = [(f"{e['id']}.txt", e["text"].encode()) for e in entries]
        outlets = {f"{e['id']}.txt": e["outlet"] for e in entries} | SEEDS
        imported = []
        for name, raw in [*seeds, *csv_like]:  # one outlet per file: the gold set names each item's outlet
            imported += check_import_corpus(mission, [(name, raw)], outlet=outlets[name], analyse=False).imported
        do_analyse_items(mission, imported)
        totals["news_items"] += len(imported)
        totals["media_codings"] += _code(mission, imported, rng)
    return totals


def _code(mission, items, rng: random.Random) -> int:
    """Two of the mission's staff code the first items against a shared "true" coding: the machine's proposal
    except for some units (where both monitors usually override it), plus each monitor's own slips — so the
    monitors agree more with each other than with the machine, as in a real unit."""
    staff = list(Membership.objects.filter(mission=mission, role__in=[Role.ANALYST, Role.COORDINATOR])
                 .select_related("user").order_by("role", "user__username"))[:2]
    tones = ["positive", "neutral", "negative"]
    truth: dict[tuple[int, int], str] = {}
    loaded: dict[int, bool] = {}
    for item in items[:CODED_ITEMS]:
        for actor_id, tone in item.machine_codings.values_list("actor_id", "tone"):
            truth[(item.pk, actor_id)] = rng.choice([t for t in tones if t != tone]) if rng.random() < 0.2 else tone
        for flag_id, category in item.loaded_flags.values_list("pk", "category"):
            loaded[flag_id] = rng.random() < (0.5 if category == "scare quotes" else 0.9)
    n = 0
    for slip, membership in zip((0.05, 0.12), staff, strict=False):
        for item in items[:CODED_ITEMS]:
            coded = {a: (rng.choice(tones) if rng.random() < slip else t)
                     for (i, a), t in truth.items() if i == item.pk}
            flags = {f: (not v if rng.random() < slip else v)
                     for f, v in loaded.items() if f in set(item.loaded_flags.values_list("pk", flat=True))}
            if coded or flags:
                n += check_code_item(item, membership.user, tones=coded, flags=flags)
    return n
