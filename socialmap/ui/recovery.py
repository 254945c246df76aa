"""Autosave of a recovery copy and its offer after a crash.

While the application runs it keeps a ``session.lock`` file in the recovery
folder; a clean exit deletes the lock and the recovery copy. If the next start
finds a recovery copy and a lock left behind (the last session did not end
cleanly), it offers to restore the copy.

The recovery copy of an encrypted project is itself encrypted, under the
project's passphrase (``recovery.smx``); restoring it asks for the passphrase.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(base) / "recovery"
    path.mkdir(parents=True, exist_ok=True)
    return path


def recovery_file(encrypted: bool = False) -> Path:
    """Where the recovery copy goes: ``recovery.smx`` (encrypted) for an encrypted project."""
    return recovery_dir() / ("recovery.smx" if encrypted else "recovery.gpkg")


def _copies() -> list[Path]:
    return [recovery_file(False), recovery_file(True)]


def info_file() -> Path:
    return recovery_dir() / "recovery.json"


def lock_file() -> Path:
    return recovery_dir() / "session.lock"


def pending_recovery() -> dict | None:
    """What the last session left: {"path": original path or None, "saved": time} or None."""
    copies = [p for p in _copies() if p.exists()]
    if not (copies and lock_file().exists()):
        return None
    try:
        info = json.loads(info_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    newest = max(copies, key=lambda p: p.stat().st_mtime)
    info["recovery"] = str(newest)
    info["encrypted"] = newest.suffix == ".smx"
    return info


def start_session() -> None:
    lock_file().write_text(str(os.getpid()), encoding="utf-8")


def write_info(original: Path | None, saved_at: str) -> None:
    info_file().write_text(json.dumps({"path": str(original) if original else None, "saved": saved_at}),
                           encoding="utf-8")


def discard() -> None:
    """Delete the recovery copy (after a save, a clean exit or a refused offer)."""
    for f in (*_copies(), info_file()):
        try:
            f.unlink()
        except FileNotFoundError:
            pass


def end_session() -> None:
    discard()
    try:
        lock_file().unlink()
    except FileNotFoundError:
        pass
