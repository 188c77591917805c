"""Demo hooks: the shipped XLSForms in a mission, reports filled in them, and a device login for one observer.

Every simulated report of the demo is an instance of one of these forms, made the way a phone makes one
(:func:`pollwatch.collection.xforms.fill_instance`) and parsed by the same code as a received report, so the
demo has no form a phone could not download and no report a phone could not have sent.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

from pollwatch.collection.demo_forms.build import ballot_count_form, xlsform_bytes
from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.collection.services import check_import_form, do_set_device_credential
from pollwatch.collection.xforms import fill_instance, parse_xml, read_values
from pollwatch.missions.models import Deployment

DEMO_FORMS = Path(__file__).resolve().parent / "demo_forms"


def import_demo_forms(mission) -> dict[str, ObservationForm]:
    """Import the demo XLSForms into ``mission`` (idempotent), the count form for its own ballot; by form_id."""
    contest = mission.election.contests.order_by("pk").first()
    forms = {}
    for path in sorted(DEMO_FORMS.glob("*.xlsx")):
        content = path.read_bytes()
        if path.stem == "count_form" and contest is not None and contest.candidates.exists():
            # The count form of this election's own ballot (votes_<position>), which the quick count reads.
            ballot = list(contest.candidates.order_by("ballot_position").values_list("ballot_position", "name", "party"))
            content = xlsform_bytes("count_form", ballot_count_form(ballot))
        form, _ = check_import_form(mission, content, filename=path.name)
        forms[form.form_id] = form
    return forms


def demo_report(form: ObservationForm, values: dict[str, Any], *, instance_id: str, **row) -> Submission:
    """An unsaved report of ``form`` as a phone would have sent it: ``raw`` is the filled XForm instance and
    ``values`` what parsing it gives (``row``: observer, station, transport, received_at)."""
    raw = fill_instance(form.xform, values, instance_id=instance_id)
    parsed, _ = read_values(parse_xml(raw), form.fields)
    return Submission(mission=form.mission, form=form, instance_id=instance_id, raw=raw.decode(), values=parsed,
                      content_hash=hashlib.sha256(raw).hexdigest(), **row)


def count_values(station, ballots: int, invalid: int | None, votes: dict[int, int], *, sealed: bool = True,
                 posted: bool = True) -> dict:
    """The answers of a count form (``votes_<ballot position>``) for one station's count."""
    return {"station_code": station.code, "ballot_box_sealed": "yes" if sealed else "no",
            "registered": station.registered_voters, "ballots_cast": ballots, "invalid": invalid,
            **{f"votes_{p}": v for p, v in votes.items()}, "protocol_posted": "yes" if posted else "no"}


def build_demo_collection(mission, *, seed: int, base_url: str) -> dict[str, str]:
    """The demo XLSForms in ``mission`` and a device login for one deployed observer; the lines to print."""
    forms = import_demo_forms(mission)
    deployment = (Deployment.objects.for_mission(mission).filter(station__isnull=False)
                  .select_related("observer").order_by("observer__code").first()
                  or Deployment.objects.for_mission(mission).select_related("observer").order_by("observer__code").first())
    lines = {"openrosa_url": f"{base_url.rstrip('/')}/m/{mission.slug}/", "forms": str(len(forms))}
    if deployment is not None:
        pin = f"{random.Random(seed).randrange(10**8):08d}"  # noqa: S311 — a demo PIN, printed on screen anyway
        cred, pin = do_set_device_credential(deployment.observer, password=pin)
        lines |= {"openrosa_user": cred.username, "openrosa_password": pin}
    return lines


def protocol_photo(station_code: str, lines: list[str]) -> bytes:
    """A PNG that stands in for an observer's photo of a posted protocol: the station and its numbers as text."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 40 + 18 * (len(lines) + 1)), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.text((16, 14), f"PROTOCOL - polling station {station_code}", fill=(20, 20, 20))
    for k, line in enumerate(lines):
        draw.text((16, 40 + 18 * k), line, fill=(40, 40, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def do_attach_demo_photo(submission: Submission, name: str, content: bytes) -> None:
    """Attach a photo to a stored demo report, through the same checks and storage as a received attachment."""
    from pollwatch.collection.submissions import IncomingFile, store_attachments

    store_attachments(submission, [IncomingFile(name, content, "image/png")])
