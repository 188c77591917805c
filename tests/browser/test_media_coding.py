"""A monitor codes a news item with the keyboard in a real browser: 1/2/3 set the tone of the current actor,
x rejects a loaded-term flag, n saves and opens the next item."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_items(world):
    from pollwatch.media.importers import check_import_corpus
    from tests.media.conftest import SEEDS

    report = check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in SEEDS], user=world.alice)
    return sorted(report.imported, key=lambda i: (i.date, i.pk))


def test_a_monitor_codes_an_item_with_the_keyboard_and_moves_to_the_next(live_server, page, world, two_items):
    from pollwatch.media.models import Coding, FlagReview

    first, second = two_items
    url = live_server.url
    page.goto(f"{url}/login/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/missions/odihr/")
    page.click("text=Media monitoring")
    page.click("text=Code next item")
    page.wait_for_url(f"**/media/items/{first.pk}/")
    assert page.locator("#item-text mark.actor").count() > 0 and page.locator("#item-text mark.loaded").count() > 0

    actors = list(first.machine_codings.select_related("actor"))  # the screen's order: most words first
    flags = list(first.loaded_flags.all())
    page.keyboard.press("3")  # first actor: negative
    page.keyboard.press("1")  # second actor: positive
    for _ in actors[2:]:
        page.keyboard.press("2")  # the rest: neutral
    page.keyboard.press("x")  # the first flag: not loaded
    assert page.locator(f"#actor-{actors[1].actor.key} .status").inner_text() in ("confirmed", "overridden")
    page.keyboard.press("n")
    page.wait_for_url(f"**/media/items/{second.pk}/")

    tones = dict(Coding.objects.filter(item=first, coder=world.anna).values_list("actor__key", "tone"))
    expected = {actors[0].actor.key: "negative", actors[1].actor.key: "positive"}
    expected |= {m.actor.key: "neutral" for m in actors[2:]}
    assert tones == expected
    reviews = dict(FlagReview.objects.filter(coder=world.anna).values_list("flag_id", "confirmed"))
    assert reviews[flags[0].pk] is False and all(reviews[f.pk] for f in flags[1:])
    override = Coding.objects.get(item=first, coder=world.anna, actor=actors[1].actor)
    assert override.proposed_tone == actors[1].tone
