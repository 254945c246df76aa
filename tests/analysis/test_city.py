"""Whole-city checks: the array passes equal plain per-node definitions on a synthetic town."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from socialmap.analysis import analyse, anchor_presence, reach
from socialmap.bench import synthetic_city

PERSON = {"young_person", "adult"}


@pytest.fixture(scope="module")
def city():
    return synthetic_city(600)


@pytest.fixture(scope="module")
def result(city):
    return analyse(city)


def test_burt_measures_equal_networkx(city, result):
    """networkx's own matrix path for all nodes (its per-node loop is far slower)."""
    g = city.graph()
    want_c, want_e = nx.constraint(g), nx.effective_size(g)
    for pid, row in result.people.iterrows():
        if math.isnan(want_c[pid]):
            assert math.isnan(row["constraint"]) and math.isnan(row["effective_size"])
        else:
            assert row["constraint"] == pytest.approx(want_c[pid], abs=1e-12)
            assert row["effective_size"] == pytest.approx(want_e[pid], abs=1e-12)


def test_areas_reached_and_service_links_equal_plain_definitions(city, result):
    """areas_reached by a cut-off search over the non-institutional ties; service links by
    following attends and worker/mentor -> employs -> provider by hand."""
    kinds = {i: n.kind for i, n in city.nodes.items()}
    g = nx.Graph()
    g.add_nodes_from(city.nodes)
    g.add_edges_from((t.a, t.b) for t in city.ties.values() if kinds[t.a] in PERSON or kinds[t.b] in PERSON)
    services_of: dict[str, set[str]] = {}
    for n in city.nodes.values():
        if n.kind == "service" and n.provider:
            services_of.setdefault(n.provider, set()).add(n.id)
    for pid, row in result.people.iterrows():
        near = nx.single_source_shortest_path_length(g, pid, cutoff=2)
        areas = {city.nodes[o].area_code for o in near if o != pid and kinds[o] in PERSON} - {None, city.nodes[pid].area_code}
        assert row["areas_reached"] == len(areas), pid
        linked = set()
        for other in city.neighbours(pid):
            tie = city.get_tie(pid, other)
            if tie.type == "attends":
                linked.add(other)
            elif tie.type in ("worker", "mentor") and kinds[other] == "adult":
                for org in city.neighbours(other):
                    if city.get_tie(other, org).type == "employs":
                        linked |= services_of.get(org, set())
        assert row["service_links"] == len(linked), pid


def test_area_totals_add_up(city, result):
    areas, summary = result.areas, result.summary
    assert areas["young_people"].sum() == summary["young_people"]
    assert areas["neet_isolated"].sum() == summary["neet_isolated"]
    assert areas["services_in_area"].sum() <= summary["services"]


def test_anchor_figures_equal_reach_lists(city):
    orgs = anchor_presence(city).organisations
    for org_id, row in orgs.iterrows():
        r = reach(city, org_id)
        assert (len(r["young_people"]), len(r["areas"])) == (row["young_people_reached"], row["areas_reached"])


@pytest.mark.parametrize("piece", [1, 37])
def test_areas_reached_a_piece_of_people_at_a_time_is_the_same(city, result, monkeypatch, piece):
    """Issue 13: the two-hop reach is worked out for a piece of the people at a time to bound
    memory; any piece size gives every node the count the one pass gave (checked above against
    the plain definition)."""
    from socialmap.analysis import measures

    monkeypatch.setattr(measures, "PEOPLE_PER_PIECE", piece)
    counts = measures.areas_reached(city)
    position = {node_id: k for k, node_id in enumerate(city.nodes)}
    assert any(row["areas_reached"] > 1 for _, row in result.people.iterrows())
    for pid, row in result.people.iterrows():
        assert counts[position[pid]] == row["areas_reached"], pid
