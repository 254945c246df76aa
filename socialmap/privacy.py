"""Privacy rules shared by every output: exports, reports, the CLI and the window (SPEC section 8).

A core module of its own (it imports only the model), so that interchange, reports and the ui
follow one rule; ``socialmap.interchange.privacy`` re-exports it under its old name.

- :func:`suppress` shows a count of young people between 1 and 4 as ``<5``;
- :func:`public_area_table` is the per-area table as it may leave the
  program: counts of young people suppressed, and a rate withheld when the
  count of young people it measures is suppressed (else the count could be
  worked back from it and the denominator);
- :func:`pseudonymise` gives a copy of the project in which young people
  carry neither their id nor their label nor their age, for exports made
  without ``--include-people``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from socialmap.model.project import Project, Tie

#: Area columns that count young people (suppressed 1..4 in anything a person reads).
YOUNG_PEOPLE_COUNTS = ("young_people", "neet", "isolated", "neet_isolated", "neet_with_opportunity")
#: A rate and the count it is made of: withheld when that count is suppressed (a rate of 0 from a
#: count of 0 reveals nothing the table does not show).
RATE_PARTS = {"neet_isolation_rate": ("neet_isolated",), "neet_opportunity_share": ("neet_with_opportunity",)}


def suppress(count: Any) -> str:
    """Small-number suppression: 1..4 as ``<5``; 0 and 5+ as the whole number; missing as ``""``.

    >>> [suppress(n) for n in (0, 1, 4, 5, None)]
    ['0', '<5', '<5', '5', '']
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return ""
    n = int(round(float(count)))
    return "<5" if 1 <= n <= 4 else str(n)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet will not run as a formula: a leading apostrophe before ``= + - @``
    (CSV injection, OWASP). Anything that is not text, and text that is a number, is unchanged.

    >>> [spreadsheet_safe(v) for v in ("=1+1", "@SUM(A1)", "-2.5", "Youth club", 3)]
    ["'=1+1", "'@SUM(A1)", '-2.5', 'Youth club', 3]
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def is_suppressed(count: Any) -> bool:
    return suppress(count) == "<5"


def public_area_table(areas_frame, extra=None):
    """The per-area measures with young-people counts as text (``<5`` for 1..4) and rates withheld
    (NaN) where a count they come from is suppressed. ``extra`` (a frame indexed by area code,
    e.g. hotspot results) is joined on."""
    import numpy as np

    table = areas_frame.copy()
    for rate, parts in RATE_PARTS.items():
        if rate in table.columns:
            hidden = np.zeros(len(table), dtype=bool)
            for part in parts:
                if part in table.columns:
                    hidden |= table[part].map(is_suppressed).to_numpy(dtype=bool)
            table[rate] = table[rate].astype(float).where(~hidden, np.nan)
    for col in YOUNG_PEOPLE_COUNTS:
        if col in table.columns:
            table[col] = table[col].map(suppress)
    if extra is not None:
        table = table.join(extra, how="left")
    return table


def pseudonyms(project: Project) -> dict[str, str]:
    """Each young person's export id, ``yp00001``, ``yp00002``... in the project's order of nodes: the
    same in every export (CSV bundle, GraphML, GEXF), so files made from one project join up."""
    width = max(5, len(str(len(project.nodes))))
    young = (n.id for n in project.nodes.values() if n.kind == "young_person")
    return {node_id: f"yp{i:0{width}d}" for i, node_id in enumerate(young, 1)}


def pseudonymise(project: Project) -> tuple[Project, dict[str, str]]:
    """A copy of ``project`` whose young people are ``yp00001``, ``yp00002``... with no label, age or
    extra attributes; returns it with the map from real id to pseudonymous id.

    The numbering follows the project's order of nodes, not the ids, so it reveals nothing
    about them. Points stay the deterministic ones inside the home area.
    """
    mapping = pseudonyms(project)
    nodes = []
    for node in project.nodes.values():
        if node.kind == "young_person":
            nodes.append(replace(node, id=mapping[node.id], label="young person", age=None, attrs={}))
        else:
            nodes.append(replace(node, attrs=dict(node.attrs)))
    ties = [Tie(mapping.get(t.a, t.a), mapping.get(t.b, t.b), t.type, t.context, t.strength)
            for t in project.ties.values()]
    # The source is a valid project and only young people's ids and texts change, so the copy is
    # valid too: it is assembled directly rather than re-checked record by record (5x faster at
    # city scale). It is for writing out, not for editing.
    copy = Project()
    copy.areas = {code: replace(area) for code, area in project.areas.items()}
    copy.nodes = {n.id: n for n in nodes}
    copy.ties = {t.key: t for t in ties}
    for t in ties:
        copy.adjacency.setdefault(t.a, set()).add(t.b)
        copy.adjacency.setdefault(t.b, set()).add(t.a)
    for n in nodes:
        copy.adjacency.setdefault(n.id, set())
    copy.settings = dict(project.settings)
    return copy, mapping
