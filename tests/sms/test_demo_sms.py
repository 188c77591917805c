"""Done when: a message typed with common mistakes at the demo's Twilio webhook becomes a report visible in the
election-day dashboard, and the observer gets the confirmation through the console sender.

The demo is built by ``pollwatch demo --no-serve`` itself (the typer command, in-process on the test database), and
the test reads the ``key: value`` lines it prints, as a person trying the demo would.
"""

from __future__ import annotations

import re

import pytest
from twilio.request_validator import RequestValidator
from typer.testing import CliRunner

from pollwatch.cli.main import app
from pollwatch.collection.models import Submission
from pollwatch.missions.models import Mission
from pollwatch.operations.queries import STATUSES
from pollwatch.sms.senders.console import OUTBOX

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PORT = 8765
HOST = f"127.0.0.1:{PORT}"


def opening_coverage(client) -> dict[str, int]:
    """The dashboard's "Coverage by form" row of the opening checklist: count per expected-report status."""
    page = client.get("/missions/citizens/operations/dashboard", HTTP_HOST=HOST)
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="coverage-by-form"'):]
    table = table[:table.index("</table>")]
    rows = dict(re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", table, re.S))
    row = next((cells for label, cells in rows.items() if "opening" in label.lower()), None)
    assert row is not None, list(rows)
    counts = [int(n) for n in re.findall(r'<a href="[^"]*">(\d+)</a>', row)]
    assert len(counts) == len(STATUSES), row
    return dict(zip(STATUSES, counts, strict=True))


def test_a_mistyped_sms_at_the_demo_webhook_becomes_a_report_on_the_dashboard_and_is_confirmed(
        client, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("POLLWATCH_DB", str(tmp_path / "unused.sqlite3"))  # the command sets it; restored after
    run = CliRunner().invoke(app, ["demo", "--no-serve", "--port", str(PORT), "--db", str(tmp_path / "demo.sqlite3")])
    assert run.exit_code == 0, run.output
    lines = dict(line.split(": ", 1) for line in run.stdout.splitlines() if ": " in line)
    assert lines["twilio_webhook_url"] == f"http://{HOST}/sms/citizens/twilio"
    assert lines["sms_observer_phone"].startswith("+")
    assert re.fullmatch(r"OP\d+ AA1 AB1 AC1 AD9 AE2", lines["sms_example"]), lines["sms_example"]

    citizens = Mission.objects.get(slug="citizens")
    client.force_login(citizens.memberships.filter(role="coordinator").first().user)
    before = opening_coverage(client)
    # typed as people type it: lower case, no space after the prefix, the letter O for the zeros, commas
    typed = lines["sms_example"].lower().replace(" ", ", ").replace("0", "o").replace("op, ", "op")
    assert typed != lines["sms_example"].lower() and "o" in typed.split(",")[0][2:]
    params = {"MessageSid": "SMdemo1", "From": lines["sms_observer_phone"], "To": "+15005550006", "Body": typed}
    signature = RequestValidator(lines["twilio_auth_token"]).compute_signature(lines["twilio_webhook_url"], params)
    OUTBOX.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sms/citizens/twilio", params, HTTP_HOST=HOST, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200

    report = Submission.objects.filter(mission=citizens, instance_id="sms:twilio:SMdemo1").get()
    assert report.raw == typed
    assert report.values["commission_members"] == 9 and not report.needs_review
    # the demo's SMS observer had not sent the opening report yet: the dashboard counts one missing report less
    after = opening_coverage(client)
    assert after["missing"] == before["missing"] - 1, (before, after)
    assert sum(after.values()) == sum(before.values())
    # the console sender delivered the confirmation, in the observer's first language
    language = report.observer.languages.split(",")[0]
    expected = {"az": f"Qəbul edildi: Opening checklist, məntəqə {report.station.code}. Təşəkkür edirik.",
                "ru": f"Получено: Opening checklist, участок {report.station.code}. Спасибо.",
                "en": f"Received: Opening checklist, station {report.station.code}. Thank you."}[language or "en"]
    assert OUTBOX == [(lines["sms_observer_phone"], expected)]
    page = client.get(f"/missions/citizens/submissions/{report.pk}/", HTTP_HOST=HOST)
    assert page.status_code == 200 and report.station.code.encode() in page.content
