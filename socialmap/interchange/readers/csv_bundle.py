"""The canonical CSV bundle (SPEC sections 2, 7 and 9): ``nodes.csv``, ``ties.csv`` and an areas file.

``nodes.csv`` has one row per node and the :class:`~socialmap.model.Node` field
names as columns (``id`` and ``kind`` required; the rest optional and left
empty where they do not apply); any other column is kept in ``Node.attrs``.
``ties.csv`` has ``a``, ``b`` (or ``source``, ``target``), ``type``,
``context``, ``strength``, ``since``, ``until`` and ``opportunity`` (yes/no: an
opportunity tie, issue 16). The areas come from GeoJSON, GeoPackage or a
shapefile (:func:`socialmap.interchange.areas.read_areas`).

Import is all or nothing: every cell is parsed, the records are checked
together by :meth:`Project.build`, and every problem comes back in one
:class:`~socialmap.errors.InputError`, each naming its file, row (the header
is row 1, the first record row 2, as a spreadsheet numbers them), field and
reason. Only a complete, consistent project is ever returned.

Privacy (SPEC section 8): a location given for a young person is dropped
(with a warning) and they are placed inside their home area instead; so is a
postcode column of a young person.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
import math
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from socialmap import csvsafe
from socialmap.errors import InputError, Problem
from socialmap.interchange.cells import parse_bool, parse_date, parse_int, parse_number
from socialmap.interchange.limits import MAX_ROWS
from socialmap.interchange.merge import ImportBatch
from socialmap.interchange.registry import ImportFormat, Option
from socialmap.model.kinds import (
    ACTIVITIES,
    KIND_FIELDS,
    NODE_KINDS,
    YOUNG_PERSON,
    activity_from_text,
)
from socialmap.model.project import Area, Node, Project, Tie, tie_key

#: Columns of nodes.csv, in the order the writer puts them (SPEC section 2).
NODE_COLUMNS: tuple[str, ...] = (
    "id", "kind", "label", "area_code", "age", "neet", "activity", "role", "in_work", "org_type", "sector",
    "is_anchor", "employees_total", "employees_local", "spend_total", "spend_local",
    "years_in_area", "provider", "service_type", "commissioner", "contract_end",
    "annual_value", "hours_per_week", "lat", "lon", "recorded", "updated",
)
TIE_COLUMNS: tuple[str, ...] = ("a", "b", "type", "context", "strength", "since", "until", "opportunity")
NODE_SYNONYMS = {"latitude": "lat", "longitude": "lon", "lng": "lon"}
TIE_SYNONYMS = {"source": "a", "target": "b"}
NODE_REQUIRED = ("id", "kind")
TIE_REQUIRED = ("a", "b", "type")
#: Prefix the writer puts on an attribute whose name would be read back as a field.
ATTR_PREFIX = "attr:"

_TEXT = ("label", "area_code", "role", "provider", "service_type", "commissioner")
_ENUM = ("org_type", "sector")
_BOOL = ("neet", "is_anchor", "in_work")
_FLOAT = (
    "employees_total", "employees_local", "spend_total", "spend_local",
    "years_in_area", "annual_value", "hours_per_week",
)
@functools.lru_cache(maxsize=4096)
def _normal_word(text: str) -> str:
    """``Young person`` -> ``young_person``: vocabulary words as people type them."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


# --------------------------------------------------------------------- files
#: Bytes read at a time when a CSV file is checked and read row by row (issue 13: at 1,000,000
#: young people ``ties.csv`` is about 150 MB; held whole, as text and again in the 4-byte
#: characters of ``io.StringIO``, it took about five times that).
CHUNK_BYTES = 1 << 20


def _path_problem(p: Path, where: str) -> Problem | None:
    """Why the file at ``p`` cannot be read as a CSV file before its bytes are looked at, or None."""
    if not p.exists():
        return Problem("no such file", file=where)
    if p.is_dir():
        return Problem("is a folder, not a CSV file", file=where)
    from socialmap.interchange.limits import check_file_size

    try:
        check_file_size(p)
    except InputError as exc:
        return exc.problems[0]
    return None


