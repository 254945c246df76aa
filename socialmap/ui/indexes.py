"""Indexes of a project that the window's tables, pickers and status bar share, one per
project version (``Project.cached``), made ahead by the job that opens a file.

Opening a city of 100,000 young people ran every view's own pass over its 125,000 nodes and
391,000 ties on the UI thread, one after another inside ``projectReplaced``: the tables' ids
and row numbers, the areas' counts of young people, the status bar's counts by kind, the
scenario and anchor pickers' sorted services and organisations. Together 1.5 s in which the
window did not answer (SPEC 10: never more than 100 ms). :func:`warm` makes what the window
shows at once in the loading job, off the UI thread, and the views take them from the project's
cache (a table copies what it will change: its ids change with later edits); after an edit a
view that asks again at the new version builds the index itself, as before.

No Qt here: :func:`warm` runs on the job thread.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from socialmap.model.kinds import NODE_KINDS, ORGANISATION, SERVICE, YOUNG_PERSON
from socialmap.model.project import Node, Project
from socialmap.turns import let_others_run


def node_ids(project: Project, kind: str) -> list[str]:
    """The ids of the nodes of ``kind``, in the project's order (do not change the list)."""
    return project.cached(f"ui:ids:{kind}", lambda: _ids_by_kind(project)[kind])


def tie_ids(project: Project) -> list[tuple[str, str]]:
    """Every tie's key, in the project's order (do not change the list)."""
    def build() -> list[tuple[str, str]]:
        keys = iter(project.ties)
        out: list[tuple[str, str]] = []
        while piece := list(islice(keys, PIECE)):
            out += piece
            let_others_run()
        return out

    return project.cached("ui:ids:tie", build)


def young_people_per_area(project: Project) -> tuple[dict[str, int], dict[str, str]]:
    """(count of young people per home area, home area of each young person with one)."""
    def build() -> tuple[dict[str, int], dict[str, str]]:
        counts: dict[str, int] = {}
        home: dict[str, str] = {}
        nodes = project.nodes
        for nid in node_ids(project, YOUNG_PERSON):
            code = nodes[nid].area_code
            if code:
                counts[code] = counts.get(code, 0) + 1
                home[nid] = code
        return counts, home

    return project.cached("ui:young_people_per_area", build)


def label_key(node: Node, anchors_first: bool = False) -> tuple:
    """Where ``node`` goes in :func:`by_label`: its label (any case), then its id (two of the
    same label in one order whatever the project's); the anchors first with ``anchors_first``."""
    key = (node.label.lower(), node.id)
    return (not node.is_anchor, *key) if anchors_first else key


def by_label(project: Project, kind: str, *, anchors_first: bool = False) -> list[str]:
    """Ids of the nodes of ``kind`` sorted by :func:`label_key` (the label, any case); with
    ``anchors_first`` the anchor institutions before the others (the anchor panel's picker)."""
    nodes = project.nodes

    def build() -> list[str]:
        return sorted(node_ids(project, kind), key=lambda i: label_key(nodes[i], anchors_first))

    return project.cached(f"ui:by_label:{kind}:{anchors_first}", build)


def by_label_after_edit(project: Project, kind: str, before: list[str], touched: Iterable[str] | None, *,
                        anchors_first: bool = False) -> list[str]:
    """:func:`by_label` now, from ``before`` (its list before an edit) and the ids the edit
    ``touched`` (added, changed or removed): the touched ids out, those still of ``kind`` put
    back in their places. One pass over ``before`` (a city's 3,000 services), not over every
    node (125,000: 40-50 ms inside each edit of a service or organisation). ``touched`` None
    (no edit known: a project opened): :func:`by_label` itself."""
    if touched is None:
        return by_label(project, kind, anchors_first=anchors_first)
    nodes = project.nodes
    touched = set(touched)
    out = [i for i in before if i not in touched]
    for nid in sorted(touched):
        node = nodes.get(nid)
        if node is not None and node.kind == kind:  # the keys of the few it passes, not of all
            at = bisect.bisect_left(out, label_key(node, anchors_first),
                                    key=lambda i: label_key(nodes[i], anchors_first))
            out.insert(at, nid)
    return out


def _ids_by_kind(project: Project) -> dict[str, list[str]]:
    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {k: [] for k in NODE_KINDS}
        for nid, node in project.nodes.items():
            out.setdefault(node.kind, []).append(nid)
        return out

    return project.cached("ui:ids_by_kind", build)


#: Entries per C-level call when a big list is made on the job thread (a city's 391,000 tie keys
#: in one call held Python's lock 0.1-1 s: the UI thread waits).
PIECE = 20_000


def person_attrs(project: Project) -> list[str]:
    """The names of the imported attributes of young people and adults, sorted (the analysis
    panel offers them as group keys)."""
    return project.cached("ui:person_attrs", lambda: sorted(
        {a for n in project.nodes.values() if n.attrs and n.kind in (YOUNG_PERSON, "adult") for a in n.attrs}))


#: What :func:`warm` makes, in order: what the window shows at once. The tables' row of each id
#: (0.15-0.2 s for a city's 391,000 tie keys) is made by each table in steps once the project is
#: shown (socialmap.ui.models), and the status bar counts the tables' rows.
WARMED: tuple[Callable[[Project], Any], ...] = (
    *(lambda p, k=k: node_ids(p, k) for k in NODE_KINDS),
    tie_ids, young_people_per_area, person_attrs,
    lambda p: by_label(p, SERVICE), lambda p: by_label(p, ORGANISATION),
    lambda p: by_label(p, ORGANISATION, anchors_first=True),
    # the model's own: the ties each place is the context of (deleting a place reads it)
    lambda p: p.ties_with_context(""),
)


def warm(project: Project) -> None:
    """Make every index of this module for ``project`` as it is now (a job, before the
    project is shown)."""
    for make in WARMED:
        make(project)
