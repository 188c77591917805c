"""A process that stores reports as fast as it can, one transaction each, until a stop file appears.

Run by tests/backups/test_live_backup.py beside ``pollwatch backup``: ``python live_writer.py STOP PROGRESS``, with
the database in the environment (``POLLWATCH_DB`` or ``DATABASE_URL``). Report ``n`` has instanceID
``uuid:live-n`` and one attachment ``p.jpg``, a JPEG whose comment is ``photo n``; after each commit the number of reports stored so
far is written to PROGRESS. It prints that number when it stops.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"


def jpeg(label: str) -> bytes:
    """A tiny real JPEG (attachments are checked by content) carrying ``label`` in its comment, so each differs."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG", comment=label.encode())
    return out.getvalue()


def report(n: int) -> bytes:
    return (
        f'<data id="count_form" version="2024020701"><station_code>S111</station_code><registered>800</registered>'
        f"<ballots_cast>{500 + n % 100}</ballots_cast><invalid>0</invalid><votes_mammadov>300</votes_mammadov>"
        f"<votes_aliyeva>200</votes_aliyeva><protocol_photo>p.jpg</protocol_photo>"
        f"<meta><instanceID>uuid:live-{n}</instanceID></meta></data>"
    ).encode()


def main(stop: Path, progress: Path) -> None:
    from pollwatch.cli.django_setup import setup_django

    setup_django()
    from pollwatch.collection.services import check_import_form
    from pollwatch.collection.submissions import IncomingFile, receive_submission
    from pollwatch.elections.services import do_create_contest, do_create_election
    from pollwatch.geography.services import do_create_station, do_create_unit
    from pollwatch.missions.services import do_create_mission, do_create_observer, do_deploy_observer

    election = do_create_election(slug="live", name="Live", country="az", date=dt.date(2024, 2, 7),
                                  kind="presidential", timezone="Asia/Baku")
    do_create_contest(election, "President", [("Ilgar Mammadov", "Renewal"), ("Leyla Aliyeva", "Unity")])
    country = do_create_unit(election, code="AZ", name="Azerbaijan", level="country")
    station = do_create_station(do_create_unit(election, code="C11", name="Sumgait", level="constituency",
                                               parent=country), code="S111", name="School 1", registered_voters=800)
    mission = do_create_mission(election, slug="live", name="Live mission", kind="citizen")
    observer = do_create_observer(mission, code="L-001", name="Pavel Orlov")
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    do_deploy_observer(observer, station=station, team="L1", shift_start=start, shift_end=start + dt.timedelta(hours=14))
    check_import_form(mission, (FORMS / "count_form.xlsx").read_bytes(), filename="count_form.xlsx")

    n = 0
    while not stop.exists():
        receive_submission(report(n), transport="openrosa", mission=mission, observer=observer,
                           attachments=[IncomingFile("p.jpg", jpeg(f"photo {n}"), "image/jpeg")])
        n += 1
        progress.write_text(str(n))
    print(n)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
