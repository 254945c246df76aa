"""Limits on what an importer will read, each refused with a clear message rather than reaching a
limit of Python, of memory or of a PDF page (issue 11, deliverable 4).

The figures are far above any real file (a city of 100,000 young people is ~125,000 nodes and
~400,000 ties; the longest real organisation names are under 200 characters) and far below what
would exhaust a laptop:

- :data:`MAX_FILE_BYTES` for a CSV or JSON file, :data:`MAX_XLSX_BYTES` for a workbook and
  :data:`MAX_XLSX_UNPACKED_BYTES` for what its zip unpacks to (a "zip bomb" of a few KB can
  unpack to gigabytes), with at most :data:`MAX_XLSX_RATIO` between the two for any member;
- :data:`MAX_ROWS` rows in a table, :data:`MAX_JSON_DEPTH` levels of nesting in a JSON document
  (an Open Referral page nests about 6);
- :data:`MAX_ID_CHARS` for an id, :data:`MAX_LABEL_CHARS` for a label, :data:`MAX_TEXT_CHARS`
  (Excel's own limit for a cell) for any other text.

XML inside ``.xlsx`` files is read by openpyxl through ``defusedxml`` (a dependency), which
refuses entity declarations and external references; :func:`check_xlsx` also refuses any
document type declaration before openpyxl parses a member, so an entity-expansion bomb never
expands and an undefined entity is reported by name of the file, not as a parser traceback.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem

MAX_FILE_BYTES = 1024 ** 3
MAX_XLSX_BYTES = 256 * 1024 ** 2
MAX_XLSX_UNPACKED_BYTES = 2 * 1024 ** 3
MAX_XLSX_RATIO = 1000
MAX_XLSX_MEMBERS = 10_000
#: The ties of the biggest city ``socialmap bench`` makes (1,000,000 young people) are 3.9 million
#: rows, and the CSV bundle reads them row by row within the 8 GB budget of issue 13.
MAX_ROWS = 5_000_000
MAX_JSON_DEPTH = 64
MAX_ID_CHARS = 200
MAX_LABEL_CHARS = 1000
MAX_TEXT_CHARS = 32_767


def _size_text(n: int) -> str:
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_file_size(path: str | os.PathLike, limit: int | None = None) -> None:
    """Refuse a file larger than ``limit`` bytes (default :data:`MAX_FILE_BYTES`) before it is read."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        size = Path(path).stat().st_size
    except OSError:
        return  # the reader says why it cannot be read
    if size > limit:
        raise InputError(Problem(f"is {_size_text(size)}, more than the {_size_text(limit)} SocialMap reads; "
                                 "split it into smaller files", file=str(path)))


def check_rows(count: int, file: str, sheet: str | None = None) -> None:
    if count > MAX_ROWS:
        raise InputError(Problem(f"has more than {MAX_ROWS:,} rows, more than SocialMap reads; split it",
                                 file=file, sheet=sheet))


def json_depth_ok(document: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``document`` nests at most ``limit`` lists and objects deep (walked without
    recursion, so a deep document cannot exhaust Python's stack here)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def load_json(path: str | os.PathLike) -> Any:
    """A JSON file, refused with one reason when too big, not UTF-8, not JSON or nested too deep."""
    where = str(path)
    check_file_size(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            document = json.load(fh)
    except UnicodeDecodeError:
        raise InputError(Problem("is not UTF-8 text", file=where)) from None
    except json.JSONDecodeError as exc:
        raise InputError(Problem(f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                                 file=where)) from None
    except RecursionError:
        raise InputError(Problem(f"nests lists or objects far more than {MAX_JSON_DEPTH} levels deep; "
                                 "it is not an export SocialMap reads", file=where)) from None
    except OSError as exc:
        raise InputError(Problem(f"cannot be read ({exc.strerror or exc})", file=where)) from None
    if not json_depth_ok(document):
        raise InputError(Problem(f"nests lists or objects more than {MAX_JSON_DEPTH} levels deep; "
                                 "it is not an export SocialMap reads", file=where))
    return document


def check_xlsx(path: str | os.PathLike) -> None:
    """Refuse a workbook that is too big, a zip bomb, or one whose XML declares a document type
    (the carrier of entity-expansion bombs and external entities) before any XML is parsed."""
    where = str(path)
    check_file_size(path, MAX_XLSX_BYTES)
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            if len(members) > MAX_XLSX_MEMBERS:
                raise InputError(Problem(f"holds {len(members):,} files; a workbook has a few dozen", file=where))
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_XLSX_UNPACKED_BYTES:
                raise InputError(Problem(f"unpacks to {_size_text(unpacked)}, more than the "
                                         f"{_size_text(MAX_XLSX_UNPACKED_BYTES)} SocialMap reads", file=where))
            for m in members:
                if m.file_size > 1024 ** 2 and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
                    raise InputError(Problem(f"its part {m.filename} unpacks {m.file_size // max(m.compress_size, 1):,} "
                                             "times larger than it is stored (a zip bomb?)", file=where))
                if not m.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with book.open(m) as fh:
                    head = fh.read(64 * 1024)
                upper = head.upper()
                if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
                    raise InputError(Problem(f"its part {m.filename} declares a document type (<!DOCTYPE>), which "
                                             "spreadsheets never write; it is refused unread (XML entities)",
                                             file=where))
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            KeyError) as exc:
        raise InputError(Problem(f"cannot be read as an .xlsx workbook ({exc})", file=where)) from None
    except OSError as exc:
        raise InputError(Problem(f"cannot be read ({exc.strerror or exc})", file=where)) from None


def text_problem(name: str, value: Any) -> str | None:
    """Why a text field is too long, or ``None``: ids, labels and other text have their limits."""
    if not isinstance(value, str):
        return None
    limit = MAX_ID_CHARS if name in ("id", "a", "b", "context", "provider", "area_code") else \
        MAX_LABEL_CHARS if name == "label" else MAX_TEXT_CHARS
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,} are read for {name!r}"
    return None
