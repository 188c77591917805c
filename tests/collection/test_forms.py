"""Forms: XLSForm import through the service, the web page and the CLI; versions; pyxform's messages verbatim."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.xforms import FormError

from .conftest import DEMO_FORMS

pytestmark = pytest.mark.django_db


def bumped_xlsform(form_id: str, version: str) -> bytes:
    wb = load_workbook(DEMO_FORMS / f"{form_id}.xlsx")
    wb["settings"]["C2"] = version
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def broken_xlsform() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["select_one nowhere", "q1", "A question"])
    ws.append(["integer", "", "No name"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_importing_the_demo_forms_stores_xform_version_md5_and_kind(forms):
    count = forms[("cis", "count_form")]
    assert count.kind == ObservationForm.Kind.CLOSING
    assert forms[("cis", "incident_report")].kind == ObservationForm.Kind.INCIDENT
    assert forms[("cis", "opening_checklist")].kind == ObservationForm.Kind.OPENING
    assert count.version == "2024020701" and len(count.md5) == 32
    assert 'id="count_form"' in count.xform
    assert {f["name"] for f in count.fields} >= {"registered", "ballots_cast", "invalid", "votes_aliyeva"}


def test_reimporting_the_same_form_is_a_no_op_and_a_new_version_is_a_new_row(world, forms):
    from pollwatch.collection.services import check_import_form

    same, created = check_import_form(world.cis, (DEMO_FORMS / "count_form.xlsx").read_bytes())
    assert not created and same == forms[("cis", "count_form")]
    new, created = check_import_form(world.cis, bumped_xlsform("count_form", "2024020702"))
    assert created and new.pk != same.pk
    assert ObservationForm.objects.filter(mission=world.cis, form_id="count_form").count() == 2


def test_a_broken_xlsform_raises_pyxforms_messages(world):
    from pollwatch.collection.services import check_import_form

    with pytest.raises(FormError) as exc:
        check_import_form(world.cis, broken_xlsform())
    assert exc.value.messages and any("nowhere" in m or "name" in m for m in exc.value.messages)


def test_a_coordinator_uploads_an_xlsform_through_the_page_and_it_reaches_the_form_list(world, login, device,
                                                                                         devices):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = login(world.boris)
    upload = SimpleUploadedFile("incident_report.xlsx", (DEMO_FORMS / "incident_report.xlsx").read_bytes())
    response = page.post("/missions/cis/forms/", {"file": upload, "kind": ""})
    assert response.status_code == 302
    assert "incident_report" in device("pavel").get("/m/cis/formList").content.decode()


def test_the_upload_page_shows_pyxform_errors_line_by_line(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(world.boris).post("/missions/cis/forms/", {"file": SimpleUploadedFile("b.xlsx", broken_xlsform())})
    assert response.status_code == 400
    assert b"pyxform could not convert" in response.content


def test_an_analyst_cannot_upload_forms(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("count_form.xlsx", (DEMO_FORMS / "count_form.xlsx").read_bytes())
    assert login(world.bella).post("/missions/cis/forms/", {"file": upload}).status_code == 403


def test_the_forms_page_of_another_mission_is_a_404(world, login):
    assert login(world.boris).get("/missions/odihr/forms/").status_code == 404


def test_cli_imports_a_form_and_reports_pyxform_errors(world, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pollwatch.cli.collection import forms_app

    monkeypatch.setattr("pollwatch.cli.collection.setup_django", lambda db: None)
    runner = CliRunner()
    ok = runner.invoke(forms_app, ["import", str(DEMO_FORMS / "count_form.xlsx"), "--mission", "cis"])
    assert ok.exit_code == 0, ok.output
    assert "imported count_form version 2024020701" in ok.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(broken_xlsform())
    failed = runner.invoke(forms_app, ["import", str(bad), "--mission", "cis"])
    assert failed.exit_code == 1 and "error:" in failed.output


def test_a_coordinator_gives_an_observer_a_device_login_whose_pin_works_once_shown(world, login, client):
    import re

    from .conftest import DigestClient

    page = login(world.boris)
    response = page.post("/missions/cis/forms/device-login", {"observer": world.observers["CIS-001"].pk}, follow=True)
    user, pin = re.search(r"user (\S+), PIN (\d+)", response.content.decode()).groups()
    page.logout()
    assert DigestClient(client, user, pin).get("/m/cis/formList").status_code == 200


def test_a_coordinator_cannot_give_a_login_to_another_missions_observer(world, login):
    from pollwatch.collection.models import DeviceCredential

    login(world.boris).post("/missions/cis/forms/device-login", {"observer": world.observers["ODI-001"].pk})
    assert not DeviceCredential.objects.exists()
