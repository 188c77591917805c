"""Automatic media coding on the two real seed articles (copies in fixtures/), bad input and agreement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pollwatch.media.analysis.actors import load_catalogue
from pollwatch.media.analysis.base import get_tagger
from pollwatch.media.analysis.corpus import CorpusError, find_reprints, item_from_text, read_path
from pollwatch.media.analysis.pipeline import analyze_items
from pollwatch.stats.agreement import cohen_kappa, krippendorff_alpha_nominal

FIX = Path(__file__).parent / "fixtures"
AZERNEWS = FIX / "000_6924cd277f211afd.txt"
VESTNIK = FIX / "002_9a19e5473040d1ab.txt"


@pytest.fixture(scope="module")
def coded():
    items = read_path(AZERNEWS) + read_path(VESTNIK)
    return analyze_items(items, load_catalogue(), get_tagger("vader"))


def test_seed_actors_are_found(coded):
    azernews, vestnik = coded["items"]
    assert {"us_state_department", "matthew_miller", "osce_odihr", "ilham_aliyev"} <= set(azernews["actors"])
    assert {"cis_mission", "sergey_lebedev", "ilham_aliyev"} <= set(vestnik["actors"])


def test_azernews_loaded_terms_are_flagged_in_context(coded):
    terms = {t["term"].lower() for t in coded["items"][0]["loaded_terms"]}
    assert {"so-called", "separatists", "provocations", "lobbyists"} <= terms
    so_called = next(t for t in coded["items"][0]["loaded_terms"] if t["term"] == "so-called")
    assert "so-called OSCE report" in so_called["sentence"]
    assert coded["items"][1]["loaded_terms"] == []


def test_state_department_no_comment_is_a_claim(coded):
    claims = coded["items"][0]["claims"]
    assert any(c["source"] == "us_state_department" and c["stance"] == "no_comment" for c in claims)


def test_cis_positive_and_osce_negative_verdicts_contradict(coded):
    cis = [c for c in coded["items"][1]["claims"] if c["source"] == "cis_mission"]
    assert any(c["stance"] == "positive" and "international standards" in c["sentence"] for c in cis)
    pairs = {(x["a"]["source"], x["b"]["source"]) for x in coded["contradictions"]}
    assert ("cis_mission", "osce_odihr") in pairs
    x = next(x for x in coded["contradictions"] if x["b"]["source"] == "osce_odihr")
    assert "noted some problems" in x["b"]["sentence"]


def test_tone_towards_osce_in_azernews_is_negative_and_towards_cis_in_vestnik_positive(coded):
    assert coded["items"][0]["actors"]["osce_odihr"]["tone"] == "negative"
    assert coded["items"][1]["actors"]["cis_mission"]["tone"] == "positive"


def test_lebedevs_quotes_are_direct_speech_for_lebedev_not_aliyev(coded):
    actors = coded["items"][1]["actors"]
    assert actors["sergey_lebedev"]["direct_speech"] > actors["ilham_aliyev"]["direct_speech"]


def test_russian_mentions_match_inflected_forms():
    found = {m.actor for m in load_catalogue().find_mentions("Интервью с Лебедевым; наблюдатели от СНГ и миссии ОБСЕ.")}
    assert {"sergey_lebedev", "cis_mission", "osce_odihr"} <= found


def test_the_mission_resolves_to_the_last_named_mission():
    mentions = load_catalogue().find_mentions("PACE arrived on Monday. The mission met the CEC.")
    assert [m.actor for m in mentions] == ["pace", "pace", "cec"]


def test_lower_case_abbreviation_lookalikes_are_not_mentions():
    assert load_catalogue().find_mentions("the eu-style cec of cis-gender") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary\x00" * 50, "binary"), (b"<html><body><nav>Home</nav></body></html>", "no article text")],
)
def test_bad_files_get_a_clear_message(tmp_path, content, message):
    suffix = ".html" if content.startswith(b"<html") else ".txt"
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        read_path(path)


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 2_100_000)
    with pytest.raises(CorpusError, match="too large"):
        read_path(path)


def test_cp1251_russian_text_is_decoded(tmp_path):
    path = tmp_path / "ru.txt"
    path.write_bytes("Миссия наблюдателей от СНГ заявила, что выборы прошли в соответствии со стандартами.".encode("cp1251"))
    (item,) = read_path(path)
    assert item.language == "ru" and "СНГ" in item.text


def test_csv_gives_one_item_per_row(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("id,outlet,text\na1,AzerNews,PACE observers said the vote was fair.\na2,Turan,The CEC met.\n")
    items = read_path(path)
    assert [(i.id, i.outlet) for i in items] == [("a1", "AzerNews"), ("a2", "Turan")]


def test_reprints_are_paired_and_distinct_items_are_not():
    a = item_from_text(AZERNEWS.read_text(), id="a")
    b = item_from_text(AZERNEWS.read_text().replace("Azernews reports", "Trend reports"), id="b")
    c = item_from_text(VESTNIK.read_text(), id="c")
    assert [(x, y) for x, y, _ in find_reprints([a, b, c])] == [("a", "b")]


def test_cli_processes_the_rest_of_the_batch_and_writes_json(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "media", "analyze", str(AZERNEWS), str(VESTNIK),
                          str(empty), "--json", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "empty file" in run.stderr
    data = json.loads(out.read_text())
    assert len(data["items"]) == 2 and data["contradictions"]
    actor = data["items"][0]["actors"]["osce_odihr"]
    assert set(actor) >= {"mentions", "words", "tone"}


def test_cli_fails_when_every_file_fails(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    run = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "media", "analyze", str(empty)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "none of the 1 file" in run.stderr


def test_cohen_kappa_matches_a_worked_example():
    # Cohen (1960)-style 2x2 table: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → kappa = 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_krippendorff_alpha_matches_the_published_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders x 12 units, nominal alpha = 0.743
    c1 = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
    c2 = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
    c3 = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
    c4 = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
    units = list(zip(c1, c2, c3, c4, strict=True))
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=0.001)


def test_agreement_rejects_bad_input():
    with pytest.raises(ValueError, match="different numbers"):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="two or more coders"):
        krippendorff_alpha_nominal([["a", None]])
