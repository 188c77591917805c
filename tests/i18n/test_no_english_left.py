"""No English left on the pages of the issue's "Done when" once they show data, in each non-English language.

tests/i18n/test_pages.py checks a few message ids on mostly empty pages; English that only appears with data
(statuses, the figures' names and warnings of the forensics, the quick count's strata and warnings, messages of
pollwatch.stats, table headers of evidence tables) is what a user meets on election day. Here a populated world
is built through the services (a demo form, reports with failing checks, incidents of several statuses and
severities, a drawn quick-count sample with count reports, official results, news items), each page is rendered in
each language, its user-visible text is extracted (no <script>, <style>, <code>; of attributes only title,
placeholder and aria-label, and the titles, axes, annotations and legends of the Plotly charts), the data (names of candidates, parties, stations, regions, observers, forms'
labels, news items, codes, numbers, dates) is cut out, and any run of two or more words of English — words of the
catalogue's English message ids — is reported with the page and the language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from tests.conftest import RESULTS_HEADER, RESULTS_ROWS

LANGUAGES = ["ru", "az", "fr", "ar"]
PACKAGE = Path(__file__).resolve().parents[2] / "pollwatch"
DEMO_FORMS = PACKAGE / "collection" / "demo_forms"
MEDIA_SEEDS = sorted((Path(__file__).resolve().parents[1] / "media" / "fixtures").glob("*.txt"))

# Words of the English message ids that are also brand names, units, abbreviations or words the other languages
# use as they are: never evidence of untranslated text.
NOT_ENGLISH = {
    "pollwatch", "pvt", "openrosa", "odk", "xlsform", "xlsforms", "enketo", "collect", "kobo", "sms", "csv", "qr",
    "xlsx", "json", "geojson", "pdf", "api", "url", "id", "ids", "totp", "ok", "plotly", "klimek", "benford", "mebane",
    "kobak", "holm", "vader", "shpilkin", "docs", "md", "html", "al", "pin", "osce", "odihr", "cis", "eom", "gps", "http", "https", "www", "utc", "hh", "mm", "yyyy", "dd", "ddthh", "n", "e", "g",
    "i", "ci", "sd", "se", "p", "x", "y", "z", "vs", "a", "an", "de", "la", "le", "et", "en", "on",
}
# A whole text node of one English word (a table header, a status) is reported too, except these, which are
# written the same in the language.
SAME_IN = {
    "fr": {"incidents", "incident", "description", "date", "total", "type", "mission", "missions", "photo",
           "observations", "sources", "source", "contacts", "note", "notes", "message", "messages", "options",
           "actions", "national", "international", "minimum", "maximum", "critique", "excellent", "question",
           "questions", "version", "transport", "code", "codes", "position", "stations", "statut", "sessions",
           "permanent", "page", "pages", "format", "test", "tests", "protocole", "simulation", "image", "corpus", "radio", "machine", "mentions", "contradictions"},
    "az": {"media", "status", "internet", "format", "test", "region", "radio", "monitor"},
    "ru": set(),
    "ar": set(),
}
# In a language not written in Latin letters any English word outside the data is a leftover.
NON_LATIN = {"ru", "ar"}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
LATIN = re.compile(r"^[A-Za-z'’]+$")


def english_words() -> set[str]:
    po = polib.pofile(str(PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    text = " ".join(e.msgid + " " + (e.msgid_plural or "") for e in po if not e.obsolete)
    text = re.sub(r"%\([a-z_0-9]+\)[sd]|\{[a-z_0-9]*\}|<[^>]+>", " ", text)
    return {w.lower() for w in WORD.findall(text) if LATIN.match(w) and len(w) > 1} - NOT_ENGLISH


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside script/style/code, and title/placeholder/aria-label values."""

    SKIP = {"script", "style", "code", "kbd", "pre", "svg", "textarea"}
    ATTRIBUTES = {"title", "placeholder", "aria-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1
        if not self.depth:
            self.chunks.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)
            if tag == "input" and dict(attrs).get("type") in {"submit", "button"} and dict(attrs).get("value"):
                self.chunks.append(dict(attrs)["value"])
            if dict(attrs).get("data-figure"):  # a Plotly chart: its titles, axes, annotations and legend
                self.chunks.extend(_chart_text(json.loads(dict(attrs)["data-figure"])))

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.chunks.append(data.strip())


