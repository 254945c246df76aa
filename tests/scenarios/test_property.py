"""Property: the incremental expected impact equals brute-force enumeration.

On small random networks (up to about 12 uncertain ties: ties made at a
removed place plus transferred staff), every outcome of the independent
events is enumerated on real project copies (``brute_force.py``) and
weighted by its probability; the exact expectations of
``socialmap.scenarios.evaluate`` must match to rounding.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from socialmap.errors import InputError
from socialmap.model import Area, Node, Project, Tie
from socialmap.scenarios import Close, Decommission, Relocate, Transfer, evaluate
from tests.scenarios.brute_force import brute_force

AREAS = [
    Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)),
    Area("A2", "Middle", box(-2.29, 53.40, -2.28, 53.41)),
    Area("A3", "East", box(-2.28, 53.40, -2.27, 53.41)),
]
NEAR, FAR = (53.405, -2.285), (53.60, -2.285)  # within 2 km of every centroid / over 20 km away
PROBABILITIES = st.sampled_from([0.0, 0.25, 0.5, 0.7, 1.0])
COLUMNS = ("lost_bonding", "lost_bridging", "lost_linking", "newly_isolated", "newly_isolated_neet")


@st.composite
def networks(draw):
    p = Project()
    for a in AREAS:
        p.add_area(Area(a.code, a.name, a.geometry))
    codes = [a.code for a in AREAS]
    n_young = draw(st.integers(2, 6))
    young = [f"y{i}" for i in range(n_young)]
    for y in young:
        p.add_node(
            Node(
                y, "young_person", area_code=draw(st.sampled_from(codes)), neet=draw(st.booleans())
            )
        )
    adults = [f"a{i}" for i in range(draw(st.integers(1, 3)))]
    for a in adults:
        p.add_node(Node(a, "adult", area_code=draw(st.sampled_from(codes + [None]))))
    orgs = [f"o{i}" for i in range(draw(st.integers(1, 3)))]
    for o in orgs:
        p.add_node(Node(o, "organisation", lat=NEAR[0], lon=NEAR[1]))
    services = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    for s in services:
        provider = draw(st.sampled_from(orgs + [None]))
        lat, lon = draw(st.sampled_from([NEAR, FAR]))
        p.add_node(Node(s, "service", lat=lat, lon=lon, provider=provider))
    places = orgs + services
    people = young + adults
    context = st.sampled_from(places + [None, None])
    for _ in range(draw(st.integers(3, 12))):
        kind = draw(st.sampled_from(["informal", "professional", "attends", "member", "employs"]))
        if kind == "informal":
            a, b = draw(st.sampled_from(people)), draw(st.sampled_from(young))
            tie = Tie(
                a, b, draw(st.sampled_from(["friend", "peer", "family"])), context=draw(context)
            )
        elif kind == "professional":
            tie = Tie(
                draw(st.sampled_from(adults)),
                draw(st.sampled_from(people)),
                draw(st.sampled_from(["worker", "mentor"])),
                context=draw(context),
            )
        elif kind == "attends":
            tie = Tie(draw(st.sampled_from(people)), draw(st.sampled_from(services)), "attends")
        elif kind == "member":
            tie = Tie(
                draw(st.sampled_from(young)),
                draw(st.sampled_from(orgs)),
                "member",
                context=draw(context),
            )
        else:
            org = draw(st.sampled_from(orgs))
            own = [s for s in services if p.nodes[s].provider == org]
            tie = Tie(
                org,
                draw(st.sampled_from(adults)),
                "employs",
                context=draw(st.sampled_from(own + [None])),
            )
        if tie.a != tie.b and tie.key not in p.ties:
            p.add_tie(tie)
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["decommission", "transfer", "relocate", "close"]))
        if kind == "decommission":
            changes.append(Decommission(draw(st.sampled_from(services))))
        elif kind == "close":
            changes.append(Close(draw(st.sampled_from(orgs))))
        elif kind == "transfer":
            changes.append(
                Transfer(
                    draw(st.sampled_from(services)),
                    draw(st.sampled_from(orgs)),
                    draw(PROBABILITIES),
                )
            )
        else:
            lat, lon = draw(st.sampled_from([NEAR, FAR]))
            changes.append(Relocate(draw(st.sampled_from(services)), lat, lon, 3.0))
    return p, changes, draw(PROBABILITIES)


def _uncertain_events(p: Project, changes) -> int:
    """An upper bound on the events the brute force branches on."""
    places = {c.service for c in changes if hasattr(c, "service")} | {
        c.org for c in changes if isinstance(c, Close)
    }
    places |= {n.id for n in p.nodes.values() if n.provider in places}
    with_context = sum(1 for t in p.ties.values() if t.context in places)
    staff = sum(1 for t in p.ties.values() if t.type == "employs") * sum(
        isinstance(c, Transfer) for c in changes
    )
    return with_context + staff


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(networks())
def test_incremental_equals_brute_force_enumeration(case):
    project, changes, survival = case
    assume(_uncertain_events(project, changes) <= 12)
    try:
        result = evaluate(project, changes, context_survival=survival)
    except InputError:
        assume(False)  # a change list that cannot apply (e.g. names a removed service)
        return
    expected = brute_force(project, changes, survival)
    for code in result.areas.index:
        for col in COLUMNS:
            want = expected.get(code, {}).get(col, 0.0)
            assert result.areas.loc[code, col] == pytest.approx(want, abs=1e-9), (
                code,
                col,
                changes,
                survival,
            )


def test_brute_force_agrees_on_the_town(town):
    """The reference itself, on a hand-computed case (close o1, S = 0.5:
    A2 newly isolated 1.5, see test_impact)."""
    got = brute_force(town, [Close("o1")], 0.5)
    assert got["A2"]["newly_isolated"] == pytest.approx(1.5)
    assert got["A2"]["lost_linking"] == pytest.approx(3)
