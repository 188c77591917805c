"""The pages of the issue's "Done when" speak the browser's language (Accept-Language) or the one chosen with the
top bar's switcher, remembered per user; English stays English; Arabic pages are right to left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.html import escape

from tests.conftest import PASSWORD

LANGUAGES = ["en", "ru", "az", "fr", "ar"]
DEMO_FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"

# Per page: message ids the page must show in the user's language (headings, labels, buttons, table headers,
# navigation).
PAGES = {
    "login": ["Log in", "Username", "Password", "pollwatch — election observation on data anyone can re-check"],
    "missions": ["Your missions", "International mission", "Log out", "API tokens"],
    "mission home": ["Election day", "Quick count", "Results forensics", "Media monitoring", "Polling stations",
                     "Registered voters", "Stations with a static observer", "Station search", "Deployments",
                     "Team", "Shift"],
    "election day": ["Election day", "Coverage by region", "Coverage by form", "Charts and map", "Apply"],
    "dashboard": ["Election-day dashboard", "Loading the station map…", "All incidents",
                  "Reports received over time (cumulative, local time)"],
    "quick count": ["Quick count (PVT)", "This mission has no quick-count sample yet.", "Draw a new sample",
                    "Reserves per stratum", "by registered voters"],
    "forensics": ["Results forensics", "No official results have been imported for this contest yet"],
    "media": ["Media monitoring", "Import news items", "Import and analyse", "No news items yet.", "Outlet"],
    "incidents": ["Incidents", "Status", "Severity", "Critical", "Verifying", "No incidents."],
    "web entry": ["Enter a report", "Save report", "Observer",
                  "For a paper or phoned-in report; it is stored as entered by you on the observer's behalf."],
}
# Message ids long and English enough that seeing them on a page in another language means it was not translated.
UNTRANSLATED_GIVEAWAYS = ["Stations with a static observer", "Username", "Save report", "Draw a new sample"]


@pytest.fixture
def pages(world, client):
    from pollwatch.collection.services import check_import_form
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import do_add_member

    do_add_member(world.cis, world.alice, Role.ADMIN)  # alice sees two missions: the list, not a redirect
    form, _ = check_import_form(world.odihr, (DEMO_FORMS / "election_day_checklist.xlsx").read_bytes(),
                                filename="election_day_checklist.xlsx")
    slug = world.odihr.slug
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
        "web entry": f"/missions/{slug}/forms/{form.pk}/enter",
    }


def _get(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _in_language(msgid: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def _shows(html: str, text: str) -> bool:
    """``text`` is on the page, as written (template literals are not escaped) or HTML-escaped."""
    return text in html or escape(text) in html or json.dumps(text)[1:-1] in html  # charts' JSON


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_browsers_language(pages, client, world, language):
    for name, url in pages.items():
        if name != "login":
            client.force_login(world.alice)
        html = _get(client, url, language)
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html, name
        for msgid in PAGES[name]:
            assert _shows(html, _in_language(msgid, language)), f"{name} ({language}): {msgid!r}"
        if language != "en":
            for msgid in UNTRANSLATED_GIVEAWAYS:
                assert not _shows(html, msgid), f"{name} ({language}) shows English {msgid!r}"
        client.logout()


@pytest.mark.django_db
def test_english_stays_english(pages, client, world):
    client.force_login(world.alice)
    html = _get(client, pages["mission home"], "en-GB,en;q=0.9")
    assert "Stations with a static observer" in html and "Registered voters" in html
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.django_db
def test_a_language_the_interface_lacks_falls_back_to_english(pages, client):
    html = _get(client, pages["login"], "de-DE,de;q=0.9")
    assert '<html lang="en"' in html and "Username" in html


@pytest.mark.django_db
def test_the_web_entry_form_shows_the_xlsforms_labels_in_the_users_language(pages, client, world):
    client.force_login(world.alice)
    russian = _get(client, pages["web entry"], "ru")
    assert "Код избирательного участка" in russian and "Соблюдалась ли тайна голосования?" in russian
    assert ">Да<" in russian and "Карусельное голосование" in russian  # choices too
    azerbaijani = _get(client, pages["web entry"], "az")
    assert "Seçki məntəqəsinin kodu" in azerbaijani and "Karusel səsverməsi" in azerbaijani
    # The demo forms have no French labels: the form's default (English) is shown.
    french = _get(client, pages["web entry"], "fr")
    assert "Polling station code" in french and "Enregistrer le rapport" in french
    english = _get(client, pages["web entry"], "en")
    assert "Polling station code" in english and "Carousel voting" in english


@pytest.mark.django_db
def test_names_of_candidates_and_places_are_not_translated(pages, client, world):
    client.force_login(world.alice)
    html = _get(client, pages["mission home"], "ru")
    assert "Ilgar Mammadov" in html and "Absheron" in html and "Выборы" in html


@pytest.mark.django_db
def test_the_switcher_changes_the_language_and_remembers_it_at_the_next_login(pages, client, world):
    from django.test import Client

    from pollwatch.accounts.models import UserLanguage

    client.post("/login/", {"username": "alice", "password": PASSWORD})
    response = client.post("/i18n/setlang/", {"language": "ar", "next": pages["mission home"]})
    assert response.status_code == 302 and response["Location"] == pages["mission home"]
    html = _get(client, pages["mission home"], "en")  # the choice wins over the browser's language
    assert '<html lang="ar" dir="rtl">' in html and _shows(html, _in_language("Polling stations", "ar"))
    assert UserLanguage.objects.get(user=world.alice).language == "ar"

    elsewhere = Client()  # another browser: no cookie, an English browser
    elsewhere.post("/login/", {"username": "alice", "password": PASSWORD})
    assert '<html lang="ar" dir="rtl">' in _get(elsewhere, pages["mission home"], "en")


@pytest.mark.django_db
def test_the_switcher_works_before_logging_in_and_refuses_unknown_languages(pages, client):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/login/"})
    assert _shows(_get(client, "/login/", "en"), _in_language("Username", "fr"))
    client.post("/i18n/setlang/", {"language": "xx", "next": "/login/"})
    assert _shows(_get(client, "/login/", "en"), _in_language("Username", "fr"))  # unchanged
    assert client.get("/i18n/setlang/").status_code == 405


@pytest.mark.django_db
def test_messages_and_form_errors_are_translated(pages, client, world):
    client.force_login(world.alice)
    response = client.post(pages["web entry"], {"observer": ""}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "Обязательное поле." in response.content.decode()  # Django's own catalogue
    upload = client.post(f"/missions/{world.odihr.slug}/forms/", {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert _shows(upload.content.decode(), _in_language("Upload an XLSForm", "fr"))


@pytest.mark.django_db
def test_dates_and_numbers_follow_the_locale(pages, client, world):
    client.force_login(world.alice)
    html = _get(client, pages["mission home"], "ru")
    assert "7 февраля 2024" in html  # the election's date, Russian month name
    assert "4 100" in html or "4\xa0100" in html  # registered voters with the Russian thousands separator


@pytest.mark.django_db
def test_the_dashboards_filter_notes_and_flags_are_translated(pages, client, world):
    client.force_login(world.alice)
    html = _get(client, pages["election day"] + "?flag=nope", "fr")
    assert "Signal inconnu 'nope' : ignoré." in escape_free(html)
    assert _shows(html, "Rapports à vérifier")  # a flag's label in the filter's menu (capitalised)


def escape_free(html: str) -> str:
    from html import unescape

    return unescape(html)