def _chart_text(figure: dict) -> list[str]:
    layout = figure.get("layout") or {}

    def text(value):
        return (value.get("text") if isinstance(value, dict) else value) or ""

    found = [text(layout.get("title"))]
    found += [text((layout[key] or {}).get("title")) for key in layout if key.startswith(("xaxis", "yaxis"))]
    found += [a.get("text") or "" for a in layout.get("annotations") or []]
    found += [trace.get("name") or "" for trace in figure.get("data") or []]
    return [re.sub(r"<[^>]+>", " ", t) for t in found if t and t.strip()]


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.chunks


def english_runs(chunks: list[str], data: list[str], words: set[str], language: str,
                 articles: tuple[str, ...] = ()) -> list[str]:
    """The runs of ≥ 2 English words (≥ 1 in Russian and Arabic; or a whole chunk of one English word) left after
    cutting out the data."""
    found = []
    for chunk in chunks:
        if any(chunk.rstrip("…. ") in datum for datum in data if len(datum) > 40):
            continue  # an excerpt of a news item, a description
        if "==" in chunk or any(" ".join(chunk.split()) in article for article in articles):
            continue  # a rule's example; a piece of a news item's text (split by the highlighted names in it)
        chunk = re.sub(r"“.*”", " | ", chunk)  # a sentence quoted from a news item (quotes may nest)
        for datum in data:  # longest first
            if datum in chunk:
                chunk = re.sub(rf"(?<!\w){re.escape(datum)}(?!\w)", " | ", chunk)
        # Words, and codes (a field's name votes_2, a station's S111) as one token; last_digit is two words.
        tokens = [t for token in re.findall(r"\w+(?:['’][^\W\d_]+)*|\|", chunk)
                  for t in ([token] if any(c.isdigit() for c in token) else token.split("_")) if t]
        run: list[str] = []
        for token in [*tokens, "|"]:
            if token.lower() in words and token.lower() not in SAME_IN[language]:
                run.append(token)
                continue
            if len(run) >= (1 if language in NON_LATIN else 2):
                found.append(" ".join(run))
            run = []
        if (language not in NON_LATIN and len(tokens) == 1 and tokens[0].lower() in words
                and tokens[0].lower() not in SAME_IN[language]):
            found.append(tokens[0])  # a table header, a status
    return found


