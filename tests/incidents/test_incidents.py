"""Incidents: reported from forms, SMS or staff; triaged with history; duplicates grouped; a public summary
without personal data; pages gated per mission."""

import pytest
from django.urls import reverse

from pollwatch.accounts.models import AuditEntry
from pollwatch.incidents.models import Incident
from pollwatch.incidents.services import (
    check_add_incident_note,
    check_assign_incident,
    check_mark_duplicate,
    check_report_incident,
    check_transition_incident,
    public_summary,
)
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db


def staff_incident(world, **kw):
    args = {"source": "staff", "category": "ballot stuffing", "severity": 3, "station": world.stations["S111"],
            "description": "Seen by Pavel, call +7 900 000 0001 or pavel@example.org", "user": world.boris}
    args.update(kw)
    return check_report_incident(world.cis, **args)


def test_a_staff_report_starts_new_with_its_region_and_a_history(world):
    incident = staff_incident(world)
    assert incident.status == "new" and incident.region.code == "R1"
    assert [e.action for e in incident.events.all()] == ["created"]
    assert AuditEntry.objects.filter(action="incident.report").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [({"category": " "}, "category"), ({"severity": 9}, "severity"), ({"description": ""}, "description"),
     ({"source": "pigeon"}, "source")],
)
def test_a_bad_incident_report_is_refused(world, change, message):
    with pytest.raises(ValueError, match=message):
        staff_incident(world, **change)


def test_an_incident_form_report_becomes_one_incident_even_when_recomputed(world):
    from pollwatch.operations.services import recompute_for_submission

    form = make_form(world.cis, form_id="incident", kind="incident", fields=("category", "severity", "description"))
    submission = report(form, world.observers["CIS-001"], world.stations["S111"],
                        {"category": "intimidation", "severity": 4, "description": "Police inside"})
    recompute_for_submission(submission)
    incident = Incident.objects.get()
    assert (incident.source, incident.category, incident.severity, incident.submission) == (
        "form", "intimidation", 4, submission)


def test_the_triage_workflow_follows_its_steps_and_keeps_history(world):
    incident = staff_incident(world)
    check_transition_incident(incident, "verifying", user=world.boris)
    check_assign_incident(incident, world.boris, user=world.boris)
    check_add_incident_note(incident, "called the observer", user=world.boris)
    check_transition_incident(incident, "verified", user=world.boris)
    check_transition_incident(incident, "escalated", user=world.boris)
    check_transition_incident(incident, "resolved", user=world.boris, note="CEC informed")
    history = [(e.action, e.to_status) for e in incident.events.all()]
    assert history == [("created", "new"), ("status", "verifying"), ("assign", ""), ("note", ""),
                       ("status", "verified"), ("status", "escalated"), ("status", "resolved")]


def test_a_step_outside_the_workflow_is_refused(world):
    incident = staff_incident(world)
    with pytest.raises(ValueError, match="cannot go from new to resolved"):
        check_transition_incident(incident, "resolved", user=world.boris, note="x")


def test_rejecting_needs_a_reason(world):
    with pytest.raises(ValueError, match="say why"):
        check_transition_incident(staff_incident(world), "rejected", user=world.boris)


def test_only_coordinators_and_admins_are_assigned(world):
    with pytest.raises(ValueError, match="coordinators"):
        check_assign_incident(staff_incident(world), world.bella, user=world.boris)


def test_duplicates_group_under_the_first_report(world):
    first, second, third = staff_incident(world), staff_incident(world), staff_incident(world)
    check_mark_duplicate(second, first, user=world.boris)
    check_mark_duplicate(third, second, user=world.boris)
    assert set(first.duplicates.all()) == {second, third}
    with pytest.raises(ValueError, match="itself"):
        check_mark_duplicate(first, first, user=world.boris)


def test_the_public_summary_strips_personal_data(world):
    summary = public_summary(staff_incident(world))
    assert "+7 900" not in summary["description"] and "pavel@example.org" not in summary["description"]
    assert "[phone removed]" in summary["description"]
    assert "observer" not in summary and "assignee" not in summary


def test_a_coordinator_triages_through_the_page(world, login):
    incident = staff_incident(world)
    client = login(world.boris)
    client.post(reverse("incident-triage", args=["cis", incident.pk]), {"action": "status", "to": "verifying"})
    incident.refresh_from_db()
    assert incident.status == "verifying"
    assert b'<dd id="incident-status">Verifying</dd>' in client.get(reverse("incident-detail",
                                                                             args=["cis", incident.pk])).content


def test_an_analyst_cannot_triage(world, login):
    incident = staff_incident(world)
    response = login(world.bella).post(reverse("incident-triage", args=["cis", incident.pk]),
                                       {"action": "status", "to": "verifying"})
    assert response.status_code == 403


def test_assigning_answers_the_same_for_an_unknown_user_and_one_who_is_not_a_coordinator(world, login):
    # Finding 11: "no such user" for unknown names told a coordinator which user names exist on the server.
    incident = staff_incident(world)
    client = login(world.boris)

    def answer(username):
        response = client.post(reverse("incident-triage", args=["cis", incident.pk]),
                               {"action": "assign", "assignee": username}, follow=True)
        return response.status_code, [str(m) for m in response.context["messages"]]

    refused = answer("no-such-user")
    assert refused[1] == ["incidents are assigned to the mission's coordinators and admins"]
    for username in ("outsider", "alice", "bella"):  # no mission; another mission's admin; an analyst here
        assert answer(username) == refused
    incident.refresh_from_db()
    assert incident.assignee is None
    client.post(reverse("incident-triage", args=["cis", incident.pk]), {"action": "assign", "assignee": "boris"})
    incident.refresh_from_db()
    assert incident.assignee == world.boris


def test_the_incident_list_is_bounded_in_queries(world, login, django_assert_max_num_queries):
    for _ in range(5):
        staff_incident(world)
    client = login(world.bella)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("incidents", args=["cis"]), {"severity": "3"})
    assert page.content.count(b"ballot stuffing") == 5


@pytest.mark.parametrize("name", ["incidents", "incidents-public"])
def test_a_member_of_the_other_mission_gets_a_404_on_lists(world, login, name):
    assert login(world.alice).get(reverse(name, args=["cis"])).status_code == 404


def test_a_member_of_the_other_mission_gets_a_404_on_an_incident(world, login):
    incident = staff_incident(world)
    assert login(world.alice).get(reverse("incident-detail", args=["cis", incident.pk])).status_code == 404
    assert login(world.alice).get(reverse("incident-detail", args=["odihr", incident.pk])).status_code == 404
    assert login(world.alice).post(reverse("incident-triage", args=["odihr", incident.pk])).status_code == 404


def test_the_public_summary_lists_only_verified_incidents(world, login):
    incident = staff_incident(world)
    staff_incident(world)
    check_transition_incident(incident, "verifying", user=world.boris)
    check_transition_incident(incident, "verified", user=world.boris)
    data = login(world.bella).get(reverse("incidents-public", args=["cis"])).json()
    assert len(data["incidents"]) == 1 and "+7" not in str(data)
