"""A network whose re-tender is recorded as dated ties (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest

from socialmap.model import Node, Tie

#: The day of the change: ties ending then are gone from its measures on.
DAY = dt.date(2025, 9, 1)
EVE = DAY - dt.timedelta(days=1)


@pytest.fixture
def retender(small_project):
    """small_project plus a second youth worker and a new provider.

    Areas: A1 holds yp1 (NEET), yp2, yp4; A2 holds yp3, yp5. o1 provides s1 and employs
    ad1 and ad2 at s1; ad1 -worker- yp3, ad2 -worker- yp5; yp5 -friend- yp1 (bridging);
    o2 is another organisation (the new provider). Nothing is dated yet.
    """
    p = small_project
    p.add_node(Node("yp4", "young_person", "Ash", area_code="A1", neet=False))
    p.add_node(Node("yp5", "young_person", "Lee", area_code="A2", neet=False))
    p.add_node(Node("ad2", "adult", "Max", area_code="A2", role="youth worker"))
    p.add_node(Node("o2", "organisation", "Pathway Training", lat=53.404, lon=-2.284, org_type="private_provider"))
    p.add_tie(Tie("o1", "ad2", "employs", context="s1"))
    p.add_tie(Tie("ad2", "yp5", "worker"))
    p.add_tie(Tie("yp5", "yp1", "friend"))
    return p
