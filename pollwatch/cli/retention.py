"""``pollwatch retention --mission M``: after a mission closes, erase its observers' personal data."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli import common

# Rows a step says it is at, shown when a step is done, or every so often on a big mission.
_LABELS = {
    "submissions": "reports (raw XML, SMS, values)", "attachments": "attachments (names, photo metadata)",
    "device_logins": "device logins", "incident_texts": "incident texts", "incident_notes": "incident notes",
    "master_records": "master records", "conflict_resolutions": "conflict resolutions",
    "sms_inbound": "incoming SMS", "sms_outbound": "outgoing SMS", "sms_broadcasts": "SMS broadcasts",
    "sms_numbers": "SMS phone numbers", "observers": "observers", "web_logins": "observers' web logins",
}


def retention(
    mission: str = typer.Option(..., "--mission", help="The mission's slug"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be erased; change nothing"),
    db: Path | None = common.DbOption,
) -> None:
    """Erase a closed mission's observers' personal data: names, phones, e-mails and logins, also inside raw
    reports (XForm XML, SMS), values' texts, incident texts and notes, and photos' metadata (EXIF). Codes,
    deployments, counts, results and the audit trail stay; the erasure is audited. The mission must be closed."""
    common.setup(db)
    from pollwatch.missions.models import Mission
    from pollwatch.missions.retention import MissionStillOpen, do_apply_retention

    found = Mission.objects.filter(slug=mission).first()
    if found is None:
        raise common.fail(f"no mission {mission!r}")

    def progress(step: str, done: int, total: int) -> None:
        typer.echo(f"  {_LABELS.get(step, step)}: {done}/{total} scanned", err=True)

    typer.echo(f"{'dry run: nothing is changed; ' if dry_run else ''}retention of {found.slug} ({found.name})",
               err=True)
    try:
        counts = do_apply_retention(found, dry_run=dry_run, progress=progress)
    except MissionStillOpen:
        raise common.fail(f"the mission {mission!r} is still open: close it first (untick Active in the admin's "
                          "mission page), then run retention") from None
    for key, value in counts.items():
        typer.echo(f"{key}: {value}")
    rows = sum(value for key, value in counts.items() if key != "observers")
    observers = counts.get("observers", 0)
    if dry_run:
        typer.echo(f"would erase personal data in {rows} rows and anonymise {observers} observers", err=True)
    else:
        typer.echo(f"erased personal data in {rows} rows and anonymised {observers} observers (audited)", err=True)
