"""A process killed (SIGKILL) at each step of a save or an export leaves the old output or the new
one, complete, never a third; what it leaves over is cleaned at the next write (SPEC 5, issue 11)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from socialmap.store import atomic, load_project, save_project
from tests.faults.conftest import FULL, digest, kill_at_each_step, leftovers, run_killed_at


# ------------------------------------------------------------------ the project file
def test_save_killed_at_each_step_leaves_old_or_new_and_the_next_save_cleans_up(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    changed = small_project.copy()
    changed.update_node("yp1", label="Changed")
    saved = {}

    def reset():
        save_project(small_project, path)  # also the next save: it must clean what the kill left
        assert leftovers(tmp_path, {"p.gpkg"}) == []
        saved["old"] = digest(path)

    outcomes = set()

    def check(k, steps):
        label = load_project(path).nodes["yp1"].label
        assert label in ("Robin", "Changed"), (k, steps)
        if label == "Robin":
            assert digest(path) == saved["old"], (k, steps)  # the old file, byte for byte
        outcomes.add(label)

    n = kill_at_each_step(lambda: save_project(changed, path), check, reset)
    assert n >= 3 and outcomes == {"Robin", "Changed"}  # fsync, rename, fsync of the folder


def test_save_killed_while_gdal_writes_leaves_the_old_bytes_and_a_temporary_the_next_save_removes(
        tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    before = digest(path)
    changed = small_project.copy()
    changed.update_node("yp1", label="Changed")
    killed, _ = run_killed_at(99, lambda: save_project(
        changed, path, _after_layers=lambda _tmp: os.kill(os.getpid(), signal.SIGKILL)))
    assert killed and digest(path) == before
    assert any(name.endswith(".saving.gpkg") for name in os.listdir(tmp_path))  # what SIGKILL leaves
    save_project(changed, path)
    assert leftovers(tmp_path, {"p.gpkg"}) == []
    assert load_project(path).nodes["yp1"].label == "Changed"


def test_stale_temporaries_of_a_live_process_or_another_file_are_left_alone(tmp_path, small_project):
    """Only certainly stale files are removed: not a live process's (a save in progress in another
    window), not another target's, not a user's file that merely looks alike."""
    path = tmp_path / "p.gpkg"
    live = tmp_path / f".p.gpkg.{os.getppid()}-{atomic._HOST}-abcdef.saving.gpkg"
    other = tmp_path / ".q.gpkg.999999-abcdef-abcdef.saving.gpkg"
    mine = tmp_path / ".p.gpkg.notes"
    for f in (live, other, mine):
        f.write_bytes(b"x")
    dead = tmp_path / f".p.gpkg.{_dead_pid()}-{atomic._HOST}-123456.saving.gpkg"
    dead.write_bytes(b"x")
    save_project(small_project, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["p.gpkg", live.name, other.name, mine.name])


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


# ------------------------------------------------------------------ the three ways of replacing
def _write_tree(files: dict[str, str]):
    def write(folder: Path):
        for name, text in files.items():
            (folder / name).write_text(text)
    return write


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "journalled-swap"])
def test_folder_output_killed_at_each_step(tmp_path, monkeypatch, exchange):
    """An output folder: after a kill at any step it holds the old tables or the new ones. With
    RENAME_EXCHANGE that is so at once; with the journalled swap (macOS, Windows), once the
    journal is replayed, which the next write into the folder does first."""
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "tables"
    states = {}

    def reset():
        atomic.remove(out)
        out.mkdir()
        (out / "nodes.csv").write_text("old")
        states["old"] = digest(out)

    reset()
    new_tree = {"nodes.csv": "new", "ties.csv": "new ties"}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    _write_tree(new_tree)(scratch)
    states["new"] = digest(scratch)
    atomic.remove(scratch)
    seen = set()

    def check(k, steps):
        if exchange:
            assert digest(out) in (states["old"], states["new"]), (k, steps)
        atomic.recover(tmp_path)
        now = digest(out)
        assert now in (states["old"], states["new"]), (k, steps)
        seen.add("old" if now == states["old"] else "new")
        atomic.write_folder(out, _write_tree({"nodes.csv": "next"}))  # the next export cleans up
        assert leftovers(tmp_path, {"tables"}) == []

    n = kill_at_each_step(lambda: atomic.write_folder(out, _write_tree(new_tree)), check, reset)
    assert seen == {"old", "new"} and n >= 4


def test_file_pair_killed_at_each_step_is_old_old_or_new_new(tmp_path):
    """The evidence pack and its figures: after a kill at any step, and the journal replayed (the
    next write into the folder), both are old or both new. Before the replay, a torn pair only
    ever exists with its journal beside it."""
    pdf, csv_ = tmp_path / "e.pdf", tmp_path / "e.csv"

    def reset():
        for f in os.listdir(tmp_path):
            atomic.remove(tmp_path / f)
        pdf.write_text("old pack")
        csv_.write_text("old figures")

    def action():
        atomic.write_files([(pdf, lambda p: p.write_text("new pack")),
                            (csv_, lambda p: p.write_text("new figures"))])

    seen = set()

    def check(k, steps):
        pair = (pdf.read_text(), csv_.read_text())
        journals = [f for f in os.listdir(tmp_path) if f.endswith(".sm-journal")]
        if pair not in (("old pack", "old figures"), ("new pack", "new figures")):
            assert journals, (k, steps, pair)
        atomic.recover(tmp_path)
        pair = (pdf.read_text(), csv_.read_text())
        assert pair in (("old pack", "old figures"), ("new pack", "new figures")), (k, steps)
        seen.add(pair[0])
        atomic.write_files([(pdf, lambda p: p.write_text("x")), (csv_, lambda p: p.write_text("y"))])
        assert leftovers(tmp_path, {"e.pdf", "e.csv"}) == []

    n = kill_at_each_step(action, check, reset)
    assert seen == {"old pack", "new pack"} and n >= 6


def test_a_kill_during_the_replay_is_replayed_again(tmp_path):
    """Recovery is itself safe to interrupt: its moves are the same renames, repeated."""
    pdf, csv_ = tmp_path / "e.pdf", tmp_path / "e.csv"
    pdf.write_text("old pack")
    csv_.write_text("old figures")

    def action():
        atomic.write_files([(pdf, lambda p: p.write_text("new pack")),
                            (csv_, lambda p: p.write_text("new figures"))])

    # kill just after the commit (the journal in place, no file moved yet)
    commit = None
    for k in range(20):
        for f in os.listdir(tmp_path):
            if f not in ("e.pdf", "e.csv"):
                atomic.remove(tmp_path / f)
        pdf.write_text("old pack")
        csv_.write_text("old figures")
        killed, steps = run_killed_at(k, action)
        if steps and steps[-1].startswith("rename e.pdf"):
            commit = k
            break
    assert commit is not None
    killed, _ = run_killed_at(0, lambda: atomic.recover(tmp_path))  # the replay killed at its first move
    assert killed
    atomic.recover(tmp_path)
    assert (pdf.read_text(), csv_.read_text()) == ("new pack", "new figures")
    assert leftovers(tmp_path, {"e.pdf", "e.csv"}) == []


# ------------------------------------------------------------------ real exports
@pytest.mark.parametrize("fmt,out_name", [
    ("csv", "tables"), ("evidence", "e.pdf"), ("graphml", "g.graphml"),
    *([("geojson", "layers"), ("gexf", "g.gexf"), ("html", "map.html"), ("report", "r.pdf")] if FULL else [])])
def test_real_export_killed_at_each_step(tmp_path, small_project, fmt, out_name):
    """Each kind of output (a folder, a pair, a file) through export_project, killed at each step,
    with the previous output there (``--force``): old or new, and nothing left after the next."""
    from socialmap.interchange.exporting import export_project

    out = tmp_path / out_name
    kw = {"org": "o1"} if fmt == "evidence" else {}
    export_project(small_project, fmt, out, overwrite=True, **kw)
    companions = [out, out.with_suffix(".csv")] if fmt == "evidence" else [out]
    old = [digest(p) for p in companions]
    kept = tmp_path.parent / f"{tmp_path.name}-old"
    kept.mkdir()
    for p in companions:
        os.replace(p, kept / p.name)
    changed = small_project.copy()
    changed.update_node("o1", label="Renamed College", employees_local=80)
    seen = set()

    def reset():  # the old output back, byte for byte, and nothing else
        for f in os.listdir(tmp_path):
            atomic.remove(tmp_path / f)
        for p in companions:
            if (kept / p.name).is_dir():
                import shutil

                shutil.copytree(kept / p.name, p)
            else:
                (p).write_bytes((kept / p.name).read_bytes())
        assert [digest(p) for p in companions] == old

    def check(k, steps):
        atomic.recover(tmp_path)
        now = [digest(p) for p in companions]
        assert all(d is not None for d in now), (k, steps)
        if now == old:
            seen.add("old")
        else:
            assert all(a != b for a, b in zip(now, old, strict=True)) or fmt != "evidence", (k, steps)
            seen.add("new")

    def action():
        export_project(changed, fmt, out, overwrite=True, **kw)

    if FULL:
        kill_at_each_step(action, check, reset)
        assert seen == {"old", "new"}
        return
    # in ``make test``: the step that would tear the output (every step is covered above, on the
    # replacement functions all exports use; ``make fuzz`` runs each export killed at every step)
    reset()
    _, steps = run_killed_at(10_000, action)
    risky = next((i for i, label in enumerate(steps) if label == "rename e.csv"), None)  # between the pair
    if risky is None:
        risky = next(i for i, label in enumerate(steps) if label.startswith(("exchange ", "rename ")))
    commit = next((i for i, label in enumerate(steps) if label == "commit journal"), risky)
    for k in sorted({commit, risky, len(steps) - 1}):
        reset()
        killed, _ = run_killed_at(k, action)
        assert killed
        check(k, steps[:k])
    assert seen == {"old", "new"}
