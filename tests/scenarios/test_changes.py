"""Change lists from the command line and saved scenarios (SPEC sections 4, 5, 9)."""

from __future__ import annotations

import pytest

from socialmap.errors import InputError
from socialmap.scenarios import (
    Close,
    Decommission,
    Relocate,
    Scenario,
    Transfer,
    evaluate,
    parse_changes,
)
from socialmap.store import load_project, save_project


def test_parse_keeps_the_command_line_order_and_applies_options_to_every_change():
    got = parse_changes(
        [
            ("close", "o9"),
            ("transfer", "s1:o2"),
            ("relocate", "s2:53.4,-2.25"),
            ("decommission", "s3"),
            ("transfer", "s4:o5"),
        ],
        retention="0.7",
        max_travel_km="2.5",
    )
    assert got == [
        Close("o9"),
        Transfer("s1", "o2", 0.7),
        Relocate("s2", 53.4, -2.25, 2.5),
        Decommission("s3"),
        Transfer("s4", "o5", 0.7),
    ]


def test_parse_defaults_are_the_spec_defaults():
    t, r = parse_changes([("transfer", "s1:o2"), ("relocate", "s1:53,-2")])
    assert t.retention == 0.5 and r.max_travel_km == 3.0


def test_ids_may_contain_colons_except_in_the_last_part():
    (t, r) = parse_changes([("transfer", "svc:1:org2"), ("relocate", "svc:1:53.1,-2.2")])
    assert (t.service, t.org) == ("svc:1", "org2")
    assert (r.service, r.lat, r.lon) == ("svc:1", 53.1, -2.2)


@pytest.mark.parametrize(
    "pairs, kwargs, message",
    [
        ([("transfer", "s1")], {}, "expected SERVICE:ORG"),
        ([("transfer", "s1:")], {}, "expected SERVICE:ORG"),
        ([("relocate", "s1:53.4")], {}, "expected SERVICE:LAT,LON"),
        ([("relocate", "s1")], {}, "expected SERVICE:LAT,LON"),
        ([("relocate", "s1:north,-2")], {}, "lat 'north' is not a number"),
        ([("relocate", "s1:91,-2")], {}, "latitude 91 is out of range -90..90"),
        ([("relocate", "s1:53,-181")], {}, "longitude -181 is out of range -180..180"),
        ([("relocate", "s1:nan,-2")], {}, "lat 'nan' is not a finite number"),
        ([("decommission", "  ")], {}, "no id given"),
        ([("transfer", "s1:o2")], {"retention": "1.1"}, "retention 1.1 is outside 0..1"),
        ([("transfer", "s1:o2")], {"retention": "-0.1"}, "retention -0.1 is outside 0..1"),
        ([("transfer", "s1:o2")], {"retention": "half"}, "retention 'half' is not a number"),
        ([("relocate", "s1:53,-2")], {"max_travel_km": "-2"}, "max_travel_km -2 is negative"),
    ],
)
def test_unparseable_changes_are_refused_with_the_reason(pairs, kwargs, message):
    with pytest.raises(InputError) as info:
        parse_changes(pairs, **kwargs)
    assert message in str(info.value)


def test_scenario_round_trips_through_a_dict():
    s = Scenario(
        "re-tender",
        [
            Transfer("s1", "o2", 0.3),
            Relocate("s2", 53.1, -2.2, 1.5),
            Close("o1"),
            Decommission("s3"),
        ],
        0.4,
    )
    d = s.to_dict()
    assert d["changes"][0] == {"type": "transfer", "service": "s1", "org": "o2", "retention": 0.3}
    assert Scenario.from_dict(d) == s


@pytest.mark.parametrize(
    "d, message",
    [
        (
            {"name": "x", "changes": [{"type": "demolish", "service": "s1"}]},
            "unknown change type 'demolish'",
        ),
        (
            {"name": "x", "changes": [{"type": "transfer", "service": "s1"}]},
            "field 'org': is missing",
        ),
        (
            {
                "name": "x",
                "changes": [{"type": "transfer", "service": "s1", "org": "o2", "retention": 2}],
            },
            "retention 2 is outside 0..1",
        ),
        ({"name": "x", "changes": "close o1"}, "changes must be a list"),
        (
            {"name": "x", "changes": [], "context_survival": -1},
            "context_survival -1 is outside 0..1",
        ),
        ({"changes": []}, "a scenario needs a name"),
    ],
)
def test_malformed_saved_scenarios_are_refused(d, message):
    with pytest.raises(InputError) as info:
        Scenario.from_dict(d)
    assert message in " ".join(info.value.lines())


def test_saved_scenario_survives_the_project_file(town, tmp_path):
    """Saved in project.scenarios, written to the GeoPackage, read back and
    evaluated: the same result as before saving."""
    s = Scenario("close the trust", [Transfer("s1", "o2", 0.5), Close("o1")], 0.5)
    s.save(town)
    before = evaluate(town, s)
    path = tmp_path / "town.gpkg"
    save_project(town, path)
    loaded = load_project(path)
    again = Scenario.load(loaded, "close the trust")
    assert again == s
    after = evaluate(loaded, again)
    assert after.to_json() == before.to_json()


def test_loading_an_unknown_saved_scenario_is_refused(town):
    with pytest.raises(InputError, match="no saved scenario 'nope'"):
        Scenario.load(town, "nope")


def test_a_scenario_passed_to_evaluate_brings_its_context_survival(town):
    """Decommission s1 with the scenario's S = 0.2: A1 loses 0.8 bridging (see test_impact)."""
    r = evaluate(town, Scenario("cut", [Decommission("s1")], 0.2))
    assert r.areas.loc["A1", "lost_bridging"] == pytest.approx(0.8)
    assert r.context_survival == 0.2
