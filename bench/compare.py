"""Measure `pollwatch compare`'s claim extraction on the labelled news items (tests/statements/labelled/).

Usage: .venv/bin/python bench/compare.py [--errors]   → a Markdown table for docs/statements.md.

Per field, precision and recall over sets, per item:
- claims: a predicted claim is right if a gold claim of the same mission has its quote fragment inside the
  predicted quote; a gold claim is found if some predicted claim of its mission contains its fragment;
- mission: the set of (item, mission) with a verdict;
- stance: the set of (item, mission, stance);
- topics: the set of (item, mission, topic);
- speaker: the set of (item, mission, speaker);
- no-verdict items: the share of items without any gold claim for which nothing was extracted.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pollwatch.statements.compare.extract import Claim, extract_claims

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "statements" / "labelled"
SEEDS = ROOT / "tests" / "media" / "fixtures"  # copies of the real seed articles kept in the repository


@dataclass(frozen=True)
class GoldClaim:
    mission: str
    stance: str
    topics: tuple[str, ...]
    speaker: str
    fragment: str


@dataclass
class Labelled:
    id: str
    split: str
    text: str
    gold: list[GoldClaim]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("«", '"').replace("»", '"').replace("“", '"').replace("”", '"')
                  .replace("’", "'")).strip().lower()


def parse(path: Path) -> list[Labelled]:
    items = []
    for block in re.split(r"^=== ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        header, rest = block.split("\n", 1)
        ident, split = header.split()[:2]
        text, gold_text = rest.split("--- gold\n", 1)
        if split == "seed":
            text = (SEEDS / f"{ident}.txt").read_text(encoding="utf-8")
        gold = []
        for line in gold_text.strip().splitlines():
            if not line.strip():
                continue
            mission, stance, topics, speaker, fragment = (part.strip() for part in line.split("|"))
            gold.append(GoldClaim(mission, stance, tuple(t.strip() for t in topics.split(";") if t.strip()),
                                  speaker, fragment))
        items.append(Labelled(ident, split, text.strip(), gold))
    return items


def load(splits: tuple[str, ...] = ("dev", "test", "seed")) -> list[Labelled]:
    files = {"dev": "dev.txt", "test": "test.txt", "seed": "seeds.txt"}
    out = []
    for split in splits:
        out += parse(LABELLED / files[split])
    return out


def _pr(tp_sys: int, n_sys: int, tp_gold: int, n_gold: int) -> dict[str, float]:
    return {"precision": tp_sys / n_sys if n_sys else 1.0, "recall": tp_gold / n_gold if n_gold else 1.0,
            "n_predicted": n_sys, "n_gold": n_gold}


def score(items: list[Labelled], predicted: list[list[Claim]], errors: list[str] | None = None) -> dict:
    counts = {k: [0, 0, 0, 0] for k in ("claims", "mission", "stance", "topics", "speaker")}
    empty_items = empty_right = 0
    for item, claims in zip(items, predicted, strict=True):
        gold = item.gold
        hit_pred = [any(g.mission == c.mission and _norm(g.fragment) in _norm(c.quote) for g in gold) for c in claims]
        hit_gold = [any(g.mission == c.mission and _norm(g.fragment) in _norm(c.quote) for c in claims) for g in gold]
        counts["claims"][0] += sum(hit_pred)
        counts["claims"][1] += len(claims)
        counts["claims"][2] += sum(hit_gold)
        counts["claims"][3] += len(gold)
        sets = {
            "mission": ({(c.mission,) for c in claims}, {(g.mission,) for g in gold}),
            "stance": ({(c.mission, c.stance) for c in claims}, {(g.mission, g.stance) for g in gold}),
            "topics": ({(c.mission, t) for c in claims for t in c.topics}, {(g.mission, t) for g in gold for t in g.topics}),
            "speaker": ({(c.mission, c.speaker) for c in claims}, {(g.mission, g.speaker) for g in gold}),
        }
        for key, (s, g) in sets.items():
            counts[key][0] += len(s & g)
            counts[key][1] += len(s)
            counts[key][2] += len(s & g)
            counts[key][3] += len(g)
        if not gold:
            empty_items += 1
            empty_right += not claims
        if errors is not None:
            for c, ok in zip(claims, hit_pred, strict=True):
                if not ok:
                    errors.append(f"{item.id} EXTRA {c.mission} {c.stance} {c.topics} [{c.speaker}] {c.quote[:110]!r}")
            for g, ok in zip(gold, hit_gold, strict=True):
                if not ok:
                    errors.append(f"{item.id} MISSED {g.mission} {g.stance} {g.fragment!r}")
            for key in ("stance", "topics", "speaker"):
                s, g = sets[key]
                if s != g and key != "topics" or (key == "topics" and s != g):
                    errors.append(f"{item.id} {key}: missed {sorted(g - s)} extra {sorted(s - g)}")
    out = {key: _pr(*c) for key, c in counts.items()}
    out["no_verdict_items"] = {"correct": empty_right, "of": empty_items}
    out["items"] = len(items)
    return out


def evaluate(splits: tuple[str, ...] = ("dev", "test", "seed"), errors: list[str] | None = None) -> dict:
    items = load(splits)
    return score(items, [extract_claims(item.text) for item in items], errors)


def main() -> None:
    show_errors = "--errors" in sys.argv
    print("| set | items | field | precision | recall | predicted | gold |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for splits, label in ((("dev",), "dev"), (("test",), "held-out"), (("seed",), "seeds"),
                          (("dev", "test", "seed"), "all")):
        errors: list[str] = []
        result = evaluate(splits, errors)
        for key in ("claims", "mission", "stance", "topics", "speaker"):
            r = result[key]
            print(f"| {label} | {result['items']} | {key} | {r['precision']:.2f} | {r['recall']:.2f} | "
                  f"{r['n_predicted']} | {r['n_gold']} |")
        nv = result["no_verdict_items"]
        print(f"| {label} | {result['items']} | no-verdict items with no claim | {nv['correct']}/{nv['of']} | | | |")
        if show_errors and label != "all":
            print("\n".join(errors), file=sys.stderr)


if __name__ == "__main__":
    main()
