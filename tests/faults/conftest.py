"""Fault-injection harness: processes stopped at chosen steps, digests of files and folders.

:func:`kill_at_each_step` runs an action in a forked child that SIGKILLs itself at the k-th step
that changes the disk (each rename, fsync and deletion of :mod:`socialmap.store.atomic`, counted
through its ``step_hook``), for k = 0, 1, 2... until the action completes without reaching k.
After each kill the caller checks what the disk holds. Fork keeps each run at a few milliseconds
(the child inherits the imported libraries); the strace tests (``test_strace.py``) do the same at
the level of real system calls, on a fresh process.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from socialmap.store import atomic

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

#: ``make fuzz`` sets SOCIALMAP_FUZZ_CASES: then every export is killed at every step, and the
#: fuzz tests run thousands of cases instead of a few hundred.
FULL = int(os.environ.get("SOCIALMAP_FUZZ_CASES", "0") or 0) > 0


def digest(path: Path) -> str | None:
    """A digest of a file, or of a folder's names and contents; ``None`` when absent."""
    if not path.exists():
        return None
    h = hashlib.sha256()
    if path.is_dir():
        for entry in sorted(path.rglob("*")):
            h.update(str(entry.relative_to(path)).encode())
            if entry.is_file():
                h.update(entry.read_bytes())
        return "dir:" + h.hexdigest()
    h.update(path.read_bytes())
    return h.hexdigest()


def run_killed_at(step: int, action: Callable[[], object]) -> tuple[bool, list[str]]:
    """Run ``action`` in a child killed (SIGKILL) just before its ``step``-th disk step; returns
    (killed, the labels of the steps it reached)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        seen = [0]

        def hook(label: str) -> None:
            os.write(write, (label + "\n").encode())
            if seen[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            seen[0] += 1

        atomic.step_hook = hook
        code = 0
        try:
            action()
        except BaseException:  # noqa: BLE001 - reported through the exit status
            code = 3
        os._exit(code)
    os.close(write)
    chunks = []
    while True:
        data = os.read(read, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
        raise AssertionError(f"the action failed in the child (exit {os.WEXITSTATUS(status)})")
    return os.WIFSIGNALED(status), b"".join(chunks).decode().splitlines()


def kill_at_each_step(action: Callable[[], object], check: Callable[[int, list[str]], None],
                      reset: Callable[[], None], limit: int = 60) -> int:
    """For k = 0, 1, ...: ``reset()`` the disk, run ``action`` killed at step k, ``check(k, steps)``;
    stops after the first run that completes. Returns the number of steps seen."""
    for k in range(limit):
        reset()
        killed, steps = run_killed_at(k, action)
        check(k, steps if killed else [])
        if not killed:
            return k
    raise AssertionError(f"more than {limit} steps")


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name not in keep)
