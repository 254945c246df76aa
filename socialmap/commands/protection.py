"""``encrypt`` and ``decrypt``: a project protected with a passphrase, and a plain copy for QGIS
(:mod:`socialmap.store.encrypted`; the format in ``docs/encryption.md``)."""

from __future__ import annotations

import sys
from pathlib import Path

from socialmap.commands.common import (
    PASSPHRASE_ENV,
    check_output,
    new_passphrase,
    open_project_with_passphrase,
)
from socialmap.errors import InputError, Problem

#: Where ``encrypt`` of an already encrypted project reads the new passphrase.
NEW_PASSPHRASE_ENV = "SOCIALMAP_NEW_PASSPHRASE"
#: What ``decrypt`` warns about the plain copy it writes (also the GUI's confirmation).
PLAIN_COPY_WARNING = (
    "{out} is NOT encrypted: it holds young people's records (pseudonyms, ages, home areas, "
    "NEET status and ties) that anyone with the file can read; keep it on an encrypted drive "
    "and delete it when done"
)


def _named_from(project, old_path, out) -> None:
    """The files the project's settings name (basemap, reference layers) named from ``out``'s
    folder, as the copy is written there (socialmap.mapview.basemap.moved_settings)."""
    from socialmap.mapview.basemap import moved_settings

    project.settings.update(moved_settings(project.settings, old_path, out))


def cmd_encrypt(args) -> int:
    """Write an encrypted copy of a project (plain, or encrypted: then under a new passphrase)."""
    from socialmap.store import is_encrypted, save_project_file

    out = check_output(args.out, args.force)
    if out.suffix.lower() == ".gpkg":
        raise InputError(Problem("an encrypted project is not a GeoPackage: give the output a .smx name",
                                 file=str(out)))
    _refuse_same_file(args.project, out)
    was_encrypted = is_encrypted(args.project)
    project, _old = open_project_with_passphrase(args.project)
    passphrase = new_passphrase(out, variable=NEW_PASSPHRASE_ENV if was_encrypted else PASSPHRASE_ENV)
    _named_from(project, args.project, out)
    save_project_file(project, out, passphrase)
    print(f"socialmap: wrote {out}, encrypted (AES-256-GCM); without its passphrase nobody, SocialMap "
          f"included, can open it", file=sys.stderr)
    if not was_encrypted:
        print(f"socialmap: warning: the unencrypted {args.project} is still on disk; delete it once "
              f"{out} opens", file=sys.stderr)
    return 0


def cmd_decrypt(args) -> int:
    """Write a plain GeoPackage copy of an encrypted project, with a warning of what it holds."""
    from socialmap.store import is_encrypted, save_project_file

    out = check_output(args.out, args.force)
    if out.suffix.lower() == ".smx":
        raise InputError(Problem("the decrypted copy is a plain GeoPackage: give it a .gpkg name", file=str(out)))
    if not is_encrypted(args.project):
        if not Path(args.project).is_file():
            raise InputError(Problem("no such file", file=str(args.project)))
        raise InputError(Problem("the project is not encrypted (it is already a plain GeoPackage)",
                                 file=str(args.project)))
    _refuse_same_file(args.project, out)
    project, _passphrase = open_project_with_passphrase(args.project)
    _named_from(project, args.project, out)
    save_project_file(project, out, None)
    print(f"socialmap: warning: {PLAIN_COPY_WARNING.format(out=out)}", file=sys.stderr)
    return 0


def _refuse_same_file(source: str, out: Path) -> None:
    try:
        same = out.exists() and out.resolve() == Path(source).resolve()
    except OSError:
        same = False
    if same:
        raise InputError(Problem("the output is the input file; give another name", file=str(out)))

