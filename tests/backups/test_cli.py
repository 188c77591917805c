"""`pollwatch backup` into a folder on a timer: timestamped names, the N newest kept, encrypted when the key is set."""

from __future__ import annotations

from cryptography.fernet import Fernet

from pollwatch.backups.crypto import MAGIC

from .conftest import lines, run_cli


def test_a_backup_into_a_folder_is_named_by_its_time_keeps_the_newest_and_encrypts_with_the_key(tmp_path):
    env = {"POLLWATCH_DB": str(tmp_path / "pollwatch.sqlite3"), "DATABASE_URL": ""}
    run_cli("migrate", data_dir=tmp_path / "data", env=env)
    folder = tmp_path / "backups"
    folder.mkdir()
    for old in ("pollwatch-20240206-120000.tar", "pollwatch-20240207-120000.tar"):
        (folder / old).write_bytes(b"an older backup")

    out = lines(run_cli("backup", "--out", str(folder), "--keep", "2", data_dir=tmp_path / "data",
                        env=env | {"POLLWATCH_BACKUP_KEY": Fernet.generate_key().decode()}).stdout)
    made = tmp_path / "backups" / out["backup"].rsplit("/", 1)[1]
    assert made.name.startswith("pollwatch-20") and made.suffix == ".tar"
    assert out["encrypted"] == "yes" and made.read_bytes().startswith(MAGIC)
    assert out["deleted_old_backups"] == "1"
    assert sorted(p.name for p in folder.iterdir()) == ["pollwatch-20240207-120000.tar", made.name]

    refused = run_cli("backup", "--out", str(tmp_path / "one.tar"), "--keep", "2", data_dir=tmp_path / "data",
                      env=env, check=False)
    assert refused.returncode == 1 and "--keep needs a folder" in refused.stderr
    missing = run_cli("backup", "--out", str(tmp_path / "x.tar"), "--encrypt", data_dir=tmp_path / "data",
                      env=env | {"POLLWATCH_BACKUP_KEY": ""}, check=False)
    assert missing.returncode == 1 and "POLLWATCH_BACKUP_KEY" in missing.stderr