@pytest.fixture
def populated(world):
    """The named world's OSCE-like mission on election evening: forms, reports (some failing a check),
    incidents, a quick count under way, official results and news items."""
    from pollwatch.checks.services import check_create_quality_check
    from pollwatch.collection.services import check_import_form
    from pollwatch.incidents.services import check_report_incident, check_transition_incident
    from pollwatch.media.importers import check_import_corpus
    from pollwatch.media.services import do_analyse_items
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import do_add_member
    from pollwatch.operations.services import do_set_form_schedule
    from pollwatch.pvt.services import do_draw_pvt_sample
    from pollwatch.results.official import do_import_results
    from pollwatch.stats.results import results_from_rows
    from tests.operations.reports import report

    mission = world.odihr
    do_add_member(world.cis, world.alice, Role.ADMIN)  # the missions list, not a redirect
    checklist, _ = check_import_form(mission, (DEMO_FORMS / "election_day_checklist.xlsx").read_bytes(),
                                     filename="election_day_checklist.xlsx")
    count_form, _ = check_import_form(mission, (DEMO_FORMS / "count_form.xlsx").read_bytes(),
                                      filename="count_form.xlsx")
    check_create_quality_check(mission, form_id=checklist.form_id, name="Crowded station",
                               expression="voters_present <= 50", user=world.alice)
    do_set_form_schedule(mission, form_id=checklist.form_id, due_time=dt.time(11, 0),
                         required_fields=("voters_present", "secrecy_respected"))
    observers = [world.observers["ODI-001"], world.observers["ODI-002"]]
    for i, (code, voters, secrecy) in enumerate([("S111", 12, "yes"), ("S112", 140, "no"), ("S121", 300, "no"),
                                                 ("S211", 8, "yes")]):
        report(checklist, observers[i % 2], world.stations[code],
               {"station_code": code, "voters_present": voters, "secrecy_respected": secrecy, "ink_checked": "yes",
                "problems": "carousel family" if secrecy == "no" else "", "overall_assessment": "bad"},
               at=f"{9 + i}:15")
    # A second, different report from the same station: a conflict.
    report(checklist, observers[1], world.stations["S111"],
           {"station_code": "S111", "voters_present": 30, "secrecy_respected": "no", "ink_checked": "no",
            "overall_assessment": "good"}, at="13:40")

    for category, severity, code, status in [("ballot stuffing", 4, "S111", "verifying"),
                                             ("intimidation", 3, "S112", "verified"),
                                             ("obstruction", 2, "S121", "new"), ("other", 1, "S211", "resolved")]:
        incident = check_report_incident(mission, source="staff", category=category, severity=severity,
                                         station=world.stations[code], description=f"{category} seen at {code}",
                                         user=world.alice)
        path = {"verifying": ["verifying"], "verified": ["verifying", "verified"], "new": [],
                "resolved": ["verifying", "verified", "resolved"]}[status]
        for step in path:
            check_transition_incident(incident, step, user=world.alice, note="checked by phone")

    sample = do_draw_pvt_sample(mission, name="Evening PVT", size=4, strata=["region"], seed=3, reserves=0)
    # S112 incomplete, S121 impossible: two usable counts, one per region (strata merged, with warnings)
    counts = {"S111": (500, 5, 300, 195), "S112": (600, 0, 300), "S121": (900, 0, 450, 450),
              "S211": (700, 10, 400, 290)}
    for minutes, (code, numbers) in enumerate(counts.items()):
        values = dict(zip(("ballots", "invalid", "votes_1", "votes_2"), numbers, strict=False))
        Submission_create(mission, count_form, world.stations[code], values, minutes)
    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, RESULTS_ROWS))

    media = check_import_corpus(mission, [(p.name, p.read_bytes()) for p in MEDIA_SEEDS], user=world.alice,
                                outlet="Unknown outlet")
    do_analyse_items(mission, media.imported)
    return {"checklist": checklist, "count_form": count_form, "sample": sample, "news": media.imported}


def Submission_create(mission, form, station, values, minutes):  # noqa: N802 - a count report as SMS stores it
    from pollwatch.collection.models import Submission

    return Submission.objects.create(
        mission=mission, form=form, station=station, transport="sms", raw=repr(values), values=values,
        received_at=dt.datetime(2024, 2, 7, 17, minutes, tzinfo=dt.UTC))


