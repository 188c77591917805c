"""Bulk imports: all-or-nothing, per-row errors, idempotent upserts, CSV and XLSX."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from pollwatch.geography.models import AdministrativeUnit, PollingStation
from pollwatch.imports.base import ImportFileError, read_table
from pollwatch.imports.registry import get_importer
from pollwatch.missions.models import Observer

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(kind: str, path: Path, target, **kwargs):
    importer, _ = get_importer(kind)
    return importer.run(read_table(path), target=target, **kwargs)


GEOGRAPHY = """code,name,level,parent,lat,lon
C31,Shaki,constituency,R3,41.19,47.17
R3,Shaki-Zagatala,region,AZ,,
C32,Zagatala,constituency,R3,41.63,46.64
"""


def test_geography_import_builds_the_tree_even_when_children_come_before_parents(tmp_path, world):
    report = run("geography", write(tmp_path, "geo.csv", GEOGRAPHY), world.election)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    shaki = AdministrativeUnit.objects.get(election=world.election, code="C31")
    assert shaki.parent.code == "R3" and shaki.parent.parent.code == "AZ"
    assert shaki.depth == 2 and shaki.latitude == pytest.approx(41.19)


def test_reimporting_the_same_file_changes_nothing(tmp_path, world):
    path = write(tmp_path, "geo.csv", GEOGRAPHY)
    run("geography", path, world.election)
    before = list(AdministrativeUnit.objects.order_by("pk").values())
    report = run("geography", path, world.election)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(AdministrativeUnit.objects.order_by("pk").values()) == before


def test_reimport_updates_changed_rows_by_code(tmp_path, world):
    run("geography", write(tmp_path, "geo.csv", GEOGRAPHY), world.election)
    moved = GEOGRAPHY.replace("C32,Zagatala,constituency,R3", "C32,Zaqatala,constituency,R1")
    report = run("geography", write(tmp_path, "geo2.csv", moved), world.election)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    unit = AdministrativeUnit.objects.get(election=world.election, code="C32")
    assert unit.name == "Zaqatala" and unit.parent.code == "R1" and unit.depth == 2


def test_a_file_with_errors_writes_nothing_and_lists_every_bad_row(tmp_path, world):
    stations = write(
        tmp_path,
        "stations.csv",
        "code,unit,registered_voters\n"
        "S900,C11,700\n"  # fine, but must not be written because of the others
        "S901,C99,500\n"  # unknown unit
        "S902,C11,-5\n"  # negative
        "S900,C12,300\n"  # duplicate code
        "S903,C11,many\n",  # not a number
    )
    report = run("stations", stations, world.election)
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "unit"), (4, "registered_voters"), (5, "code"), (6, "registered_voters")}
    assert any("unknown administrative unit 'C99'" in e.reason for e in report.errors)
    assert any("must not be negative" in e.reason for e in report.errors)
    assert any("also on row 2" in e.reason for e in report.errors)
    assert not PollingStation.objects.filter(code__startswith="S90").exists()


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path, world):
    path = write(tmp_path, "stations.csv", "code,unit,registered_voters\nS900,C11,700\nS111,C11,810\n")
    report = run("stations", path, world.election, dry_run=True)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert not PollingStation.objects.filter(code="S900").exists()
    assert PollingStation.objects.get(code="S111").registered_voters == 800


def test_header_mapping_reads_a_file_with_the_users_own_column_names(tmp_path, world):
    path = write(tmp_path, "stations.csv", "No;Okrug;Voters on list\nS950;C21;1234\n")
    report = run("stations", path, world.election, mapping={
        "code": "No", "unit": "Okrug", "registered_voters": "Voters on list"
    })
    assert report.ok, report.errors
    assert PollingStation.objects.get(code="S950").registered_voters == 1234


def test_missing_required_columns_are_named_with_the_files_actual_columns(tmp_path, world):
    path = write(tmp_path, "stations.csv", "code,name\nS1,School\n")
    with pytest.raises(ImportFileError, match=r"missing required column\(s\): unit, registered_voters.*code, name"):
        run("stations", path, world.election)


def test_a_file_that_is_not_utf8_gets_a_readable_error(tmp_path, world):
    path = write(tmp_path, "observers.csv", "code,name\nO1,Gülnar Şirinova\n", encoding="cp1254")
    with pytest.raises(ImportFileError, match="not UTF-8 .* line 2"):
        read_table(path)


def test_observers_import_from_xlsx_is_scoped_to_the_mission(tmp_path, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Full name", "Mobile", "Languages"])
    sheet.append(["ODI-010", "Marta Costa", "+351 912 345 678", "en; pt"])
    sheet.append(["CIS-001", "Same code as a CIS observer", "", "ru"])
    book.save(tmp_path / "observers.xlsx")
    report = run("observers", tmp_path / "observers.xlsx", world.odihr)
    assert report.ok, report.errors and report.created == 2
    marta = Observer.objects.for_mission(world.odihr).get(code="ODI-010")
    assert marta.phone == "+351912345678" and marta.languages == "en,pt"
    # The CIS mission's own CIS-001 is untouched: codes are unique per mission.
    assert Observer.objects.for_mission(world.cis).get(code="CIS-001").name == "Pavel Orlov"


def test_bad_observer_cells_are_reported_per_row_and_column(tmp_path, world):
    path = write(tmp_path, "obs.csv", "code,name,phone,email\nO1,A,12ab,x@y.org\nO2,B,+99450123,not-an-email\n")
    report = run("observers", path, world.odihr)
    assert [(e.row, e.column) for e in report.errors] == [(2, "phone"), (3, "email")]
    assert not Observer.objects.filter(code__in=["O1", "O2"]).exists()


def test_a_parent_loop_is_an_error_not_a_hang(tmp_path, world):
    path = write(tmp_path, "geo.csv", "code,name,level,parent\nX1,A,region,X2\nX2,B,region,X1\n")
    report = run("geography", path, world.election)
    assert {e.column for e in report.errors} == {"parent"} and len(report.errors) == 2
    assert not AdministrativeUnit.objects.filter(code__in=["X1", "X2"]).exists()
