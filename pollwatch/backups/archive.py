"""The archive's tar stream: written and read sequentially (``w|``/``r|``), so nothing is held in memory or
needs seeking, and the same code reads a plain file or the plaintext of an encrypted one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pollwatch.backups import BackupError, DamagedBackup
from pollwatch.backups.crypto import DecryptingReader, EncryptingWriter, is_encrypted
from pollwatch.backups.manifest import MANIFEST_NAME, Manifest, Member

COPY_BUFFER = 1 << 20
MAX_MANIFEST_BYTES = 256 << 20  # a million attachments listed is ~150 MB of JSON
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"


def file_member(path: Path, name: str) -> Member:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(COPY_BUFFER):
            digest.update(block)
            size += len(block)
    return Member(path=name, size=size, sha256=digest.hexdigest())


class _HashingReader:
    """Reads a file for tarfile, hashing what passes; the file must still be what the manifest says."""

    def __init__(self, f: BinaryIO):
        self._f, self.digest = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self._f.read(size)
        self.digest.update(block)
        return block


@contextlib.contextmanager
def writing(out: Path, key: bytes | None) -> Iterator[tarfile.TarFile]:
    """A tar stream into ``out``, encrypted with ``key`` if given. The file appears under its name only once it is
    complete and on disk (written as ``out.partial``, fsynced, renamed): a crash never leaves half a backup that
    looks whole."""
    partial = out.with_name(out.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # backups hold every report: not world-readable
    try:
        with os.fdopen(fd, "wb") as raw:
            sink = EncryptingWriter(raw, key) if key else raw
            with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                yield tar
            if isinstance(sink, EncryptingWriter):
                sink.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def add_file(tar: tarfile.TarFile, member: Member, path: Path) -> None:
    info = tarfile.TarInfo(member.path)
    info.size, info.mode, info.mtime = member.size, 0o600, int(time.time())
    with path.open("rb") as f:
        reader = _HashingReader(f)
        try:
            tar.addfile(info, reader)  # type: ignore[arg-type]
        except OSError as exc:  # tarfile: "unexpected end of data" when the file shrank
            raise BackupError(f"{path} changed while it was being backed up ({exc}); run the backup again") from None
    if reader.digest.hexdigest() != member.sha256:
        raise BackupError(f"{path} changed while it was being backed up; run the backup again")


@contextlib.contextmanager
def reading(archive: Path, key: bytes | None) -> Iterator[tuple[Manifest, Iterator[tuple[Member, BinaryIO]]]]:
    """The archive's manifest, then each member it lists with a stream of its bytes, in archive order.

    Every member must be one the manifest names, and the stream raises :class:`DamagedBackup` when what was
    read does not hash to what the manifest says, or when the archive ends before every member came.
    """
    with archive.open("rb") as raw:
        head = raw.read(64)
        raw.seek(0)
        encrypted = is_encrypted(head)
        if encrypted and key is None:
            raise BackupError("this backup is encrypted: set POLLWATCH_BACKUP_KEY to the key it was made with")
        source = DecryptingReader(raw, key) if encrypted and key else raw
        try:
            tar = tarfile.open(fileobj=source, mode="r|")  # type: ignore[call-overload]
        except tarfile.TarError:
            raise DamagedBackup(f"{archive} is not a pollwatch backup (not a tar archive, or damaged at its "
                                "start)") from None
        with tar:
            first = _next(tar)
            if first is None or first.name != MANIFEST_NAME or not first.isfile():
                raise DamagedBackup(f"{archive} is not a pollwatch backup (it does not start with "
                                    f"{MANIFEST_NAME})")
            if first.size > MAX_MANIFEST_BYTES:
                raise DamagedBackup("the backup's manifest is implausibly large: the file is damaged")
            manifest = Manifest.from_json(tar.extractfile(first).read())  # type: ignore[union-attr]
            yield manifest, _members(tar, manifest)


def _next(tar: tarfile.TarFile) -> tarfile.TarInfo | None:
    try:
        return tar.next()
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise DamagedBackup(f"the backup is damaged or truncated ({exc})") from None


def _members(tar: tarfile.TarFile, manifest: Manifest) -> Iterator[tuple[Member, BinaryIO]]:
    expected = {m.path: m for m in manifest.members()}
    seen: set[str] = set()
    while (info := _next(tar)) is not None:
        member = expected.get(info.name)
        if member is None or info.name in seen or not info.isfile():
            raise DamagedBackup(f"the backup holds {info.name!r}, which its manifest does not list")
        if info.size != member.size:
            raise DamagedBackup(f"{info.name} is {info.size} bytes in the archive, {member.size} in the manifest")
        seen.add(info.name)
        stream = _VerifyingStream(tar.extractfile(info), member)  # type: ignore[arg-type]
        yield member, stream  # type: ignore[misc]
        stream.drain()
    missing = [path for path in expected if path not in seen]
    if missing:
        raise DamagedBackup(f"the backup is truncated: {len(missing)} file(s) of its manifest are missing "
                            f"(first: {missing[0]})")


class _VerifyingStream:
    """A member's bytes; reading its end checks them against the manifest's sha256."""

    def __init__(self, f: BinaryIO, member: Member):
        self._f, self._member = f, member
        self._digest = hashlib.sha256()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        try:
            block = self._f.read(size)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise DamagedBackup(f"the backup is truncated inside {self._member.path} ({exc})") from None
        self._digest.update(block)
        if not block or size < 0:
            self._check()
        return block

    def drain(self) -> None:
        while self.read(COPY_BUFFER):
            pass

    def _check(self) -> None:
        if not self._done and self._digest.hexdigest() != self._member.sha256:
            raise DamagedBackup(f"{self._member.path} does not match its checksum in the manifest: the backup "
                                "is damaged")
        self._done = True


def copy_to(stream: BinaryIO, path: Path) -> None:
    """Write a member's bytes to ``path`` (its folders created); the stream checks them as they end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        while block := stream.read(COPY_BUFFER):  # the empty read at the end checks the hash
            out.write(block)
