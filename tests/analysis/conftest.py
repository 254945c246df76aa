"""Builders of small hand-made projects for the analysis tests."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie


def grid_areas(rows: int, cols: int, size: float = 0.01, west: float = -2.30, south: float = 53.40) -> list[Area]:
    """``rows`` x ``cols`` adjoining squares near Manchester, codes ``R{r}C{c}``."""
    return [
        Area(f"R{r}C{c}", f"Area {r},{c}", box(west + c * size, south + r * size, west + (c + 1) * size, south + (r + 1) * size))
        for r in range(rows)
        for c in range(cols)
    ]


def project_with(areas, nodes=(), ties=()) -> Project:
    """A project built through the edit API (validated record by record)."""
    p = Project()
    for a in areas:
        p.add_area(a)
    for n in nodes:
        p.add_node(n)
    for t in ties:
        p.add_tie(t)
    return p


@pytest.fixture
def empty_project() -> Project:
    return Project()


@pytest.fixture
def reach_project(two_areas) -> Project:
    """A hand network for areas reached (areas A1, A2 and a third, A3).

    y1 (A1) -friend- y2 (A2) -friend- y3 (A3)          y1 reaches A2 (y2), A3 (y3)
    y1 -attends- club; y4 (A3) -attends- club          club is a linking hop: y1 reaches A3 (y4) too
    club provided by org; org -employs- w (A2)         provides is institutional: y1 does not reach w
    y3 -friend- y5 (A1)                                 three hops from y1
    y1 -family- g (adult, no area)                      no area: contributes nothing
    g -family- y6 (A2)                                  two hops from y1 through an adult
    """
    a3 = Area("A3", "South", box(-2.30, 53.39, -2.29, 53.40))
    nodes = [
        Node("y1", "young_person", area_code="A1"),
        Node("y2", "young_person", area_code="A2"),
        Node("y3", "young_person", area_code="A3"),
        Node("y4", "young_person", area_code="A3"),
        Node("y5", "young_person", area_code="A1"),
        Node("y6", "young_person", area_code="A2"),
        Node("g", "adult"),
        Node("w", "adult", area_code="A2"),
        Node("org", "organisation", lat=53.405, lon=-2.295),
        Node("club", "service", lat=53.405, lon=-2.285, provider="org"),
    ]
    ties = [
        Tie("y1", "y2", "friend"),
        Tie("y2", "y3", "friend"),
        Tie("y1", "club", "attends"),
        Tie("y4", "club", "attends"),
        Tie("org", "w", "employs"),
        Tie("y3", "y5", "friend"),
        Tie("y1", "g", "family"),
        Tie("g", "y6", "family"),
    ]
    return project_with([*two_areas, a3], nodes, ties)
