"""Backup → restore on the session's engine (SQLite, and PostgreSQL under ``--postgres``): the same rows, checksum,
attachments and pages; and every refusal — damaged, truncated, newer schema, other engine, a database with data."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from django.urls import reverse

from pollwatch.backups import BackupError, DamagedBackup, RestoreRefused
from pollwatch.backups.backup import write_backup
from pollwatch.backups.database import Database
from pollwatch.backups.manifest import summarize
from pollwatch.backups.restore import restore_backup

from .conftest import lines, rows, run_cli

pytestmark = pytest.mark.django_db(transaction=True)

# The tables a restore must reproduce exactly: the raw reports and attachments, and what was derived from them.
DERIVED = ["collection_submission", "collection_attachment", "operations_expectedreport", "operations_masterrecord",
           "operations_coveragecount", "operations_arrivalcount", "operations_checklistcount", "accounts_auditentry"]


def summary_of(database: Database):
    conn = database.connect()
    try:
        return summarize(conn, database.engine)
    finally:
        conn.close()


def test_a_backup_restored_into_an_empty_database_has_the_same_rows_checksum_and_attachments(
        election_day, source, empty_target, media_root, tmp_path):
    target, target_args = empty_target
    archive = tmp_path / "backup.tar"
    made = write_backup(archive, source, media_root)
    assert made.manifest.summary.reports == 5
    assert len(made.manifest.media) == 4

    restored_data = tmp_path / "restored-data"
    out = run_cli("restore", str(archive), *target_args, data_dir=restored_data)
    printed = lines(out.stdout)
    assert printed["reports"] == "5"
    assert printed["reports_checksum"] == f"{made.manifest.summary.reports_checksum} (matches)"

    assert summary_of(target) == summary_of(source) == made.manifest.summary
    for table in DERIVED:
        assert rows(target, table) == rows(source, table), table
        assert rows(source, table) or table == "operations_checklistcount", f"{table} is empty: a weak test"
    attachments = rows(target, "collection_attachment", "id, file")
    for _, relative in attachments:
        assert (restored_data / "media" / relative).read_bytes() == (media_root / relative).read_bytes()
    assert len(attachments) == 4


def _pages(client, world) -> dict[str, str]:
    urls = [reverse("operations", args=["cis"]), reverse("operations-dashboard", args=["cis"]),
            reverse("collection-submissions", args=["cis"]), reverse("operations-masters", args=["cis"])]
    urls += [reverse("operations-export", args=["cis", what, "csv"]) for what in ("coverage", "submissions", "masters")]
    client.force_login(world.boris)
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # The CSRF token is new on every request, and so are the ids of the charts' divs; nothing else may differ.
        text = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', r"\1", body.decode())
        pages[url] = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "chart-id", text)
    return pages


def test_the_restored_database_serves_the_same_pages(election_day, source, empty_target, media_root, tmp_path,
                                                    client):
    from django.db import connections

    target, _ = empty_target
    before = _pages(client, election_day)
    archive = tmp_path / "backup.tar"
    write_backup(archive, source, media_root)
    restore_backup(archive, target, tmp_path / "restored-media")

    original = connections["default"]
    restored = original.__class__({**original.settings_dict, "NAME": target.name}, "default")
    connections["default"] = restored
    try:
        after = _pages(client, election_day)
    finally:
        restored.close()
        connections["default"] = original
    assert after == before
    assert "uuid:o-0" not in "".join(before.values())  # the other mission's reports are not on cis's pages
    assert "S111" in before[reverse("operations-export", args=["cis", "submissions", "csv"])]


def test_an_encrypted_backup_restores_with_its_key_and_only_with_it(election_day, source, empty_target, media_root,
                                                                   tmp_path):
    from cryptography.fernet import Fernet

    target, _ = empty_target
    key = Fernet.generate_key()
    archive = tmp_path / "backup.tar"
    made = write_backup(archive, source, media_root, key=key)
    assert made.encrypted
    data = archive.read_bytes()
    assert b"uuid:b-1" not in data and b"manifest.json" not in data and b"protocol of S111" not in data

    with pytest.raises(BackupError, match="encrypted: set POLLWATCH_BACKUP_KEY"):
        restore_backup(archive, target, tmp_path / "m1")
    with pytest.raises(DamagedBackup, match="not the key it was made with"):
        restore_backup(archive, target, tmp_path / "m2", key=Fernet.generate_key())
    restore_backup(archive, target, tmp_path / "m3", key=key)
    assert summary_of(target) == made.manifest.summary


def _nothing_restored(target: Database, media: Path) -> bool:
    if target.engine == "sqlite" and not Path(target.name).exists():
        return not media.exists() or not any(media.iterdir())
    return not summary_of(target).tables and (not media.exists() or not any(media.iterdir()))


def test_a_damaged_or_truncated_archive_is_refused_and_changes_nothing(election_day, source, empty_target,
                                                                       media_root, tmp_path):
    target, _ = empty_target
    archive = tmp_path / "backup.tar"
    write_backup(archive, source, media_root)
    data = bytearray(archive.read_bytes())

    flipped = tmp_path / "flipped.tar"
    with tarfile.open(archive) as tar:
        database = next(m for m in tar.getmembers() if m.name.startswith("database."))
    data[database.offset_data + database.size // 2] ^= 0xFF  # one bit of rot in the middle of the database
    flipped.write_bytes(bytes(data))
    with pytest.raises(DamagedBackup, match="does not match its checksum"):
        restore_backup(flipped, target, tmp_path / "media-1")
    assert _nothing_restored(target, tmp_path / "media-1")

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: len(data) // 2])
    with pytest.raises(DamagedBackup, match="truncated|damaged"):
        restore_backup(truncated, target, tmp_path / "media-2")
    assert _nothing_restored(target, tmp_path / "media-2")

    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(DamagedBackup, match="not a pollwatch backup"):
        restore_backup(junk, target, tmp_path / "media-3")


def _with_manifest(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` whose manifest was edited by ``change(dict)``, members unchanged."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_a_backup_from_a_newer_pollwatch_is_refused_before_anything_is_written(election_day, source, empty_target,
                                                                               media_root, tmp_path):
    target, target_args = empty_target
    archive = write_backup(tmp_path / "backup.tar", source, media_root).path
    newer = _with_manifest(archive, tmp_path / "newer.tar",
                           lambda m: m["summary"]["migrations"].append(["collection", "0099_from_the_future"]))
    with pytest.raises(RestoreRefused, match=r"newer pollwatch.*collection\.0099_from_the_future"):
        restore_backup(newer, target, tmp_path / "target-media")
    assert _nothing_restored(target, tmp_path / "target-media")
    out = run_cli("restore", str(newer), *target_args, data_dir=tmp_path / "cli", check=False)
    assert out.returncode == 1 and "Upgrade pollwatch, then restore." in out.stderr


def test_a_backup_of_the_other_engine_is_refused(election_day, source, empty_target, media_root, tmp_path):
    target, _ = empty_target
    archive = write_backup(tmp_path / "backup.tar", source, media_root).path
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[source.engine]
    moved = _with_manifest(archive, tmp_path / "other.tar", lambda m: m.update(engine=other))
    with pytest.raises(RestoreRefused, match="restore it into"):
        restore_backup(moved, target, tmp_path / "target-media")


def test_a_database_that_holds_data_is_only_replaced_with_force(election_day, source, empty_target, media_root,
                                                               tmp_path):
    target, target_args = empty_target
    archive = write_backup(tmp_path / "backup.tar", source, media_root).path
    data_dir = tmp_path / "restored-data"
    run_cli("restore", str(archive), *target_args, data_dir=data_dir)
    (data_dir / "media" / "added-since.txt").write_text("a file uploaded after the restore")

    again = run_cli("restore", str(archive), *target_args, data_dir=data_dir, check=False)
    assert again.returncode == 1
    assert "holds data" in again.stderr and "--force" in again.stderr and "is not empty" in again.stderr

    forced = lines(run_cli("restore", str(archive), *target_args, "--force", data_dir=data_dir).stdout)
    kept = Path(forced["previous_media_moved_to"])
    assert (kept / "added-since.txt").read_text() == "a file uploaded after the restore"
    assert not (data_dir / "media" / "added-since.txt").exists()
    assert summary_of(target) == summary_of(source)
