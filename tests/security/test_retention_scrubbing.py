"""``pollwatch retention``: after it, no observer's name, phone or e-mail of the mission is left anywhere in the
database (raw XML, SMS, values, incident texts and notes, logins, photo names) nor in their photos' EXIF; the
counts and derived tables are the same, the other mission is untouched, and the erasure is audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Model
from typer.testing import CliRunner

from pollwatch.accounts.models import AuditEntry
from pollwatch.collection.models import Attachment, Submission
from pollwatch.incidents.models import Incident, IncidentEvent
from pollwatch.missions.models import Observer
from pollwatch.operations.models import (
    ArrivalCount,
    ChecklistCount,
    CoverageCount,
    ExpectedReport,
    MasterRecord,
)
from pollwatch.sms.models import InboundMessage

pytestmark = pytest.mark.django_db

# Mission B's observers as they may be written anywhere: full names in either order, phones in any spacing.
PII = ("Pavel Orlov", "Orlov Pavel", "Sergei Volkov", "7900000001", "+7 900 000 001", "900-000-001", "7900000002",
       "pavel.orlov@example.org", "sergei@example.org", "PAVELO")
XML = """<?xml version="1.0"?><data id="count_form"><registered>800</registered><candidate_a>300</candidate_a>
<candidate_b>200</candidate_b><observer_name>Pavel Orlov</observer_name><phone>+7 900 000 001</phone>
<note>Orlov Pavel, reach me at pavel.orlov@example.org; Sergei Volkov (7900000002) was at S111 too</note>
<meta><instanceID>uuid:cis-1</instanceID><timeStart>2024-02-07T10:00:00+03:00</timeStart></meta></data>"""


def _jpeg_with_exif(artist: str) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 8), "white")
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def closed(crew, world, settings):
    """Mission B (cis) with its observers' PII written into every kind of stored text, then closed."""
    from pollwatch.incidents.services import do_add_incident_note
    from pollwatch.missions.services import do_create_observer

    Observer.objects.filter(pk=world.observers["CIS-001"].pk).update(email="pavel.orlov@example.org")
    Observer.objects.filter(mission=world.cis, code="CIS-002").update(email="sergei@example.org")
    # A code made of a name is personal too.
    do_create_observer(world.cis, code="PAVELO", name="Pavel Olegovich", phone="")
    b = crew.objects["cis"]
    Submission.objects.filter(pk=b["count"].pk).update(
        raw=XML, values=b["count"].values | {"note": "Orlov Pavel, reach me at pavel.orlov@example.org"})
    InboundMessage.objects.filter(pk=b["message"].pk).update(text="CIS-001 A300 B200 Pavel Orlov +7 900 000 001")
    Incident.objects.filter(pk=b["incident"].pk).update(description="Sergei Volkov was pushed out; call +7900000002",
                                                        location="near Pavel Orlov's car, 900-000-001")
    do_add_incident_note(b["incident"], "Called Sergei Volkov at 7900000002, PAVELO confirmed", user=world.boris)
    photo = Path(settings.MEDIA_ROOT) / "collection" / "cis" / "pavel_orlov_protocol.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(_jpeg_with_exif("Pavel Orlov"))
    Attachment.objects.create(submission=b["count"], name="pavel_orlov_protocol.jpg", content_type="image/jpeg",
                              file="collection/cis/pavel_orlov_protocol.jpg", size=photo.stat().st_size,
                              sha256="1" * 64)
    world.cis.is_active = False
    world.cis.save()
    return crew


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _found(text: str) -> list[str]:
    lowered = text.lower()
    return [p for p in PII if p.lower() in lowered or json.dumps(p)[1:-1].lower() in lowered]


def _rows(model: type[Model], **filters) -> list[dict]:
    return list(model.objects.filter(**filters).order_by("pk").values())


def _derived(mission) -> dict:
    masters = [{**r, "values": {k: v for k, v in r["values"].items() if k != "note"}}
               for r in _rows(MasterRecord, mission=mission)]
    return {"masters": masters, "coverage": _rows(CoverageCount, mission=mission),
            "expected": _rows(ExpectedReport, mission=mission), "arrivals": _rows(ArrivalCount, mission=mission),
            "checklists": _rows(ChecklistCount, mission=mission),
            "values": [{k: v for k, v in s.values.items() if k != "note"}
                       for s in Submission.objects.filter(mission=mission).order_by("pk")]}


def _mission_a(world) -> dict:
    return {"observers": _rows(Observer, mission=world.odihr), "reports": _rows(Submission, mission=world.odihr),
            "incidents": _rows(Incident, mission=world.odihr), "sms": _rows(InboundMessage, mission=world.odihr),
            "derived": _derived(world.odihr)}