def _start_problem(start: bytes, where: str) -> Problem | None:
    """Why a file beginning with ``start`` (its first 64 KB at least) is not CSV text, or None."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem("is UTF-16 text; save it as 'CSV UTF-8' and import again", file=where)
    if start.startswith(b"PK\x03\x04"):
        return Problem("is a spreadsheet workbook or zip archive, not CSV; save the sheet as 'CSV UTF-8'", file=where)
    if b"\x00" in start[:65536] or start.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem("is a binary file, not CSV text", file=where)
    return None


def read_csv_text(path: str | os.PathLike, problems: list[Problem]) -> str | None:
    """The text of a CSV file, or ``None`` with the reason added to ``problems``.

    UTF-8 with or without a byte-order mark is accepted; a binary file, a
    spreadsheet workbook, UTF-16 or another encoding is refused by name.
    :func:`open_csv_text` makes the same checks without holding the text.
    """
    where = str(path)
    p = Path(path)
    problem = _path_problem(p, where)
    if problem is not None:
        problems.append(problem)
        return None
    try:
        raw = p.read_bytes()
    except OSError as exc:
        problems.append(Problem(f"cannot be read ({exc.strerror or exc})", file=where))
        return None
    problem = _start_problem(raw, where)
    if problem is not None:
        problems.append(problem)
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp1252")
            hint = " (it looks like Windows-1252, as older Excel saves CSV)"
        except UnicodeDecodeError:
            hint = ""
        problems.append(
            Problem(
                f"is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line}{hint}; "
                "save it as 'CSV UTF-8' and import again",
                file=where,
            )
        )
        return None
    if not text.strip():
        problems.append(Problem("is empty (no header row)", file=where))
        return None
    return text


def open_csv_text(path: str | os.PathLike, problems: list[Problem]) -> TextIO | None:
    """A CSV file opened as text to be read row by row, or ``None`` with the reason added to ``problems``.

    The checks and messages of :func:`read_csv_text`, made over the file :data:`CHUNK_BYTES` at a
    time (its UTF-8 decoded incrementally, :func:`codecs.getincrementaldecoder`), so neither the
    bytes nor the text of the whole file are held. A file that is not UTF-8 is read whole once
    more, to name the byte and its line as :func:`read_csv_text` does. The caller closes the file.
    """
    where = str(path)
    p = Path(path)
    problem = _path_problem(p, where)
    if problem is not None:
        problems.append(problem)
        return None
    try:
        with p.open("rb") as fh:
            chunk = fh.read(max(CHUNK_BYTES, 65536))  # the start checks look at 64 KB
            problem = _start_problem(chunk, where)
            if problem is not None:
                problems.append(problem)
                return None
            decoder = codecs.getincrementaldecoder("utf-8-sig")()
            content = False
            while True:
                text = decoder.decode(chunk, final=not chunk)
                content = content or bool(text.strip())
                if not chunk:
                    break
                chunk = fh.read(CHUNK_BYTES)
        if not content:
            problems.append(Problem("is empty (no header row)", file=where))
            return None
        return p.open("r", encoding="utf-8-sig", newline="")
    except UnicodeDecodeError:
        if read_csv_text(path, problems) is not None:  # pragma: no cover - the same decoder read it whole
            problems.append(Problem("is not UTF-8 text; save it as 'CSV UTF-8' and import again", file=where))
        return None
    except OSError as exc:
        problems.append(Problem(f"cannot be read ({exc.strerror or exc})", file=where))
        return None


class CsvRows:
    """The rows of a CSV table, read from its open file one at a time, once.

    Each row comes as ``(number, cells)``: the number as a spreadsheet shows it (the header is
    row 1), the cells padded to the header's width. Blank rows are skipped (their numbers
    still count). A row with more cells than the header is a problem (added to ``problems``
    and skipped), unless the extra cells are empty. When the file stops being readable as CSV,
    or has more than :data:`~socialmap.interchange.limits.MAX_ROWS` rows, the problem is added,
    the rows stop and :attr:`failed` is set: the table is not to be used. The file is closed
    when the rows end or :meth:`close` is called.
    """

    def __init__(self, fh: TextIO, raw: Any, reader: Iterator[list[str]], width: int, where: str,
                 problems: list[Problem]) -> None:
        self._fh, self._raw, self._reader = fh, raw, reader
        self._width, self._where, self._problems = width, where, problems
        self.failed = False

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        width, where, problems = self._width, self._where, self._problems
        kept = 0
        try:
            for number, cells in enumerate(self._reader, start=2):
                if not "".join(cells).strip():
                    continue
                if kept >= MAX_ROWS:
                    problems.append(Problem(f"has more than {MAX_ROWS:,} rows, more than SocialMap reads; split it",
                                            file=where))
                    self.failed = True
                    return
                if len(cells) > width:
                    if any(c.strip() for c in cells[width:]):
                        problems.append(
                            Problem(f"has {len(cells)} cells but the header has {width} columns", file=where,
                                    row=number)
                        )
                        continue
                    cells = cells[:width]
                elif len(cells) < width:
                    cells = cells + [""] * (width - len(cells))
                kept += 1
                yield number, cells
        except csv.Error as exc:
            problems.append(Problem(f"cannot be read as CSV ({exc})", file=where, row=self._raw.line_num))
            self.failed = True
        except (UnicodeDecodeError, OSError) as exc:  # the file changed after it was checked
            problems.append(Problem(f"cannot be read ({exc})", file=where, row=self._raw.line_num + 1))
            self.failed = True
        finally:
            self.close()

    def close(self) -> None:
        self._fh.close()


@dataclass
class CsvTable:
    """A CSV file's header, and its rows to be read once: ``columns`` maps our field names to
    positions, ``extras`` other columns (by their header text) to positions."""

    file: str
    columns: dict[str, int]
    extras: dict[str, int]
    rows: Iterable[tuple[int, list[str]]]

    @property
    def failed(self) -> bool:
        """Whether reading the rows stopped at a problem that makes the file unusable."""
        return bool(getattr(self.rows, "failed", False))

    def close(self) -> None:
        """Close the file of rows not read to the end."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def read_csv_table(
    path: str | os.PathLike,
    known: tuple[str, ...],
    required: tuple[str, ...],
    synonyms: dict[str, str],
    problems: list[Problem],
) -> CsvTable | None:
    """Read a CSV file's header, and make its rows ready to be read one at a time
    (:class:`CsvRows`); ``None`` (with problems added) if it cannot be used.

    Header names are matched without regard to case or surrounding spaces. A
    blank-header column holding data is kept as an attribute (``column N``).
    The whole file is never held in memory (issue 13).
    """
    where = str(path)
    fh = open_csv_text(path, problems)
    if fh is None:
        return None
    try:
        first_line = fh.readline()
        fh.seek(0)
        delimiter = ","
        if "," not in first_line:
            if ";" in first_line:
                delimiter = ";"
            elif "\t" in first_line:
                delimiter = "\t"
        raw = csv.reader(fh, delimiter=delimiter)
        reader = map(csvsafe.restore_row, raw)  # a formula-safe cell ('=x) back to what was written (=x)
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        fh.close()
        problems.append(Problem(f"the header row cannot be read ({exc})", file=where, row=1))
        return None
    except (UnicodeDecodeError, OSError) as exc:  # the file changed after it was checked
        fh.close()
        problems.append(Problem(f"cannot be read ({exc})", file=where, row=1))
        return None
    columns: dict[str, int] = {}
    extras: dict[str, int] = {}
    before = len(problems)
    for pos, name in enumerate(header):
        clean = name.strip()
        low = clean.lower()
        canon = synonyms.get(low, low)
        if not clean:
            extras[f"column {pos + 1}"] = pos
            continue
        if canon in known:
            if canon in columns:
                problems.append(Problem(f"column {canon!r} appears twice in the header", file=where, row=1, field=clean))
            columns[canon] = pos
        else:
            if clean in extras:
                problems.append(Problem(f"column {clean!r} appears twice in the header", file=where, row=1, field=clean))
            extras[clean] = pos
    missing = [c for c in required if c not in columns]
    if missing:
        alts = {v: k for k, v in synonyms.items()}
        named = ", ".join(f"{c} (or {alts[c]})" if c in alts else c for c in missing)
        problems.append(
            Problem(
                f"missing required column(s): {named}; the header has {', '.join(h.strip() for h in header) or 'nothing'}",
                file=where,
                row=1,
                field=missing[0],
            )
        )
    if len(problems) > before:
        fh.close()
        return None
    return CsvTable(where, columns, extras, CsvRows(fh, raw, reader, len(header), where, problems))


