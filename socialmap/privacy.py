"""Privacy rules shared by every output: exports, reports, the CLI and the window (SPEC section 8).

A core module of its own (it imports only the model), so that interchange, reports and the ui
follow one rule; ``socialmap.interchange.privacy`` re-exports it under its old name.

- :func:`suppress` shows a count of young people between 1 and 4 as ``<5``, and
  :func:`public_area_table` is the per-area table as it may leave the program
  (both from :mod:`socialmap.disclosure`, which holds every small-number rule);
- :func:`spreadsheet_safe` keeps a cell from running as a formula;
- :func:`pseudonymise` gives a copy of the project in which young people
  carry neither their id nor their label nor their age, for exports made
  without ``--include-people``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

# The small-number rules live in socialmap.disclosure (primary and secondary suppression,
# withheld derived figures, Gi* on public rates); re-exported here under their old names.
from socialmap.disclosure import (  # noqa: E402,F401
    RATE_PARTS,
    WITHHELD,
    YOUNG_PEOPLE_COUNTS,
    is_suppressed,
    public_area_table,
    suppress,
)
from socialmap.model.project import Project


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet will not run as a formula (CSV injection, OWASP): the one rule of
    :func:`socialmap.csvsafe.neutralise`, which every CSV importer reverses. Anything that is not
    text, and text that is a number, is unchanged.

    >>> [spreadsheet_safe(v) for v in ("=1+1", "@SUM(A1)", "-2.5", "Youth club", 3)]
    ["'=1+1", "'@SUM(A1)", '-2.5', 'Youth club', 3]
    """
    from socialmap.csvsafe import neutralise

    return neutralise(value)


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
    ties = [replace(t, a=mapping.get(t.a, t.a), b=mapping.get(t.b, t.b)) for t in project.ties.values()]
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


_NAME_WORD = r"(?=\S{2,})[A-Z][a-z]*(?:[-'’][A-Z]?[a-z]+)*"


def looks_like_full_name(label: str | None) -> bool:
    """Whether a young person's label looks like a full name: two or more words that each start
    with a capital and go on in small letters ("Sam Walker", "Mary-Jane O'Neil"). A first name
    alone, initials or a first name and an initial pass: they are what pseudonyms look like.

    >>> [looks_like_full_name(s) for s in ("Sam Walker", "Mary-Jane O'Neil", "Sam W", "Sam", "S.W.", "yp12", None)]
    [True, True, False, False, False, False, False]
    """
    import re

    if not label:
        return False
    words = label.split()
    return len(words) >= 2 and all(re.fullmatch(_NAME_WORD, w) for w in words)


#: What the window says beside a label that looks like a full name.
FULL_NAME_WARNING = ("This looks like a full name. Young people are recorded by pseudonym only: use a "
                     "first name and an initial, initials or a made-up name (docs/privacy.md).")