def data_strings(world, populated) -> list[str]:
    """What the pages show as entered: cut out before looking for English (longest first)."""
    from pollwatch.collection.models import Submission
    from pollwatch.elections.models import Candidate
    from pollwatch.geography.models import AdministrativeUnit as Unit
    from pollwatch.geography.models import PollingStation as Station
    from pollwatch.incidents.models import Incident, IncidentEvent
    from pollwatch.media.models import Actor, NewsItem, Outlet
    from pollwatch.missions.models import Mission, Observer

    data = {world.election.name, world.contest.name, "Unknown outlet", "Crowded station", "voters_present <= 50"}
    for candidate in Candidate.objects.all():
        data |= {candidate.name, getattr(candidate, "party", "") or ""}
    data |= set(Station.objects.values_list("name", flat=True)) | set(Unit.objects.values_list("name", flat=True))
    data |= set(Mission.objects.values_list("name", flat=True)) | set(Observer.objects.values_list("name", flat=True))
    for incident in Incident.objects.all():
        data |= {incident.category, incident.description, incident.category.capitalize()}
    data |= set(IncidentEvent.objects.values_list("note", flat=True))
    for item in NewsItem.objects.all():
        data |= {item.title, *(item.text or "").split("\n")}
    data |= set(Outlet.objects.values_list("name", flat=True)) | set(Actor.objects.values_list("name", flat=True))
    data |= {" ".join((item.text or "").split()) for item in NewsItem.objects.all()}  # whole, for articles()
    for values in Submission.objects.values_list("values", flat=True):  # a report's answers, by question name
        data |= {str(k) for k in values} | {str(v) for v in values.values() if isinstance(v, str)}
    for form in (populated["checklist"], populated["count_form"]):
        data |= {form.title, form.form_id}  # and the names of its questions and choices: codes
        for field in form.fields:
            data.add(field.get("name") or "")
            data |= {choice.get("name") or "" for choice in field.get("choices") or []}
            data |= {field.get("label") or "", *(field.get("labels") or {}).values(), field.get("hint") or "",
                     *(field.get("hints") or {}).values()}
            for choice in field.get("choices") or []:
                data |= {choice.get("label") or "", *(choice.get("labels") or {}).values()}
    return sorted((d for d in data if d and d.strip()), key=len, reverse=True)


def page_urls(world, populated) -> dict[str, str]:
    from pollwatch.incidents.models import Incident
    from pollwatch.operations.models import MasterRecord

    slug = world.odihr.slug
    incident = Incident.objects.filter(mission=world.odihr, status="verifying").get()
    master = MasterRecord.objects.filter(mission=world.odihr, station__code="S111").first()
    bad_filters = "?flag=nope&from=yesterday&region=99999&form=nope"
    return {
        "login": "/login/",
        "missions": "/",
        "mission home": f"/missions/{slug}/",
        "election day": f"/missions/{slug}/operations/",
        "dashboard": f"/missions/{slug}/operations/dashboard",
        "quick count": f"/missions/{slug}/pvt/",
        "forensics": f"/missions/{slug}/forensics/",
        "media": f"/missions/{slug}/media/",
        "incidents": f"/missions/{slug}/incidents/",
        "web entry": f"/missions/{slug}/forms/{populated['checklist'].pk}/enter",
        # the pages behind their numbers, and what a user meets when something is wrong
        "election day, bad filters": f"/missions/{slug}/operations/{bad_filters}",
        "incidents, bad filters": f"/missions/{slug}/incidents/{bad_filters}",
        "expected reports": f"/missions/{slug}/operations/expected/?status=missing",
        "master records": f"/missions/{slug}/operations/masters/?conflicts=1",
        "master record": f"/missions/{slug}/operations/masters/{master.pk}/",
        "incident": f"/missions/{slug}/incidents/{incident.pk}/",
        "forensics stations": f"/missions/{slug}/forensics/stations/?near_full=1&region=Absheron",
        "station": f"/missions/{slug}/stations/S111/",
        "media item": f"/missions/{slug}/media/items/{populated['news'][0].pk}/",
        "media report": f"/missions/{slug}/media/report",
        "media agreement": f"/missions/{slug}/media/agreement",
        "quality checks": f"/missions/{slug}/checks/",
        "failing checks": f"/missions/{slug}/checks/results/",
        "forms": f"/missions/{slug}/forms/",
        "reports": f"/missions/{slug}/submissions/",
    }