# --------------------------------------------------------------------- rows
@dataclass
class _Parsed:
    nodes: list[Node]
    node_rows: dict[str, int]  # node id -> row
    #: node id -> the id string read at its row: the ends and contexts of ties, and providers,
    #: share it instead of holding a copy each (issue 13: about 400 MB at 1,000,000 young people)
    node_ids: dict[str, str]
    ties: list[Tie]
    broken_ids: set[str]
    dropped_locations: int
    #: the row of each of ``ties`` (``array('i')``), for finding the row of a tie a rule names
    tie_row: array = field(default_factory=lambda: array("i"))
    _tie_rows: dict[tuple[str, str], int] | None = None

    def tie_rows(self) -> dict[tuple[str, str], int]:
        """Tie key -> row of every tie read (made when first asked: only a refused import asks)."""
        if self._tie_rows is None:
            self._tie_rows = {tie.key: row for tie, row in zip(self.ties, self.tie_row, strict=True)}
        return self._tie_rows


def _parse_nodes(table: CsvTable, problems: list[Problem]) -> _Parsed | None:
    """The nodes of ``table``, each row parsed as it is read; None when the file stopped being
    readable (its problem is in ``problems``; the rows' own problems are then not reported)."""
    where = table.file
    col = table.columns
    positions = [(name, col[name]) for name in NODE_COLUMNS if name in col and name not in ("id", "kind")]
    extras = list(table.extras.items())
    nodes: list[Node] = []
    node_rows: dict[str, int] = {}
    node_ids: dict[str, str] = {}
    broken: set[str] = set()
    found: list[Problem] = []
    # text of the few values many records share (areas, roles, names, providers) and dates: one
    # object per value, not one per cell
    shared: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    dropped = 0
    id_pos, kind_pos = col["id"], col["kind"]
    point_at = [col[c] for c in ("lat", "lon") if c in col]
    row, node_id = 0, ""

    def bad(fieldname: str, reason: str) -> None:  # a problem of the row being read
        found.append(Problem(reason, file=where, row=row, field=fieldname,
                             record=f"node {node_id!r}" if node_id else None))

    for row, cells in table.rows:
        node_id = cells[id_pos].strip()
        if not node_id:
            bad("id", "the id is empty")
            continue
        kind_text = cells[kind_pos].strip()
        kind = _normal_word(kind_text)
        if not kind_text:
            bad("kind", f"the kind is empty; expected one of {', '.join(NODE_KINDS)}")
        elif kind not in NODE_KINDS:
            bad("kind", f"unknown kind {kind_text!r}; expected one of {', '.join(NODE_KINDS)}")
        if node_id in node_rows:
            bad("id", f"duplicate id {node_id!r} (first at row {node_rows[node_id]})")
            continue
        node_ids[node_id] = node_id
        if kind not in NODE_KINDS:
            broken.add(node_id)
            node_rows[node_id] = row
            continue
        applies = _applies(kind)
        values: dict[str, Any] = {}
        for name, pos in positions:
            text = cells[pos]
            if not text or not (text := text.strip()):  # most cells of a row are empty
                continue
            if name not in applies:
                bad(name, f"{name} does not apply to a {kind} (leave it empty)")
                continue
            if kind == YOUNG_PERSON and name in ("lat", "lon"):
                continue  # counted below; never stored (SPEC section 8)
            try:
                if name in _TEXT:
                    values[name] = shared.setdefault(text, text)
                elif name in _ENUM:
                    values[name] = _normal_word(text)
                elif name in _BOOL:
                    values[name] = parse_bool(text)
                elif name == "activity":
                    values[name] = activity_from_text(text)
                    if values[name] is None:
                        raise ValueError(f"{text!r} is not an activity (one of {', '.join(ACTIVITIES)})")
                elif name in _FLOAT:
                    values[name] = parse_number(text)
                elif name == "age":
                    values[name] = parse_int(text)
                elif name in ("contract_end", "recorded", "updated"):
                    day = dates.get(text)
                    if day is None:
                        day = dates.setdefault(text, parse_date(text))
                    values[name] = day
                elif name in ("lat", "lon"):
                    values[name] = parse_number(text)
                else:  # pragma: no cover - every column of NODE_COLUMNS is handled above
                    values[name] = text
            except ValueError as exc:
                bad(name, str(exc))
        if kind == YOUNG_PERSON and any(cells[pos] and cells[pos].strip() for pos in point_at):
            dropped += 1
        attrs: dict[str, Any] = {}
        for name, pos in extras:
            text = cells[pos].strip()
            if text:
                attrs[name[len(ATTR_PREFIX):] if name.startswith(ATTR_PREFIX) else name] = text
        node = Node(node_id, kind, values.pop("label", ""), attrs=attrs, **values)
        node_rows[node_id] = row
        nodes.append(node)
    if table.failed:
        return None
    problems.extend(found)
    for node in nodes:  # a provider read before its own row is its id string too
        if node.provider is not None:
            node.provider = node_ids.get(node.provider, node.provider)
    return _Parsed(nodes, node_rows, node_ids, [], broken, dropped)


