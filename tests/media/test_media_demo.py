"""The demo's media corpus: both missions get the gold-set items and the seeds, analysed, with some codings."""

import pytest
from django.urls import reverse

from pollwatch.media.agreement import agreement_report
from pollwatch.media.demo import build_demo_media
from pollwatch.media.models import Claim, Coding, NewsItem
from pollwatch.media.queries import report
from pollwatch.missions.models import Role
from pollwatch.missions.services import do_add_member

pytestmark = pytest.mark.django_db


def test_the_demo_corpus_is_analysed_and_coded_by_two_monitors_in_each_mission(world, login):
    do_add_member(world.odihr, world.bella, Role.COORDINATOR)  # a second monitor in odihr
    build_demo_media([world.odihr, world.cis], seed=1)
    for mission in (world.odihr, world.cis):
        items = NewsItem.objects.for_mission(mission)
        assert items.count() == 30 and not items.filter(analysed_at__isnull=True).exists()
        assert items.get(external_id="000_6924cd277f211afd").outlet.ownership == "private"
        assert Coding.objects.for_mission(mission).values("coder").distinct().count() == 2
        pairs = agreement_report(mission)["pairs"]
        assert {p.field for p in pairs} == {"tone", "loaded_terms"} and all(p.units > 0 for p in pairs)
        data = report(mission)
        assert any(x["a"].source.key == "cis_mission" and x["b"].source.key == "osce_odihr"
                   for x in data["contradictions"])
    assert Claim.objects.for_mission(world.cis).filter(source__key="us_state_department", stance="no_comment").exists()
    html = login(world.boris).get(reverse("media-report", args=["cis"])).content.decode()
    assert "Vestnik Kavkaza" in html