def posted_pages(world, populated) -> dict[str, tuple[str, dict]]:
    """Pages shown after a form was sent with mistakes: its errors, or the message on the page it returns to."""
    slug = world.odihr.slug
    return {
        "web entry, errors": (f"/missions/{slug}/forms/{populated['checklist'].pk}/enter",
                              {"observer": str(world.observers["ODI-001"].pk), "station_code": "S111",
                               "voters_present": "-3", "secrecy_respected": "maybe"}),
        "quick count, bad draw": (f"/missions/{slug}/pvt/draw", {"name": "X", "size": "lots", "seed": "1"}),
        "quick count, impossible draw": (f"/missions/{slug}/pvt/draw",
                                         {"name": "Y", "size": "5", "seed": "1", "strata": ["district"]}),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_pages_with_data(populated, world, client, language):
    words, data = english_words(), data_strings(world, populated)
    articles = tuple(d for d in data if len(d) > 300)
    problems = {}
    for name, url in page_urls(world, populated).items():
        if name == "login":
            client.logout()
        else:
            client.force_login(world.alice)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (name, response.status_code)
        found = english_runs(visible_text(response.content.decode()), data, words, language, articles)
        if found:
            problems[name] = sorted(set(found))
    client.force_login(world.alice)
    for name, (url, form) in posted_pages(world, populated).items():
        response = client.post(url, form, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code in (200, 400), (name, response.status_code)
        found = english_runs(visible_text(response.content.decode()), data, words, language, articles)
        if found:
            problems[name] = sorted(set(found))
    assert not problems, f"English left on the {language} pages:\n" + "\n".join(
        f"  {name} ({language}): " + "; ".join(repr(f) for f in found) for name, found in problems.items())


@pytest.mark.django_db
def test_english_pages_are_what_the_test_reads_as_english(populated, world, client):
    """The detector is not blind: the same pages in English are full of runs of English words."""
    words, data = english_words(), data_strings(world, populated)
    client.force_login(world.alice)
    for name, url in page_urls(world, populated).items():
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert len(english_runs(visible_text(html), data, words, "fr")) >= 3, name


def test_the_detector_cuts_out_data_and_finds_runs_of_english():
    words = {"polling", "station", "votes", "for", "status", "new"}
    chunks = ["Статус: new", "Votes for Ilgar Mammadov", "Polling station School 1", "Status"]
    assert english_runs(chunks, ["Ilgar Mammadov", "School 1"], words, "ru") == [
        "new", "Votes for", "Polling station", "Status"]  # in Russian, a single English word is a leftover too
    assert english_runs(chunks, ["Ilgar Mammadov", "School 1"], words, "fr") == [
        "Votes for", "Polling station", "Status"]
    assert english_runs(["Голоса за Ilgar Mammadov"], ["Ilgar Mammadov"], words, "ru") == []
    assert visible_text('<p title="Votes for">x<script>Polling station</script><code>status new</code></p>') == [
        "Votes for", "x"]


def test_messages_of_the_statistics_are_translated_with_their_values():
    from django.utils import translation

    from pollwatch.stats.pvt.quick_count import impossible_rows
    from pollwatch.stats.results import results_from_rows
    from pollwatch.web.stats_messages import stats_message

    table = results_from_rows(["station_id", "registered", "ballots", "invalid", "A", "B"],
                              [["S1", "100", "120", "130", "70", "50"]])
    reason = impossible_rows(table)[0].reason  # several failed checks, joined by "; "
    with translation.override("ru"):
        assert stats_message(reason) == ("бюллетеней 120 > зарегистрировано 100; недействительных 130 > "
                                         "бюллетеней 120")
        assert stats_message("3 reported station(s) with impossible numbers were excluded") == (
            "исключено сообщивших участков с невозможными цифрами: 3")
        assert stats_message("no 'votes_2'") == "нет 'votes_2'"
        assert stats_message("a message stats never wrote") == "a message stats never wrote"
    assert stats_message(reason) == reason  # English stays English


@pytest.mark.django_db
def test_a_draw_the_sampling_refuses_is_explained_in_the_users_language(world, client):
    client.force_login(world.alice)
    data = {"name": "Y", "size": "5", "seed": "1", "strata": ["district"]}  # the election has four stations
    html = client.post("/missions/odihr/pvt/draw", data, HTTP_ACCEPT_LANGUAGE="fr", follow=True).content.decode()
    assert "un échantillon de 5 dépasse la base de sondage (4 bureaux de vote)" in html
    size = client.post("/missions/odihr/pvt/draw", {**data, "size": "lots"}, HTTP_ACCEPT_LANGUAGE="ru", follow=True)
    assert "Участки: &#x27;lots&#x27; — не целое число" in size.content.decode()
