"""GraphML and GEXF round trips through networkx: same nodes, ties and attributes."""

from __future__ import annotations

import networkx as nx
import pytest

from socialmap.interchange.writers.graph import write_gexf, write_graphml

WRITERS = {"graphml": (write_graphml, nx.read_graphml), "gexf": (write_gexf, nx.read_gexf)}


@pytest.mark.parametrize("fmt", WRITERS)
def test_round_trip_with_people(tmp_path, small_project, fmt):
    """Every node and tie comes back with its kind, fields, tie type and class. Hand-worked:
    yp1-yp2 are both in A1 (bonding), yp2-yp3 cross A1/A2 (bridging), yp1-s1 and ad1-yp3 are
    linking, o1-ad1 (employs) and o1-s1 (provides) institutional... except that employs joins an
    organisation to a person, so it is linking too (person-organisation)."""
    write, read = WRITERS[fmt]
    path = write(small_project, tmp_path / f"g.{fmt}", include_people=True)
    g = read(path)
    assert set(g.nodes) == set(small_project.nodes)
    assert {frozenset(e) for e in g.edges} == {frozenset(k) for k in small_project.ties}
    for node in small_project.nodes.values():
        data = g.nodes[node.id]
        assert data["kind"] == node.kind and data["label"] == node.label
    assert g.nodes["yp1"]["neet"] is True and g.nodes["yp1"]["age"] == 17
    assert g.nodes["o1"]["employees_local"] == 60 and g.nodes["o1"]["is_anchor"] is True
    assert g.nodes["s1"]["provider"] == "o1"
    assert g.nodes["o1"]["lat"] == pytest.approx(53.405)
    classes = {frozenset((a, b)): d["tie_class"] for a, b, d in g.edges(data=True)}
    assert classes[frozenset(("yp1", "yp2"))] == "bonding"
    assert classes[frozenset(("yp2", "yp3"))] == "bridging"
    assert classes[frozenset(("yp1", "s1"))] == "linking"
    assert classes[frozenset(("ad1", "yp3"))] == "linking"
    assert classes[frozenset(("o1", "s1"))] == "institutional"
    types = {frozenset((a, b)): d["tie_type"] for a, b, d in g.edges(data=True)}
    assert types[frozenset(("o1", "ad1"))] == "employs"
    assert g.edges["yp2", "yp3"]["context"] == "s1"
    # measures: degree is the tie count; yp2 has one bonding and one bridging tie
    assert g.nodes["yp2"]["degree"] == 2
    assert (g.nodes["yp2"]["bonding"], g.nodes["yp2"]["bridging"], g.nodes["yp2"]["linking"]) == (1, 1, 0)
    assert g.nodes["yp2"]["isolated"] is False
    assert g.nodes["o1"]["young_people_reached"] == 2  # yp1 via s1, yp3 via its worker ad1


@pytest.mark.parametrize("fmt", WRITERS)
def test_young_people_are_pseudonymous_by_default(tmp_path, small_project, fmt):
    write, read = WRITERS[fmt]
    path = write(small_project, tmp_path / f"g.{fmt}")
    text = path.read_text(encoding="utf-8")
    for secret in ("Robin", "Sam", "Kai", '"yp1"', '"yp2"', '"yp3"'):
        assert secret not in text
    g = read(path)
    young = [n for n, d in g.nodes(data=True) if d["kind"] == "young_person"]
    assert sorted(young) == ["yp00001", "yp00002", "yp00003"]
    assert all("age" not in g.nodes[n] and "lat" not in g.nodes[n] for n in young)
    assert g.number_of_edges() == len(small_project.ties)
    assert g.nodes["ad1"]["label"] == "Jo"


