"""Login URLs (issue #17, item 6: "Collect's token-in-URL login as ODK Central does"): the server URL configured in
ODK Collect is ``/key/<token>/m/<slug>/`` and no HTTP authentication is sent. The token names a device login, so
its reports are that observer's under the same integrity rules; it is stored hashed, kept out of logs, throttled,
revocable, off unless the mission allows it, and every refusal is one answer."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import secrets
import zlib

import pytest
from axes.models import AccessAttempt
from defusedxml.ElementTree import fromstring
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pollwatch.accounts.models import AuditEntry
from pollwatch.accounts.redaction import RedactingFilter
from pollwatch.collection.models import DeviceCredential, Submission

from .conftest import PIN, DigestClient, count_xml

pytestmark = pytest.mark.django_db

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"


def _allow(mission, user=None):
    from pollwatch.collection.services import do_set_mission_device_tokens

    do_set_mission_device_tokens(mission, True, user=user)


def _login_url(observer) -> str:
    from pollwatch.collection.services import do_create_device_token

    _cred, token = do_create_device_token(observer)
    return token


def _submit(client, path: str, xml: str, **extra):
    upload = SimpleUploadedFile("submission.xml", xml.encode(), content_type="text/xml")
    return client.post(path, {"xml_submission_file": upload}, **extra)


@pytest.fixture
def urls(world, forms, devices):
    """Login URLs allowed in both missions; pavel's (CIS-001) and ingrid's (ODI-001) tokens."""
    _allow(world.cis)
    _allow(world.odihr)
    return {"pavel": _login_url(world.observers["CIS-001"]), "ingrid": _login_url(world.observers["ODI-001"])}


def test_collect_lists_downloads_and_submits_through_the_login_url_as_its_observer(world, forms, client, urls):
    prefix = f"/key/{urls['pavel']}/m/cis/"
    listing = client.get(prefix + "formList")
    assert listing.status_code == 200, listing.content
    count = next(x for x in fromstring(listing.content).findall(f"{LIST_NS}xform")
                 if x.findtext(f"{LIST_NS}formID") == "count_form")
    download, manifest = count.findtext(f"{LIST_NS}downloadUrl"), count.findtext(f"{LIST_NS}manifestUrl")
    # Collect follows the links as given, with no credentials: they carry the login URL's prefix.
    assert download == f"http://testserver{prefix}forms/count_form/2024020701/form.xml"
    xform = client.get(download)
    assert xform.status_code == 200 and xform.content.decode() == forms[("cis", "count_form")].xform
    assert client.get(manifest).status_code == 200
    assert fromstring(client.get(manifest).content).tag == f"{MANIFEST_NS}manifest"
    head = client.head(prefix + "submission")
    assert head.status_code == 204 and int(head["X-OpenRosa-Accept-Content-Length"]) > 1_000_000
    sent = _submit(client, prefix + "submission", count_xml("uuid:by-url"))
    assert sent.status_code == 201, sent.content
    report = Submission.objects.get(instance_id="uuid:by-url")
    assert (report.mission, report.observer, report.station) == (world.cis, world.observers["CIS-001"],
                                                                  world.stations["S111"])
    assert not report.held


def test_the_login_url_is_the_same_observer_as_their_digest_login(world, forms, client, urls, devices):
    # An edit sent through the login URL replaces the observer's own report sent with their PIN, and back.
    pin = DigestClient(client, "pavel", devices["pavel"])
    assert pin.submit("/m/cis/submission", count_xml("uuid:v1", ballots=512)).status_code == 201
    by_url = f"/key/{urls['pavel']}/m/cis/submission"
    assert _submit(client, by_url, count_xml("uuid:v2", ballots=505, deprecated="uuid:v1")).status_code == 201
    edit = Submission.objects.get(instance_id="uuid:v2")
    assert edit.deprecates.instance_id == "uuid:v1" and not edit.held
    assert not Submission.objects.get(instance_id="uuid:v1").is_current


def test_a_login_url_cannot_replace_another_observers_report(world, forms, client, urls, devices):
    from pollwatch.missions.services import do_create_observer

    sergei = do_create_observer(world.cis, code="CIS-002", name="Sergei Volkov")
    token = _login_url(sergei)
    assert DigestClient(client, "pavel", devices["pavel"]).submit(
        "/m/cis/submission", count_xml("uuid:v1", ballots=512)).status_code == 201
    forged = _submit(client, f"/key/{token}/m/cis/submission", count_xml("uuid:forged", ballots=999,
                                                                        deprecated="uuid:v1"))
    assert forged.status_code == 201
    original, copy = Submission.objects.get(instance_id="uuid:v1"), Submission.objects.get(instance_id="uuid:forged")
    assert original.is_current and not original.superseded_by.exists()
    assert copy.deprecates is None and copy.claimed_edit_of == "uuid:v1" and copy.held
    assert copy.observer == sergei


def test_a_login_url_of_mission_a_cannot_submit_to_mission_b(world, forms, client, urls):
    ingrid = urls["ingrid"]  # ODI-001's, mission odihr
    answer = _submit(client, f"/key/{ingrid}/m/cis/submission", count_xml("uuid:trespass"))
    assert answer.status_code == 404
    assert client.get(f"/key/{ingrid}/m/cis/formList").status_code == 404
    assert client.get(f"/key/{ingrid}/m/cis/forms/count_form/2024020701/form.xml").status_code == 404
    assert not Submission.objects.filter(instance_id="uuid:trespass").exists()
    # The same token in its own mission's URL works.
    assert client.get(f"/key/{ingrid}/m/odihr/formList").status_code == 200


def test_unknown_revoked_other_missions_and_disallowed_login_urls_get_one_answer(world, forms, client, urls):
    from pollwatch.collection.openrosa import forget_credentials
    from pollwatch.collection.services import do_revoke_device_token
    from pollwatch.missions.models import Mission
    from pollwatch.missions.services import do_create_observer

    revoked = _login_url(do_create_observer(world.cis, code="CIS-009", name="Revoked Phone"))
    do_revoke_device_token(DeviceCredential.objects.get(observer__code="CIS-009"))
    disallowed_mission = do_create_observer(world.odihr, code="ODI-009", name="Off Phone")
    disallowed = _login_url(disallowed_mission)
    Mission.objects.filter(pk=world.odihr.pk).update(allow_device_tokens=False)  # off, token kept: still refused
    forget_credentials()
    cases = {
        "unknown": f"/key/{secrets.token_urlsafe(32)}/m/cis/",
        "unknown, no such mission": f"/key/{secrets.token_urlsafe(32)}/m/no-such-mission/",
        "revoked": f"/key/{revoked}/m/cis/",
        "another mission's": f"/key/{urls['ingrid']}/m/cis/",
        "right token, no such mission": f"/key/{urls['pavel']}/m/no-such-mission/",
        "mission without login URLs": f"/key/{disallowed}/m/odihr/",
        "garbage": "/key/x/m/cis/",
    }
    answers = {}
    for i, (name, prefix) in enumerate(cases.items()):
        address = f"198.51.100.{i + 1}"  # one address each: the throttling test is below
        answers[name] = [(r.status_code, r.content) for r in (
            client.get(prefix + "formList", REMOTE_ADDR=address),
            client.get(prefix + "forms/count_form/2024020701/form.xml", REMOTE_ADDR=address),
            _submit(client, prefix + "submission", count_xml(f"uuid:refused-{i}"), REMOTE_ADDR=address),
        )]
    first = next(iter(answers.values()))
    assert all(status == 404 for status, _ in first)
    for name, got in answers.items():
        assert got == first, name
    assert not Submission.objects.filter(instance_id__startswith="uuid:refused").exists()


def test_wrong_login_urls_lock_the_address_out_and_then_the_right_one_is_refused_too(world, forms, client, urls,
                                                                                     settings):
    limit = settings.AXES_FAILURE_LIMIT
    answers = [client.get(f"/key/{secrets.token_urlsafe(32)}/m/cis/formList").status_code for _ in range(limit)]
    assert answers == [404] * (limit - 1) + [429]
    locked = _submit(client, f"/key/{urls['pavel']}/m/cis/submission", count_xml("uuid:after-guessing"))
    assert locked.status_code == 429 and "Retry-After" in locked
    assert not Submission.objects.filter(instance_id="uuid:after-guessing").exists()
    assert client.get(f"/key/{urls['pavel']}/m/cis/formList", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert AuditEntry.objects.filter(action="auth.lockout").exists()
    assert AuditEntry.objects.filter(action="auth.login_failed", detail__username__startswith="device-url:").count() \
        >= limit - 1


def _database_text() -> str:
    """Every row of every table, as text."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.all().values_list(*fields):
            out.append(repr(row))
    return "\n".join(out)


