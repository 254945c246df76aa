"""Faults injected into real system calls of the ``socialmap`` command with ``strace -e inject``
(as SQLite's test harness does): ENOSPC on the writes, EIO on fsync, SIGTERM mid-save and SIGKILL
at a rename. Skipped where strace is not installed or may not trace (CI installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socialmap.store import atomic, load_project, save_project
from tests.faults.conftest import FULL, digest, leftovers

ROOT = Path(__file__).resolve().parents[2]


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    done = subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _strace_works(), reason="strace is not installed or cannot trace here")


def socialmap(args: list[str], inject: str, trace: str | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m socialmap ARGS`` under strace with one ``-e inject=`` rule."""
    syscall = trace or inject.split(":", 1)[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={syscall}", "-e",
                           f"inject={inject}", sys.executable, "-m", "socialmap", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


@pytest.fixture
def old_project(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    return path, digest(path)


@pytest.mark.parametrize("inject,cause", [
    ("pwrite64:error=ENOSPC:when=40+", "the disk is full"),
    ("fsync:error=EIO", "input/output error"),
    *([("pwrite64:error=EDQUOT:when=40+", "your disk quota is used up"),
       ("pwrite64:error=EIO:when=60+", "input/output error"),
       ("rename:error=EROFS", "the disk is read-only"),
       ("rename:error=EACCES", "permission denied")] if FULL else []),
])
def test_an_injected_write_error_is_one_line_and_the_old_project_stays(old_project, inject, cause):
    path, before = old_project
    done = socialmap(["sample", str(path), "--force"], inject)
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert line.startswith(f"socialmap: {path}: cannot be saved: ") and cause in line, line
    assert line.endswith("the previous file is unchanged")
    assert digest(path) == before and leftovers(path.parent, {"p.gpkg"}) == []


def test_sigterm_during_a_save_removes_the_temporary_file(old_project):
    """``kill`` (SIGTERM) while GDAL writes: the command stops with 143, says so, and leaves no
    ``.p.gpkg.*.saving.gpkg`` behind (Ctrl-C, SIGINT, goes the same way)."""
    path, before = old_project
    done = socialmap(["sample", str(path), "--force"], "pwrite64:signal=TERM:when=30")
    assert done.returncode == 143, done.stderr
    assert "interrupted" in _one_line(done.stderr)
    assert digest(path) == before and leftovers(path.parent, {"p.gpkg"}) == []


def test_sigkill_at_the_rename_leaves_the_old_project_and_the_next_save_cleans_up(old_project, small_project):
    path, before = old_project
    done = socialmap(["sample", str(path), "--force"], "rename:signal=KILL")
    assert done.returncode == -9
    assert digest(path) == before
    assert [n for n in os.listdir(path.parent) if n.endswith(".saving.gpkg")]  # what a kill leaves
    save_project(small_project, path)
    assert leftovers(path.parent, {"p.gpkg"}) == []


@pytest.mark.skipif(not FULL, reason="every step of every export: make fuzz")
@pytest.mark.parametrize("fmt,name,syscalls", [
    ("csv", "tables", ("renameat2", "rename", "unlink", "fsync")),
    ("evidence", "e.pdf", ("rename", "link", "unlink", "fsync")),
    ("graphml", "g.graphml", ("rename", "fsync")),
])
def test_every_export_killed_at_each_system_call(tmp_path, small_project, fmt, name, syscalls):
    """``export --force`` killed at the n-th rename (then unlink, fsync...) for n = 1, 2...: after
    the next write's recovery the outputs are the old ones or the new ones, complete."""
    from socialmap.interchange.exporting import export_project

    project = tmp_path / "p.gpkg"
    save_project(small_project, project)
    out = tmp_path / name
    extra = ["--org", "o1"] if fmt == "evidence" else []
    outputs = [out, out.with_suffix(".csv")] if fmt == "evidence" else [out]
    changed = small_project.copy()
    changed.update_node("o1", label="Renamed", employees_local=80)
    save_project(changed, tmp_path / "changed.gpkg")
    for syscall in syscalls:
        for n in range(1, 12):
            export_project(small_project, fmt, out, overwrite=True, org="o1" if extra else None)
            old = [digest(p) for p in outputs]
            done = socialmap(["export", fmt, str(tmp_path / "changed.gpkg"), str(out), "--force", *extra],
                             f"{syscall}:signal=KILL:when={n}")
            atomic.recover(tmp_path)
            now = [digest(p) for p in outputs]
            assert None not in now
            if fmt == "evidence":
                assert now == old or all(a != b for a, b in zip(now, old, strict=True)), (syscall, n)
            if done.returncode == 0:
                break
            assert done.returncode == -9, done.stderr
    load_project(project)
