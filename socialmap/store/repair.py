"""``socialmap check`` and ``socialmap repair``: a project file edited elsewhere (QGIS, GDAL)
into an invalid state, every problem listed, the safe fixes applied and each reported.

The safe fixes change nothing anyone wrote, only what can no longer stand:

- a tie to a node that is gone (deleted in QGIS) is dropped; a tie's context naming a node
  that is gone is cleared;
- a service whose provider is gone loses the provider;
- a point digitised without attributes but with a kind gets an id (``new-1``, ``new-2``…);
- an organisation or service without an area code (or with one that is not an area) gets the
  code of the area its point lies in, or of the nearest area when it lies outside every one.

What needs a person's judgement (a point with no kind, a young person whose home area is not
an area, a tie whose type does not fit its ends) is listed and left.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from socialmap.errors import InputError, Problem, ProjectFileError
from socialmap.model.project import Project


def _records(path: Path):
    from socialmap.store.gpkg import read_records, read_schema_version

    read_schema_version(path)  # a newer or damaged file is refused as when opening it
    try:
        return read_records(path, path)
    except ProjectFileError:
        raise
    except Exception as exc:  # a layer GDAL cannot read
        raise ProjectFileError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


def _unnamed(nodes) -> list[Problem]:
    out = []
    for i, n in enumerate(nodes, 1):
        if not n.id:
            where = f" at {n.lat:.5f}, {n.lon:.5f}" if n.lat is not None and n.lon is not None else ""
            out.append(Problem(f"a point with no id{where} (digitised without attributes?); "
                               f"'socialmap repair' gives it one" + ("" if n.kind else ", once it has a kind"),
                               record=f"nodes feature {i}", field="id"))
    return out


def check(path: str | os.PathLike) -> list[Problem]:
    """Every problem of the project file at ``path`` (empty when it opens cleanly)."""
    path = Path(path)
    areas, nodes, ties, settings, scenarios, _ = _records(path)
    problems = _unnamed(nodes)
    try:
        Project.build(areas, [n for n in nodes if n.id], ties, settings, scenarios, place_young_people=False,
                      source=str(path))
    except InputError as exc:
        problems += exc.problems
    return problems


def repair(path: str | os.PathLike) -> tuple[Project, list[str]]:
    """The project of the file with the safe fixes applied, and one line per fix. Raises
    :class:`InputError` listing what is still wrong after them (nothing is written then)."""
    import shapely

    path = Path(path)
    areas, nodes, ties, settings, scenarios, snapshots = _records(path)
    fixes: list[str] = []
    taken = {n.id for n in nodes if n.id}
    fixed_nodes = []
    counter = 0
    for i, n in enumerate(nodes, 1):
        if not n.id and n.kind:
            counter += 1
            while f"new-{counter}" in taken:
                counter += 1
            new_id = f"new-{counter}"
            taken.add(new_id)
            n = replace(n, id=new_id, label=n.label or new_id)
            fixes.append(f"nodes feature {i}: a {n.kind} with no id was given the id {new_id!r}")
        fixed_nodes.append(n)
    ids = {n.id for n in fixed_nodes if n.id}
    codes = [a.code for a in areas]
    tree = shapely.STRtree([a.geometry for a in areas]) if areas else None
    for k, n in enumerate(fixed_nodes):
        if n.kind == "service" and n.provider and n.provider not in ids:
            fixes.append(f"service {n.id!r}: provider {n.provider!r} is gone; the provider was cleared")
            n = replace(n, provider=None)
        if (n.kind in ("organisation", "service") and tree is not None and n.lat is not None and n.lon is not None
                and n.area_code not in codes):
            point = shapely.Point(n.lon, n.lat)
            hits = tree.query(point, predicate="within")
            code = codes[int(hits[0])] if len(hits) else codes[int(tree.query_nearest(point)[0])]
            how = "it lies in" if len(hits) else "nearest to it (it lies outside every area)"
            fixes.append(f"{n.kind} {n.id!r}: area code {n.area_code!r} -> {code!r}, the area {how}")
            n = replace(n, area_code=code)
        fixed_nodes[k] = n
    kept_ties = []
    for t in ties:
        gone = [e for e in (t.a, t.b) if e not in ids]
        if gone:
            fixes.append(f"tie {t.a!r}-{t.b!r} ({t.type}): dropped, {' and '.join(map(repr, gone))} "
                         f"{'is' if len(gone) == 1 else 'are'} gone")
            continue
        if t.context is not None and t.context not in ids:
            fixes.append(f"tie {t.a!r}-{t.b!r}: context {t.context!r} is gone; the context was cleared")
            t = replace(t, context=None)
        kept_ties.append(t)
    problems = _unnamed([n for n in fixed_nodes if not n.id])
    try:
        project = Project.build(areas, [n for n in fixed_nodes if n.id], kept_ties, settings, scenarios,
                                place_young_people=False, source=str(path))
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    project.snapshots = snapshots
    return project, fixes
