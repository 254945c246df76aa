"""Saving a project from a process of its own, so the window never waits for the writing.

GDAL (through pyogrio) writes a GeoPackage layer in C calls that hold Python's lock from start
to end: saving a city of 100,000 young people from the window's job thread stopped its UI
thread for 0.2-0.6 s at a time (pieces of 5,000 nodes each one call; far worse on a busy
machine), against SPEC 10's 100 ms (since then the nodes' and ties' rows go in through SQLite,
:mod:`socialmap.store.direct`, which lets go of the lock at each statement; GDAL still writes the
areas and the layers' schema). :func:`save_in_subprocess` hands the project to a fresh
Python process (``python -m socialmap.store.writer``), which writes it with
:func:`socialmap.store.save_project_file` exactly as the window did (the same atomic replace,
the same file, plain or encrypted) while this process only sends it the records.

The records go down the child's standard input as frames: 8 bytes of length (little-endian)
and a pickle, each of at most :data:`NODES_PER_FRAME` nodes or :data:`TIES_PER_FRAME` ties,
so no single call here holds the lock long. The passphrase of an encrypted project travels
the same pipe (never the command line or the environment). The child answers with one frame:
``("ok",)`` or ``("error", kind, message)``; an error is raised here as a
:class:`~socialmap.errors.ProjectFileError` with the child's one-line message, and a child
that stops without answering gives one too. Either way the previous file is as it was (the
child writes beside it and replaces it only when complete: :mod:`socialmap.store.atomic`).

Pickle is used between this process and a child it started itself, over a private pipe: no
data from elsewhere is ever unpickled.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import tempfile
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from socialmap.errors import ProjectFileError
from socialmap.model.project import NODE_FIELDS, Area, Node, Project, Tie

#: Records per frame (each frame is one ``pickle.dumps``, a call that holds Python's lock).
NODES_PER_FRAME = 2_000
TIES_PER_FRAME = 10_000
_TIE_FIELDS = tuple(f.name for f in fields(Tie))
_AREA_FIELDS = tuple(f.name for f in fields(Area))
_LENGTH = struct.Struct("<Q")


class PackedProject:
    """A project as the pickled frames that carry it to the saving process (see the module
    text): what the window's save job takes of the project while edits wait, in place of a
    copy. A copy of a city took as long to make, and as a job let go of it, freeing its half a
    million records was one call that held Python's lock 0.3-3.7 s; these are a few hundred
    byte strings (about 40 MB at 100,000 young people, a copy about 300 MB)."""

    def __init__(self, project: Project) -> None:
        from socialmap.collection import collection_paused

        # the frames' tuples are freed as each frame is pickled and form no cycles: without the
        # pause, the collections their allocations set off walked every object the window had
        # made since opening (40-50 ms each at 100,000 young people, Python's lock held)
        with collection_paused():
            self.frames = [pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL) for f in _frames(project)]
        self.records = len(project.nodes) + len(project.ties)


def _frames(project: Project):
    """The frames that carry ``project`` (see the module text), one at a time (after "begin")."""
    yield ("areas", [attrgetter(*_AREA_FIELDS)(a) for a in project.areas.values()])
    nodes = list(project.nodes.values())
    fields = attrgetter(*NODE_FIELDS)
    for start in range(0, len(nodes), NODES_PER_FRAME):
        yield ("nodes", [fields(n) for n in nodes[start:start + NODES_PER_FRAME]])
    del nodes
    ties = list(project.ties.values())
    tie_fields = attrgetter(*_TIE_FIELDS)
    for start in range(0, len(ties), TIES_PER_FRAME):
        yield ("ties", [tie_fields(t) for t in ties[start:start + TIES_PER_FRAME]])
    del ties
    yield ("rest", project.settings, project.scenarios, project.snapshots)
    yield ("end",)


def _write_frame(stream: BinaryIO, value: Any) -> None:
    data = value if isinstance(value, bytes) else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def _read_frame(stream: BinaryIO) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the stream ended")
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    if len(data) < length:
        raise EOFError("the stream ended inside a frame")
    return pickle.loads(data)


def _child_env() -> dict[str, str]:
    """This environment, with the folder holding this ``socialmap`` package first on the
    child's path (the window may have been started from anywhere)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


def save_in_subprocess(project: Project | PackedProject, path: str | os.PathLike, passphrase: str | None = None) -> None:
    """Save ``project`` (or a :class:`PackedProject`) to ``path`` (encrypted under ``passphrase``,
    or a plain GeoPackage) as :func:`socialmap.store.save_project_file` does, the writing done by
    a child process (see the module text). Raises :class:`ProjectFileError` with a one-line
    reason."""
    path = str(path)
    frames = project.frames if isinstance(project, PackedProject) else _frames(project)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "socialmap.store.writer"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=errors, env=_child_env())
        with child:  # its pipes closed and the child waited for, whatever happens
            assert child.stdin is not None and child.stdout is not None
            try:
                try:
                    _write_frame(child.stdin, ("begin", path, passphrase))
                    for frame in frames:
                        _write_frame(child.stdin, frame)
                    child.stdin.close()
                except BrokenPipeError:  # the child stopped early: its answer (or its exit code) says why
                    try:
                        child.stdin.close()  # what is left unsent is dropped (the pipe is closed either way)
                    except BrokenPipeError:
                        pass
                try:
                    answer = _read_frame(child.stdout)
                except (EOFError, pickle.UnpicklingError):
                    answer = None
                code = child.wait()
            finally:
                if child.poll() is None:
                    child.kill()
        if answer is None or answer[0] != "ok":
            if answer is not None and answer[0] == "error":
                raise ProjectFileError(answer[2])
            errors.seek(0)
            last = (errors.read().decode("utf-8", "replace").strip().splitlines() or [""])[-1]
            why = f"the saving process stopped (exit code {code}{': ' + last if last else ''})"
            unchanged = "the previous file is unchanged" if Path(path).exists() else "nothing was written"
            raise ProjectFileError(f"{path}: cannot be saved: {why}; {unchanged}")


def _receive(stream: BinaryIO) -> tuple[Project, str, str | None]:
    """The project the parent sends (frames of :func:`_frames`), its path and passphrase."""
    kind, path, passphrase = _read_frame(stream)
    if kind != "begin":
        raise ProjectFileError("the saving process was sent no project")
    project = Project()
    while True:
        frame = _read_frame(stream)
        if frame[0] == "areas":
            project.areas = {fields[0]: Area(*fields) for fields in frame[1]}
        elif frame[0] == "nodes":
            project.nodes.update((fields[0], Node(*fields)) for fields in frame[1])
        elif frame[0] == "ties":
            for fields in frame[1]:
                tie = Tie(*fields)
                project.ties[tie.key] = tie
        elif frame[0] == "rest":
            project.settings, project.scenarios, project.snapshots = frame[1], frame[2], frame[3]
        elif frame[0] == "end":
            return project, path, passphrase


def main() -> int:
    """The child: read the project from standard input, save it, answer on standard output."""
    import gc

    gc.disable()  # records in bulk, no cycles (as the store's own loading and saving)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    path = "the project"
    try:
        project, path, passphrase = _receive(stdin)
        from socialmap.store import save_project_file

        save_project_file(project, path, passphrase)
        answer: tuple = ("ok",)
    except ProjectFileError as exc:
        answer = ("error", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - a reason for the window, never a traceback
        from socialmap.errors import SocialMapError

        text = str(exc) if isinstance(exc, SocialMapError) else f"{path}: cannot be saved ({type(exc).__name__}: {exc})"
        answer = ("error", type(exc).__name__, text)
    _write_frame(stdout, answer)
    stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
