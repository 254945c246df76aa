"""Faults of the environment as one line each: the one place that turns OS, SQLite and GDAL errors
into a reason a person can act on.

A full disk, a quota, a read-only medium, a permission, a failing disk (EIO on a write or an
``fsync``), a folder that vanished while a file was written into it: each reaches the user as
``FILE: cannot be written: the disk is full (no space left on device); the previous file is
unchanged``, exit status 2, never as ``internal error: DataSourceError: Failed to commit
transaction``. Every writer (the project save, every export, the CSV bundle) and the command line's
last resort go through :func:`fault` / :func:`guard`, so the wording and the mapping live here only.

Where the error says why (``errno`` of an :class:`OSError`, the result code of an
:class:`sqlite3.Error`, the text GDAL passes on: "No space left on device", "database or disk is
full"...), that reason is given. GDAL often reports only that a commit or a feature failed; then
the target's file system is asked (:func:`probe`): no free space, mounted read-only, or not
writable by this user. Only when none of those explains it is GDAL's own text shown.

Signals: :func:`terminate_as_interrupt` makes SIGTERM (and SIGHUP) raise :class:`Terminated`, a
:class:`KeyboardInterrupt`, so that the clean-up of temporary files that Ctrl-C already runs (the
``except BaseException`` and ``finally`` blocks of :mod:`socialmap.store.atomic`) runs for a
``kill`` too. SIGKILL cannot be caught: what it leaves is removed at the next save
(:func:`socialmap.store.atomic.clean_stale`).
"""

from __future__ import annotations

import errno
import os
import re
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from socialmap.errors import ProjectFileError

#: ``errno`` -> the cause in plain words (the system's own name in brackets is added by :func:`cause`).
ERRNO_CAUSES: dict[int, str] = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EIO: "the disk reported an input/output error (it may be failing or was disconnected)",
    errno.ENOENT: "the folder or file vanished while it was being written",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EFBIG: "the file is larger than the disk or the system allows",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open on the system",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EBUSY: "the file is in use by another program",
    errno.ETXTBSY: "the file is in use by another program",
    errno.EXDEV: "the temporary file and the target are on different disks",
    errno.ENOTEMPTY: "the folder is not empty",
    errno.EEXIST: "it already exists",
    errno.ESTALE: "the network share went away (stale file handle)",
    errno.ENXIO: "the device is not available",
    errno.ENODEV: "the device is not available",
    errno.ENOMEM: "out of memory",
    errno.ELOOP: "too many symbolic links",
}

