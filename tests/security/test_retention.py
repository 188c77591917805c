"""``pollwatch manage retention --mission M`` erases a closed mission's observers' personal data, keeps the rest."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from pollwatch.collection.models import DeviceCredential, Submission
from pollwatch.incidents.models import Incident
from pollwatch.missions.models import Observer

pytestmark = pytest.mark.django_db


def test_retention_erases_a_closed_missions_observers_and_keeps_their_reports(crew, world):
    from pollwatch.collection.services import do_set_device_credential

    do_set_device_credential(world.observers["CIS-001"], username="pavel", password="24681357")
    incident = crew.objects["cis"]["incident"]
    Incident.objects.filter(pk=incident.pk).update(description="Call Pavel on +7 900 000 0001 or pavel@example.org")
    reports = Submission.objects.filter(mission=world.cis).count()
    with pytest.raises(CommandError, match="still active"):
        call_command("retention", mission="cis", stdout=io.StringIO())
    world.cis.is_active = False
    world.cis.save()
    out = io.StringIO()
    call_command("retention", mission="cis", stdout=out)
    assert "observers: 2" in out.getvalue()
    pavel = Observer.objects.get(mission=world.cis, code="CIS-001")
    assert (pavel.name, pavel.phone, pavel.email, pavel.user) == ("Observer CIS-001", "", "", None)
    assert not DeviceCredential.objects.filter(mission=world.cis).exists()
    text = Incident.objects.get(pk=incident.pk).description
    assert "+7 900" not in text and "pavel@example.org" not in text
    assert Submission.objects.filter(mission=world.cis).count() == reports
    assert pavel.deployments.exists()
    # The other mission is untouched.
    assert Observer.objects.get(mission=world.odihr, code="ODI-001").name == "Ingrid Larsen"
