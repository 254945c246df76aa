"""Exports that their clients read well (issue 12): GraphML and GEXF valid against their schemas
(tests/fixtures/graphml.xsd and gexf.xsd, written from the published GraphML 1.0 and GEXF 1.2
schemas), ids escaped with the original kept, strength as GEXF's weight, GeoJSON rings by the
right-hand rule of RFC 7946."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree
from shapely.geometry import Polygon

from socialmap.interchange.writers.geojson import write_geojson_layers
from socialmap.interchange.writers.graph import write_gexf, write_graphml
from socialmap.model.project import Area, Node, Project, Tie

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / name)))


@pytest.fixture
def kumu_like(two_areas) -> Project:
    """Ids as a Kumu import makes them (labels with spaces, an accent), an attribute named with
    spaces, and ties with strengths 3 and 1."""
    p = Project()
    for a in two_areas:
        p.add_area(a)
    p.add_node(Node("Sam W", "adult", "Sam W", area_code="A1", role="mentor", attrs={"Date joined": "2024-01-05"}))
    p.add_node(Node("Zoë", "adult", "Zoë", area_code="A2", role="parent"))
    p.add_node(Node("Bridge Trust", "organisation", "Bridge Trust", lat=53.405, lon=-2.295,
                    org_type="charity", sector="voluntary"))
    p.add_tie(Tie("Sam W", "Zoë", "friend", strength=3))
    p.add_tie(Tie("Sam W", "Bridge Trust", "member", strength=1))
    return p


@pytest.mark.parametrize("people", [False, True])
def test_graphml_validates_against_the_schema(tmp_path, kumu_like, small_project, people):
    schema = _schema("graphml.xsd")
    for project in (kumu_like, small_project):
        path = write_graphml(project, tmp_path / "g.graphml", include_people=people)
        assert schema.validate(etree.parse(str(path))), schema.error_log


@pytest.mark.parametrize("people", [False, True])
def test_gexf_validates_against_the_schema(tmp_path, kumu_like, small_project, people):
    schema = _schema("gexf.xsd")
    for project in (kumu_like, small_project):
        path = write_gexf(project, tmp_path / "g.gexf", include_people=people)
        assert schema.validate(etree.parse(str(path))), schema.error_log


def test_the_schema_refuses_what_the_old_writer_wrote(tmp_path):
    """The test schema is strict where GraphML is: an id with a space is not an NMTOKEN."""
    bad = tmp_path / "bad.graphml"
    bad.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                   '<graph edgedefault="undirected"><node id="Sam W"/></graph></graphml>')
    assert not _schema("graphml.xsd").validate(etree.parse(str(bad)))


def test_graphml_ids_escaped_and_originals_kept(tmp_path, kumu_like):
    g = nx.read_graphml(write_graphml(kumu_like, tmp_path / "g.graphml", include_people=True))
    assert set(g.nodes) == {"Sam_20_W", "Zo_eb_", "Bridge_20_Trust"}
    assert {g.nodes[n]["original_id"] for n in g.nodes} == {"Sam W", "Zoë", "Bridge Trust"}
    assert g.has_edge("Sam_20_W", "Zo_eb_")
    text = (tmp_path / "g.graphml").read_text()
    # the attribute named with a space: an NMTOKEN name, its own name in the key's desc
    assert 'attr.name="Date_20_joined"' in text and "<desc>Date joined</desc>" in text


def test_graphml_ids_left_as_they_are_when_valid(tmp_path, small_project):
    g = nx.read_graphml(write_graphml(small_project, tmp_path / "g.graphml", include_people=True))
    assert "o1" in g.nodes and "original_id" not in g.nodes["o1"]


def test_strength_is_the_gexf_edge_weight(tmp_path, kumu_like):
    g = nx.read_gexf(write_gexf(kumu_like, tmp_path / "g.gexf", include_people=True))
    weights = sorted(d["weight"] for _, _, d in g.edges(data=True))
    assert weights == [1.0, 3.0]


def _signed_area(ring) -> float:
    """Shoelace formula: positive for a counterclockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def test_geojson_rings_follow_the_right_hand_rule(tmp_path, small_project):
    """RFC 7946 3.1.6: exterior rings counterclockwise, holes clockwise. A1 is given clockwise with
    a counterclockwise hole (the opposite); both come out turned."""
    clockwise = Polygon([(-2.30, 53.40), (-2.30, 53.41), (-2.29, 53.41), (-2.29, 53.40)],
                        holes=[[(-2.298, 53.402), (-2.292, 53.402), (-2.292, 53.408), (-2.298, 53.408)]])
    assert _signed_area(list(clockwise.exterior.coords)) < 0 < _signed_area(list(clockwise.interiors[0].coords))
    a1 = small_project.areas["A1"]
    small_project.areas["A1"] = Area(a1.code, a1.name, clockwise, a1.imd_decile, a1.population_16_24)
    write_geojson_layers(small_project, tmp_path / "l")
    features = json.loads((tmp_path / "l" / "areas.geojson").read_text())["features"]
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for rings in polygons:
            assert _signed_area(rings[0]) > 0
            assert all(_signed_area(hole) < 0 for hole in rings[1:])
    a1_rings = next(f for f in features if f["id"] == "A1")["geometry"]["coordinates"]
    assert len(a1_rings) == 2
