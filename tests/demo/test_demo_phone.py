"""A phone against the demo, as `make demo` builds it: the form list, every form on it, a report in each.

The phone logs in with the printed ``openrosa_user``/``openrosa_password``, reads the form list, downloads each
listed form, checks the hash the list gave, reads the XForm (model, primary instance, body) and submits an
instance it filled from the XForm alone — nothing here uses pollwatch's own form code to build the report. Then
every report the demo simulated is checked to be such an instance too.
"""

from __future__ import annotations

import hashlib
import uuid
from xml.etree.ElementTree import tostring

import numpy as np
import pytest
from defusedxml.ElementTree import fromstring

from pollwatch.collection.demo import build_demo_collection
from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.collection.xforms import parse_xml, read_instance_header, read_values
from pollwatch.demo.generator import build_demo
from pollwatch.operations.demo import build_demo_operations
from tests.collection.conftest import DigestClient

pytestmark = pytest.mark.django_db

LIST = "{http://openrosa.org/xforms/xformsList}"
XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    summary = build_demo(seed=5)
    citizens = next(m for m in summary.missions if m.slug == "citizens")
    lines = build_demo_collection(citizens, seed=1, base_url="http://testserver")
    build_demo_operations(summary, np.random.default_rng(5))
    return summary, lines


def filled(xform: bytes, station: str) -> bytes:
    """Fill the primary instance of a downloaded XForm the way a phone would, from its binds and body alone."""
    root = fromstring(xform)
    model = root.find(f"{H}head/{XF}model")
    instance = model.find(f"{XF}instance")[0]
    choices = {el.get("ref"): el.find(f"{XF}item/{XF}value").text
               for el in root.find(f"{H}body").iter() if el.tag in (f"{XF}select1", f"{XF}select")
               and el.find(f"{XF}item/{XF}value") is not None}
    by_path = {}

    def walk(el, prefix):
        for child in el:
            path = f"{prefix}/{child.tag.split('}')[-1]}"
            by_path[path] = child
            walk(child, path)

    top = f"/{instance.tag.split('}')[-1]}"
    walk(instance, top)
    for bind in model.findall(f"{XF}bind"):
        node, kind = by_path.get(bind.get("nodeset")), bind.get("type", "string")
        if node is None or len(node):
            continue
        name = bind.get("nodeset").rsplit("/", 1)[-1]
        if bind.get("nodeset") in choices:
            node.text = choices[bind.get("nodeset")]
        elif name == "instanceID":
            node.text = f"uuid:{uuid.uuid4()}"
        elif name == "station_code":
            node.text = station
        elif kind == "int":
            node.text = "3"
        elif kind == "dateTime":
            node.text = "2024-02-07T20:30:00.000+04:00"
        elif kind == "time":
            node.text = "08:00:00.000+04:00"
        elif kind == "string" and bind.get("required", "").startswith("true"):
            node.text = "Seen at the station."
    return tostring(instance)


def test_a_phone_downloads_every_listed_demo_form_and_submits_a_report_in_each(client, demo):
    # One test for both halves: each demo build takes ~25 s.
    summary, lines = demo
    every_demo_report_is_an_instance_of_a_form_with_an_xform()
    phone = DigestClient(client, lines["openrosa_user"], lines["openrosa_password"])
    listing = phone.get("/m/citizens/formList")
    assert listing.status_code == 200 and listing["X-OpenRosa-Version"] == "1.0"
    entries = fromstring(listing.content).findall(f"{LIST}xform")
    assert {e.findtext(f"{LIST}formID") for e in entries} == {
        "opening_checklist", "election_day_checklist", "count_form", "incident_report"}
    station = Submission.objects.filter(mission__slug="citizens", observer__device_credential__isnull=False,
                                        station__isnull=False).values_list("station__code", flat=True).first()
    for entry in entries:
        url = entry.findtext(f"{LIST}downloadUrl").replace("http://testserver", "")
        download = phone.get(url)
        assert download.status_code == 200, url
        assert entry.findtext(f"{LIST}hash") == "md5:" + hashlib.md5(download.content).hexdigest()  # noqa: S324
        root = fromstring(download.content)
        model = root.find(f"{H}head/{XF}model")
        assert model is not None and len(model.find(f"{XF}instance")) == 1 and root.find(f"{H}body") is not None
        primary = model.find(f"{XF}instance")[0]
        assert primary.get("id") == entry.findtext(f"{LIST}formID")
        assert primary.get("version") == entry.findtext(f"{LIST}version")
        manifest = entry.findtext(f"{LIST}manifestUrl").replace("http://testserver", "")
        assert phone.get(manifest).status_code == 200

        report = filled(download.content, station)
        answer = phone.submit("/m/citizens/submission", report)
        assert answer.status_code == 201, answer.content
        assert int(answer["X-OpenRosa-Accept-Content-Length"]) > 0
        stored = Submission.objects.get(instance_id=read_instance_header(report).instance_id)
        assert stored.form.form_id == primary.get("id") and stored.station.code == station
        assert not stored.needs_review, stored.review_reason


def every_demo_report_is_an_instance_of_a_form_with_an_xform():
    assert not ObservationForm.objects.filter(xform="").exists()
    assert not ObservationForm.objects.filter(md5="").exists()
    assert not ObservationForm.objects.filter(version="demo").exists()
    reports = Submission.objects.select_related("form")
    assert reports.count() > 4000
    kinds = set()
    for report in reports.iterator(chunk_size=1000):
        header = read_instance_header(report.raw.encode())
        assert (header.form_id, header.version, header.instance_id) == (
            report.form.form_id, report.form.version, report.instance_id)
        assert read_values(parse_xml(report.raw), report.form.fields)[0] == report.values
        kinds.add(report.form.form_id)
    assert kinds == {"opening_checklist", "election_day_checklist", "count_form"}
