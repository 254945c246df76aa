"""Privacy placement (SPEC section 8): a deterministic point strictly inside the
home area, for concave and multi-part polygons and for real boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape

from socialmap.model import Area, Node, Project
from socialmap.model.placement import id_seed, place_in_area, place_many, place_young_people
from tests.conftest import L_SHAPE

GM_LADS = Path("/work/shared/data/gm_lads.geojson")

#: A "C": the 10x10 square without the bite (2..10, 2..8): 52 of the 100 units of its box.
C_SHAPE = Polygon([(0, 0), (10, 0), (10, 2), (2, 2), (2, 8), (10, 8), (10, 10), (0, 10)])
#: A big square and a tiny far-away island: 1e-8 of the area, but a real part.
WITH_ISLAND = MultiPolygon([box(0, 0, 10, 10), box(50, 50, 50.0001, 50.0001)])

IDS = [f"yp{i}" for i in range(500)]


@pytest.mark.parametrize("polygon", [L_SHAPE, C_SHAPE, WITH_ISLAND], ids=["L", "C", "island"])
def test_every_point_is_strictly_inside(polygon):
    points = place_many(IDS, polygon)
    assert points.shape == (500, 2)
    assert not np.isnan(points).any()
    inside = shapely.contains_xy(polygon, points[:, 0], points[:, 1])
    assert inside.all()


def test_l_shape_points_avoid_the_missing_corner():
    """The L's bounding box is 10x10 but the polygon is only 19 units: the hole
    (0..9, 1..10) must get no points, although most of the box is there."""
    points = place_many(IDS, L_SHAPE)
    in_hole = (points[:, 0] < 9) & (points[:, 1] > 1)
    assert not in_hole.any()


def test_points_spread_over_the_shape():
    """Uniform in area: the C's three arms (bottom 20, spine 12, top 20 units of 52)
    each get a share near their area share."""
    points = place_many([f"p{i}" for i in range(4000)], C_SHAPE)
    bottom = (points[:, 1] < 2).mean()
    top = (points[:, 1] > 8).mean()
    assert bottom == pytest.approx(20 / 52, abs=0.04)
    assert top == pytest.approx(20 / 52, abs=0.04)


def test_deterministic_by_id():
    first = place_many(IDS, C_SHAPE)
    again = place_many(IDS, C_SHAPE)
    assert np.array_equal(first, again)
    assert id_seed("yp1") == id_seed("yp1") != id_seed("yp2")
    assert len({tuple(p) for p in first}) == len(IDS)  # different people, different points


def test_same_point_alone_or_in_bulk():
    bulk = place_many(IDS, L_SHAPE)
    for i in (0, 17, 499):
        assert place_in_area(IDS[i], L_SHAPE) == (bulk[i, 0], bulk[i, 1])
    reordered = place_many(list(reversed(IDS)), L_SHAPE)
    assert np.array_equal(reordered[::-1], bulk)


def test_tiny_polygon_still_gets_an_inside_point():
    """A sliver whose bounding box is mostly empty still gets a point inside it
    (falling back to the representative point if sampling misses)."""
    sliver = Polygon([(0, 0), (1000, 0), (0, 0.001)])
    lon, lat = place_in_area("yp1", sliver)
    assert sliver.contains(Point(lon, lat))


def test_empty_id_list():
    assert place_many([], L_SHAPE).shape == (0, 2)


def _gm_areas() -> list[Area]:
    data = json.loads(GM_LADS.read_text())
    return [
        Area(f["properties"]["lad19cd"], f["properties"]["lad19nm"], shape(f["geometry"]))
        for f in data["features"]
    ]


def test_real_boundaries_every_young_person_inside_their_own_district():
    """300 young people in each of Oldham, Rochdale, Manchester and Tameside, placed in
    one bulk pass: each lies inside their own district and in no other."""
    areas = _gm_areas()
    assert {a.name for a in areas} == {"Oldham", "Rochdale", "Manchester", "Tameside"}
    nodes = [Node(f"{a.code}-{i}", "young_person", area_code=a.code) for a in areas for i in range(300)]
    p = Project.build(areas, nodes, [])
    by_code = {a.code: a.geometry for a in areas}
    for node in p.nodes.values():
        point = Point(node.lon, node.lat)
        assert by_code[node.area_code].contains(point)
        others = [c for c in by_code if c != node.area_code]
        assert not any(by_code[c].contains(point) for c in others)


def test_real_boundaries_same_point_alone_or_in_bulk():
    areas = _gm_areas()
    manchester = next(a for a in areas if a.name == "Manchester")
    p = Project.build(areas, [Node(f"m{i}", "young_person", area_code=manchester.code) for i in range(50)], [])
    for i in (0, 25, 49):
        node = p.nodes[f"m{i}"]
        assert place_in_area(node.id, manchester.geometry) == (node.lon, node.lat)
    # placing again (as after an edit or a reload) gives the same points
    before = {n.id: (n.lon, n.lat) for n in p.nodes.values()}
    place_young_people(p)
    assert before == {n.id: (n.lon, n.lat) for n in p.nodes.values()}
