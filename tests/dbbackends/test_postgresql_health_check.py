"""PostgreSQL connections persist; the check that a kept connection still works reads its socket instead of
sending ``SELECT 1`` (a round trip on every request, pollwatch.dbbackends.postgresql)."""

from __future__ import annotations

import time

import pytest
from django.db import close_old_connections, connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connection check; SQLite connections are always usable")


def test_a_live_connection_is_usable_without_a_query(on_postgresql, monkeypatch):
    connection.ensure_connection()

    def round_trip(self):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", round_trip)
    assert connection.is_usable()


def _terminate(pid: int) -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_connection_the_server_closed_is_dropped_and_the_next_request_is_served(on_postgresql, client):
    connection.ensure_connection()
    _terminate(connection.connection.info.backend_pid)
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's FATAL message is on its way
    assert not connection.is_usable()
    # As after a PostgreSQL restart: the next request (which starts, as in production, by checking the connection
    # it keeps; Django's test client skips that step) gets a new connection, not an error.
    close_old_connections()
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["database"] == "ok"
