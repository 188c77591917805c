"""A mission's working languages: statements render in each of them; observers are written to in theirs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C11"], region=world.units["R1"],
                                  form_id="closing", field="counted_in_view", yes=400, total=441)
    st = services.do_create_statement(world.odihr, slug="preliminary", title="Preliminary findings",
                                      user=world.alice, summary="Counts were observed.")
    services.check_add_finding(st, section="counting", assessment="negative", user=world.alice,
                               text="In {{ checklist.counted_in_view.no_of }} observed counts ballots were not "
                                    "counted in view.")
    world.odihr.languages = "en,ru,ar"
    world.odihr.save()
    version = services.check_freeze_statement(st, user=world.alice)
    services.do_publish_version(version, user=world.alice)
    return version


def test_a_statement_renders_in_each_of_the_missions_languages(client, world, version):
    client.force_login(world.alice)
    page = client.get("/missions/odihr/statements/preliminary/v1/").content.decode()
    for code in ("EN", "RU", "AR"):
        assert f">{code}</a>" in page  # the statement version links each working language
    russian = client.get("/missions/odihr/statements/preliminary/v1/?language=ru").content.decode()
    assert "Методология" in russian and "День голосования: подсчёт голосов" in russian
    assert "41 of 441" in russian  # the numbers and the findings' own text are as frozen
    public = client.get("/p/odihr/preliminary/?language=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in public and "المنهجية" in public
    # A language the mission does not work in is ignored: the statement's own language.
    french = client.get("/p/odihr/preliminary/?language=fr").content.decode()
    assert "Methodology" in french and 'lang="en"' in french


def test_a_statement_pdf_renders_in_a_working_language(client, world, version):
    client.force_login(world.alice)
    response = client.get("/missions/odihr/statements/preliminary/v1/statement.pdf?language=ru")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert "-ru.pdf" in response["Content-Disposition"]


def test_mission_languages_must_be_interface_languages(world):
    world.odihr.languages = "az,ru,xx"
    with pytest.raises(ValidationError, match="xx"):
        world.odihr.full_clean()
    world.odihr.languages = "az,ru,en"
    world.odihr.full_clean()
    assert world.odihr.language_codes == ["az", "ru", "en"]


def test_an_observer_is_written_to_in_their_language_else_the_missions(world):
    observer = world.observers["ODI-001"]
    assert observer.preferred_language == "en"  # no languages anywhere: the default
    world.odihr.languages = "az,ru"
    world.odihr.save()
    observer.refresh_from_db()
    assert observer.preferred_language == "az"
    observer.languages = "de,ru"  # German is not an interface language: Russian is the first that is
    assert observer.preferred_language == "ru"
