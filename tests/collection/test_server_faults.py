"""A report the server cannot store because its database is unreachable or its disk is full is answered 503 with
Retry-After (the phone keeps it and sends it again), never 201 and never 500; nothing of it is left behind."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from pollwatch.collection.models import Attachment, Submission
from tests.collection.conftest import DigestClient, count_xml, photo

pytestmark = pytest.mark.django_db

SUBMIT = "/m/cis/submission"


@pytest.fixture
def production(settings, devices):
    settings.DEBUG = False
    return DigestClient(Client(raise_request_exception=False), "pavel", devices["pavel"])


def test_a_full_disk_refuses_the_report_with_503_and_keeps_no_partial_file(forms, production, monkeypatch, settings):
    written = []
    real_write = Path.write_bytes

    def disk_full(path, data):
        real_write(path, data[:10])  # the file system took a little before it ran out
        written.append(path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    response = production.submit(SUBMIT, count_xml("uuid:full", photo="p.jpg"),
                                 files={"p.jpg": ("p.jpg", photo(), "image/jpeg")})
    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0
    assert b"disk is full" in response.content and b"OpenRosaResponse" in response.content
    assert not Submission.objects.filter(instance_id="uuid:full").exists()
    assert not Attachment.objects.exists()
    assert written and not written[0].exists()

    monkeypatch.setattr(Path, "write_bytes", real_write)  # room again: the phone's retry is stored
    again = production.submit(SUBMIT, count_xml("uuid:full", photo="p.jpg"),
                              files={"p.jpg": ("p.jpg", photo(), "image/jpeg")})
    assert again.status_code == 201
    assert Submission.objects.get(instance_id="uuid:full").attachments.get().file.read() == photo()


def test_the_database_failing_during_a_report_is_a_503_with_retry_after_not_a_500(forms, production, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Submission, "save", unreachable)
    response = production.submit(SUBMIT, count_xml("uuid:db-down"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert b"server closed" not in response.content  # the server's error text stays in its log
    monkeypatch.undo()
    assert not Submission.objects.filter(instance_id="uuid:db-down").exists()


def test_other_errors_stay_500s(forms, production, monkeypatch):
    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(Submission, "save", bug)
    assert production.submit(SUBMIT, count_xml("uuid:bug")).status_code == 500


def test_a_database_error_in_a_middleware_is_a_503_too(world, settings, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def unreachable(self, *args, **kwargs):
        raise OperationalError("could not connect to server")

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(world.boris)
    monkeypatch.setattr(SessionStore, "load", unreachable)
    response = client.get("/missions/cis/")
    assert response.status_code == 503 and response["Retry-After"]