def _log_handler() -> logging.StreamHandler:
    """settings.LOGGING's console handler (the last one configured: a CLI test may have set logging up again)."""
    found = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    assert found, "settings.LOGGING's console handler has no RedactingFilter"
    return found[-1]


def test_the_token_is_kept_in_no_table_and_no_log_line(world, forms, client, urls, settings):
    token = urls["pavel"]
    stream = io.StringIO()
    handler = _log_handler()  # settings.LOGGING's console handler
    old, handler.stream = handler.stream, stream  # not setStream(): it flushes the old one, maybe a closed capture
    try:
        assert client.get(f"/key/{token}/m/cis/formList").status_code == 200  # first use: audited
        assert client.get(f"/key/{token}/m/cis/forms/nope/1/form.xml").status_code == 404  # "Not Found: …" logged
        for _ in range(settings.AXES_FAILURE_LIMIT):  # the right token at the wrong mission: failures, a lockout
            client.get(f"/key/{token}/m/odihr/formList")
    finally:
        handler.stream = old
    logged = stream.getvalue()
    assert "Not Found: /key/[redacted]/m/cis/forms/nope/1/form.xml" in logged
    assert token not in logged
    assert AccessAttempt.objects.filter(path_info__startswith="/key/[redacted]/m/odihr/").exists()
    assert AuditEntry.objects.filter(action="device_token.first_use").count() == 1
    assert AuditEntry.objects.filter(action="auth.lockout", detail__path="/key/[redacted]/m/odihr/formList").exists()
    dump = _database_text()
    assert token not in dump and urls["ingrid"] not in dump
    from pollwatch.collection.services import device_token_hash

    assert device_token_hash(token) in dump  # what is kept instead


