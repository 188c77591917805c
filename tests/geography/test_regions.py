"""The region of a unit or a station has one definition (pollwatch/geography/regions.py), the same on objects
and on the in-memory tree, so every screen shows a station in the same region."""

import pytest

from pollwatch.geography.models import AdministrativeUnit
from pollwatch.geography.regions import region_of, regions, station_region
from pollwatch.geography.services import do_create_unit
from pollwatch.geography.tree import unit_tree

pytestmark = pytest.mark.django_db


def test_a_station_counts_in_the_region_above_its_constituency(world):
    assert station_region(world.stations["S111"]) == world.units["R1"]
    assert region_of(world.units["C21"]) == world.units["R2"]
    assert region_of(world.units["R1"]) == world.units["R1"]


def test_the_country_and_no_station_have_no_region(world):
    assert region_of(world.units["AZ"]) is None
    assert station_region(None) is None


def test_a_unit_deep_in_the_tree_counts_in_its_depth_one_ancestor(world):
    ward = do_create_unit(world.election, code="W111", name="Ward", level="ward", parent=world.units["C11"])
    assert region_of(ward) == world.units["R1"]


def test_the_tree_and_the_objects_agree_on_every_unit(world):
    do_create_unit(world.election, code="W111", name="Ward", level="ward", parent=world.units["C11"])
    tree = unit_tree(world.election.pk)
    for unit in AdministrativeUnit.objects.filter(election=world.election):
        expected = region_of(unit)
        assert tree.region(unit.pk) == (expected.pk if expected else None), unit.code
    assert sorted(regions(world.election).values_list("code", flat=True)) == ["R1", "R2"]
