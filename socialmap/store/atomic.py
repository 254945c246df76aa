"""Replacing files and folders so that a crash leaves the old version or the new one, never a third.

Every output SocialMap writes (the project file, each export, the evidence pack's PDF and CSV pair)
goes through this module:

- :func:`write_file`: the new file is written to a temporary file beside the target (same folder,
  so same disk), flushed to the disk (``fsync``), and moved over the target by one
  :func:`os.replace`, which POSIX and Windows make atomic; the folder is then flushed too.
- :func:`write_folder`: a folder output (the CSV tables, the GeoJSON layers) is written into a new
  folder beside the target, then the two are exchanged in one step (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``) and the old one deleted. Where the system cannot exchange two folders
  (macOS, Windows, some network disks), a journal (below) records the swap first, so an
  interruption between its two renames is finished at the next write.
- :func:`write_files`: several files replaced as a unit (the evidence pack and its figures). Two
  names cannot change in one system call, so the change is made durable first: every new file is
  written and flushed, then a small journal naming each ``temporary -> target`` move is written,
  flushed and renamed into place (that rename is the commit point), then the moves are made and the
  journal deleted. A crash before the commit point leaves the old pair (and temporary files that
  the next write removes); a crash after it leaves a journal, which the next write into that folder
  replays (:func:`recover`), completing the new pair. Ctrl-C and ``kill`` are held back during the
  moves (:func:`socialmap.faults.signals_deferred`), so only SIGKILL or a power cut can interrupt
  them.

Temporary files are named ``.TARGET.PID-HOST-RANDOM.KIND`` (KIND ``saving.gpkg``, ``part``,
``old``, ``sm-journal``). They are removed on every way out of a write, Ctrl-C and SIGTERM included
(:func:`socialmap.faults.terminate_as_interrupt`). What a SIGKILL or a power cut leaves is removed
by :func:`clean_stale` at the next write of the same target, and only when it is certainly stale:
the process that made it (same machine) no longer runs, or it is more than a day old.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from socialmap.faults import note_disk_state, signals_deferred

#: A temporary file older than this is stale whoever made it (no write takes a day).
STALE_AFTER_S = 24 * 3600
KINDS = ("saving.gpkg", "saving.smx", "part", "old", "sm-journal")
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[0-9a-f]{6}"
                   r"\.(?P<kind>saving\.gpkg|saving\.smx|part|old|sm-journal)(?P<side>-journal|-wal|-shm|\.part)?$")

#: Test hook: called with a label before each step that changes what is on disk (a rename, an
#: fsync, a deletion), so a test can stop the process at each one in turn. ``None`` in use.
step_hook: Callable[[str], None] | None = None


def _step(label: str) -> None:
    if step_hook is not None:
        step_hook(label)


def folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def temp_beside(target: Path, kind: str = "part") -> Path:
    """A fresh temporary name beside ``target`` (not created): ``.NAME.PID-HOST-RANDOM.KIND``."""
    if kind not in KINDS:
        raise ValueError(kind)
    return folder_of(target) / f".{target.name}.{os.getpid()}-{_HOST}-{secrets.token_hex(3)}.{kind}"


def _umask() -> int:
    # read without changing it where the system says it (setting it, even briefly, would race with
    # files other threads are creating)
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def usual_mode(full: int) -> int:
    """``full`` (0o666 for a file, 0o777 for a folder) less the umask: what a new output gets."""
    return full & ~_umask()


def fsync_path(path: Path) -> None:
    """Flush a file (or, on POSIX, a folder's entries) to the disk."""
    _step(f"fsync {path.name}")
    if path.is_dir():
        if os.name == "nt":  # folders cannot be opened for fsync on Windows
            return
        fd = os.open(path, os.O_RDONLY)
    else:
        fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file of a folder written for output, then the folder itself."""
    for entry in sorted(folder.rglob("*")):
        if entry.is_file():
            fsync_path(entry)
    fsync_path(folder)


def remove(path: Path) -> None:
    """Delete a file or folder if it is there (no error if it is not)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def remove_quietly(paths: Iterable[Path]) -> None:
    """Clean-up after a failure: delete each, ignoring errors (the failure is what is reported)."""
    for path in paths:
        try:
            remove(path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - no cheap test: keep until it is a day old
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except OSError:
        return True
    return True


def _stale(entry: Path, pid: int, host: str) -> bool:
    try:
        age = time.time() - entry.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_S:
        return True
    return host == _HOST and not _alive(pid)


def clean_stale(target: Path) -> list[Path]:
    """Remove what an earlier, killed write of ``target`` left beside it; returns what was removed.

    Only names this module makes (``.TARGET.PID-HOST-RANDOM.KIND``) are touched, and only when
    their process (on this machine) is gone or they are over a day old; a write in progress in
    another process is never disturbed. Journals are replayed (:func:`recover`) first.
    """
    folder = folder_of(target)
    recover(folder)
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or m["name"] != target.name or m["kind"] == "sm-journal":
            continue
        if _stale(entry, int(m["pid"]), m["host"]):
            try:
                remove(entry)
                removed.append(entry)
            except OSError:
                pass
    return removed


# ------------------------------------------------------------------ journals
def _write_journal(folder: Path, first: Path, content: dict[str, Any]) -> Path:
    """Write a journal durably and atomically; its appearance under its final name commits."""
    journal = temp_beside(first, "sm-journal")
    part = journal.with_name(journal.name + ".part")
    content = {**content, "pid": os.getpid(), "host": _HOST}
    with open(part, "x", encoding="utf-8") as fh:
        json.dump(content, fh)
        fh.flush()
        _step("fsync journal")
        os.fsync(fh.fileno())
    try:
        _step("commit journal")
        os.replace(part, journal)
        fsync_path(folder)
    except BaseException:
        remove_quietly([part])
        raise
    return journal


def _replay(folder: Path, journal: Path, content: dict[str, Any]) -> None:
    if content.get("kind") == "pair":
        for tmp_name, target_name in content["moves"]:
            tmp = folder / tmp_name
            if tmp.exists():
                _step(f"replay {target_name}")
                os.replace(tmp, folder / target_name)
        fsync_path(folder)
        for name in content.get("backups", ()):
            remove(folder / name)
    elif content.get("kind") == "swap":
        target, new, old = (folder / content[k] for k in ("target", "new", "old"))
        if not target.exists():
            if new.exists():
                os.rename(new, target)
            elif old.exists():
                os.rename(old, target)
        remove(old)
        remove(new)
    fsync_path(folder)
    journal.unlink()
    fsync_path(folder)


def recover(folder: Path) -> list[Path]:
    """Finish every interrupted multi-step replacement recorded by a journal in ``folder`` whose
    process is gone; returns the journals replayed. A journal that cannot be read was never
    committed (it is renamed into place only once complete) and is removed."""
    replayed = []
    try:
        entries = [e for e in folder.iterdir() if e.name.endswith((".sm-journal", ".sm-journal.part"))]
    except OSError:
        return replayed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or not _stale(entry, int(m["pid"]), m["host"]):
            continue
        if entry.name.endswith(".part"):
            remove_quietly([entry])
            continue
        try:
            content = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            remove_quietly([entry])
            continue
        _replay(folder, entry, content)
        replayed.append(entry)
    return replayed


# ------------------------------------------------------------------ files
def commit_file(tmp: Path, target: Path) -> None:
    """Move a complete temporary file over ``target`` durably: flush it, rename it, flush the folder."""
    fsync_path(tmp)
    with signals_deferred():
        _step(f"rename {target.name}")
        os.replace(tmp, target)
    try:
        fsync_path(folder_of(target))
    except OSError:  # the file is in place; a folder that cannot be flushed is not a failure
        pass


def write_file(target: Path, write: Callable[[Path], Any], *, mode: int | None = None,
               kind: str = "part") -> None:
    """``write(tmp)`` into a temporary file beside ``target``, then replace ``target`` with it.

    On any failure or interruption the temporary file is removed and ``target`` is as it was.
    ``mode`` is the new file's permissions (default: a new file's usual ones); ``kind`` ends the
    temporary file's name (``saving.smx`` for an encrypted project).
    """
    write_files([(target, write)], mode=mode, kind=kind)


def write_files(outputs: list[tuple[Path, Callable[[Path], Any]]], *, mode: int | None = None,
                kind: str = "part") -> None:
    """Several files replaced as a unit (the module docstring explains the journal)."""
    if not outputs:
        return
    targets = [Path(t) for t, _ in outputs]
    for target in targets:
        clean_stale(target)
    temps: list[Path] = []
    backups: dict[Path, Path] = {}
    try:
        for target, (_, write) in zip(targets, outputs, strict=True):
            tmp = temp_beside(target, kind)
            temps.append(tmp)
            with open(tmp, "xb"):
                pass
            write(tmp)
            os.chmod(tmp, usual_mode(0o666) if mode is None else mode)
            fsync_path(tmp)
        if len(targets) == 1:
            commit_file(temps[0], targets[0])
            return
        folder = folder_of(targets[0])
        if any(folder_of(t).resolve() != folder.resolve() for t in targets):
            raise ValueError("files replaced as a unit must be in one folder")
        # the old versions are kept aside (a hard link: no copy) until the end, so that a move
        # failing with an error (not a crash) can give every target back as it was
        for target in targets:
            if target.exists():
                backup = temp_beside(target, "old")
                _keep_aside(target, backup)
                backups[target] = backup
        journal = _write_journal(folder, targets[0], {
            "kind": "pair", "moves": [[tmp.name, t.name] for tmp, t in zip(temps, targets, strict=True)],
            "backups": [b.name for b in backups.values()]})
    except BaseException as exc:
        note_disk_state(exc, targets[0])
        remove_quietly([*temps, *backups.values()])
        raise
    # committed: from here on a crash leaves a journal that completes the new files
    moved: list[Path] = []
    try:
        with signals_deferred():
            for tmp, target in zip(temps, targets, strict=True):
                _step(f"rename {target.name}")
                os.replace(tmp, target)
                moved.append(target)
    except BaseException:
        for target in reversed(moved):  # an error, not a crash: give the old versions back
            try:
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    target.unlink()
            except OSError:
                pass
        remove_quietly([*temps, *backups.values(), journal])
        raise
    try:
        fsync_path(folder)
        _step("remove journal")
        journal.unlink()
        fsync_path(folder)
    except OSError:  # the files are in place; a leftover journal is replayed harmlessly later
        pass
    remove_quietly(backups.values())


def _keep_aside(target: Path, backup: Path) -> None:
    """``backup`` as a second name of ``target`` (a hard link), or a copy where links are not
    supported (FAT and exFAT memory sticks)."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


# ------------------------------------------------------------------ folders
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where not supported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(number, os.strerror(number), str(b))


def write_folder(target: Path, write: Callable[[Path], Any]) -> None:
    """``write(tmp)`` into a new folder beside ``target``, then swap it in (module docstring)."""
    target = Path(target)
    clean_stale(target)
    folder = folder_of(target)
    tmp = temp_beside(target, "part")
    try:
        tmp.mkdir()
        write(tmp)
        os.chmod(tmp, usual_mode(0o777))
        fsync_tree(tmp)
    except BaseException as exc:
        note_disk_state(exc, target)
        remove_quietly([tmp])
        raise
    if not target.exists():
        try:
            with signals_deferred():
                _step(f"rename {target.name}")
                os.rename(tmp, target)
            fsync_path(folder)
        except BaseException:
            remove_quietly([tmp])
            raise
        return
    try:
        with signals_deferred():
            _step(f"exchange {target.name}")
            swapped = _exchange(tmp, target)
    except BaseException:
        remove_quietly([tmp])
        raise
    if swapped:  # tmp now holds the old output
        try:
            fsync_path(folder)
        except OSError:
            pass
        remove_quietly([tmp])
        return
    old = temp_beside(target, "old")
    try:
        journal = _write_journal(folder, target, {"kind": "swap", "target": target.name, "new": tmp.name,
                                                  "old": old.name})
    except BaseException:
        remove_quietly([tmp])
        raise
    with signals_deferred():
        _step(f"rename aside {target.name}")
        os.rename(target, old)
        _step(f"rename {target.name}")
        os.rename(tmp, target)
    try:
        fsync_path(folder)
        _step("remove journal")
        journal.unlink()
        fsync_path(folder)
    except OSError:
        pass
    remove_quietly([old])
