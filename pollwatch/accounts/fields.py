"""Personal data encrypted at rest: a text field stored as a Fernet token (``cryptography``).

Keys: ``POLLWATCH_PII_KEYS`` (settings.POLLWATCH_PII_KEYS), comma-separated Fernet keys
(``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``). The first one
encrypts, every one decrypts (``MultiFernet``), so a key is rotated by putting a new key first, running
``pollwatch manage rotate_pii_keys`` (re-encrypts every value with the first key), then dropping the old key.
Without the setting, one key is derived from ``SECRET_KEY`` (a laptop install; production sets both).

A value that is not a token (a row written before encryption) is read as it is, so the migration that encrypts
existing rows can run at any time. Encrypted values cannot be filtered or ordered in SQL.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def pii_keys() -> tuple[str, ...]:
    configured = [k.strip() for k in getattr(settings, "POLLWATCH_PII_KEYS", "").split(",") if k.strip()]
    if configured:
        return tuple(configured)
    derived = base64.urlsafe_b64encode(hashlib.sha256(b"pollwatch-pii:" + settings.SECRET_KEY.encode()).digest())
    return (derived.decode(),)


def encrypt(value: str) -> str:
    return PREFIX + _fernet(pii_keys()).encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet(pii_keys()).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise ValueError("a personal-data value cannot be decrypted with POLLWATCH_PII_KEYS (wrong or dropped key)"
                         ) from None


def rotate(stored: str) -> str:
    """The value re-encrypted with the first key (also encrypts a plain value)."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + _fernet(pii_keys()).rotate(stored[len(PREFIX):].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text value encrypted at rest; the empty string stays empty (nothing to hide, and blank checks work)."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def to_python(self, value):
        return value if value is None or not isinstance(value, str) else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value))
