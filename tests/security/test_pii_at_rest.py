"""Observers' phones are encrypted at rest (Fernet), readable through the ORM, and survive a key rotation."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from pollwatch.missions.models import Observer

pytestmark = pytest.mark.django_db


def _stored_phone(observer) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM missions_observer WHERE id = %s", [observer.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_phone_number_in_clear(world):
    observer = world.observers["CIS-001"]
    stored = _stored_phone(observer)
    assert "+7900000001" not in stored and stored.startswith("fernet:")
    assert Observer.objects.get(pk=observer.pk).phone == "+7900000001"
    assert list(Observer.objects.filter(pk=observer.pk).values_list("phone", flat=True)) == ["+7900000001"]


def test_a_new_key_first_then_rotation_then_the_old_key_dropped_keeps_every_phone(world, settings):
    from pollwatch.accounts.fields import pii_keys

    quiet = io.StringIO()
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.POLLWATCH_PII_KEYS = ",".join([old, *pii_keys()])  # from the laptop's derived key to a real one
    call_command("rotate_pii_keys", stdout=quiet)
    observer = world.observers["ODI-001"]
    settings.POLLWATCH_PII_KEYS = f"{new},{old}"
    call_command("rotate_pii_keys", stdout=quiet)
    assert "re-encrypted: 3 observers" in quiet.getvalue()
    settings.POLLWATCH_PII_KEYS = new
    assert Observer.objects.get(pk=observer.pk).phone == "+4790000001"
    settings.POLLWATCH_PII_KEYS = old  # the dropped key no longer opens it
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Observer.objects.get(pk=observer.pk)
