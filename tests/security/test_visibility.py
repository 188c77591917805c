"""What each role of a mission sees of it: observers their own assignment and reports only (finding 7); before
publication, nothing that rebuilds the quick count for roles without "see the unpublished quick count"
(finding 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pollwatch.missions.models import Role

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_an_observer_sees_their_own_deployment_and_not_who_else_observes_where(login, crew):
    html = login(crew.a[Role.OBSERVER]).get(reverse("mission-home", args=["odihr"])).content.decode()
    assert "ODI-001" in html  # her own
    assert "Tomas Novak" not in html and "ODI-002" not in html


def test_an_observer_lists_and_opens_only_their_own_reports(login, crew):
    a = crew.objects["odihr"]
    client = login(crew.a[Role.OBSERVER])
    html = client.get(reverse("collection-submissions", args=["odihr"])).content.decode()
    assert "ODI-001" in html and "ODI-002" not in html
    assert client.get(reverse("collection-submission", args=["odihr", a["submission"].pk])).status_code == 200
    assert client.get(reverse("collection-submission", args=["odihr", a["other_submission"].pk])).status_code == 404
    api = client.get("/api/missions/odihr/submissions").json()
    assert {s["observer"] for s in api} == {"ODI-001"}
    assert client.get(f"/api/missions/odihr/submissions/{a['other_submission'].pk}").status_code == 404


def test_an_observer_gets_neither_the_expected_reports_nor_the_coverage_export(login, crew):
    client = login(crew.a[Role.OBSERVER])
    for url in (reverse("operations-expected", args=["odihr"]), reverse("operations-coverage-csv", args=["odihr"]),
                reverse("operations-export", args=["odihr", "coverage", "xlsx"]),
                reverse("operations-masters", args=["odihr"])):
        assert client.get(url).status_code == 403, url
    # A coordinator still gets them, with the other observers.
    coordinator = login(crew.a[Role.COORDINATOR])
    assert coordinator.get(reverse("operations-coverage-csv", args=["odihr"])).status_code == 200
    assert "ODI-002" in _body(coordinator.get(reverse("operations-export", args=["odihr", "submissions", "csv"])))


def test_an_observer_sees_only_the_incidents_they_reported(login, crew):
    client = login(crew.a[Role.OBSERVER])
    html = client.get(reverse("incidents", args=["odihr"])).content.decode()
    assert "odi-incident-text" not in html
    incident = crew.objects["odihr"]["incident"]  # reported by ODI-002
    assert client.get(reverse("incident-detail", args=["odihr", incident.pk])).status_code == 404


def test_before_publication_a_coordinator_sees_neither_the_sample_nor_its_count_reports(login, crew):
    sample = crew.objects["odihr"]["sample"]
    client = login(crew.a[Role.COORDINATOR])
    page = client.get(reverse("pvt", args=["odihr"])).content.decode()
    assert f"seed {sample.seed}" not in page and "Export the sample" not in page
    assert client.get(reverse("pvt-export", args=["odihr", sample.pk])).status_code == 404
    api = client.get("/api/missions/odihr/submissions?limit=1000").json()
    assert {s["form_id"] for s in api} == {"checklist"}
    for what in ("submissions", "masters"):
        body = _body(client.get(reverse("operations-export", args=["odihr", what, "csv"])))
        assert "odi-count-value" not in body and "count_form" not in body, what
        assert "checklist" in body
    assert "count_form" not in client.get(reverse("operations-masters", args=["odihr"])).content.decode()
    count = crew.objects["odihr"]["count"]
    assert client.get(reverse("collection-submission", args=["odihr", count.pk])).status_code == 404


def test_analysts_see_the_unpublished_quick_count_and_everyone_after_publication(login, crew):
    from pollwatch.pvt.services import do_publish_pvt_sample

    sample = crew.objects["odihr"]["sample"]
    analyst = login(crew.a[Role.ANALYST])
    assert f"seed {sample.seed}" in analyst.get(reverse("pvt", args=["odihr"])).content.decode()
    assert "odi-count-value" in _body(analyst.get(reverse("operations-export", args=["odihr", "submissions", "csv"])))
    do_publish_pvt_sample(sample, user=crew.a[Role.COORDINATOR])
    coordinator = login(crew.a[Role.COORDINATOR])
    assert coordinator.get(reverse("pvt-export", args=["odihr", sample.pk])).status_code == 200
    assert "count_form" in {s["form_id"] for s in coordinator.get("/api/missions/odihr/submissions").json()}


def test_roles_without_pii_see_observers_initials_not_their_names_or_phones(login, crew):
    analyst = login(crew.a[Role.ANALYST])
    html = analyst.get(reverse("mission-home", args=["odihr"])).content.decode()
    assert "I. L." in html and "Ingrid Larsen" not in html and "+4790000001" not in html
    admin = login(crew.a[Role.ADMIN])
    html = admin.get(reverse("mission-home", args=["odihr"])).content.decode()
    assert "Ingrid Larsen" in html and "+4790000001" in html


def test_initials_keep_no_more_than_the_first_letters():
    from pollwatch.accounts.privacy import initials, shown_name

    assert initials("Ingrid  Larsen") == "I. L." and initials("") == ""
    assert shown_name("Ingrid Larsen", True) == "Ingrid Larsen"
