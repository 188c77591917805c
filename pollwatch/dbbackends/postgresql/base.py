"""Django's PostgreSQL backend, with a health check that costs no round trip.

Why: with persistent connections and ``CONN_HEALTH_CHECKS`` (pollwatch's default, so that a server restart does not
fail the next request of every web thread), Django checks each connection at the start of every request with a
``SELECT 1``. At the close-of-polls peak that was one of six round trips per stored report, a sixth of the web
worker's and of PostgreSQL's time per report (py-spy, bench/election_day.py).

A connection the server has closed (restart, ``pg_terminate_backend``, an idle timeout) has something to read: the
server's FATAL message, then end of file. A live idle connection has nothing. So the check asks the kernel whether
the socket is readable (``poll`` with no wait); only when it is — rare, and then usually a dead connection — does it
fall back to Django's ``SELECT 1``. What it cannot see, as Django's check could not either without a timeout, is a
network cut with no close: the request then fails (a 503, pollwatch.web.unavailable) and Django drops the connection.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base as postgresql_base


class DatabaseWrapper(postgresql_base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        # poll(), not select(): select() refuses descriptors above 1023, which a busy process reaches.
        poller = select.poll()
        try:
            poller.register(conn.fileno(), select.POLLIN)
            pending = poller.poll(0)  # readable, hung up or in error: anything but a quiet live socket
        except (OSError, ValueError):
            return False
        if not pending:
            return True
        return super().is_usable()
