"""Erasure and retention of young people's records (UK GDPR articles 5(1)(e) and 17; issue 10).

- :func:`erase_person` deletes a person completely: the record, their ties, and every mention
  of their id or label in the project's saved scenarios, snapshots and settings; it returns an
  :class:`Erasure` that :func:`restore_erasure` undoes exactly (until the project is saved:
  the window then drops the undo history that holds the erased data).
- :func:`retention_review` lists the young people whose record has not been updated for longer
  than the project's ``retention_months`` setting (default 24), for review or deletion.

The saved file keeps no trace of an erased person because a save writes a complete new file
(the old one, with its free pages, is replaced, never edited in place).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from socialmap.model.project import Node, Project, Tie

#: How long a young person's record may go without an update before the retention review lists
#: it (a project setting, in months).
DEFAULT_RETENTION_MONTHS = 24


def scrub(value: Any, needles: set[str]) -> tuple[Any, bool]:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with every mention of ``needles``
    removed: a string equal to one goes, a list loses such items (and items that are dicts
    naming one, e.g. a change of a saved scenario about that person), a dict loses keys that
    are one. Returns the new value and whether anything went.

    >>> scrub({"changes": [{"kind": "note", "id": "yp7"}, {"kind": "close", "id": "o1"}], "yp7": 1}, {"yp7"})
    ({'changes': [{'kind': 'close', 'id': 'o1'}]}, True)
    """
    if isinstance(value, str):
        return (None, True) if value in needles else (value, False)
    if isinstance(value, dict):
        out, changed = {}, False
        for k, v in value.items():
            if isinstance(k, str) and k in needles:
                changed = True
                continue
            if isinstance(v, str) and v in needles:
                return None, True  # a record naming the person goes whole
            new, c = scrub(v, needles)
            changed |= c
            out[k] = new
        return out, changed
    if isinstance(value, (list, tuple)):
        out_list, changed = [], False
        for item in value:
            new, c = scrub(item, needles)
            changed |= c
            if new is None and item is not None:
                continue
            out_list.append(new)
        return (type(value)(out_list) if isinstance(value, tuple) else out_list), changed
    return value, False


@dataclass
class Erasure:
    """What :func:`erase_person` took away, to put it back on undo."""

    node: Node
    ties: list[Tie]
    dependants: dict[str, Any]
    scenarios: dict[str, dict[str, Any]] | None = None
    settings: dict[str, Any] | None = None
    snapshots: Any = None
    scrubbed: list[str] = field(default_factory=list)


def erase_person(project: Project, node_id: str, *, snapshot_eraser=None) -> Erasure:
    """Delete ``node_id`` and every mention of it (module docstring). Raises ``KeyError`` for an
    unknown id.

    ``snapshot_eraser(project, ids, needles)`` erases the person from the project's snapshots
    (compressed copies of whole projects, opened by the store layer:
    :func:`socialmap.store.snapshots.erase_from_snapshots`) and returns the names it changed.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(-2.3, 53.4, -2.29, 53.41)))
    >>> p.add_node(Node("yp1", "young_person", "Robin", area_code="A1"))
    >>> p.add_node(Node("yp2", "young_person", "Sam", area_code="A1"))
    >>> p.add_tie(Tie("yp1", "yp2", "friend"))
    >>> p.scenarios["note"] = {"changes": [], "about": ["yp1", "yp2"]}
    >>> e = erase_person(p, "yp1")
    >>> sorted(p.nodes), len(p.ties), p.scenarios["note"]["about"], e.scrubbed
    (['yp2'], 0, ['yp2'], ['saved scenario note'])
    >>> restore_erasure(p, e); sorted(p.nodes), len(p.ties), p.scenarios["note"]["about"]
    (['yp1', 'yp2'], 1, ['yp1', 'yp2'])
    """
    node = project.nodes[node_id]
    needles = {node_id}
    if node.kind == "young_person" and node.label and len(node.label) >= 3:
        needles.add(node.label)
    removed_node, ties, dependants = project.remove_node(node_id)
    erasure = Erasure(removed_node, ties, dependants)
    scenarios = {}
    for name, data in project.scenarios.items():
        new, changed = scrub(data, needles)
        if changed:
            erasure.scrubbed.append(f"saved scenario {name}")
        scenarios[name] = new if new is not None else {}
    if erasure.scrubbed:
        erasure.scenarios = copy.deepcopy(project.scenarios)
        project.scenarios = scenarios
    new_settings, changed = {}, False
    for key, value in project.settings.items():  # setting by setting: one naming the person goes
        new, c = scrub(value, needles)
        changed |= c
        if new is not None or value is None:
            new_settings[key] = new
    if changed:
        erasure.settings = copy.deepcopy(project.settings)
        project.settings = new_settings
        erasure.scrubbed.append("settings")
    snapshots = getattr(project, "snapshots", None)
    if snapshots:
        if snapshot_eraser is None:
            raise ValueError("the project has snapshots: erase_person needs a snapshot_eraser")
        before = dict(snapshots)  # snapshots are immutable: the old ones are kept as they are
        changed = snapshot_eraser(project, {node_id}, needles)
        if changed:
            erasure.snapshots = before
            erasure.scrubbed += [f"snapshot {name}" for name in changed]
    return erasure


def restore_erasure(project: Project, erasure: Erasure) -> None:
    """Undo :func:`erase_person`."""
    project.restore_node(erasure.node, erasure.ties, erasure.dependants)
    if erasure.scenarios is not None:
        project.scenarios = erasure.scenarios
    if erasure.settings is not None:
        project.settings = erasure.settings
    if erasure.snapshots is not None:
        project.snapshots = erasure.snapshots


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months (the 31st becomes the month's last day)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


@dataclass(frozen=True)
class RetentionEntry:
    """A young person due for review: id, pseudonym, home area, last update and months since."""

    id: str
    label: str
    area_code: str | None
    updated: dt.date | None
    months: int | None


def retention_review(project: Project, today: dt.date | None = None, *,
                     months: int | None = None) -> list[RetentionEntry]:
    """Young people whose record was last updated longer ago than ``months`` (default: the
    ``retention_months`` setting, 24) before ``today``, longest first; one with no date of update
    is listed too (its age cannot be told).

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(-2.3, 53.4, -2.29, 53.41)))
    >>> p.add_node(Node("yp1", "young_person", "Robin", area_code="A1", updated=dt.date(2024, 11, 30)))
    >>> p.add_node(Node("yp2", "young_person", "Sam", area_code="A1", updated=dt.date(2024, 12, 1)))
    >>> [(e.id, e.months) for e in retention_review(p, dt.date(2026, 12, 1))]
    [('yp1', 24)]
    """
    today = today or dt.date.today()
    try:
        limit = int(months if months is not None else project.settings.get("retention_months", DEFAULT_RETENTION_MONTHS))
    except (TypeError, ValueError):
        limit = DEFAULT_RETENTION_MONTHS
    out = []
    for node in project.nodes.values():
        if node.kind != "young_person":
            continue
        updated = node.updated
        if isinstance(updated, dt.datetime):
            updated = updated.date()
        if not isinstance(updated, dt.date):
            out.append(RetentionEntry(node.id, node.label, node.area_code, None, None))
            continue
        if _add_months(updated, limit) < today:  # longer ago than the limit
            out.append(RetentionEntry(node.id, node.label, node.area_code, updated, _months_between(updated, today)))
    out.sort(key=lambda e: (e.months is not None, -(e.months or 0), e.id))
    return out