@functools.cache
def _applies(kind: str) -> frozenset[str]:
    """The columns of nodes.csv that apply to a node of ``kind``."""
    return frozenset(KIND_FIELDS[kind]) | {"label", "lat", "lon", "recorded", "updated"}


def _parse_ties(table: CsvTable, problems: list[Problem], parsed: _Parsed) -> bool:
    """Parse the ties of ``table`` into ``parsed.ties``, each row as it is read; False when the
    file stopped being readable (its problem is in ``problems``; the rows' own are then not).

    One tie per pair: a later row joining a pair already read is reported at its row, naming
    the first; the pairs are compared once all are read, by sorting a 64-bit key of the two
    ends' numbers (their nodes' rows, or a number per id no row has) instead of holding a
    dict of every pair (issue 13).
    """
    where = table.file
    col = table.columns
    a_pos, b_pos, type_pos = col["a"], col["b"], col["type"]
    ctx_pos, str_pos = col.get("context"), col.get("strength")
    broken = parsed.broken_ids
    node_rows, node_ids = parsed.node_rows, parsed.node_ids
    unknown: dict[str, int] = {}  # an end that is no node's id -> its number
    found: list[Problem] = []
    dates: dict[str, dt.date] = {}
    # for every tie that passed its own checks, in file order: its ends' numbers, its row,
    # and its place in parsed.ties (-1: not kept, an end's own row is refused)
    end_a, end_b, rows, place = array("i"), array("i"), array("i"), array("i")
    not_kept: dict[int, tuple[str, str]] = {}  # place in the arrays -> ends, of ties not kept
    ties, tie_row = parsed.ties, parsed.tie_row
    dated_at = [(name, col[name]) for name in ("since", "until") if name in col]
    opp_pos = col.get("opportunity")
    for row, cells in table.rows:
        a, b = cells[a_pos].strip(), cells[b_pos].strip()
        count = len(found)
        if not a:
            found.append(Problem("the first end (a) is empty", file=where, row=row, field="a", record=f"tie {a!r}-{b!r}"))
        if not b:
            found.append(Problem("the second end (b) is empty", file=where, row=row, field="b", record=f"tie {a!r}-{b!r}"))
        type_text = cells[type_pos].strip()
        if not type_text:
            found.append(Problem("the tie type is empty", file=where, row=row, field="type", record=f"tie {a!r}-{b!r}"))
        context = (cells[ctx_pos].strip() or None) if ctx_pos is not None else None
        strength = None
        if str_pos is not None:
            text = cells[str_pos].strip()
            if text:
                try:
                    strength = parse_int(text)
                except ValueError as exc:
                    found.append(Problem(str(exc), file=where, row=row, field="strength", record=f"tie {a!r}-{b!r}"))
        since = until = None
        for name, pos in dated_at:
            text = cells[pos].strip()
            if text:
                try:
                    day = dates.get(text)
                    day = day if day is not None else dates.setdefault(text, parse_date(text))
                except ValueError as exc:
                    found.append(Problem(str(exc), file=where, row=row, field=name, record=f"tie {a!r}-{b!r}"))
                else:
                    if name == "since":
                        since = day
                    else:
                        until = day
        opportunity = False
        if opp_pos is not None:
            text = cells[opp_pos].strip()
            if text:
                try:
                    opportunity = parse_bool(text) is True
                except ValueError as exc:
                    found.append(Problem(str(exc), file=where, row=row, field="opportunity", record=f"tie {a!r}-{b!r}"))
        if len(found) > count:
            continue
        na = node_rows.get(a)
        if na is None:
            na = -1 - unknown.setdefault(a, len(unknown))
        else:
            a = node_ids[a]
        nb = node_rows.get(b)
        if nb is None:
            nb = -1 - unknown.setdefault(b, len(unknown))
        else:
            b = node_ids[b]
        end_a.append(na)
        end_b.append(nb)
        rows.append(row)
        if a in broken or b in broken or (context is not None and context in broken):
            not_kept[len(place)] = (a, b)
            place.append(-1)
            continue  # the node's own row is already reported
        if context is not None:
            context = node_ids.get(context, context)
        place.append(len(ties))
        ties.append(Tie(a, b, _normal_word(type_text), context, strength, since, until, opportunity))
        tie_row.append(row)
    if table.failed:
        return False
    problems.extend(found)
    _drop_repeated_pairs(parsed, end_a, end_b, rows, place, not_kept, len(unknown), where, problems)
    return True


