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

#: How long the job sleeps between two pieces (s).
HANDOVER_S = 0.0001


def let_others_run() -> None:
    """Between two pieces of long work: a thread waiting for Python's lock gets it now (the lock
    is let go for a system call, long enough for the waiting thread to take it; about 50
    microseconds when none waits)."""
    time.sleep(HANDOVER_S)