@pytest.mark.parametrize("fmt", WRITERS)
def test_awkward_text_survives(tmp_path, small_project, fmt):
    """Markup, quotes, ampersands, newlines and control characters in data stay data."""
    small_project.update_node("o1", label='<b>"Fish & Chips"</b>\nLtd\x01')
    small_project.update_node("s1", attrs={"note": "a < b & c > d", "weird key": 3})
    write, read = WRITERS[fmt]
    g = read(write(small_project, tmp_path / f"g.{fmt}", include_people=True))
    assert g.nodes["o1"]["label"] == '<b>"Fish & Chips"</b>\nLtd'
    # GraphML's attr.name must be an NMTOKEN: the space is escaped (its name kept in the key's desc)
    key = "weird_20_key" if fmt == "graphml" else "weird key"
    assert g.nodes["s1"]["note"] == "a < b & c > d" and g.nodes["s1"][key] == 3


def test_cli_export_graphml(tmp_path, saved_small):
    from socialmap.cli import main

    out = tmp_path / "net.graphml"
    assert main(["export", "graphml", str(saved_small), str(out)]) == 0
    assert nx.read_graphml(out).number_of_nodes() == 6
    assert main(["export", "graphml", str(saved_small), str(out)]) == 2  # exists, no --force


@pytest.mark.parametrize("fmt", WRITERS)
def test_anchor_counts_of_young_people_are_suppressed_by_default(tmp_path, small_project, fmt):
    """o1 reaches 2 young people (yp1 via s1, yp3 via ad1) and is the sole link of both: in the
    default (pseudonymous) export these counts are suppressed (SPEC section 8) and the column stays
    a number column (SPEC 11): no value, and the flag young_people_reached_suppressed true; with
    --include-people the exact figure is kept (test above)."""
    write, read = WRITERS[fmt]
    g = read(write(small_project, tmp_path / f"g.{fmt}"))
    assert "young_people_reached" not in g.nodes["o1"] and g.nodes["o1"]["young_people_reached_suppressed"] is True
    assert "sole_link_young_people" not in g.nodes["o1"]
    assert g.nodes["o1"]["sole_link_young_people_suppressed"] is True
    assert "<5" not in (tmp_path / f"g.{fmt}").read_text()


def test_pseudonyms_are_the_same_in_every_export(tmp_path, small_project):
    """The CSV bundle and the GraphML name each young person alike (yp00001 = yp1 ...), so the
    files of one project join up."""
    import csv

    from socialmap.interchange.writers.csv_tables import write_csv_tables

    write_csv_tables(small_project, tmp_path / "t")
    with open(tmp_path / "t" / "ties.csv", encoding="utf-8-sig") as fh:
        csv_ties = {frozenset((r["a"], r["b"])) for r in csv.DictReader(fh)}
    g = nx.read_graphml(write_graphml(small_project, tmp_path / "g.graphml"))
    assert {frozenset(e) for e in g.edges} == csv_ties


def test_one_value_conversion_for_graph_and_geojson_exports():
    """GraphML/GEXF and the GeoJSON layers convert cells with the one plain_value: a time is ISO 8601
    with its 'T' in both (GeoJSON wrote '2027-03-31 12:00:00'), pd.NaT is missing in both (GraphML
    wrote the text 'NaT')."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from socialmap.interchange.writers import geojson as geojson_export
    from socialmap.interchange.writers.graph import plain_value

    assert not hasattr(geojson_export, "_json_value")
    frame = pd.DataFrame({"when": [dt.datetime(2027, 3, 31, 12), pd.NaT], "n": [np.int64(3), np.nan]},
                         index=["x", "y"], dtype=object)
    features = geojson_export.frame_features(frame, lambda key: None)
    assert [f["properties"]["when"] for f in features] == ["2027-03-31T12:00:00", None]
    assert [f["properties"]["n"] for f in features] == [3, None]
    assert plain_value(dt.datetime(2027, 3, 31, 12)) == "2027-03-31T12:00:00"
    assert plain_value(pd.NaT) is None and plain_value(pd.NA) is None
    assert plain_value(dt.date(2027, 3, 31)) == "2027-03-31" and plain_value(np.bool_(True)) is True
