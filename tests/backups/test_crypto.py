"""The encrypted stream: round trips at every size, and every way a file can be damaged is caught."""

from __future__ import annotations

import io
import struct

import pytest
from cryptography.fernet import Fernet

from pollwatch.backups import BackupError, DamagedBackup
from pollwatch.backups.crypto import MAGIC, DecryptingReader, EncryptingWriter, key_from_environment

KEY = Fernet.generate_key()
CHUNK = 64


def encrypt(data: bytes, key: bytes = KEY, pieces: int = 7) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, chunk=CHUNK)
    for start in range(0, len(data), pieces):  # written in odd-sized pieces, as tarfile writes
        writer.write(data[start:start + pieces])
    writer.finish()
    return out.getvalue()


def decrypt(blob: bytes, key: bytes = KEY, size: int = 50) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), key)
    parts = []
    while block := reader.read(size):
        parts.append(block)
    return b"".join(parts)


def frames(blob: bytes) -> list[bytes]:
    """The length-prefixed chunks after the magic line."""
    out, at = [], len(MAGIC)
    while at < len(blob):
        (length,) = struct.unpack(">I", blob[at:at + 4])
        out.append(blob[at:at + 4 + length])
        at += 4 + length
    return out


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 17])
def test_what_is_encrypted_decrypts_to_the_same_bytes_whatever_its_size(size):
    data = bytes(i % 251 for i in range(size))
    blob = encrypt(data)
    assert decrypt(blob) == data
    assert DecryptingReader(io.BytesIO(blob), KEY).read() == data  # read() with no size: everything
    if size >= 32:  # long enough not to turn up in random bytes by chance
        assert data[:32] not in blob


def test_a_chunk_holds_only_57_bytes_more_than_its_plaintext():
    # Binary tokens, not Fernet's base64: an encrypted backup is not a third larger than a plain one.
    blob = encrypt(bytes(10 * CHUNK))
    assert len(blob) - len(MAGIC) - 10 * CHUNK <= 11 * (4 + 9 + 57 + 16)


def test_the_wrong_key_is_named_as_the_likely_cause():
    with pytest.raises(DamagedBackup, match="not the key it was made with"):
        decrypt(encrypt(b"secret reports"), key=Fernet.generate_key())


def test_one_flipped_bit_is_caught():
    blob = bytearray(encrypt(bytes(3 * CHUNK)))
    blob[len(blob) // 2] ^= 0x01
    with pytest.raises(DamagedBackup, match="damaged"):
        decrypt(bytes(blob))


def test_a_file_cut_at_a_chunk_boundary_is_caught_as_truncated():
    blob = encrypt(bytes(3 * CHUNK + 5))
    cut = MAGIC + b"".join(frames(blob)[:-1])  # every chunk authentic, the last one missing
    with pytest.raises(DamagedBackup, match="truncated"):
        decrypt(cut)


def test_chunks_in_another_order_are_caught():
    blob = encrypt(bytes(range(256)) * 2)
    parts = frames(blob)
    swapped = MAGIC + b"".join([parts[1], parts[0], *parts[2:]])
    with pytest.raises(DamagedBackup, match="chunk 1 where 0 belongs"):
        decrypt(swapped)


def test_data_after_the_last_chunk_is_caught():
    with pytest.raises(DamagedBackup, match="after its last chunk"):
        decrypt(encrypt(b"report") + b"appended")


def test_a_plain_file_is_not_taken_for_an_encrypted_one():
    with pytest.raises(DamagedBackup, match="not an encrypted pollwatch backup"):
        DecryptingReader(io.BytesIO(b"manifest.json" + bytes(500)), KEY)


def test_a_key_that_is_not_a_fernet_key_gets_a_clear_message(monkeypatch):
    monkeypatch.setenv("POLLWATCH_BACKUP_KEY", "hunter2")
    with pytest.raises(BackupError, match="not a Fernet key"):
        key_from_environment()
    monkeypatch.setenv("POLLWATCH_BACKUP_KEY", KEY.decode())
    assert key_from_environment() == KEY
    monkeypatch.delenv("POLLWATCH_BACKUP_KEY")
    assert key_from_environment() is None
