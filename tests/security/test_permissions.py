"""The permission table: the doc shows it, no code keeps its own role list, and each capability is enforced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from pollwatch.missions.models import Role
from pollwatch.missions.permissions import PUBLIC, TABLE, Cap, matrix_markdown, role_has

ROOT = Path(__file__).resolve().parents[2]


def test_the_security_doc_shows_the_permission_table_as_it_is():
    doc = (ROOT / "docs" / "security.md").read_text()
    shown = doc.split("<!-- permission-matrix:start -->")[1].split("<!-- permission-matrix:end -->")[0].strip()
    assert shown == matrix_markdown(), "regenerate the matrix in docs/security.md with matrix_markdown()"


def test_no_module_keeps_its_own_list_of_roles():
    # Role names appear only in the table (and where members are created: models, services, demo, importers).
    allowed = {"missions/permissions.py", "missions/models.py", "missions/services.py", "missions/admin.py"}
    pattern = re.compile(r"Role\.(ADMIN|COORDINATOR|ANALYST|DATA_CLERK|OBSERVER)|[\"'](admin|coordinator|analyst)[\"']")
    offenders = []
    for path in (ROOT / "pollwatch").rglob("*.py"):
        rel = str(path.relative_to(ROOT / "pollwatch"))
        if rel in allowed or "/migrations/" in rel or "demo" in rel or rel.startswith(("cli/", "testing/")):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


def test_public_has_only_what_is_published_and_admins_have_everything():
    assert TABLE[PUBLIC] == {Cap.SEE_PUBLISHED}
    assert TABLE[Role.ADMIN] == set(Cap)
    assert not role_has(None, Cap.SEE_MISSION)


def test_observers_do_not_see_others_reports_and_coordinators_not_the_unpublished_quick_count():
    assert not role_has(Role.OBSERVER, Cap.SEE_REPORTS)
    assert not role_has(Role.COORDINATOR, Cap.SEE_QUICK_COUNT)
    assert role_has(Role.COORDINATOR, Cap.PUBLISH_QUICK_COUNT)


def _probes(crew):
    """For each capability: a request that needs it, on mission A's own objects. ``refused(response)`` says
    whether the response refuses; a role with the capability must not be refused, a role without it must be."""
    a = crew.objects["odihr"]
    slug = "odihr"

    def refused(response):
        return response.status_code in (403, 404)

    def no_phone(response):
        # Observers' phones (ODI-001 is olga's own observer: even she sees no phone without SEE_PII).
        return "+4790000001" not in response.content.decode()

    return {
        Cap.SEE_PUBLISHED: None,  # tests/security/test_isolation.py: published statements are public
        Cap.SEE_MISSION: ("get", reverse("mission-home", args=[slug]), {}, refused),
        Cap.SEE_REPORTS: ("get", reverse("operations-expected", args=[slug]), {}, refused),
        Cap.SEE_PII: ("get", reverse("mission-home", args=[slug]), {}, no_phone),
        Cap.MANAGE_MEMBERS: ("post", reverse("collection-device-login", args=[slug]), {"observer": ""}, refused),
        Cap.MESSAGE_OBSERVERS: ("get", reverse("sms-log", args=[slug]), {}, refused),
        Cap.AUTHOR_FORMS: ("post", reverse("collection-form-toggle", args=[slug, a["form"].pk]), {}, refused),
        Cap.AUTHOR_CHECKS: ("post", reverse("checks", args=[slug]), {"form_id": "checklist", "name": "x",
                                                                    "expression": "sealed == 'yes'"}, refused),
        Cap.ENTER_REPORTS: ("post", f"/api/missions/{slug}/submissions",
                            {"form_id": "checklist", "values": {"sealed": "yes"}}, lambda r: r.status_code == 403),
        Cap.RESOLVE_CONFLICTS: ("post", reverse("operations-resolve", args=[slug, a["master"].pk]),
                                {"field": "sealed", "choice": "0"}, refused),
        Cap.TRIAGE_INCIDENTS: ("post", reverse("incident-triage", args=[slug, a["incident"].pk]),
                               {"action": "note", "note": "seen"}, refused),
        Cap.DRAW_QUICK_COUNT: ("post", reverse("pvt-draw", args=[slug]), {"name": "", "size": "2", "seed": "1"},
                               refused),
        Cap.SEE_QUICK_COUNT: ("get", reverse("pvt-export", args=[slug, a["sample"].pk]), {}, refused),
        Cap.PUBLISH_QUICK_COUNT: ("post", reverse("pvt-publish", args=[slug, a["sample"].pk]), {}, refused),
        Cap.MONITOR_MEDIA: ("post", reverse("media-outlet", args=[slug, a["outlet"].pk]), {"name": "x"}, refused),
        Cap.READ_STATEMENTS: ("get", reverse("statements", args=[slug]), {}, refused),
        Cap.PUBLISH_STATEMENTS: ("post", reverse("statement-freeze", args=[slug, a["statement"].slug]), {},
                                 refused),
        Cap.EXPORT: ("get", reverse("operations-export", args=[slug, "coverage", "csv"]), {}, refused),
        Cap.SEE_AUDIT: ("get", reverse("mission-audit", args=[slug]), {}, refused),
    }


@pytest.mark.django_db
def test_every_capability_has_a_probe(crew):
    assert set(_probes(crew)) == set(Cap)


@pytest.mark.django_db
@pytest.mark.parametrize("cap", [c for c in Cap if c is not Cap.SEE_PUBLISHED], ids=lambda c: c.name)
def test_roles_without_a_capability_are_refused_and_roles_with_it_are_not(client, crew, cap):
    method, url, data, refused = _probes(crew)[cap]
    # Refused roles first: a role that has the capability may change what the probe finds (e.g. publish).
    users = sorted(crew.a.items(), key=lambda kv: role_has(kv[0], cap))
    for role, user in [*users, (PUBLIC, None)]:
        client.logout()
        if user is not None:
            client.force_login(user)
        if url.startswith("/api/"):
            response = getattr(client, method)(url, data, content_type="application/json")
        else:
            response = getattr(client, method)(url, data)
        if user is None:
            assert response.status_code in (302, 401, 404) or refused(response), (cap, role)
            continue
        assert refused(response) is not role_has(role, cap), (cap.name, role, response.status_code)
