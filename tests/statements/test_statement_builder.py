"""A coordinator builds a statement in the browser's forms: creates it, writes its summary, adds findings."""

from __future__ import annotations

import pytest

from pollwatch.statements.models import Statement

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_statement_and_writes_its_summary(client, world):
    client.force_login(world.alice)
    response = client.post("/missions/odihr/statements/", {"slug": "preliminary", "title": "Preliminary statement",
                                                           "language": "en", "summary": ""})
    assert response.status_code == 302 and response["Location"] == "/missions/odihr/statements/preliminary/"
    st = Statement.objects.get(mission=world.odihr, slug="preliminary")
    again = client.post("/missions/odihr/statements/", {"slug": "preliminary", "title": "Twice", "language": "en"})
    assert again.status_code == 400 and "already has a statement at this address" in again.content.decode()

    url = "/missions/odihr/statements/preliminary/edit"
    broken = client.post(url, {"title": "Preliminary statement", "language": "ru",
                               "summary": "Observers: {{ observers.deployd }}."})
    assert broken.status_code == 400 and "write observers.count or observers.deployed" in broken.content.decode()
    st.refresh_from_db()
    assert st.summary == "" and st.language == "en"  # nothing saved
    assert client.post(url, {"title": "Заявление", "language": "ru",
                             "summary": "Миссия развернула {{ observers.deployed }} наблюдателей."}).status_code == 302
    response = client.post("/missions/odihr/statements/preliminary/", {
        "section": "observers", "assessment": "mixed", "text": "The mission deployed {{ observers.count }} observers."})
    assert response.status_code == 302
    builder = client.get("/missions/odihr/statements/preliminary/").content.decode()
    assert "Краткие выводы" in builder and "Миссия развернула 2" in builder  # the preview in the statement's language
    bad = client.post("/missions/odihr/statements/preliminary/", {"section": "media", "assessment": "negative",
                                                                   "text": "{{ media.items.count }} items"})
    assert bad.status_code == 400 and "no news items monitored yet" in bad.content.decode()


def test_analysts_and_other_missions_cannot_create_or_edit_statements(client, world):
    client.force_login(world.alice)
    client.post("/missions/odihr/statements/", {"slug": "s", "title": "S", "language": "en"})
    client.force_login(world.anna)  # analyst: reads
    assert client.get("/missions/odihr/statements/s/").status_code == 200
    assert client.post("/missions/odihr/statements/", {"slug": "t", "title": "T", "language": "en"}).status_code == 404
    assert client.get("/missions/odihr/statements/s/edit").status_code == 404
    assert client.post("/missions/odihr/statements/s/edit", {"title": "X", "language": "en"}).status_code == 404
    client.force_login(world.boris)
    assert client.get("/missions/odihr/statements/s/edit").status_code == 404
    assert client.post("/missions/odihr/statements/", {"slug": "u", "title": "U", "language": "en"}).status_code == 404
    assert list(Statement.objects.values_list("slug", "title")) == [("s", "S")]
