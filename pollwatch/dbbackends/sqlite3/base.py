"""Django's SQLite backend with one queue for the write lock across every process of the installation.

Why: SQLite has one writer. A connection that finds the write lock taken sleeps in SQLite's busy handler, which
polls at growing intervals (1, 2, 5 … 100 ms), so under the close-of-polls peak the lock sat unused between
polls while web workers and the derivation worker waited (py-spy: web workers mostly inside ``BEGIN IMMEDIATE``).
Here every write transaction (``BEGIN IMMEDIATE``: pollwatch's transaction mode) first takes an exclusive
``flock`` on a file beside the database, after a lock shared by the threads of its process: the kernel wakes the
next waiter the instant the lock is released, and only one thread per process waits in the kernel.

The lock is held from ``BEGIN`` until ``COMMIT`` or ``ROLLBACK`` (or the connection's close), exactly as long as
SQLite's own write lock, so it adds no waiting that SQLite would not have imposed. A process that dies holding it
releases it (the kernel drops its locks). In-memory databases (the test suite) only use the thread lock.
"""

from __future__ import annotations

import fcntl
import os
import threading

from django.db.backends.sqlite3 import base as sqlite3_base


class WriterQueue:
    """The write lock of one database file: a thread lock per process, then ``flock`` across processes."""

    def __init__(self, lock_path: str | None):
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        self._threads.acquire()
        if self.lock_path is None:
            return
        try:
            if self._fd is None or self._pid != os.getpid():
                # After a fork the inherited descriptor shares its lock with the parent: open our own.
                self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self.lock_path is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(name: str, in_memory: bool) -> WriterQueue:
    with _queues_lock:
        queue = _queues.get(name)
        if queue is None:
            queue = _queues[name] = WriterQueue(None if in_memory else f"{name}-writer.lock")
        return queue


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    _holding_writer_lock = False

    def _writer_queue(self) -> WriterQueue:
        return writer_queue(str(self.settings_dict["NAME"]), self.is_in_memory_db())

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE":
            return super()._start_transaction_under_autocommit()
        queue = self._writer_queue()
        queue.acquire()
        self._holding_writer_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self) -> None:
        if self._holding_writer_lock:
            self._holding_writer_lock = False
            self._writer_queue().release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