def test_retention_leaves_no_observer_name_phone_or_email_in_the_database(closed, world):
    from pollwatch.missions.retention import do_apply_retention

    assert set(_found(_dump())) == set(PII)  # the fixture did write them all
    counts = do_apply_retention(world.cis)
    assert _found(_dump()) == []
    assert counts["submissions"] >= 1 and counts["sms_inbound"] == 1 and counts["incident_notes"] == 1
    renamed = Observer.objects.get(mission=world.cis, code__startswith="OBS")  # PAVELO: a code made of a name
    assert renamed.code == f"OBS{renamed.pk}" and renamed.name == f"Observer {renamed.code}"
    # The XML is still a report: its counts and structure are there, only the PII went.
    raw = Submission.objects.get(pk=closed.objects["cis"]["count"].pk).raw
    assert "<registered>800</registered>" in raw and "<timeStart>2024-02-07T10:00:00+03:00</timeStart>" in raw
    assert "<observer_name>Observer CIS-001</observer_name>" in raw and "[phone removed]" in raw
    # The observers' web login (pyotr) is anonymised and can no longer log in.
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="pyotr").exists()


def test_retention_strips_the_photos_exif_and_renames_them(closed, world, settings):
    from pollwatch.missions.retention import do_apply_retention

    do_apply_retention(world.cis)
    photo = Attachment.objects.get(submission__mission=world.cis, content_type="image/jpeg")
    data = (Path(settings.MEDIA_ROOT) / photo.file.name).read_bytes()
    assert b"Pavel Orlov" not in data and b"PhoneMaker" not in data and b"Exif" not in data
    assert photo.name == "Observer_CIS-001_protocol.jpg" and photo.file.name.endswith(photo.name)
    assert photo.size == len(data)
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:  # still the same picture
        assert image.size == (8, 8)


def test_retention_keeps_counts_and_derived_tables_and_leaves_the_other_mission_alone(closed, world):
    from pollwatch.missions.retention import do_apply_retention

    before, other = _derived(world.cis), _mission_a(world)
    do_apply_retention(world.cis)
    assert _derived(world.cis) == before
    assert _mission_a(world) == other
    assert Observer.objects.get(mission=world.odihr, code="ODI-001").name == "Ingrid Larsen"


def test_retention_is_audited_with_its_counts(closed, world):
    from pollwatch.accounts.services import verify_audit_trail
    from pollwatch.missions.retention import do_apply_retention

    counts = do_apply_retention(world.cis)
    entry = AuditEntry.objects.get(action="retention.apply", mission_slug="cis")
    assert entry.detail == counts
    assert verify_audit_trail().ok


def test_a_dry_run_counts_what_would_go_and_changes_nothing(closed, world):
    from pollwatch.missions.retention import do_apply_retention

    before = _dump()
    counts = do_apply_retention(world.cis, dry_run=True)
    assert counts["observers"] == 3 and counts["submissions"] >= 1 and counts["attachments"] == 1
    assert _dump() == before


def test_retention_of_an_open_mission_is_refused(crew, world):
    from pollwatch.missions.retention import MissionStillOpen, do_apply_retention

    with pytest.raises(MissionStillOpen):
        do_apply_retention(world.cis)
    assert Observer.objects.get(mission=world.cis, code="CIS-001").name == "Pavel Orlov"


def test_the_retention_command_shows_progress_and_a_dry_run(closed, world):
    from pollwatch.cli.main import app

    result = CliRunner().invoke(app, ["retention", "--mission", "cis", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "would erase personal data" in result.output
    assert "reports (raw XML, SMS, values):" in result.output and "scanned" in result.output
    assert Observer.objects.get(mission=world.cis, code="CIS-001").name == "Pavel Orlov"
    result = CliRunner().invoke(app, ["retention", "--mission", "cis"])
    assert result.exit_code == 0 and "observers: 3" in result.output
    assert Observer.objects.get(mission=world.cis, code="CIS-001").name == "Observer CIS-001"


def test_the_retention_command_refuses_an_open_mission_clearly(crew, world):
    from pollwatch.cli.main import app

    result = CliRunner().invoke(app, ["retention", "--mission", "cis"])
    assert result.exit_code == 2 and "still open: close it first" in result.output
    assert CliRunner().invoke(app, ["retention", "--mission", "nope"]).exit_code == 2


def test_retention_keeps_the_incidents_facts_and_history(closed, world):
    from pollwatch.missions.retention import do_apply_retention

    incident = closed.objects["cis"]["incident"]
    do_apply_retention(world.cis)
    after = Incident.objects.get(pk=incident.pk)
    assert after.occurred_at == dt.datetime(2024, 2, 7, 9, 0, tzinfo=dt.UTC) and after.category == "intimidation"
    assert IncidentEvent.objects.filter(incident=incident).count() >= 2


def test_a_device_login_named_after_the_observers_code_leaves_the_code_in_sms(crew, world):
    from pollwatch.collection.services import do_set_device_credential
    from pollwatch.missions.retention import do_apply_retention

    do_set_device_credential(world.observers["CIS-001"], username="cis-001", password="24681357")
    message = crew.objects["cis"]["message"]
    InboundMessage.objects.filter(pk=message.pk).update(text="CIS-001 A300 B200")
    world.cis.is_active = False
    world.cis.save()
    do_apply_retention(world.cis)
    assert InboundMessage.objects.get(pk=message.pk).text == "CIS-001 A300 B200"
