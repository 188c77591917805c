"""A process's children and command line from /proc (Linux): how the fault test and the soak benchmark find the
gunicorn workers and the derivation worker under ``pollwatch serve``."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, and so on."""
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) spent by ``pid`` and every descendant, live or already reaped — what a benchmark
    divides by its requests for a cost per request that the box's other load does not distort (wall-clock rates
    do)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in [pid, *descendants(pid)]:
        try:
            # Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are 14–17.
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / tick
