"""Small database helpers several apps need (kept below every app: it imports none of them)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import connection


def refresh_sqlite_statistics() -> bool:
    """On SQLite, run a sampled ``ANALYZE`` so the query planner knows the tables' sizes; False elsewhere.

    Why: without statistics SQLite guesses its query plans, and at election scale it guessed badly for the
    election-day rebuild's queries: a report's rebuild took 123 ms p50 before ``ANALYZE`` and 39 ms after at
    200,000 reports (723 and 532 ms at 1,000,000). ``analysis_limit`` samples each index, so the cost stays
    bounded (0.4 s at 200,000 reports). PostgreSQL's autovacuum does this by itself. The worker runs it at start
    and every ``SQLITE_ANALYZE_EVERY`` seconds; bulk loaders (the demo) after their writes.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return True


SQLITE_ANALYZE_EVERY = 600.0


_one_writer_per_process = threading.Lock()


@contextmanager
def one_sqlite_writer():
    """On SQLite, let one thread of this process at a time into a write transaction; elsewhere do nothing.

    Why: SQLite has a single writer, and a connection waiting for the write lock sleeps in SQLite's busy handler,
    which polls at growing intervals (1, 2, 5 … 100 ms). With several threads per web worker, every thread
    polled on its own and the lock went unused between polls; threads queued on a Python lock are woken the
    instant it is released, so only one connection per process polls SQLite."""
    if connection.vendor != "sqlite":
        yield
        return
    with _one_writer_per_process:
        yield
