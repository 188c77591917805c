"""Agreement numbers on a small case checked by hand, the report per outlet and period, and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db.models import Sum
from django.urls import reverse

from pollwatch.media.agreement import agreement_report
from pollwatch.media.importers import check_import_corpus
from pollwatch.media.models import Actor, MachineCoding
from pollwatch.media.queries import Filters, final_tones, report
from pollwatch.media.services import check_code_item
from tests.media.conftest import gold_items

pytestmark = pytest.mark.django_db


def code(item, coder, tones=None, flags=None):
    ids = dict(item.machine_codings.values_list("actor__key", "actor_id"))
    check_code_item(item, coder, tones={ids[k]: t for k, t in (tones or {}).items()}, flags=flags or {})


@pytest.fixture
def coded(world, seeds):
    """anna and alice code four (item, actor) units and three loaded-term flags."""
    azernews, vestnik = seeds["000_6924cd277f211afd"], seeds["002_9a19e5473040d1ab"]
    f1, f2, f3 = azernews.loaded_flags.order_by("position")[:3]
    code(vestnik, world.anna, {"cis_mission": "positive", "ilham_aliyev": "positive"})
    code(azernews, world.anna, {"osce_odihr": "negative", "ilham_aliyev": "neutral"},
         {f1.pk: True, f2.pk: True, f3.pk: False})
    code(vestnik, world.alice, {"cis_mission": "positive", "ilham_aliyev": "neutral"})
    code(azernews, world.alice, {"osce_odihr": "negative", "ilham_aliyev": "neutral"},
         {f1.pk: True, f2.pk: False, f3.pk: False})
    return azernews, vestnik


def test_agreement_per_pair_and_field_matches_the_hand_computation(world, coded):
    result = agreement_report(world.odihr)
    pairs = {p.field: p for p in result["pairs"]}
    # Tone, 4 units: anna (pos, pos, neg, neu), alice (pos, neu, neg, neu). Observed 3/4; chance
    # (2·1 + 1·1 + 1·2)/16 = 5/16; kappa = (3/4 − 5/16)/(1 − 5/16) = 7/11.
    assert (pairs["tone"].a, pairs["tone"].b, pairs["tone"].units) == ("alice", "anna", 4)
    assert pairs["tone"].agreement == pytest.approx(0.75)
    assert pairs["tone"].kappa == pytest.approx(7 / 11)
    # Krippendorff's alpha, nominal: 8 pairable values, D_o = 2, D_e = 2·(3·3 + 3·2 + 3·2) = 42;
    # alpha = 1 − 7·2/42 = 2/3.
    assert result["alpha"]["tone"] == pytest.approx(2 / 3)
    assert result["alpha"]["tone_units"] == 4
    # Loaded terms, 3 flags: anna (T, T, F), alice (T, F, F): observed 2/3, chance 4/9, kappa 0.4.
    assert pairs["loaded_terms"].agreement == pytest.approx(2 / 3)
    assert pairs["loaded_terms"].kappa == pytest.approx(0.4)


def test_machine_against_each_monitor(world, coded):
    azernews, vestnik = coded
    machine = {(i.pk, k): t for i in coded for k, t in i.machine_codings.values_list("actor__key", "tone")}
    # The proposals on these units, as the analysis makes them (checked here so that the numbers below hold).
    assert [machine[(vestnik.pk, "cis_mission")], machine[(vestnik.pk, "ilham_aliyev")],
            machine[(azernews.pk, "osce_odihr")], machine[(azernews.pk, "ilham_aliyev")]] == \
        ["positive", "positive", "negative", "neutral"]
    rows = {(p.field, p.b): p for p in agreement_report(world.odihr)["machine"]}
    assert rows[("tone", "anna")].agreement == 1.0 and rows[("tone", "anna")].kappa == pytest.approx(1.0)
    assert rows[("tone", "alice")].agreement == 0.75 and rows[("tone", "alice")].kappa == pytest.approx(7 / 11)
    # The machine flagged all three terms: anna confirmed 2, alice 1.
    assert rows[("loaded_terms", "anna")].agreement == pytest.approx(2 / 3)
    assert rows[("loaded_terms", "alice")].agreement == pytest.approx(1 / 3)


def test_the_agreement_page_shows_the_numbers(world, coded, login):
    html = login(world.anna).get(reverse("media-agreement", args=["odihr"])).content.decode()
    assert "0.636" in html and "0.667" in html and "0.400" in html


def test_the_report_tone_is_the_monitors_majority_and_the_machine_breaks_ties():
    machine = [(1, 10, "positive"), (1, 11, "negative"), (2, 10, "neutral"), (2, 11, "negative")]
    codings = [(1, 10, "negative"), (1, 10, "negative"), (1, 10, "positive"),  # majority: negative
               (1, 11, "positive"), (1, 11, "negative"),  # tie with the machine's negative: negative
               (2, 10, "positive"), (2, 10, "negative")]  # tie without the machine's neutral: neutral
    assert final_tones(machine, codings) == {(1, 10): "negative", (1, 11): "negative", (2, 10): "neutral",
                                             (2, 11): "negative"}


@pytest.fixture
def corpus(world, seeds):
    g01 = gold_items("g01")[0]
    turan = check_import_corpus(world.odihr, [("g01.txt", g01["text"].encode())], outlet="Turan").imported[0]
    return seeds, turan


def test_share_of_voice_is_each_actors_words_over_all_words_about_actors(world, corpus):
    data = report(world.odihr)
    words = dict(MachineCoding.objects.for_mission(world.odihr).values_list("actor__name").annotate(n=Sum("words")))
    total = sum(words.values())
    assert data["total_words"] == total and data["items"] == 3
    assert {a["actor"]: a["share"] for a in data["actors"]} == pytest.approx({k: v / total for k, v in words.items()})
    # Per outlet, shares add up to one.
    by_outlet = {}
    for row in data["share_of_voice"]:
        by_outlet[row["outlet"]] = by_outlet.get(row["outlet"], 0) + row["share"]
    assert by_outlet == pytest.approx({"Turan": 1.0, "Unknown outlet": 1.0})


def test_the_report_filters_by_outlet_and_period(world, corpus):
    seeds, turan = corpus
    only_turan = report(world.odihr, Filters(outlet_id=turan.outlet_id))
    assert [a["actor"] for a in only_turan["actors"]] == ["OSCE/ODIHR"]
    machine_tone = turan.machine_codings.get().tone
    assert only_turan["actors"][0][machine_tone] == 1 and only_turan["actors"][0]["items"] == 1
    assert ("osce_odihr", "negative") in {(c.source.key, c.stance) for c in only_turan["claims"]}
    assert {c.item_id for c in only_turan["claims"]} == {turan.pk}
    day = turan.date
    assert day == dt.date(2024, 2, 7)
    in_period = report(world.odihr, Filters(start=day, end=day))
    assert in_period["items"] == len([i for i in [*seeds.values(), turan] if i.date == day])


def test_contradictions_pair_the_cis_missions_positive_verdict_with_the_osces_negative_one(world, corpus):
    data = report(world.odihr)
    pairs = {(x["a"].source.key, x["b"].source.key, x["subject"]) for x in data["contradictions"]}
    assert ("cis_mission", "osce_odihr", "election_conduct") in pairs
    loaded = {r["category"]: r["count"] for r in data["loaded"] if r["outlet"] == "Unknown outlet"}
    assert sum(loaded.values()) == seeds_flag_count(corpus[0])


def seeds_flag_count(seeds):
    return sum(i.loaded_flags.count() for i in seeds.values())


def test_flags_the_monitors_rejected_are_not_counted(world, coded):
    data = report(world.odihr)  # f2: anna yes, alice no → a tie, kept; f3: both no → rejected
    assert data["loaded_rejected"] == 1
    assert sum(r["count"] for r in data["loaded"]) == seeds_flag_count({"a": coded[0], "b": coded[1]}) - 1


def test_the_report_page_draws_with_the_bundled_plotly_and_lists_contradictions(world, corpus, login,
                                                                                  django_assert_max_num_queries):
    client = login(world.anna)
    with django_assert_max_num_queries(20):
        html = client.get(reverse("media-report", args=["odihr"])).content.decode()
    assert "/static/plotly/plotly.min.js" in html and "cdn.plot.ly" not in html
    assert 'id="chart-share"' in html and "Share of voice by outlet" in html
    assert "held in full compliance" in html  # the CIS side of the contradiction


def test_exports_stream_the_reports_rows_as_csv_and_xlsx(world, corpus, coded_by_anna, login):
    client = login(world.anna)
    response = client.get(reverse("media-export", args=["odihr", "actors", "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == MachineCoding.objects.for_mission(world.odihr).count()
    aliyev = next(r for r in rows if r["actor"] == "Ilham Aliyev" and r["monitors"] == "1")
    assert (aliyev["machine_tone"], aliyev["tone"]) == ("positive", "negative")  # anna's override wins
    claims = client.get(reverse("media-export", args=["odihr", "claims", "csv"]))
    text = b"".join(claims.streaming_content).decode()
    assert "no_comment" in text and "US State Department" in text

    from openpyxl import load_workbook

    response = client.get(reverse("media-export", args=["odihr", "contradictions", "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:3] == ("subject", "source_a", "stance_a")
    cis = Actor.objects.get(mission=world.odihr, key="cis_mission").name
    assert any(row[1] == cis and row[2] == "positive" for row in values[1:])
    assert client.get(reverse("media-export", args=["odihr", "secrets", "csv"])).status_code == 404


@pytest.fixture
def coded_by_anna(world, corpus):
    code(corpus[0]["002_9a19e5473040d1ab"], world.anna, {"ilham_aliyev": "negative"})