def test_gunicorn_logs_no_token_either(tmp_path):
    from gunicorn.config import Config

    from pollwatch.cli.serving import LOGGER_CLASS, gunicorn_command, prod_gunicorn_command
    from pollwatch.web.access_log import LOGGER_CLASS as DEFINED
    from pollwatch.web.access_log import RedactingLogger

    assert LOGGER_CLASS == DEFINED
    for command in (gunicorn_command(8000, 1), prod_gunicorn_command({})):
        assert command[command.index("--logger-class") + 1] == LOGGER_CLASS
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    log = RedactingLogger(cfg)
    log.access_log.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": "GET /key/s3cret/m/cis/formList HTTP/1.1",
                                                 "s": "200"})
    log.error("Error handling request %s", "/key/s3cret/m/cis/submission")
    written = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "GET /key/[redacted]/m/cis/formList" in written and "/key/[redacted]/m/cis/submission" in written
    assert "s3cret" not in written


def test_a_coordinator_allows_login_urls_gives_one_with_its_qr_code_and_revokes_it(world, forms, client):
    from pollwatch.collection.views import collect_settings

    pavel = world.observers["CIS-001"]
    forms_page = reverse("collection-forms", args=["cis"])
    give, allow = reverse("collection-device-token", args=["cis"]), reverse("collection-device-tokens", args=["cis"])
    client.force_login(world.bella)  # an analyst of the mission: may not
    assert client.post(allow, {"enabled": "1"}).status_code == 403
    client.force_login(world.boris)  # its coordinator
    assert client.post(give, {"observer": pavel.pk}).status_code == 302  # off by default: no login URL
    assert not DeviceCredential.objects.filter(token_hash__isnull=False).exists()
    assert client.post(allow, {"enabled": "1"}).status_code == 302
    page = client.post(give, {"observer": pavel.pk})
    assert page.status_code == 201
    html = page.content.decode()
    url = re.search(r'<code class="login-url">(http://testserver/key/([^/]+)/m/cis/)</code>', html)
    assert url, html
    token = url.group(2)
    assert len(token) >= 43 and "<svg" in html  # 32 random bytes; the QR code, drawn on the server
    payload = json.loads(zlib.decompress(base64.b64decode(collect_settings(url.group(1), world.cis.name))))
    assert payload["general"]["server_url"] == url.group(1)
    assert client.get(f"/key/{token}/m/cis/formList").status_code == 200
    listed = client.get(forms_page).content.decode()
    assert "<code>cis-001</code>" in listed and token not in listed  # the device login made for the URL
    assert client.post(give, {"observer": pavel.pk, "revoke": "1"}).status_code == 302
    assert client.get(f"/key/{token}/m/cis/formList").status_code == 404
    # A new one, then login URLs turned off: that revokes it too.
    token = re.search(r"/key/([^/]+)/m/cis/", client.post(give, {"observer": pavel.pk}).content.decode()).group(1)
    assert client.post(allow, {"enabled": "0"}).status_code == 302
    assert client.get(f"/key/{token}/m/cis/formList").status_code == 404
    actions = list(AuditEntry.objects.filter(mission_slug="cis").values_list("action", flat=True))
    for action in ("mission.device_tokens", "device_token.create", "device_token.first_use", "device_token.revoke"):
        assert action in actions
    assert token not in repr(list(AuditEntry.objects.values_list("detail", "object_id")))


def test_a_device_pin_still_works_next_to_a_login_url(world, forms, client, urls):
    assert DigestClient(client, "pavel", PIN).get("/m/cis/formList").status_code == 200
