"""The demo alters a handful of official protocols after the citizen observers' count: the reconciliation page
finds each with its class, and the coordinator sees none of it while the quick count is unpublished."""

import numpy as np
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_demo_shows_its_altered_protocols_on_the_reconciliation_page(client, settings, tmp_path):
    from pollwatch.demo.generator import ADMIN_PASSWORD, build_demo
    from pollwatch.demo.reconciliation import inject_altered_protocols
    from pollwatch.missions.models import Mission
    from pollwatch.operations.demo import build_demo_operations
    from pollwatch.reconciliation.queries import reconciliation_report

    settings.MEDIA_ROOT = tmp_path / "media"
    summary = build_demo(seed=6)
    build_demo_operations(summary, np.random.default_rng(6))
    citizens = Mission.objects.get(slug="citizens")
    before = {s.code: s.status for s in reconciliation_report(citizens, _user("admin")).stations}
    lines, altered = inject_altered_protocols(citizens, base_url="http://127.0.0.1:8000")
    assert lines["reconciliation_url"] == "http://127.0.0.1:8000/missions/citizens/reconciliation/"
    assert sorted(p.kind for p in altered) == ["added", "impossible", "moved", "moved", "slip"]
    assert all(before[p.code] == "exact" for p in altered)
    report = reconciliation_report(citizens, _user("admin"))
    after = {s.code: s.status for s in report.stations}
    assert {p.code: after[p.code] for p in altered} == {p.code: p.expected for p in altered}
    photos = {s.code: s.photos for s in report.stations if s.photos}
    assert set(photos) == {p.code for p in altered}  # the observers photographed those protocols
    # Everything else is as it was: the simulation's own falsified protocols and observers' slips stay.
    assert {c: s for c, s in after.items() if c not in {p.code for p in altered}} == \
        {c: s for c, s in before.items() if c not in {p.code for p in altered}}

    client.post("/login/", {"username": "citizens-analyst", "password": ADMIN_PASSWORD})
    page = client.get(reverse("reconciliation", args=["citizens"]), {"class": "impossible"}).content.decode()
    impossible = next(p.code for p in altered if p.kind == "impossible")
    assert f'data-station="{impossible}" data-class="impossible"' in page
    photo = reverse("collection-attachment", args=["citizens", photos[impossible][0]])
    assert f"{photo}?inline=1" in page
    shown = client.get(photo, {"inline": "1"})
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    client.post("/login/", {"username": "citizens-coordinator", "password": ADMIN_PASSWORD})
    page = client.get(reverse("reconciliation", args=["citizens"])).content.decode()
    assert 'id="sealed"' in page and impossible not in page  # the demo's quick count is not published


def _user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