def _drop_repeated_pairs(parsed: _Parsed, end_a: array, end_b: array, rows: array, place: array,
                         not_kept: dict[int, tuple[str, str]], n_unknown: int, where: str,
                         problems: list[Problem]) -> None:
    """Report, and take out of ``parsed.ties``, every tie whose pair of ends an earlier row joined."""
    import numpy as np

    if len(rows) < 2:
        return
    shift = n_unknown + 1  # unknown ends are numbered -1, -2, ...: shifted, every number is >= 0
    ea = np.frombuffer(end_a, dtype=np.int32).astype(np.int64) + shift
    eb = np.frombuffer(end_b, dtype=np.int32).astype(np.int64) + shift
    span = int(max(ea.max(), eb.max())) + 1
    key = np.minimum(ea, eb) * span + np.maximum(ea, eb)
    del ea, eb
    order = np.argsort(key, kind="stable")  # equal pairs in file order
    ordered = key[order]
    del key
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1  # positions in ``order`` of later rows
    if not len(repeat):
        return
    run_start = np.zeros(len(ordered), dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    run_start[starts] = starts
    run_start = np.maximum.accumulate(run_start)
    later, first = order[repeat], order[run_start[repeat]]
    rows_of = np.frombuffer(rows, dtype=np.int32)
    places = np.frombuffer(place, dtype=np.int32)
    dropped = set()
    for j, f in zip(later.tolist(), first.tolist(), strict=True):
        k = int(places[j])
        a, b = not_kept[j] if k < 0 else (parsed.ties[k].a, parsed.ties[k].b)
        if k >= 0:
            dropped.add(k)
        problems.append(
            Problem(
                f"duplicate tie: {a!r} and {b!r} are already tied at row {int(rows_of[f])}; one tie per pair",
                file=where, row=int(rows_of[j]), field="b", record=f"tie {a!r}-{b!r}",
            )
        )
    if dropped:
        keep = [i for i in range(len(parsed.ties)) if i not in dropped]
        parsed.ties = [parsed.ties[i] for i in keep]
        parsed.tie_row = array("i", (parsed.tie_row[i] for i in keep))


# --------------------------------------------------------------------- bundle
def read_csv_batch(
    nodes_path: str | os.PathLike,
    ties_path: str | os.PathLike | None = None,
    *,
    lookup: Any = None,
    areas: dict[str, Area] | None = None,
    existing: Project | None = None,
) -> ImportBatch:
    """Read ``nodes.csv`` and ``ties.csv`` into an :class:`~socialmap.interchange.merge.ImportBatch`.

    Every cell is parsed and every problem kept against its file, row and
    field; :func:`~socialmap.interchange.merge.build_import` then checks the
    records as a whole. ``lookup`` (a loaded postcode lookup) places records
    that have a ``postcode`` column; ``areas`` are the area codes a postcode
    may give. ``existing`` is the project being merged into (unused here: its
    ids are checked by ``build_import``). Raises :class:`InputError` when a
    file cannot be read as a table at all.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    nodes_file, ties_file = str(nodes_path), str(ties_path) if ties_path is not None else None

    # each file is read row by row and parsed as it is read: the whole text, or every row's
    # cells, are never held (issue 13)
    node_table = read_csv_table(nodes_path, NODE_COLUMNS, NODE_REQUIRED, NODE_SYNONYMS, problems)
    try:
        parsed = _parse_nodes(node_table, problems) if node_table is not None else None
    finally:
        if node_table is not None:
            node_table.close()
    ties_read = True
    if ties_file is not None:
        tie_table = read_csv_table(ties_path, TIE_COLUMNS, TIE_REQUIRED, TIE_SYNONYMS, problems)
        ties_read = tie_table is not None
        if tie_table is not None:
            try:
                unused = [n for n in tie_table.extras if not n.startswith("column ")]
                if unused:
                    warnings.append(f"{ties_file}: ignored column(s) that ties do not have: {', '.join(unused)}")
                if parsed is not None:
                    ties_read = _parse_ties(tie_table, problems, parsed)
                else:  # the rows' own problems (cells, CSV) are still reported, as for readable nodes
                    for _row in tie_table.rows:
                        pass
                    ties_read = not tie_table.failed
            finally:
                tie_table.close()
    if parsed is None or not ties_read:
        raise InputError(_in_order(problems, nodes_file, ties_file))

    nodes = parsed.nodes
    for node in nodes:
        if node.provider is not None and node.provider in parsed.broken_ids:
            # the provider's own row is already reported (as ties to it are skipped); the import
            # fails anyway, so do not report this service again as having an "unknown provider"
            node.provider = None
    if lookup is not None:
        problems += _place_by_postcode(nodes, parsed, nodes_file, lookup, set(areas or ()))
    dropped_postcodes = 0
    for node in nodes:
        if node.kind == YOUNG_PERSON:
            node.lat = node.lon = None
            for key in [k for k in node.attrs if k.strip().lower() in ("postcode", "post_code", "post code")]:
                del node.attrs[key]
                dropped_postcodes += 1
    if parsed.dropped_locations:
        warnings.append(
            f"{nodes_file}: dropped the exact location given for {parsed.dropped_locations} young "
            f"{'person' if parsed.dropped_locations == 1 else 'people'}; young people are placed "
            "at a pseudo-random point inside their home area instead (privacy)"
        )
    if dropped_postcodes:
        warnings.append(
            f"{nodes_file}: did not keep the postcode of {dropped_postcodes} young "
            f"{'person' if dropped_postcodes == 1 else 'people'} (privacy); give --postcodes LOOKUP.csv "
            "to set their home area from it"
        )
    return ImportBatch(
        source=nodes_file, nodes=nodes, ties=parsed.ties, problems=_in_order(problems, nodes_file, ties_file),
        notes=warnings, refused=set(parsed.broken_ids), files=[f for f in (nodes_file, ties_file) if f],
        locator=functools.partial(_locate, parsed=parsed, nodes_file=nodes_file, ties_file=ties_file),
    )


def read_csv_bundle(
    nodes_path: str | os.PathLike,
    ties_path: str | os.PathLike | None,
    areas_path: str | os.PathLike | None,
    area_code_field: str | None = None,
    area_name_field: str | None = None,
    *,
    postcodes: str | os.PathLike | None = None,
    postcode_fields: dict[str, str | None] | None = None,
    base: Project | None = None,
) -> tuple[Project, list[str]]:
    """Read a CSV bundle into a new project over ``areas_path``, or into a copy of ``base``.

    The flow every importer shares (:func:`socialmap.interchange.merge.import_project`)
    over :func:`read_csv_batch`. The bundle's ``area_code`` column is taken as
    written: an organisation or service without one is not given the area its
    point lies in, so a bundle reads back exactly as it was written.

    Parameters
    ----------
    nodes_path, ties_path
        ``nodes.csv`` and ``ties.csv`` (``ties_path`` may be ``None``: no ties).
    areas_path
        The areas file (GeoJSON, GeoPackage or shapefile) of a new project;
        ``None`` when merging into ``base`` (which keeps its own areas; giving
        both is refused).
    area_code_field, area_name_field
        Columns of the areas file (found by name when not given).
    postcodes
        A postcode lookup CSV (ONS Postcode Directory / NSPL extract); records
        with a ``postcode`` column are placed by it (:mod:`socialmap.interchange.postcodes`):
        people get their ``area_code`` (their postcode is not kept), places
        without coordinates get the postcode's centroid.
    postcode_fields
        Column names of the lookup where they differ from the ONS ones
        (keys ``postcode_field``, ``lat_field``, ``lon_field``, ``lsoa_field``).
    base
        A project to merge into. It is not modified: the merged project is new.

    Returns
    -------
    The project and the warnings to show (dropped young people's locations,
    repaired geometry...).

    Raises
    ------
    InputError
        Listing every problem of every file, each with its file, row and field.
    """
    from socialmap.interchange.merge import import_project

    def read(**kw: Any) -> ImportBatch:
        return read_csv_batch(nodes_path, ties_path, **kw)

    return import_project(read, base=base, areas_path=areas_path, area_code_field=area_code_field,
                          area_name_field=area_name_field, postcodes=postcodes, postcode_fields=postcode_fields,
                          assign_areas=False)


def _postcode_key(node: Node) -> str | None:
    """The name of the node's postcode attribute, if it has one."""
    return next((k for k in node.attrs if k.strip().lower() in ("postcode", "post_code", "post code")), None)


def _place_by_postcode(nodes: list[Node], parsed: _Parsed, nodes_file: str, lookup: Any,
                       area_codes: set[str]) -> list[Problem]:
    """Place the nodes that have a ``postcode`` attribute with the user's (loaded) lookup; the problems."""
    from socialmap.interchange.postcodes import apply_postcodes

    todo: list[tuple[Node, str, dict[str, Any]]] = []
    for node in nodes:
        key = _postcode_key(node)
        if key is None:
            continue
        record = {
            "kind": node.kind, "lat": node.lat, "lon": node.lon, "area_code": node.area_code,
            "postcode": node.attrs[key], "_file": nodes_file, "_row": parsed.node_rows.get(node.id),
            "_record": f"node {node.id!r}",
        }
        todo.append((node, key, record))
    problems = apply_postcodes([r for _, _, r in todo], lookup, area_codes=area_codes, file=nodes_file)
    for node, key, record in todo:
        node.area_code = record.get("area_code") or None
        if node.kind != YOUNG_PERSON:
            node.lat, node.lon = record.get("lat"), record.get("lon")
        if "postcode" in record:
            node.attrs[key] = record["postcode"]
        else:  # a person's postcode is never stored (SPEC section 8)
            del node.attrs[key]
    return problems


_RECORD = re.compile(r"^(node|tie) (.*)$")


def _locate(record: str, *, parsed: _Parsed, nodes_file: str,
            ties_file: str | None) -> tuple[str, None, int] | None:
    """The file, sheet (none) and row of the node or tie that ``record`` (``node 'x'``,
    ``tie 'a'-'b'`` as :meth:`Project.build` names them) was read from, or None."""
    m = _RECORD.match(record)
    if not m:
        return None
    what, rest = m.groups()
    try:
        if what == "node":
            node_id = _literal(rest)
            if node_id in parsed.node_rows:
                return nodes_file, None, parsed.node_rows[node_id]
        elif what == "tie":
            a, b = _tie_ends(rest)
            key = tie_key(a, b)
            tie_rows = parsed.tie_rows()
            if key in tie_rows and ties_file is not None:
                return ties_file, None, tie_rows[key]
    except (ValueError, SyntaxError):
        pass
    return None


def _literal(text: str) -> str:
    import ast

    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(text)
    return value


def _tie_ends(text: str) -> tuple[str, str]:
    """``'a'-'b'`` (as written by ``repr``) back into its two ids."""
    import ast
    import tokenize

    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.STRING]
    if len(tokens) != 2:
        raise ValueError(text)
    return ast.literal_eval(tokens[0].string), ast.literal_eval(tokens[1].string)


