"""Inter-coder agreement of a mission's monitors, per pair and field, and of the machine against them,
computed with :mod:`pollwatch.stats.agreement` (Cohen's kappa, Krippendorff's alpha).

Fields and their units:
- ``tone``: one unit per (item, actor) the machine found; the value is the tone (positive/neutral/negative);
- ``loaded_terms``: one unit per loaded-term flag; the value is loaded (confirmed) or not.

The machine flags every loaded term it reports, so for ``loaded_terms`` its agreement with a monitor is the
share of its flags the monitor confirmed (kappa is undefined when one coder always says the same thing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.contrib.auth import get_user_model

from pollwatch.media.models import Coding, FlagReview, MachineCoding
from pollwatch.stats.agreement import cohen_kappa, krippendorff_alpha_nominal

MACHINE = "machine"


@dataclass(frozen=True)
class PairAgreement:
    field: str
    a: str
    b: str
    units: int  # units both coded
    agreement: float | None  # share of those units with the same value
    kappa: float | None


def _kappa(a: list, b: list) -> float | None:
    if not a:
        return None
    try:
        return cohen_kappa(a, b)
    except ValueError:
        return None


def _pair(field: str, name_a: str, name_b: str, values_a: dict, values_b: dict) -> PairAgreement:
    units = sorted(set(values_a) & set(values_b))
    a, b = [values_a[u] for u in units], [values_b[u] for u in units]
    same = sum(x == y for x, y in zip(a, b, strict=True))
    return PairAgreement(field, name_a, name_b, len(units), same / len(units) if units else None, _kappa(a, b))


def agreement_report(mission) -> dict:
    """Pairs of monitors per field, Krippendorff's alpha per field over all monitors, and machine vs each monitor."""
    tone: dict[int, dict] = defaultdict(dict)  # coder → (item, actor) → tone
    for item_id, actor_id, coder_id, value in Coding.objects.for_mission(mission).values_list(
            "item_id", "actor_id", "coder_id", "tone"):
        tone[coder_id][(item_id, actor_id)] = value
    loaded: dict[int, dict] = defaultdict(dict)  # coder → flag → confirmed
    for flag_id, coder_id, confirmed in FlagReview.objects.filter(flag__item__mission=mission).values_list(
            "flag_id", "coder_id", "confirmed"):
        loaded[coder_id][flag_id] = confirmed
    machine = {(i, a): t for i, a, t in MachineCoding.objects.for_mission(mission).values_list("item_id", "actor_id", "tone")}
    coders = sorted(set(tone) | set(loaded))
    names = dict(get_user_model().objects.filter(pk__in=coders).values_list("pk", "username"))

    pairs, alphas = [], {}
    for field, values in (("tone", tone), ("loaded_terms", loaded)):
        for x, y in combinations(sorted(values, key=lambda c: names[c]), 2):
            pair = _pair(field, names[x], names[y], values[x], values[y])
            if pair.units:
                pairs.append(pair)
        units: dict = defaultdict(dict)
        for coder, coded in values.items():
            for unit, value in coded.items():
                units[unit][coder] = value
        try:
            alphas[field] = krippendorff_alpha_nominal([list(u.values()) for u in units.values()])
        except ValueError:  # no unit coded twice yet
            alphas[field] = None
        alphas[f"{field}_units"] = sum(len(u) >= 2 for u in units.values())

    machine_rows = []
    for coder in sorted(coders, key=lambda c: names[c]):
        if tone.get(coder):
            machine_rows.append(_pair("tone", MACHINE, names[coder], machine, tone[coder]))
        if loaded.get(coder):
            confirmed = list(loaded[coder].values())
            machine_rows.append(PairAgreement("loaded_terms", MACHINE, names[coder], len(confirmed),
                                              sum(confirmed) / len(confirmed), None))
    pooled_machine = [machine[u] for c in coders for u in tone.get(c, {}) if u in machine]
    pooled_human = [tone[c][u] for c in coders for u in tone.get(c, {}) if u in machine]
    return {"pairs": pairs, "alpha": alphas, "machine": machine_rows, "coders": [names[c] for c in coders],
            "machine_pooled": _pair("tone", MACHINE, "all monitors", dict(enumerate(pooled_machine)),
                                    dict(enumerate(pooled_human)))}
