"""Privacy placement (SPEC section 8): each young person is drawn at a
deterministic pseudo-random point inside their home area, never at a home
address.

The point depends only on the person's id and the area's polygon: candidate
points come from a counter-based generator (SplitMix64) seeded by a hash of
the id, so placing one person or a hundred thousand at once gives the same
points, and the test is vectorised with ``shapely.contains_xy``.
"""

from __future__ import annotations

import hashlib
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from socialmap.errors import Problem
    from socialmap.model.project import Node, Project

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_CANDIDATES_PER_ROUND = 32
_ROUNDS = 16


def id_seed(node_id: str) -> int:
    """A stable 64-bit seed from an id (the same on every machine and run)."""
    return int.from_bytes(hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest(), "little")


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _uniform(seeds: np.ndarray, counters: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) draws, one per (seed, counter) pair."""
    with np.errstate(over="ignore"):
        z = _splitmix64(seeds[:, None] + counters[None, :] * _GOLDEN)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def place_many(ids: list[str], geometry) -> np.ndarray:
    """Points (lon, lat) inside ``geometry`` for each id, as an (n, 2) array.

    Always strictly inside the polygon, concave and multi-part ones included:
    candidates are drawn in the bounding box and the first inside is kept;
    in the vanishing case that none of 512 is inside, the polygon's
    representative point (always inside) is used.
    """
    n = len(ids)
    out = np.full((n, 2), np.nan)
    if n == 0:
        return out
    minx, miny, maxx, maxy = geometry.bounds
    seeds = np.array([id_seed(i) for i in ids], dtype=np.uint64)
    shapely.prepare(geometry)
    todo = np.arange(n)
    for rnd in range(_ROUNDS):
        k = _CANDIDATES_PER_ROUND
        counters = np.arange(rnd * 2 * k, (rnd + 1) * 2 * k, dtype=np.uint64)
        draws = _uniform(seeds[todo], counters)
        xs = minx + draws[:, :k] * (maxx - minx)
        ys = miny + draws[:, k:] * (maxy - miny)
        inside = shapely.contains_xy(geometry, xs, ys)
        hit = inside.any(axis=1)
        first = inside.argmax(axis=1)
        rows = np.nonzero(hit)[0]
        out[todo[rows], 0] = xs[rows, first[rows]]
        out[todo[rows], 1] = ys[rows, first[rows]]
        todo = todo[~hit]
        if todo.size == 0:
            break
    if todo.size:
        rp = geometry.representative_point()
        out[todo] = (rp.x, rp.y)
    return out


def place_in_area(node_id: str, geometry) -> tuple[float, float]:
    """The (lon, lat) point inside ``geometry`` for one young person."""
    lon, lat = place_many([node_id], geometry)[0]
    return float(lon), float(lat)


def place_young_people(project: Project) -> None:
    """Place every young person of ``project`` inside their home area."""
    by_area: dict[str, list] = {}
    for node in project.nodes.values():
        if node.kind == "young_person" and node.area_code in project.areas:
            by_area.setdefault(node.area_code, []).append(node)
    for code, people in by_area.items():
        pts = place_many([p.id for p in people], project.areas[code].geometry)
        for person, (lon, lat) in zip(people, pts, strict=True):
            person.lon = float(lon)
            person.lat = float(lat)


def outside_home_area(project: Project) -> list[tuple[Node, str | None]]:
    """Young people of ``project`` whose point does not lie inside their home area (a point moved
    in another program: dragged in QGIS into the next area, or drawn where someone lives), each
    with the code of the area the point lies in instead (None: in none).

    Their own area's polygon is tested against each point, all at once (``shapely.contains_xy``
    over an array of each point's polygon, the polygons prepared meanwhile). A point moved
    within its own area is not seen here (:func:`off_placement` finds it). A file SocialMap wrote
    never has such a point: the placement is the same function of id and polygon everywhere
    (:func:`place_many`)."""
    codes = list(project.areas)
    row = {code: i for i, code in enumerate(codes)}
    people = [n for n in project.nodes.values() if n.kind == "young_person" and n.area_code in row
              and n.lon is not None and n.lat is not None]
    if not people:
        return []
    # every point against its own area's polygon in one call over arrays (an area at a time,
    # 4,000 areas' calls and arrays were most of the time); the polygons prepared for it and
    # let go of after, as they were
    polygons = np.empty(len(codes), dtype=object)
    polygons[:] = [project.areas[c].geometry for c in codes]
    home = np.fromiter(map(row.__getitem__, map(attrgetter("area_code"), people)), np.int64, len(people))
    lon = np.fromiter(map(attrgetter("lon"), people), float, len(people))
    lat = np.fromiter(map(attrgetter("lat"), people), float, len(people))
    unprepared = ~shapely.is_prepared(polygons)
    shapely.prepare(polygons)
    try:
        inside = shapely.contains_xy(polygons[home], lon, lat)
    finally:
        shapely.destroy_prepared(polygons[unprepared])
    moved = [people[i] for i in np.flatnonzero(~inside).tolist()]
    if not moved:
        return []
    tree = shapely.STRtree([project.areas[c].geometry for c in codes])
    out: list[tuple[Node, str | None]] = []
    for node in moved:
        hits = sorted(int(i) for i in tree.query(shapely.Point(node.lon, node.lat), predicate="intersects"))
        out.append((node, codes[hits[0]] if hits else None))
    return out


#: How far (degrees, both coordinates) a young person's stored point may be from their placement
#: and still be it: a file keeps the placement's doubles exactly; 1e-9 degrees is 0.1 mm.
PLACEMENT_TOLERANCE_DEG = 1e-9


def off_placement(project: Project, *, skip: set[str] | frozenset[str] = frozenset()) -> list[Node]:
    """Young people of ``project`` whose point lies inside their home area but is not their
    placement there (:func:`place_many`, within :data:`PLACEMENT_TOLERANCE_DEG`): a point moved
    within the area in another program (dragged in QGIS onto a street, perhaps where they live),
    which :func:`outside_home_area` does not see. Also every young person of an area whose polygon
    was edited since their points were placed. ``skip``: ids left out (already found otherwise).

    The placements are made again, an area at a time (what ``socialmap check`` and the repair
    view do; opening a file does not: it would cost the placement of everyone)."""
    by_area: dict[str, list] = {}
    for node in project.nodes.values():
        if (node.kind == "young_person" and node.area_code in project.areas and node.lon is not None
                and node.lat is not None and node.id not in skip):
            by_area.setdefault(node.area_code, []).append(node)
    out: list[Node] = []
    for code, people in by_area.items():
        placed = place_many([n.id for n in people], project.areas[code].geometry)
        stored = np.array([(n.lon, n.lat) for n in people], dtype=float)
        off = (np.abs(placed - stored) > PLACEMENT_TOLERANCE_DEG).any(axis=1)
        out += [people[i] for i in np.flatnonzero(off).tolist()]
    return out


def off_placement_problem(node: Node, source: str | None = None) -> Problem:
    """The problem of a young person whose point was moved within their home area (:func:`off_placement`)."""
    from socialmap.errors import Problem

    return Problem(f"its point lies inside its home area {node.area_code!r} but not at its placement there "
                   "(moved in another program? a point drawn there could be where they live)", file=source,
                   record=f"node {node.id!r}", field="point")


def outside_home_problem(node: Node, lies_in: str | None, source: str | None = None) -> Problem:
    """The problem of a young person whose point lies outside their home area (``lies_in``: the
    area it lies in instead, if any). Said the same way by the loader and by the repair."""
    from socialmap.errors import Problem

    where = f"it lies in area {lies_in!r}" if lies_in else "it lies in no area"
    return Problem(f"its point lies outside its home area {node.area_code!r}: {where} (moved in another "
                   "program? a point drawn there could be where they live)", file=source,
                   record=f"node {node.id!r}", field="point")
