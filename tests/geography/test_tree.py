"""The in-memory unit tree the election-day rebuild walks: it must match the database, and notice imports."""

import pytest

from pollwatch.geography.models import AdministrativeUnit
from pollwatch.geography.services import do_create_unit
from pollwatch.geography.tree import unit_tree

pytestmark = pytest.mark.django_db


def test_ancestors_region_and_subtree_follow_the_units_of_the_election(world):
    units = {u.code: u for u in AdministrativeUnit.objects.filter(election=world.election)}
    tree = unit_tree(world.election.pk)
    for unit in units.values():
        above, current = set(), unit
        while current is not None:
            above.add(current.pk)
            current = current.parent
        assert tree.ancestors({unit.pk}) == above
        region = next((units[c] for c in units if units[c].pk in above and units[c].depth == 1), None)
        assert tree.region(unit.pk) == (region.pk if region else None)
        below = {u.pk for u in units.values() if unit.pk in tree.ancestors({u.pk})}
        assert tree.under(unit.pk) == below


def test_a_unit_added_by_an_import_in_another_process_is_seen_at_once(world):
    region = AdministrativeUnit.objects.filter(election=world.election, depth=1).first()
    before = unit_tree(world.election.pk)
    # bulk_create sends no signal, as an import in another worker process would not reach this one
    AdministrativeUnit.objects.bulk_create([AdministrativeUnit(
        election=world.election, parent=region, code="NEW-1", name="New constituency", level="constituency",
        depth=2)])
    new = AdministrativeUnit.objects.get(code="NEW-1")
    after = unit_tree(world.election.pk)
    assert new.pk not in before.depth and after.region(new.pk) == region.pk
    assert new.pk in after.under(region.pk)


def test_a_unit_created_through_the_service_is_seen_at_once(world):
    region = AdministrativeUnit.objects.filter(election=world.election, depth=1).first()
    unit_tree(world.election.pk)
    new = do_create_unit(world.election, code="NEW-2", name="New", level="constituency", parent=region)
    assert unit_tree(world.election.pk).region(new.pk) == region.pk