#: Words GDAL and SQLite put in their messages, mapped to the same causes (lower case).
_TEXT_CAUSES: tuple[tuple[str, int], ...] = (
    ("no space left on device", errno.ENOSPC),
    ("database or disk is full", errno.ENOSPC),
    ("disk quota exceeded", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("readonly database", errno.EROFS),
    ("read-only database", errno.EROFS),
    ("permission denied", errno.EACCES),
    ("input/output error", errno.EIO),
    ("disk i/o error", errno.EIO),
    ("file too large", errno.EFBIG),
    ("no such file or directory", errno.ENOENT),
)

#: SQLite primary result codes (sqlite.org/rescode.html) of environment faults.
_SQLITE_CODES = {13: errno.ENOSPC, 10: errno.EIO, 8: errno.EROFS, 3: errno.EACCES, 14: errno.ENOENT}
#: ... and of a damaged file.
_SQLITE_DAMAGED = {11: "the file is damaged (SQLite: database disk image is malformed)",
                   26: "it is not a database file (damaged, or another kind of file)"}


class EnvironmentFault(ProjectFileError):
    """A file that could not be read or written for a reason of the machine, not of the data.

    ``path`` is the file, ``errno`` the cause's error number when known (``None`` otherwise).
    It is a :class:`ProjectFileError`, so the command line prints it as one line with exit 2 and
    the window shows it in a dialog.
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None, errno_: int | None = None):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.errno = errno_


def _gdal_error_types() -> tuple[type[BaseException], ...]:
    try:
        from pyogrio import errors as pe
    except ImportError:  # pragma: no cover - pyogrio is a dependency
        return ()
    return tuple(getattr(pe, n) for n in ("DataSourceError", "DataLayerError", "FeatureError", "FieldError",
                                          "GeometryError", "CRSError") if hasattr(pe, n))


def is_fault(exc: BaseException) -> bool:
    """True for an error that comes from the environment or a file's bytes rather than from a bug:
    an :class:`OSError`, an :class:`sqlite3.Error`, or an error GDAL passed on through pyogrio."""
    return isinstance(exc, (OSError, sqlite3.Error)) or isinstance(exc, _gdal_error_types())


def note_disk_state(exc: BaseException, path: str | os.PathLike | None) -> None:
    """Ask the disk why a write failed (:func:`probe`) while the failed write's temporary file is
    still there, and keep the answer on ``exc`` for :func:`cause`: once the temporary file is
    removed, a disk that was full no longer is. Done only when the error does not say why."""
    if isinstance(exc, Exception) and is_fault(exc) and errno_of(exc) is None \
            and getattr(exc, "_socialmap_errno", None) is None:
        try:
            exc._socialmap_errno = probe(path)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a probe must never hide the error it explains
            pass


def errno_of(exc: BaseException) -> int | None:
    """The error number behind ``exc`` (its own, its SQLite result code's, or the one its text names)."""
    seen = 0
    while exc is not None and seen < 5:
        noted = getattr(exc, "_socialmap_errno", None)
        if noted:
            return noted
        if isinstance(exc, OSError) and exc.errno:
            return exc.errno
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            if code is not None and (code & 0xFF) in _SQLITE_CODES:
                return _SQLITE_CODES[code & 0xFF]
        text = str(exc).lower()
        for words, number in _TEXT_CAUSES:
            if words in text:
                return number
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _damaged(exc: BaseException) -> str | None:
    if isinstance(exc, sqlite3.DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in _SQLITE_DAMAGED:
            return _SQLITE_DAMAGED[code & 0xFF]
        text = str(exc).lower()
        if "malformed" in text:
            return _SQLITE_DAMAGED[11]
        if "not a database" in text:
            return _SQLITE_DAMAGED[26]
    return None


def probe(path: str | os.PathLike | None) -> int | None:
    """Why a write into ``path``'s folder fails, asked of the file system: ENOSPC when (almost) no
    space is free, EROFS when it is mounted read-only, EACCES when this user may not write there,
    ENOENT when the folder is gone; ``None`` when none of these holds."""
    if path is None:
        return None
    folder = Path(path).parent if not Path(path).is_dir() else Path(path)
    folder = folder if str(folder) else Path(".")
    if not folder.exists():
        return errno.ENOENT
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    if st.f_flag & getattr(os, "ST_RDONLY", 1):
        return errno.EROFS
    if st.f_bavail * st.f_frsize < 64 * 1024:
        return errno.ENOSPC
    if not os.access(folder, os.W_OK):
        return errno.EACCES
    # the disk's own answer: a small file written, flushed and removed (a full disk, a quota or a
    # failing disk says so here even when statvfs looks fine)
    trial = folder / f".socialmap-probe-{os.getpid()}"
    try:
        with open(trial, "wb") as fh:
            fh.write(b"\0" * (128 * 1024))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return exc.errno
    finally:
        try:
            trial.unlink()
        except OSError:
            pass
    return None


_SQL = re.compile(r"sqlite3_exec\(.*?\) failed: ", re.S)


def gdal_text(exc: BaseException) -> str:
    """GDAL's message without the SQL statement it quotes, on one line."""
    text = _SQL.sub("", " ".join(str(exc).split()))
    return text[:240] + ("..." if len(text) > 240 else "")


def cause(exc: BaseException, path: str | os.PathLike | None = None, *, writing: bool = True) -> str:
    """The reason for ``exc`` in plain words, e.g. ``the disk is full (No space left on device)``;
    ``writing`` when the error came from writing ``path`` (then the disk may be asked why)."""
    damaged = _damaged(exc)
    if damaged:
        return damaged
    number = errno_of(exc)
    if number is None and writing and not isinstance(exc, OSError):
        number = probe(path)  # GDAL said only "Failed to commit transaction": ask the disk
    if number is not None:
        words = ERRNO_CAUSES.get(number)
        system = os.strerror(number)
        if words is None:
            return system
        return words if words.lower() == system.lower() else f"{words} ({system})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, sqlite3.Error):
        return f"SQLite: {gdal_text(exc)}"
    return f"GDAL: {gdal_text(exc) or type(exc).__name__}"


def fault(exc: BaseException, path: str | os.PathLike | None, action: str = "cannot be written",
          consequence: str | None = None) -> EnvironmentFault:
    """``exc`` as one line: ``PATH: ACTION: CAUSE[; CONSEQUENCE]``.

    ``path`` is the file the user asked for (not a temporary file beside it); ``consequence`` says
    what became of the previous file, e.g. ``the previous file is unchanged``.
    """
    where = str(path) if path is not None else (getattr(exc, "filename", None) or "")
    reason = cause(exc, path, writing=not action.endswith("read"))
    text = f"{where}: {action}: {reason}" if where else f"{action}: {reason}"
    if consequence:
        text += f"; {consequence}"
    return EnvironmentFault(text, path, errno_of(exc))


@contextmanager
def guard(path: str | os.PathLike, action: str = "cannot be written",
          consequence: str | None = None) -> Iterator[None]:
    """Within the block, an OS, SQLite or GDAL error becomes an :class:`EnvironmentFault` naming
    ``path`` (other errors, and our own, pass through unchanged)."""
    try:
        yield
    except EnvironmentFault:
        raise
    except Exception as exc:
        if not is_fault(exc):
            raise
        raise fault(exc, path, action, consequence) from exc


def last_resort(exc: BaseException) -> str | None:
    """The one line the command line prints for an environment fault that no writer caught
    (stdout on a full disk, a folder that vanished), or ``None`` when ``exc`` is not one."""
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to be read"
    if not is_fault(exc):
        return None
    path = getattr(exc, "filename", None)
    return str(fault(exc, path, "cannot be read or written" if path else "a file could not be read or written"))


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that clean-up code runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_terminated(signum, _frame):
    raise Terminated(signum)


def terminate_as_interrupt() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` in the main thread (a no-op elsewhere)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                if signal.getsignal(number) in (signal.SIG_DFL, None):
                    signal.signal(number, _raise_terminated)
            except (OSError, ValueError):  # pragma: no cover - not allowed here
                pass


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP for the few system calls of a commit (a pair of
    renames), so Ctrl-C or ``kill`` lands before or after them, never between. Only SIGKILL (or a
    power cut) can stop it midway; the journal of :mod:`socialmap.store.atomic` covers that."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:  # Windows: nothing to hold back with
        yield
        return
    wanted = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    old = block(signal.SIG_BLOCK, wanted)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, old)
