"""A small town for hand-computed scenarios.

Three adjoining areas in a row, each 0.01 degrees square near Manchester
(about 0.66 km east-west, 1.1 km north-south)::

    A1 (-2.30..-2.29)   A2 (-2.29..-2.28)   A3 (-2.28..-2.27), all 53.40..53.41

Services: s1 (youth club, at A1's centre) and s2 (careers hub, at A3's
centre), both provided by o1; s3 (provided by o2) 0.04 degrees (about
4.45 km) north of A2's centre. o1 employs ad1 at s1 and ad2 at s2.

Young people (NEET marked *) and their ties, with tie classes::

    yp1* A1: friend yp2 (bonding), attends s1 (linking)                 bridging+linking = 1
    yp2  A1: friend yp1 (bonding), friend yp3 @s1 (bridging)             1
    yp3  A2: friend yp2 @s1 (bridging), worker ad1, member o3 (linking)  3
    yp4* A2: worker ad1 (linking), peer yp5 @s2 (bridging)               2
    yp5* A3: peer yp4 @s2 (bridging), mentor ad2, attends s2 (linking)   3
    yp6* A2: worker ad1 (linking)                                        1

(``@s1``: the tie's context is s1.) Area tie counts before (sums over the
area's young people): A1 bonding 2, bridging 1, linking 1; A2 bridging 2,
linking 4; A3 bridging 1, linking 2. Nobody is isolated before.
"""

from __future__ import annotations

import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie


def build_town() -> Project:
    p = Project()
    p.add_area(Area("A1", "Westgate", box(-2.30, 53.40, -2.29, 53.41)))
    p.add_area(Area("A2", "Middleton", box(-2.29, 53.40, -2.28, 53.41)))
    p.add_area(Area("A3", "Eastfield", box(-2.28, 53.40, -2.27, 53.41)))
    p.add_node(
        Node("o1", "organisation", "Northfield Trust", lat=53.405, lon=-2.285, org_type="charity")
    )
    p.add_node(
        Node(
            "o2",
            "organisation",
            "Newco Services",
            lat=53.445,
            lon=-2.285,
            org_type="private_provider",
        )
    )
    p.add_node(
        Node("o3", "organisation", "Rovers FC", lat=53.405, lon=-2.285, org_type="community_group")
    )
    p.add_node(Node("s1", "service", "Youth club", lat=53.405, lon=-2.295, provider="o1"))
    p.add_node(Node("s2", "service", "Careers hub", lat=53.405, lon=-2.275, provider="o1"))
    p.add_node(Node("s3", "service", "Newco hub", lat=53.445, lon=-2.285, provider="o2"))
    for pid, area, neet in (
        ("yp1", "A1", True),
        ("yp2", "A1", False),
        ("yp3", "A2", False),
        ("yp4", "A2", True),
        ("yp5", "A3", True),
        ("yp6", "A2", True),
    ):
        p.add_node(Node(pid, "young_person", f"P-{pid}", area_code=area, neet=neet))
    p.add_node(Node("ad1", "adult", "Jo", area_code="A2", role="youth worker"))
    p.add_node(Node("ad2", "adult", "Sam", area_code="A3", role="mentor"))
    for a, b, t, ctx in (
        ("yp1", "yp2", "friend", None),
        ("yp2", "yp3", "friend", "s1"),
        ("yp1", "s1", "attends", None),
        ("ad1", "yp3", "worker", None),
        ("ad1", "yp4", "worker", None),
        ("yp4", "yp5", "peer", "s2"),
        ("ad2", "yp5", "mentor", None),
        ("yp5", "s2", "attends", None),
        ("yp3", "o3", "member", None),
        ("ad1", "yp6", "worker", None),
        ("o1", "ad1", "employs", "s1"),
        ("o1", "ad2", "employs", "s2"),
    ):
        p.add_tie(Tie(a, b, t, context=ctx))
    return p


@pytest.fixture
def town() -> Project:
    return build_town()


@pytest.fixture(scope="session")
def sample_project() -> Project:
    """The bundled sample project (Millbrook), generated in memory."""
    from socialmap.sample import generate_sample_project

    return generate_sample_project()