def _in_order(problems: list[Problem], nodes_file: str, ties_file: str | None) -> list[Problem]:
    """Problems in reading order: areas and general ones first, then nodes, then ties, by row."""
    rank = {nodes_file: 1, ties_file: 2}

    def key(p: Problem) -> tuple[int, int]:
        return (rank.get(p.file, 0), p.row or 0)

    return sorted(problems, key=key)


# --------------------------------------------------------------------- writer
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def write_csv_bundle(project: Project, folder: str | os.PathLike) -> list[Path]:
    """Write ``project`` as a CSV bundle: ``nodes.csv``, ``ties.csv`` and ``areas.geojson``.

    The inverse of :func:`read_csv_bundle`: reading the folder back gives the
    same project (attribute values come back as text). Young people's points
    are not written: they are derived from their home area. ``nodes.csv`` and
    ``ties.csv`` are UTF-8 with a byte-order mark, as the other CSV tables, so
    Excel shows non-ASCII labels (Zoë) rightly (the reader accepts the mark).
    Returns the paths written.
    """
    from shapely.geometry import mapping

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    reserved = set(NODE_COLUMNS) | set(NODE_SYNONYMS)
    attr_keys: list[str] = []
    seen: set[str] = set()
    for node in project.nodes.values():
        for key in node.attrs:
            if key not in seen:
                seen.add(key)
                attr_keys.append(key)
    headers = [
        (ATTR_PREFIX + k) if (k.strip().lower() in reserved or k.startswith(ATTR_PREFIX) or not k.strip()) else k
        for k in attr_keys
    ]
    nodes_path = folder / "nodes.csv"
    with open(nodes_path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csvsafe.writer(fh)  # no cell can run as a formula in a spreadsheet; read back exactly
        w.writerow([*NODE_COLUMNS, *headers])
        for node in project.nodes.values():
            row = []
            for name in NODE_COLUMNS:
                if node.kind == YOUNG_PERSON and name in ("lat", "lon"):
                    row.append("")
                else:
                    row.append(_cell(getattr(node, name)))
            row += [_cell(node.attrs.get(k)) for k in attr_keys]
            w.writerow(row)
    ties_path = folder / "ties.csv"
    with open(ties_path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csvsafe.writer(fh)
        w.writerow(TIE_COLUMNS)
        for tie in project.ties.values():
            w.writerow([tie.a, tie.b, tie.type, _cell(tie.context), _cell(tie.strength), _cell(tie.since),
                        _cell(tie.until), "true" if tie.opportunity else ""])
    areas_path = folder / "areas.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": a.code,
                "name": a.name,
                "imd_decile": a.imd_decile,
                "population_16_24": a.population_16_24,
            },
            "geometry": mapping(a.geometry),
        }
        for a in project.areas.values()
    ]
    with open(areas_path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False)
    return [nodes_path, ties_path, areas_path]


# --------------------------------------------------------------------- registry
def read_csv_import(nodes: str | os.PathLike, ties: str | os.PathLike | None = None, **kw: Any) -> ImportBatch:
    """``socialmap import csv --nodes N.csv --ties T.csv``: :func:`read_csv_batch`."""
    return read_csv_batch(nodes, ties, **kw)


FORMATS = (
    ImportFormat(
        "csv", "CSV bundle", "the canonical CSV bundle (nodes.csv, ties.csv, areas)", ("*.csv",),
        "socialmap.interchange.readers.csv_bundle:read_csv_import",
        options=(Option(("--nodes",), required=True, metavar="N.csv"),
                 Option(("--ties",), required=True, metavar="T.csv")),
        what="nodes", assign_areas=False, placeholder="nodes.csv", second=("ties", "ties.csv (optional):"),
        order=30),
)
