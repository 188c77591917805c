"""Non-response check of a quick count: do the sample stations that reported differ from those that did not?

A quick count's intervals assume the reporting stations are a random subset of the sample. They are not when
reports fail systematically — large urban stations that count late, remote rural ones without signal — and the
estimate is then biased in a way no margin of error shows (NDI, *The Quick Count and Election Observation*,
Estok, Nevitte & Cowan 2002, ch. 5 on "missing data"; Groves 2006, Public Opinion Quarterly 70(5), on
non-response bias). Before publication, compare the two groups on everything known in advance:

- numeric columns (registered voters, and any frame column that is numeric, e.g. past turnout): the
  Mann–Whitney U test and the standardised mean difference (difference of means ÷ pooled SD);
- categorical columns (region, urban/rural or setting, …): the χ² test of independence between reporting and
  category, and the largest gap in reporting rate between categories.

The p-values are Holm-corrected across the columns; a column *differs* when its adjusted p < 5 % and the
difference is not negligible (|standardised difference| ≥ 0.1, or a reporting-rate gap ≥ 10 points), so a huge
sample does not warn about trivial differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from pollwatch.stats.forensics.intervals import holm
from pollwatch.stats.pvt.frame import Frame

ALPHA = 0.05
MIN_EFFECT = 0.1


@dataclass(frozen=True)
class NonresponseFinding:
    column: str
    kind: str  # "numeric" or "categorical"
    reported: float  # mean (numeric) or lowest reporting rate (categorical)
    silent: float  # mean of the silent stations (numeric) or highest reporting rate (categorical)
    effect: float  # standardised mean difference, or the reporting-rate gap
    p_value: float
    p_holm: float
    differs: bool
    detail: str


@dataclass(frozen=True)
class NonresponseCheck:
    sampled: int
    reported: int
    findings: tuple[NonresponseFinding, ...]

    @property
    def warning(self) -> str | None:
        bad = [f for f in self.findings if f.differs]
        if not bad:
            return None
        return (f"non-response: the {self.reported} reporting sample stations differ from the "
                f"{self.sampled - self.reported} silent ones in " + "; ".join(f.detail for f in bad)
                + " — the estimate may be biased; wait for more reports or weight by these columns before publishing")

    def as_dict(self) -> dict[str, object]:
        return {"sampled": self.sampled, "reported": self.reported, "warning": self.warning,
                "findings": [f.__dict__ for f in self.findings]}


def _numeric(values: npt.NDArray[np.str_]) -> npt.NDArray[np.float64] | None:
    try:
        out = np.array([float(v) if str(v).strip() != "" else np.nan for v in values])
    except ValueError:
        return None
    return out if np.isfinite(out).mean() > 0.5 else None


def nonresponse_check(frame: Frame, sample_ids: npt.ArrayLike, reported_ids: npt.ArrayLike) -> NonresponseCheck:
    """Compare reported and silent sample stations on the frame's columns (see the module docstring)."""
    sample = np.asarray(sample_ids).astype(str)
    index = {s: i for i, s in enumerate(frame.station_id.astype(str))}
    rows = np.array([index[s] for s in sample if s in index], dtype=np.int64)
    reported_set = set(np.asarray(reported_ids).astype(str))
    got = np.array([str(frame.station_id[r]) in reported_set for r in rows], dtype=bool)
    findings: list[tuple[str, str, float, float, float, float, str, bool]] = []
    if got.sum() >= 2 and (~got).sum() >= 2:
        columns: dict[str, np.ndarray] = {
            "registered voters": frame.registered[rows].astype(np.float64)}
        for name, values in frame.attributes.items():
            numeric = _numeric(values[rows])
            columns[name] = numeric if numeric is not None else values[rows].astype(str)
        for name, values in columns.items():
            if values.dtype.kind == "f":
                a, b = values[got], values[~got]
                a, b = a[np.isfinite(a)], b[np.isfinite(b)]
                if a.size < 2 or b.size < 2 or (np.ptp(a) == 0 and np.ptp(b) == 0 and a[0] == b[0]):
                    continue
                p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
                pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) or 1.0
                effect = float((a.mean() - b.mean()) / pooled)
                detail = (f"{name} (mean {a.mean():,.3g} reporting vs {b.mean():,.3g} silent, "
                          f"standardised difference {effect:+.2f})")
                findings.append((name, "numeric", float(a.mean()), float(b.mean()), effect, p, detail,
                                 abs(effect) >= MIN_EFFECT))
            else:
                cats, inverse = np.unique(values, return_inverse=True)
                if cats.size < 2:
                    continue
                table = np.array([np.bincount(inverse[got], minlength=cats.size),
                                  np.bincount(inverse[~got], minlength=cats.size)])
                p = float(stats.chi2_contingency(table)[1])
                rates = table[0] / table.sum(axis=0)
                lo, hi = int(np.argmin(rates)), int(np.argmax(rates))
                gap = float(rates[hi] - rates[lo])
                detail = (f"{name} (reporting rate {rates[lo]:.0%} in {cats[lo]} vs {rates[hi]:.0%} in "
                          f"{cats[hi]})")
                findings.append((name, "categorical", float(rates[lo]), float(rates[hi]), gap, p, detail,
                                 gap >= MIN_EFFECT))
    adjusted = holm([f[5] for f in findings]) if findings else np.array([])
    out = tuple(
        NonresponseFinding(name, kind, rep, sil, eff, p, float(ph), bool(big and ph < ALPHA), detail)
        for (name, kind, rep, sil, eff, p, detail, big), ph in zip(findings, adjusted, strict=True)
    )
    return NonresponseCheck(int(rows.size), int(got.sum()), out)
