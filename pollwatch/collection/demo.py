"""Demo hook: the shipped XLSForms in a mission and a device login for one deployed observer."""

from __future__ import annotations

import random
from pathlib import Path

from pollwatch.collection.demo_forms.build import ballot_count_form, xlsform_bytes
from pollwatch.collection.services import check_import_form, do_set_device_credential
from pollwatch.missions.models import Deployment

DEMO_FORMS = Path(__file__).resolve().parent / "demo_forms"


def build_demo_collection(mission, *, seed: int, base_url: str) -> dict[str, str]:
    """Import the demo XLSForms into ``mission``; give one deployed observer a device login; lines to print."""
    files = sorted(DEMO_FORMS.glob("*.xlsx"))
    contest = mission.election.contests.order_by("pk").first()
    for path in files:
        content = path.read_bytes()
        if path.stem == "count_form" and contest is not None and contest.candidates.exists():
            # The count form of this election's own ballot (votes_<position>), which the quick count reads.
            ballot = list(contest.candidates.order_by("ballot_position").values_list("ballot_position", "name", "party"))
            content = xlsform_bytes("count_form", ballot_count_form(ballot))
        check_import_form(mission, content, filename=path.name)
    deployment = (Deployment.objects.for_mission(mission).filter(station__isnull=False)
                  .select_related("observer").order_by("observer__code").first()
                  or Deployment.objects.for_mission(mission).select_related("observer").order_by("observer__code").first())
    lines = {"openrosa_url": f"{base_url.rstrip('/')}/m/{mission.slug}/", "forms": str(len(files))}
    if deployment is not None:
        pin = f"{random.Random(seed).randrange(10**8):08d}"  # noqa: S311 — a demo PIN, printed on screen anyway
        cred, pin = do_set_device_credential(deployment.observer, password=pin)
        lines |= {"openrosa_user": cred.username, "openrosa_password": pin}
    return lines
