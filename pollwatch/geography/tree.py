"""An election's administrative tree in memory: ancestors, regions and sub-trees without one query per level.

The election-day rebuild asks, for every report, which areas contain its station, which region it counts in and
which units lie under an area. Walking the tree with a query per level cost ~15 % of a rebuild in ORM overhead
alone (profiled under a burst), while the tree itself is small (hundreds to a few thousand units) and changes
only when geography is imported. So each process keeps one tree per election and checks with a single
aggregate query (number of units, highest id) that it is still current: an import in any process adds units and
so changes the stamp. An edit in the Django admin that moves a unit (the only in-place change) clears the
editing process's trees at once (signal) and the others' within ``TREE_TTL`` seconds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from pollwatch.geography.models import AdministrativeUnit
from pollwatch.geography.regions import REGION_DEPTH

TREE_TTL = 60.0


@dataclass(frozen=True)
class UnitTree:
    depth: dict[int, int]
    parent: dict[int, int | None]
    children: dict[int, list[int]] = field(default_factory=dict)

    def ancestors(self, unit_ids: Iterable[int]) -> set[int]:
        """The units and every unit above them."""
        out: set[int] = set()
        for unit in unit_ids:
            current: int | None = unit
            while current is not None and current not in out:
                out.add(current)
                current = self.parent.get(current)
        return out

    def region(self, unit_id: int) -> int | None:
        """The region of a unit (:mod:`pollwatch.geography.regions`): its ancestor at ``REGION_DEPTH``, the unit
        itself at that depth; None above that level or if unknown."""
        current: int | None = unit_id
        while current is not None and self.depth.get(current, 0) > REGION_DEPTH:
            current = self.parent.get(current)
        return current if current is not None and self.depth.get(current) == REGION_DEPTH else None

    def under(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        ids, frontier = {unit_id}, [unit_id]
        while frontier:
            frontier = [c for p in frontier for c in self.children.get(p, ())]
            ids.update(frontier)
        return ids


_trees: dict[int, tuple[float, tuple, UnitTree]] = {}


def unit_tree(election_id: int) -> UnitTree:
    """The current tree of an election's units (one aggregate query when cached)."""
    units = AdministrativeUnit.objects.filter(election_id=election_id).order_by()
    stamp = tuple(units.aggregate(n=Count("id"), top=Max("id")).values())
    now = time.monotonic()
    hit = _trees.get(election_id)
    if hit is not None and hit[1] == stamp and now - hit[0] < TREE_TTL:
        return hit[2]
    depth: dict[int, int] = {}
    parent: dict[int, int | None] = {}
    children: dict[int, list[int]] = defaultdict(list)
    for pk, d, p in units.values_list("pk", "depth", "parent_id"):
        depth[pk], parent[pk] = d, p
        if p is not None:
            children[p].append(pk)
    tree = UnitTree(depth=depth, parent=parent, children=dict(children))
    _trees[election_id] = (now, stamp, tree)
    return tree


def forget_trees(**_kwargs) -> None:
    _trees.clear()


post_save.connect(forget_trees, sender=AdministrativeUnit, dispatch_uid="pollwatch-forget-unit-trees-save")
post_delete.connect(forget_trees, sender=AdministrativeUnit, dispatch_uid="pollwatch-forget-unit-trees-delete")
