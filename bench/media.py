"""Measure the automatic media coding against the hand-coded gold set (tests/media/gold/).

Usage: .venv/bin/python bench/media.py   → a Markdown table for docs/media.md.

Units (set-based, per item):
- actors: the set of actor ids mentioned in the item;
- loaded terms: the set of flagged terms (lower case); a system term matches a gold term if either
  contains the other ("anti-azerbaijan propaganda" ~ "propaganda");
- claims: the set of (source, stance) pairs of claims about the election.
"""

from __future__ import annotations

import json
from pathlib import Path

from pollwatch.media.analysis.actors import load_catalogue
from pollwatch.media.analysis.base import get_tagger
from pollwatch.media.analysis.corpus import item_from_text
from pollwatch.media.analysis.pipeline import analyze_items

GOLD = Path(__file__).resolve().parents[1] / "tests" / "media" / "gold"


def load_gold() -> list[tuple[object, dict]]:
    out = []
    for entry in json.loads((GOLD / "items.json").read_text()):
        out.append((item_from_text(entry["text"], id=entry["id"], outlet=entry["outlet"]), entry["gold"]))
    for entry in json.loads((GOLD / "seeds.json").read_text()):
        text = (GOLD / entry["file"]).resolve().read_text()
        out.append((item_from_text(text, id=entry["id"]), entry["gold"]))
    return out


def _match_terms(system: set[str], gold: set[str]) -> tuple[int, int]:
    tp_sys = sum(any(s in g or g in s for g in gold) for s in system)
    tp_gold = sum(any(s in g or g in s for s in system) for g in gold)
    return tp_sys, tp_gold


def evaluate() -> dict[str, dict[str, float]]:
    pairs = load_gold()
    result = analyze_items([item for item, _ in pairs], load_catalogue(), get_tagger("vader"))
    counts = {k: [0, 0, 0, 0] for k in ("actors", "loaded_terms", "claims")}  # tp_sys, n_sys, tp_gold, n_gold
    errors: list[str] = []
    for (item, gold), coded in zip(pairs, result["items"], strict=True):
        sys_actors = set(coded["actors"])
        g_actors = set(gold["actors"])
        sys_terms = {t["term"].lower() for t in coded["loaded_terms"]}
        g_terms = {t.lower() for t in gold["loaded_terms"]}
        sys_claims = {(c["source"], c["stance"]) for c in coded["claims"]}
        g_claims = {tuple(c) for c in gold["claims"]}
        for key, s, g in (("actors", sys_actors, g_actors), ("claims", sys_claims, g_claims)):
            counts[key][0] += len(s & g)
            counts[key][1] += len(s)
            counts[key][2] += len(s & g)
            counts[key][3] += len(g)
            if s != g:
                errors.append(f"{item.id} {key}: missed {sorted(g - s)} extra {sorted(s - g)}")
        tp_s, tp_g = _match_terms(sys_terms, g_terms)
        c = counts["loaded_terms"]
        c[0] += tp_s
        c[1] += len(sys_terms)
        c[2] += tp_g
        c[3] += len(g_terms)
        if tp_s < len(sys_terms) or tp_g < len(g_terms):
            errors.append(f"{item.id} loaded: system {sorted(sys_terms)} gold {sorted(g_terms)}")
    scores = {}
    for key, (tp_s, n_s, tp_g, n_g) in counts.items():
        scores[key] = {"precision": tp_s / n_s if n_s else 1.0, "recall": tp_g / n_g if n_g else 1.0,
                       "system": n_s, "gold": n_g}
    scores["_errors"] = errors  # type: ignore[assignment]
    scores["_items"] = len(pairs)  # type: ignore[assignment]
    return scores


def main() -> None:
    scores = evaluate()
    print(f"Gold set: {scores['_items']} items\n")
    print("| unit | gold | system | precision | recall |\n|---|---:|---:|---:|---:|")
    for key in ("actors", "loaded_terms", "claims"):
        s = scores[key]
        print(f"| {key} | {s['gold']} | {s['system']} | {s['precision']:.2f} | {s['recall']:.2f} |")
    print("\nDisagreements:")
    for e in scores["_errors"]:
        print(" -", e)


if __name__ == "__main__":
    main()
