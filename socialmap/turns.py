"""Letting a waiting thread have Python's lock between the pieces of long work.

Long passes over a city are cut into pieces so that another thread (the window's UI thread)
can run between them. CPython gives its lock to a waiting thread when the thread holding it is
asked to drop it, and the waiting thread asks only after a switch interval (5 ms) in which the
lock did not change hands. Many numpy calls let go of the lock and take it back at once (a take
of an array of objects by an index array, among others), and each of those counts as a change
of hands: the waiting thread then never asks, and the job, still running on its core, takes the
lock back before the waiting thread wakes. Measured on the 2-core machine (``docs/performance.md``,
"Taking turns with Python's lock"): a job of such takes in pieces of 10,000 kept a thread that
slept 1 ms at a time out for 140-190 ms at once; with :func:`let_others_run` between the pieces,
2 ms at most, for 5% more time. Opening a city in the window held its UI thread 80-170 ms so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence

#: How long the job sleeps between two pieces (s).
HANDOVER_S = 0.0001


def let_others_run() -> None:
    """Between two pieces of long work: a thread waiting for Python's lock gets it now (the lock
    is let go for a system call, long enough for the waiting thread to take it; about 50
    microseconds when none waits)."""
    time.sleep(HANDOVER_S)


def positions(ids: Sequence[Hashable], piece: int,
              between: Callable[[], None] | None = None) -> dict[Hashable, int]:
    """``{id: position}`` of ``ids``, made ``piece`` ids at a time with ``between`` (by default
    :func:`let_others_run`) after each piece: one ``dict(zip(...))`` over a city's 391,000 tie
    keys is a single C call that holds Python's lock 0.1-1 s. An id given twice keeps its last
    position, as in one ``dict(zip(...))``.

    >>> positions(["a", "b", "c", "b"], 2, between=lambda: None)
    {'a': 0, 'b': 3, 'c': 2}
    """
    turn = let_others_run if between is None else between
    out: dict[Hashable, int] = {}
    for start in range(0, len(ids), piece):
        part = ids[start:start + piece]
        out.update(zip(part, range(start, start + len(part)), strict=True))
        turn()
    return out
