"""The interview's prompts and planner (socialmap.interview, issue 16), on the small project of
tests/conftest.py: yp1 Robin (A1) -friend- yp2 Sam (A1) -friend- yp3 Kai (A2); yp1 -attends- s1
(Youth club); o1 Northfield College provides s1; ad1 Jo (A2) is a youth worker."""

from __future__ import annotations

import datetime as dt

import pytest

from socialmap.errors import InputError
from socialmap.interview import (
    DEFAULT_PROMPTS,
    SETTING,
    Answer,
    apply_plan,
    find_prompt,
    plan_interview,
    project_prompts,
    prompts_setting,
)
from socialmap.model import Node


def test_default_prompts_are_the_four_of_the_issue():
    assert [p.key for p in DEFAULT_PROMPTS] == ["time", "trust", "opportunity", "places"]
    assert DEFAULT_PROMPTS[0].tie_types == ("friend", "peer", "family")
    assert DEFAULT_PROMPTS[1].kinds == ("adult",) and DEFAULT_PROMPTS[1].tie_types == ("mentor", "worker", "family")
    assert [p.opportunity for p in DEFAULT_PROMPTS] == [False, False, True, False]
    assert DEFAULT_PROMPTS[3].kinds == ("service", "organisation")
    # the default type for each kind is the first of the prompt's types that fits
    assert DEFAULT_PROMPTS[3].default_type("service") == "attends"
    assert DEFAULT_PROMPTS[3].default_type("organisation") == "member"
    assert DEFAULT_PROMPTS[2].default_type("adult") == "mentor"


def test_find_prompt_by_key_number_or_text():
    assert find_prompt(DEFAULT_PROMPTS, "TRUST").key == "trust"
    assert find_prompt(DEFAULT_PROMPTS, "3").key == "opportunity"
    assert find_prompt(DEFAULT_PROMPTS, "which places, groups or services do you go to?").key == "places"
    assert find_prompt(DEFAULT_PROMPTS, "5") is None


def test_prompts_are_a_project_setting_saved_with_the_project(small_project, tmp_path):
    from socialmap.store import load_project, save_project

    assert project_prompts(small_project) == list(DEFAULT_PROMPTS)
    edited = [DEFAULT_PROMPTS[1], DEFAULT_PROMPTS[0]]  # reordered, two kept
    small_project.settings[SETTING] = prompts_setting(edited)
    save_project(small_project, tmp_path / "p.gpkg")
    again = load_project(tmp_path / "p.gpkg")
    assert [p.key for p in project_prompts(again)] == ["trust", "time"]


def test_a_bad_prompts_setting_is_refused_on_load(small_project):
    from socialmap.model.project import settings_problems

    problems = settings_problems({SETTING: [{"key": "x", "text": "Who?", "kinds": ["service"], "tie_types": ["friend"]}]})
    assert [p.field for p in problems] == [SETTING]
    assert "none of its tie types joins a young person to a service" in problems[0].reason
    assert settings_problems({SETTING: "who"})[0].reason == "is not a non-empty list of prompts"


def test_plan_new_and_existing_alters_with_repeats(small_project):
    """Robin (yp1, A1) names: Sam B (new, young person, default area A1) under time and again as
    'sam b' under opportunity (one person, one friend tie, strength from the second answer);
    Jo (ad1, existing, by id) under trust; the Youth club is already tied, so the new place
    'Gym' (new service in A2) under places with context-free attends; Sam B's context is the
    new Gym named later in the interview."""
    answers = [
        Answer("time", "Sam B", context="Gym", row=2),
        Answer("trust", "ad1", strength=3, row=3),
        Answer("opportunity", "sam b", strength=2, row=4),
        Answer("places", "Gym", area="A2", since=dt.date(2025, 1, 6), row=5),
    ]
    plan = plan_interview(small_project, "yp1", answers)
    assert [(n.id, n.kind, n.label, n.area_code) for n in plan.nodes] == [
        ("yp4", "young_person", "Sam B", "A1"), ("svc2", "service", "Gym", "A2")]
    gym = plan.nodes[1]
    assert small_project.areas["A2"].geometry.contains(__import__("shapely").Point(gym.lon, gym.lat))
    got = [(t.tie.a, t.tie.b, t.tie.type, t.tie.strength, t.tie.context, t.tie.since, t.prompts, t.opportunity)
           for t in plan.ties]
    assert got == [
        ("yp1", "yp4", "friend", 2, "svc2", None, ["time", "opportunity"], True),
        ("yp1", "ad1", "mentor", 3, None, None, ["trust"], False),
        ("yp1", "svc2", "attends", None, None, dt.date(2025, 1, 6), ["places"], False),
    ]
    # 'Sam B' is also not a full name (one capital letter word and an initial): no warning
    assert plan.warnings == []
    before = len(small_project.nodes), len(small_project.ties)
    apply_plan(small_project, plan)
    assert (len(small_project.nodes), len(small_project.ties)) == (before[0] + 2, before[1] + 3)
    assert small_project.get_tie("yp1", "yp4").context == "svc2"


