"""The coding screen and its gates: monitors see the item with its highlights and the machine's proposal,
confirm or override it; two monitors code the same item; another mission's users get a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pollwatch.media.models import Coding, FlagReview, MachineCoding
from pollwatch.media.services import check_code_item

pytestmark = pytest.mark.django_db


def item_url(item):
    return reverse("media-item", args=[item.mission.slug, item.pk])


def tone_field(item, key):
    return f"tone-{item.machine_codings.get(actor__key=key).actor_id}"


def test_the_coding_screen_highlights_mentions_and_loaded_terms_and_shows_the_proposal(world, seeds, login):
    item = seeds["000_6924cd277f211afd"]
    html = login(world.anna).get(item_url(item)).content.decode()
    assert '<mark class="actor" data-actor="matthew_miller"' in html
    assert '<mark class="loaded" data-flag=' in html and ">so-called</mark>" in html
    proposal = item.machine_codings.get(actor__key="osce_odihr").tone
    assert f'name="{tone_field(item, "osce_odihr")}" value="{proposal}" checked' in html
    assert "Declined to comment" in html  # the State Department's claim


def test_a_monitor_confirms_one_proposal_and_overrides_another(world, seeds, login):
    item = seeds["002_9a19e5473040d1ab"]
    machine = dict(item.machine_codings.values_list("actor__key", "tone"))
    assert machine["cis_mission"] == "positive"
    flag = item.loaded_flags.first()
    data = {tone_field(item, "cis_mission"): "positive", tone_field(item, "ilham_aliyev"): "neutral", "then": "stay"}
    if flag is not None:
        data[f"flag-{flag.pk}"] = "0"
    response = login(world.anna).post(item_url(item), data)
    assert response.status_code == 302 and response.url == item_url(item)
    codings = {c.actor.key: c for c in Coding.objects.filter(item=item, coder=world.anna)}
    assert set(codings) == {"cis_mission", "ilham_aliyev"}
    assert not codings["cis_mission"].is_override
    assert codings["ilham_aliyev"].is_override and codings["ilham_aliyev"].proposed_tone == machine["ilham_aliyev"]
    page = login(world.anna).get(item_url(item)).content.decode()
    assert "overridden" in page and "confirmed" in page


def test_two_monitors_code_the_same_item_independently(world, seeds, login):
    item = seeds["002_9a19e5473040d1ab"]
    field = tone_field(item, "ilham_aliyev")
    login(world.anna).post(item_url(item), {field: "positive"})
    login(world.alice).post(item_url(item), {field: "negative"})
    assert dict(Coding.objects.filter(item=item).values_list("coder__username", "tone")) == {
        "anna": "positive", "alice": "negative"}
    # Coding again replaces the monitor's own coding, never the other's.
    login(world.anna).post(item_url(item), {field: "neutral"})
    assert Coding.objects.filter(item=item).count() == 2
    assert Coding.objects.get(item=item, coder=world.anna).tone == "neutral"


def test_save_and_next_goes_to_the_next_item_this_monitor_has_not_coded(world, seeds, login):
    first, second = seeds["000_6924cd277f211afd"], seeds["002_9a19e5473040d1ab"]
    client = login(world.anna)
    response = client.post(item_url(first), {tone_field(first, "osce_odihr"): "negative", "then": "next"})
    assert response.status_code == 302
    assert client.get(response.url).url == item_url(second)
    client.post(item_url(second), {tone_field(second, "cis_mission"): "positive"})
    response = client.get(reverse("media-next", args=["odihr"]))
    assert response.url == reverse("media", args=["odihr"])  # nothing left for anna
    # alice has coded nothing: the next item for her is the first one.
    assert login(world.alice).get(reverse("media-next", args=["odihr"])).url == item_url(first)


def test_bad_codings_are_refused_with_a_message(world, seeds):
    item = seeds["002_9a19e5473040d1ab"]
    actor_id = item.machine_codings.first().actor_id
    with pytest.raises(ValueError, match="tone must be"):
        check_code_item(item, world.anna, tones={actor_id: "furious"})
    other = seeds["000_6924cd277f211afd"].loaded_flags.first()
    with pytest.raises(ValueError, match="no such loaded-term flag"):
        check_code_item(item, world.anna, tones={}, flags={other.pk: True})
    with pytest.raises(ValueError, match="nothing to code"):
        check_code_item(item, world.anna, tones={})
    assert not Coding.objects.exists() and not FlagReview.objects.exists()


@pytest.mark.parametrize("name", ["boris", "bella", "outsider"])
def test_users_of_another_mission_get_a_404_for_every_media_page_of_this_one(world, seeds, login, name):
    item = seeds["002_9a19e5473040d1ab"]
    client = login(getattr(world, name))
    urls = [reverse("media", args=["odihr"]), item_url(item), reverse("media-item-original", args=["odihr", item.pk]),
            reverse("media-report", args=["odihr"]), reverse("media-agreement", args=["odihr"]),
            reverse("media-export", args=["odihr", "claims", "csv"]), reverse("media-next", args=["odihr"])]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(item_url(item), {tone_field(item, "cis_mission"): "negative"}).status_code == 404
    assert not Coding.objects.exists()


def test_an_item_id_of_another_mission_is_a_404_inside_ones_own_mission(world, seeds, login):
    item = seeds["002_9a19e5473040d1ab"]
    response = login(world.boris).get(reverse("media-item", args=["cis", item.pk]))
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(world, seeds, client):
    response = client.get(reverse("media", args=["odihr"]))
    assert response.status_code == 302 and "/login/" in response.url


def test_an_observer_member_may_read_but_not_code_or_import(world, seeds, login):
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import do_add_member, do_create_user

    olga = do_create_user("olga", "x-very-long-password-1")
    do_add_member(world.odihr, olga, Role.OBSERVER)
    item = seeds["002_9a19e5473040d1ab"]
    client = login(olga)
    assert client.get(item_url(item)).status_code == 200
    assert client.post(item_url(item), {tone_field(item, "cis_mission"): "negative"}).status_code == 403
    assert client.post(reverse("media-import", args=["odihr"]), {}).status_code == 403
    assert not Coding.objects.exists()


def test_uploading_through_the_page_imports_good_files_and_names_bad_ones(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.anna)
    files = [SimpleUploadedFile("good.txt", b"The CEC said the voting process was transparent and fair."),
             SimpleUploadedFile("empty.txt", b"")]
    response = client.post(reverse("media-import", args=["odihr"]), {"files": files, "outlet": "APA"}, follow=True)
    page = response.content.decode()
    assert "imported: 1 item(s)" in page and "empty.txt" in page
    assert MachineCoding.objects.for_mission(world.odihr).filter(actor__key="cec").exists()


def test_the_corpus_page_lists_items_with_a_bounded_number_of_queries(world, seeds, login, django_assert_max_num_queries):
    client = login(world.anna)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("media", args=["odihr"])).content.decode()
    assert "During a briefing, US State Department" in html and 'id="import"' in html


def test_the_mission_home_links_to_media_monitoring(world, login):
    html = login(world.anna).get(reverse("mission-home", args=["odihr"])).content.decode()
    assert f'href="{reverse("media", args=["odihr"])}"' in html


def test_the_coding_screen_and_the_agreement_page_use_a_bounded_number_of_queries(
        world, seeds, login, django_assert_max_num_queries):
    client = login(world.anna)
    item = seeds["000_6924cd277f211afd"]
    with django_assert_max_num_queries(20):
        assert client.get(item_url(item)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("media-agreement", args=["odihr"])).status_code == 200
