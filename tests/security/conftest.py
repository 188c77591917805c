"""Every role of both missions, and objects of every kind in each mission, for the security tests.

Added to the named world (tests/conftest.py): in ``odihr`` (mission A) ``carla`` (coordinator), ``dana`` (data
clerk) and ``olga`` (observer, the web login of ODI-001) next to ``alice`` (admin) and ``anna`` (analyst); in
``cis`` (mission B) ``ceri`` (admin), ``dmitri`` (data clerk), ``pyotr`` (observer, the web login of CIS-001) next
to ``boris`` (coordinator) and ``bella`` (analyst). Each mission has a count form with a report, an attachment, a
master record, an incident, an unpublished quick-count sample, a media item and outlet, and a statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from tests.operations.reports import make_form, report

# What of mission B must never show up in a response to a user of mission A (observer names, phones, codes).
B_SECRETS = ("Pavel Orlov", "+7900000001", "CIS-001", "Sergei Volkov", "+7900000002", "CIS-002", "cis-secret-value",
             "cis-incident-text")


@dataclass
class Crew:
    a: dict  # role -> user of mission A (odihr)
    b: dict  # role -> user of mission B (cis)
    objects: dict  # mission slug -> {kind: object}


def _objects(world, mission, observer, other, station, *, tag: str):
    from pollwatch.collection.models import Attachment
    from pollwatch.incidents.services import do_report_incident
    from pollwatch.media.models import NewsItem, Outlet
    from pollwatch.operations.models import MasterRecord
    from pollwatch.pvt.services import do_draw_pvt_sample
    from pollwatch.sms.models import InboundMessage
    from pollwatch.statements.models import Finding
    from pollwatch.statements.services import do_create_statement

    form = make_form(mission, form_id="count_form", kind="closing",
                     fields=("registered", "candidate_a", "candidate_b", "note"))
    checklist = make_form(mission, form_id="checklist", kind="voting", fields=("sealed", "note"))
    own = report(checklist, observer, station, {"sealed": "yes", "note": f"{tag}-secret-value"})
    theirs = report(checklist, other, station, {"sealed": "no", "note": f"{tag}-other-value"})
    counted = report(form, observer, station, {"registered": 800, "candidate_a": 300, "candidate_b": 200,
                                               "note": f"{tag}-count-value"})
    attachment = Attachment.objects.create(submission=own, name="protocol.txt", content_type="text/plain",
                                           file=ContentFile(f"{tag}-secret-value".encode(), name=f"{tag}.txt"),
                                           size=16, sha256="0" * 64)
    incident = do_report_incident(mission, source="observer", category="intimidation",
                                  description=f"{tag}-incident-text", severity=2, station=station, location="",
                                  observer=other, occurred_at=dt.datetime(2024, 2, 7, 9, 0, tzinfo=dt.UTC))
    sample = do_draw_pvt_sample(mission, name="PVT", size=2, strata=[], seed=5)
    outlet = Outlet.objects.create(mission=mission, name=f"{tag} Gazette")
    item = NewsItem.objects.create(mission=mission, outlet=outlet, title=f"{tag} headline", text="Text.",
                                   original=b"Text.", content_hash=f"{tag}-hash", date=dt.date(2024, 2, 6))
    statement = do_create_statement(mission, slug=f"{tag}-preliminary", title="Preliminary statement")
    finding = Finding.objects.create(statement=statement, section="voting", text=f"{tag}-finding-text",
                                     assessment="negative")
    message = InboundMessage.objects.create(
        mission=mission, gateway="twilio", message_id=f"{tag}-sms-1", sender=observer.phone or "+994500000001",
        text=f"{tag}-sms-text", received_at=dt.datetime(2024, 2, 7, 9, 30, tzinfo=dt.UTC), status="quarantined")
    return {
        "form": checklist, "count_form": form, "submission": own, "other_submission": theirs, "count": counted,
        "attachment": attachment, "incident": incident, "sample": sample, "outlet": outlet, "item": item,
        "statement": statement, "master": MasterRecord.objects.filter(mission=mission, form_id="checklist").first(),
        "observer": observer, "finding": finding, "message": message,
    }


@pytest.fixture
def crew(world, settings, tmp_path) -> Crew:
    settings.MEDIA_ROOT = tmp_path / "media"
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import (
        do_add_member,
        do_create_observer,
        do_create_user,
        do_deploy_observer,
        do_link_observer_login,
    )
    from tests.conftest import PASSWORD

    people = {name: do_create_user(name, PASSWORD) for name in ("carla", "dana", "olga", "ceri", "dmitri", "pyotr")}
    do_add_member(world.odihr, people["carla"], Role.COORDINATOR)
    do_add_member(world.odihr, people["dana"], Role.DATA_CLERK)
    do_add_member(world.odihr, people["olga"], Role.OBSERVER)
    do_add_member(world.cis, people["ceri"], Role.ADMIN)
    do_add_member(world.cis, people["dmitri"], Role.DATA_CLERK)
    do_add_member(world.cis, people["pyotr"], Role.OBSERVER)
    do_link_observer_login(world.observers["ODI-001"], people["olga"])
    do_link_observer_login(world.observers["CIS-001"], people["pyotr"])
    start = dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC)
    cis2 = do_create_observer(world.cis, code="CIS-002", name="Sergei Volkov", phone="+7900000002")
    do_deploy_observer(cis2, station=world.stations["S112"], team="C2", shift_start=start,
                       shift_end=start + dt.timedelta(hours=14))
    world.observers["CIS-002"] = cis2
    objects = {
        "odihr": _objects(world, world.odihr, world.observers["ODI-001"], world.observers["ODI-002"],
                          world.stations["S121"], tag="odi"),
        "cis": _objects(world, world.cis, world.observers["CIS-001"], cis2, world.stations["S111"], tag="cis"),
    }
    return Crew(
        a={Role.ADMIN: world.alice, Role.COORDINATOR: people["carla"], Role.ANALYST: world.anna,
           Role.DATA_CLERK: people["dana"], Role.OBSERVER: people["olga"]},
        b={Role.ADMIN: people["ceri"], Role.COORDINATOR: world.boris, Role.ANALYST: world.bella,
           Role.DATA_CLERK: people["dmitri"], Role.OBSERVER: people["pyotr"]},
        objects=objects,
    )