def test_every_problem_is_collected_with_row_and_field(small_project):
    answers = [
        Answer("nine", "Ali", row=2),                      # unknown prompt
        Answer("time", "", row=3),                         # no name
        Answer("trust", "Ali", kind="service", row=4),     # kind the prompt does not take
        Answer("time", "yp2", row=5),                      # already tied (friend)
        Answer("places", "o1", type="friend", row=6),      # type does not fit young person-organisation
        Answer("time", "Ali", area="Z9", row=7),           # unknown area
        Answer("time", "Bo", strength=5, row=8),           # strength out of range
        Answer("time", "Cy", context="ad1", row=9),        # context is a person
        Answer("time", "yp1", row=10),                     # the ego themself
    ]
    with pytest.raises(InputError) as err:
        plan_interview(small_project, "yp1", answers, source="a.csv")
    got = [(p.file, p.row, p.field) for p in err.value.problems]
    assert got == [("a.csv", 2, "prompt"), ("a.csv", 3, "name"), ("a.csv", 4, "kind"), ("a.csv", 5, "name"),
                   ("a.csv", 6, "type"), ("a.csv", 7, "area"), ("a.csv", 8, "strength"), ("a.csv", 10, "name"),
                   ("a.csv", 9, "context")]
    assert "already tied to 'yp1' (friend)" in err.value.problems[3].reason
    assert "a friend tie joins adult/young_person and adult/young_person, not young_person and organisation" \
        in err.value.problems[4].reason


def test_full_names_and_label_clashes_are_warnings(small_project):
    plan = plan_interview(small_project, "yp1", [Answer("time", "Amy Walker", row=2), Answer("trust", "Jo", row=3)])
    assert [(w.row, w.field) for w in plan.warnings] == [(2, "name"), (3, "name")]
    assert "looks like a full name" in plan.warnings[0].reason
    assert "ad1 (adult, A2): give the id" in plan.warnings[1].reason


def test_a_new_young_person_as_ego(small_project):
    ego = Node("yp9", "young_person", "Dee", area_code="A2")
    plan = plan_interview(small_project, ego, [Answer("time", "Eve"), Answer("places", "Youth club")])
    # Eve takes Dee's area; 'Youth club' by label is a new service here only if no id matches:
    # a label is not an id, so it is new (with a warning naming s1)
    assert [(n.id, n.area_code) for n in plan.nodes] == [("yp9", "A2"), ("yp4", "A2"), ("svc2", "A2")]
    assert "s1 (service" in plan.warnings[0].reason
    apply_plan(small_project, plan)
    assert small_project.degree("yp9") == 2


def test_unknown_or_wrong_ego_is_one_error(small_project):
    with pytest.raises(InputError, match="unknown person 'nobody'"):
        plan_interview(small_project, "nobody", [])
    with pytest.raises(InputError, match="'ad1' is an adult, not a young person"):
        plan_interview(small_project, "ad1", [])


def test_ego_measures_count_the_existing_and_planned_ties(small_project):
    """yp1 (A1) has friend yp2 (A1: bonding) and attends s1 (linking). Planned: Kai-like new
    friend 'Lee' in A2 (bridging), adult mentor 'Ms K' (linking). So degree 4, bonding 1,
    bridging 1, linking 2, not isolated; with no answers yp1 is not isolated either (one
    linking tie), while yp3 (A2: friend yp2 in A1 bridging, worker ad1 linking) is not.
    Areas reached: Lee's A2, and yp3 (A2) two hops away through yp2: 1 area besides A1.
    Constraint: 4 alters, none tied to another, so each term is (1 + 0)^2: 4 / 4^2 = 0.25.
    Dee's one alter: 1 / 1^2 = 1, no area but her own."""
    plan = plan_interview(small_project, "yp1", [Answer("time", "Lee", area="A2"), Answer("trust", "Ms K")])
    from socialmap.interview import ego_measures, ego_ties

    assert ego_measures(small_project, plan) == {"degree": 4, "bonding": 1, "bridging": 1, "linking": 2,
                                                 "areas_reached": 1, "constraint": 0.25, "isolated": False}
    assert sorted(c for _i, _l, c, _k in ego_ties(small_project, plan)) == ["bonding", "bridging", "linking", "linking"]
    lone = plan_interview(small_project, Node("yp9", "young_person", "Dee", area_code="A1"),
                          [Answer("time", "Sam")])
    # 'Sam' is new (a label is not an id), in A1 like Dee: bonding only, so isolated
    assert ego_measures(small_project, lone) == {"degree": 1, "bonding": 1, "bridging": 0, "linking": 0,
                                                 "areas_reached": 0, "constraint": 1.0, "isolated": True}


def test_live_constraint_and_areas_reached_agree_with_the_whole_graph_measures(small_project):
    """After the plan is applied, socialmap analyse's constraint and areas_reached of the ego are
    the live figures. Hand-computed: yp1 names yp3 (friend). N(yp1) = {yp2, s1, yp3}, d = 3;
    d_yp2 = 2 (yp1, yp3), d_yp3 = 3 (yp2, ad1, yp1); yp2 and yp3 are tied, s1 to neither.
    c = (1/9) [(1 + 1/3)^2 + 1 + (1 + 1/2)^2] = (1/9)(16/9 + 1 + 9/4) = 181/324.
    Areas reached: yp3 and ad1 (A2): 1. The same from networkx's constraint on the graph."""
    import networkx as nx

    from socialmap.analysis.measures import analyse
    from socialmap.interview import ego_measures

    plan = plan_interview(small_project, "yp1", [Answer("time", "yp3")])
    live = ego_measures(small_project, plan)
    assert live["constraint"] == pytest.approx(181 / 324) and live["areas_reached"] == 1
    apply_plan(small_project, plan)
    people = analyse(small_project).to_json()["people"]
    assert people["yp1"]["constraint"] == pytest.approx(181 / 324)
    assert people["yp1"]["areas_reached"] == 1
    assert nx.constraint(small_project.graph(), ["yp1"])["yp1"] == pytest.approx(181 / 324)
