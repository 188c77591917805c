"""Encrypted backups: the archive stream cut into chunks, each one a Fernet token (``cryptography``).

Fernet encrypts and authenticates one message held in memory; a backup can be gigabytes. So the stream is cut
into chunks of ``CHUNK`` bytes, each encrypted on its own, and the file is::

    MAGIC, then for each chunk: 4-byte big-endian length, the token (binary, not base64)

Each chunk's plaintext starts with its sequence number (8 bytes) and a last-chunk flag (1 byte), both inside the
authenticated token: a chunk moved, dropped, repeated or cut off the end fails to decrypt or breaks the sequence,
and the reader says the file is damaged instead of restoring part of it. Tokens are stored decoded from Fernet's
base64 (+57 bytes a chunk instead of +33 %).

The key is a Fernet key (32 random bytes, URL-safe base64) in ``POLLWATCH_BACKUP_KEY``; ``openssl rand -base64 32
| tr '+/' '-_'`` makes one.
"""

from __future__ import annotations

import base64
import os
import struct
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken

from pollwatch.backups import BackupError, DamagedBackup

MAGIC = b"pollwatch-backup fernet-chunks 1\n"
CHUNK = 1 << 20
KEY_VARIABLE = "POLLWATCH_BACKUP_KEY"
_HEADER = struct.Struct(">QB")  # sequence number, last-chunk flag
_LENGTH = struct.Struct(">I")
# The largest token a CHUNK makes: version, timestamp, IV (25 bytes), padded ciphertext, HMAC (32 bytes).
_MAX_TOKEN = 25 + (_HEADER.size + CHUNK) // 16 * 16 + 16 + 32


def key_from_environment() -> bytes | None:
    value = os.environ.get(KEY_VARIABLE, "").strip()
    if not value:
        return None
    key = value.encode()
    try:
        Fernet(key)
    except ValueError:
        raise BackupError(f"{KEY_VARIABLE} is not a Fernet key (32 bytes in URL-safe base64, 44 characters; "
                          "make one with: openssl rand -base64 32 | tr '+/' '-_')") from None
    return key


class EncryptingWriter:
    """A write-only stream that encrypts what it is given, chunk by chunk, into ``out``; ``finish()`` ends it."""

    def __init__(self, out: BinaryIO, key: bytes, chunk: int = CHUNK):
        self._out, self._fernet, self._chunk = out, Fernet(key), chunk
        self._buffer = bytearray()
        self._sequence = 0
        out.write(MAGIC)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > self._chunk:  # keep at least one byte back: the last chunk is sent by finish()
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, data: bytes, *, last: bool) -> None:
        token = base64.urlsafe_b64decode(self._fernet.encrypt(_HEADER.pack(self._sequence, last) + data))
        self._out.write(_LENGTH.pack(len(token)) + token)
        self._sequence += 1


class DecryptingReader:
    """A read-only stream of the plaintext of an encrypted backup; raises :class:`DamagedBackup` on any fault."""

    def __init__(self, source: BinaryIO, key: bytes):
        self._source, self._fernet = source, Fernet(key)
        if source.read(len(MAGIC)) != MAGIC:
            raise DamagedBackup("this file is not an encrypted pollwatch backup")
        self._buffer = bytearray()
        self._sequence = 0
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            self._buffer += self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _next_chunk(self) -> bytes:
        head = self._source.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise DamagedBackup("the encrypted backup is truncated (its last chunk is missing)")
        (length,) = _LENGTH.unpack(head)
        token = self._source.read(length) if length <= _MAX_TOKEN else b""
        if len(token) != length or not token:
            raise DamagedBackup("the encrypted backup is damaged (a chunk has a bad length or is cut short)")
        try:
            plain = self._fernet.decrypt(base64.urlsafe_b64encode(token))
        except InvalidToken:
            if self._sequence == 0:
                raise DamagedBackup(f"cannot decrypt the backup: {KEY_VARIABLE} is not the key it was made with, "
                                    "or the file is damaged") from None
            raise DamagedBackup(f"the encrypted backup is damaged (chunk {self._sequence} fails its "
                                "authentication)") from None
        sequence, last = _HEADER.unpack(plain[: _HEADER.size])
        if sequence != self._sequence:
            raise DamagedBackup(f"the encrypted backup is damaged (chunk {sequence} where {self._sequence} "
                                "belongs)")
        self._sequence += 1
        if last:
            self._ended = True
            if self._source.read(1):
                raise DamagedBackup("the encrypted backup is damaged (data after its last chunk)")
        return plain[_HEADER.size:]


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)
