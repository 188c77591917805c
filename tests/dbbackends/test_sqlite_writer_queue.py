"""SQLite's write lock is queued across processes (pollwatch.dbbackends.sqlite3): writers from several processes
exclude each other, none is refused, and a process that dies holding the lock does not block the others."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from pollwatch.dbbackends.sqlite3.base import WriterQueue


def _increment(lock_path: str, counter: str, times: int) -> None:
    queue = WriterQueue(lock_path)
    for _ in range(times):
        queue.acquire()
        try:
            # A read-modify-write with a pause inside: without mutual exclusion, increments are lost.
            value = int(Path(counter).read_text())
            time.sleep(0.0005)
            Path(counter).write_text(str(value + 1))
        finally:
            queue.release()


def _increment_with_inherited(queue: WriterQueue, counter: str) -> None:
    if queue._threads.locked():
        queue._threads.release()  # the thread that held it in the parent does not exist in the child
    queue.acquire()
    try:
        Path(counter).write_text(str(int(Path(counter).read_text()) + 1))
    finally:
        queue.release()


def _hold_forever(lock_path: str, ready) -> None:
    WriterQueue(lock_path).acquire()
    ready.set()
    time.sleep(60)


@pytest.fixture
def ctx():
    return multiprocessing.get_context("fork")


def test_writers_in_several_processes_and_threads_exclude_each_other(tmp_path, ctx):
    lock, counter = str(tmp_path / "db-writer.lock"), tmp_path / "counter"
    counter.write_text("0")
    procs = [ctx.Process(target=_increment, args=(lock, str(counter), 100)) for _ in range(4)]
    for p in procs:
        p.start()
    _increment(lock, str(counter), 100)  # and this process too, at the same time
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert int(counter.read_text()) == 500


def test_a_process_killed_while_holding_the_lock_releases_it(tmp_path, ctx):
    lock = str(tmp_path / "db-writer.lock")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(lock, ready))
    holder.start()
    assert ready.wait(10)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    counter = tmp_path / "counter"
    counter.write_text("0")
    _increment(lock, str(counter), 1)  # would hang if the dead process's lock were kept
    assert counter.read_text() == "1"


def test_a_forked_child_does_not_share_its_parents_lock(tmp_path, ctx):
    """gunicorn forks its workers: a descriptor inherited from the parent would share the parent's flock."""
    lock = str(tmp_path / "db-writer.lock")
    queue = WriterQueue(lock)
    queue.acquire()
    queue.release()  # the parent has opened its descriptor
    counter = tmp_path / "counter"
    counter.write_text("0")
    queue.acquire()
    child = ctx.Process(target=_increment_with_inherited, args=(queue, str(counter)))
    child.start()
    time.sleep(0.3)
    assert counter.read_text() == "0"  # the child waits for the parent's lock, though it inherited the fd
    queue.release()
    child.join(10)
    assert child.exitcode == 0 and counter.read_text() == "1"
