"""Drawing a stratified random sample of stations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pollwatch.stats.pvt.frame import Frame

RandomLike = np.random.Generator | int | None


@dataclass(frozen=True)
class Sample:
    """Row indexes into the frame, in draw order, with each station's stratum; reserves come after."""

    index: npt.NDArray[np.int64]
    stratum: npt.NDArray[np.str_]
    reserve: npt.NDArray[np.bool_]
    allocation: dict[str, int]  # main-sample stations per stratum


def allocate(sizes: npt.ArrayLike, total: int, *, minimum: int = 2) -> npt.NDArray[np.int64]:
    """Proportional allocation of ``total`` over strata of the given sizes, by largest remainders.

    Every stratum gets at least ``minimum`` (capped by its size) so that its variance can be estimated; the
    rest is proportional.

    >>> allocate([500, 300, 200], 10).tolist()
    [5, 3, 2]
    >>> allocate([980, 10, 10], 10).tolist()
    [6, 2, 2]
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    caps = sizes.astype(np.int64)
    if total > caps.sum():
        raise ValueError(f"a sample of {total} is larger than the frame ({int(caps.sum())} stations)")
    base = np.minimum(np.full(len(sizes), minimum), caps)
    if base.sum() > total:
        raise ValueError(f"{total} stations cannot give {len(sizes)} strata {minimum} stations each; "
                         "use fewer strata or a larger sample")
    remaining = total - int(base.sum())
    share = sizes / sizes.sum() * total
    extra = np.maximum(share - base, 0)
    if extra.sum() > 0:
        extra = extra / extra.sum() * remaining
    alloc: npt.NDArray[np.int64] = np.minimum(base + np.floor(extra).astype(np.int64), caps)
    order = np.argsort(-(extra - np.floor(extra)))
    while alloc.sum() < total:
        for i in order:
            if alloc.sum() == total:
                break
            if alloc[i] < caps[i]:
                alloc[i] += 1
    return alloc


def draw_sample(
    frame: Frame,
    size: int,
    *,
    strata: str | list[str] | None = None,
    by: str = "stations",
    reserve: int = 0,
    rng: RandomLike = None,
) -> Sample:
    """A stratified simple random sample of stations without replacement, reproducible with ``rng``.

    Parameters
    ----------
    frame : Frame
        The population of stations.
    size : int
        Stations in the main sample.
    strata : str or list of str, optional
        Frame column(s) to stratify by (several are crossed, e.g. region × urban/rural); none: one stratum.
    by : {"stations", "voters"}
        Allocate proportionally to each stratum's number of stations or of registered voters.
    reserve : int
        Extra stations per stratum, drawn after the main sample, to replace sample stations that cannot be
        covered (reserves are flagged; they are not part of the main sample).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    Sample
        Frame row indexes (main sample first, then reserves), stratum labels and the allocation.

    Notes
    -----
    Allocation is proportional with largest remainders and at least two stations per stratum when the size
    allows, so that every stratum's variance can be estimated (NDI, *The Quick Count and Election
    Observation*, ch. 5; Cochran, *Sampling Techniques*, §5.5).

    Examples
    --------
    >>> import numpy as np
    >>> f = Frame(np.array(["a", "b", "c", "d", "e", "f"]), np.array([100, 200, 300, 100, 200, 300]),
    ...           {"region": np.array(["N", "N", "N", "S", "S", "S"])})
    >>> s = draw_sample(f, 4, strata="region", reserve=1, rng=1)
    >>> s.allocation, int(s.reserve.sum())
    ({'N': 2, 'S': 2}, 2)
    """
    if size < 1:
        raise ValueError("the sample size must be at least 1")
    if reserve < 0:
        raise ValueError("the number of reserve stations per stratum cannot be negative")
    if by not in {"stations", "voters"}:
        raise ValueError("allocation must be by 'stations' or by 'voters'")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    labels = frame.strata(strata)
    names, inverse = np.unique(labels, return_inverse=True)
    weights = np.bincount(inverse, weights=frame.registered if by == "voters" else None, minlength=len(names))
    counts = np.bincount(inverse, minlength=len(names))
    alloc = allocate(weights if by == "voters" else counts, size, minimum=min(2, size // max(len(names), 1)) or 1)
    alloc = np.minimum(alloc, counts)
    main: list[np.ndarray] = []
    spare: list[np.ndarray] = []
    for h in range(len(names)):
        members = np.flatnonzero(inverse == h)
        order = generator.permutation(members)
        main.append(order[: alloc[h]])
        spare.append(order[alloc[h] : alloc[h] + reserve])
    index = np.concatenate(main + spare).astype(np.int64)
    is_reserve = np.concatenate([np.zeros(sum(len(m) for m in main), bool), np.ones(sum(len(s) for s in spare), bool)])
    return Sample(index, labels[index], is_reserve, {str(n): int(a) for n, a in zip(names, alloc, strict=True)})
