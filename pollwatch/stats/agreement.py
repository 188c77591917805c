"""Inter-coder agreement for nominal codes: Cohen's kappa (two coders) and Krippendorff's alpha.

Pure statistics (used by media monitoring's agreement page, :mod:`pollwatch.media.agreement`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two coders over the same units.

    Examples
    --------
    >>> round(cohen_kappa(["pos", "neg", "neu", "neg"], ["pos", "neg", "neg", "neg"]), 3)
    0.556
    """
    if len(a) != len(b):
        raise ValueError(f"coders coded different numbers of units ({len(a)} and {len(b)})")
    if not a:
        raise ValueError("no units to compare")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha, nominal metric; ``units[i]`` holds each coder's value (None = not coded).

    Units with fewer than two values are not pairable and are dropped (Krippendorff 2011,
    "Computing Krippendorff's Alpha-Reliability").

    Examples
    --------
    >>> krippendorff_alpha_nominal([["a", "a"], ["b", "b"], ["a", "a", None]])
    1.0
    """
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)  # fractional counts
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, x in enumerate(values):
            for j, y in enumerate(values):
                if i != j:
                    coincidence[(x, y)] += 1 / (m - 1)
    n = sum(coincidence.values())
    if n == 0:
        raise ValueError("no unit was coded by two or more coders")
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (x, _), w in coincidence.items():
        totals[x] += w
    observed_disagreement = sum(w for (x, y), w in coincidence.items() if x != y)
    expected_disagreement = sum(totals[x] * totals[y] for x in totals for y in totals if x != y)
    if expected_disagreement == 0:
        return 1.0
    return 1 - (n - 1) * observed_disagreement / expected_disagreement
