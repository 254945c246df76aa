"""Faults of the machine while writing: a full disk, a read-only disk, EIO on fsync, a vanished
folder. Each is one line naming the file and the cause, exit 2, the previous file byte for byte as
it was, and no temporary file left (issue 11, deliverable 1)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socialmap.cli import main
from socialmap.store import save_project
from tests.faults.conftest import FULL, digest, leftovers


def _can_mount() -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return True


@pytest.fixture
def tiny_disk(tmp_path):
    """A tmpfs of a chosen size mounted at a folder (Linux, as root); skipped where not permitted.
    Returns ``mount(size_kib) -> Path``; everything is unmounted afterwards."""
    mounted = []

    def mount(size_kib: int, name: str = "disk") -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0777", "tmpfs", str(point)],
                              capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    if not _can_mount():
        pytest.skip("mounting a small file system needs Linux and root")
    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


def _used_kib(path: Path) -> int:
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize // 1024


# ------------------------------------------------------------------ the project file
@pytest.mark.parametrize("free_kib", [8, 64, 160])
def test_a_full_disk_while_saving_keeps_the_old_project(tiny_disk, small_project, capsys, free_kib):
    """``sample --force`` over a project on a disk with 8, 64 or 160 KiB left: exit 2, one line
    'the disk is full', the old file unchanged, nothing left beside it."""
    probe_disk = tiny_disk(4096, "measure")
    save_project(small_project, probe_disk / "p.gpkg")
    size_kib = _used_kib(probe_disk) + free_kib
    disk = tiny_disk(size_kib)
    path = disk / "p.gpkg"
    shutil.copyfile(probe_disk / "p.gpkg", path)
    before = digest(path)
    assert main(["sample", str(path), "--force"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"socialmap: {path}: cannot be saved: ")
    assert "the disk is full" in line and line.endswith("the previous file is unchanged")
    assert digest(path) == before and leftovers(disk, {"p.gpkg"}) == []


def test_a_full_disk_on_import_into_keeps_the_project(tiny_disk, small_project, tmp_path, capsys):
    measure = tiny_disk(4096, "measure")
    save_project(small_project, measure / "p.gpkg")
    disk = tiny_disk(_used_kib(measure) + 24)
    path = disk / "p.gpkg"
    shutil.copyfile(measure / "p.gpkg", path)
    before = digest(path)
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,kind,label,area_code\nnew1,young_person,Alex,A1\n")
    ties = tmp_path / "ties.csv"
    ties.write_text("a,b,type\nnew1,yp1,friend\n")
    assert main(["import", "csv", "--nodes", str(nodes), "--ties", str(ties), "--into", str(path)]) == 2
    assert "the disk is full" in _one_line(capsys.readouterr().err)
    assert digest(path) == before and leftovers(disk, {"p.gpkg"}) == []


def test_a_read_only_disk(tiny_disk, small_project, capsys):
    disk = tiny_disk(2048)
    path = disk / "p.gpkg"
    save_project(small_project, path)
    (disk / "tables").mkdir()
    before = digest(path)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    assert main(["sample", str(path), "--force"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "the disk is read-only" in line and str(path) in line
    assert main(["export", "csv", str(path), str(disk / "tables"), "--force"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"socialmap: {disk / 'tables'}: cannot be written: the disk is read-only")
    assert digest(path) == before


def test_eio_on_fsync_keeps_the_old_project(tmp_path, small_project, monkeypatch, capsys):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    before = digest(path)

    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    assert main(["sample", str(path), "--force"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "input/output error" in line and line.endswith("the previous file is unchanged")
    monkeypatch.undo()
    assert digest(path) == before and leftovers(tmp_path, {"p.gpkg"}) == []


def test_a_folder_that_vanishes_during_the_save(tmp_path, small_project):
    from socialmap.errors import ProjectFileError

    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(ProjectFileError, match=r"usb/p\.gpkg: cannot be saved: the folder or file vanished"):
        save_project(small_project, folder / "p.gpkg", _after_layers=lambda _tmp: shutil.rmtree(folder))


# ------------------------------------------------------------------ every export
EXPORTS = [("graphml", "out.graphml"), ("gexf", "out.gexf"), ("geojson", "layers"), ("csv", "tables"),
           ("html", "map.html"), ("report", "report.pdf"), ("evidence", "e.pdf"),
           ("scenario-report", "scenario.pdf")]


#: in ``make test`` one of each way of writing (a file, a folder, a pair, a PDF); all in ``make fuzz``
QUICK = ("graphml", "csv", "evidence", "report")


@pytest.mark.parametrize("fmt,name", [e for e in EXPORTS if FULL or e[0] in QUICK],
                         ids=[f for f, _ in EXPORTS if FULL or f in QUICK])
def test_every_export_on_a_full_disk_keeps_the_previous_output(tiny_disk, tmp_path, small_project, capsys,
                                                               fmt, name):
    """Each export with ``--force`` onto a disk too small for a second copy: one line, exit 2, the
    earlier output (both files of an evidence pack) as it was, no temporary file."""
    project = tmp_path / "p.gpkg"
    save_project(small_project, project)
    extra = {"evidence": ["--org", "o1"], "scenario-report": ["--decommission", "s1"]}.get(fmt, [])
    measure = tiny_disk(8192, "measure")
    assert main(["export", fmt, str(project), str(measure / name), *extra]) == 0
    capsys.readouterr()
    disk = tiny_disk(_used_kib(measure) + 4)
    out = disk / name
    assert main(["export", fmt, str(project), str(out), *extra]) == 0
    capsys.readouterr()
    outputs = [out, out.with_suffix(".csv")] if fmt == "evidence" else [out]
    before = [digest(p) for p in outputs]
    assert main(["export", fmt, str(project), str(out), "--force", *extra]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"socialmap: {out}: cannot be written: the disk is full"), line
    assert line.endswith("the previous output is unchanged")
    assert [digest(p) for p in outputs] == before
    assert leftovers(disk, {p.name for p in outputs}) == []


def test_a_simulated_small_disk_without_root(tmp_path, small_project):
    """Where no file system can be mounted: a process whose files may not grow past 64 KiB
    (RLIMIT_FSIZE, the shell's ``ulimit -f``) gets EFBIG as a small disk gives ENOSPC."""
    resource = pytest.importorskip("resource")
    import signal

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    before = digest(path)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "socialmap", "sample", str(path), "--force"],
                          capture_output=True, text=True, preexec_fn=limit, env=env, timeout=300)
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert str(path) in line and "cannot be saved" in line and "unchanged" in line
    assert digest(path) == before and leftovers(tmp_path, {"p.gpkg"}) == []
