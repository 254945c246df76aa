"""``socialmap scenario`` and ``socialmap rank`` (SPEC section 9)."""

from __future__ import annotations

import hashlib
import json

import pytest

from socialmap.cli import main
from socialmap.store import save_project

AREA_KEYS = {
    "lost_bonding",
    "lost_bridging",
    "lost_linking",
    "newly_isolated",
    "newly_isolated_neet",
    "bridging_loss_pct",
    "nearest_service_km_before",
    "nearest_service_km_after",
    "flagged",
    "reasons",
}


@pytest.fixture
def town_file(tmp_path, town):
    path = tmp_path / "town.gpkg"
    save_project(town, path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_scenario_json_is_the_spec_document(capsys, town_file):
    """Decommission s1 (S = 0.5): the figures of test_impact, in SPEC 9's shape."""
    code, out, err = run(capsys, "scenario", town_file, "--decommission", "s1", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"areas", "summary", "sensitivity"}
    assert set(doc["areas"]) == {"A1", "A2", "A3"}
    for area in doc["areas"].values():
        # SPEC 9's keys exactly, plus the ranges and robustness of issue 17
        assert set(area) == AREA_KEYS | {"ranges", "flag_cases", "robustness"}
    a1 = doc["areas"]["A1"]
    assert (
        a1["lost_bridging"],
        a1["lost_linking"],
        a1["newly_isolated"],
        a1["newly_isolated_neet"],
    ) == (0.5, 1.0, 1.5, 1.0)
    assert (
        a1["flagged"] is True
        and a1["reasons"][1] == "bridging ties fall 50% (0.5 of 1 expected to be lost)"
    )
    assert doc["summary"]["newly_isolated"] == 2.5 and doc["summary"]["changes"] == [
        "decommission s1"
    ]


def test_scenario_options_apply_in_command_line_order(capsys, town_file):
    """--transfer s1:o2 then --close o1 keeps s1 open (test_impact: A2 newly 0.75);
    --close o1 first makes the transfer name a removed service: exit 2."""
    code, out, _ = run(
        capsys,
        "scenario",
        town_file,
        "--transfer",
        "s1:o2",
        "--retention",
        "0.5",
        "--close",
        "o1",
        "--context-survival",
        "0.5",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["areas"]["A2"]["newly_isolated"] == 0.75
    code, out, err = run(capsys, "scenario", town_file, "--close", "o1", "--transfer", "s1:o2")
    assert code == 2 and out == ""
    assert "service 's1' is already gone: change 1 (close o1) removed it" in err


def test_relocate_and_travel_limit_from_the_command_line(capsys, town_file):
    code, out, _ = run(
        capsys,
        "scenario",
        town_file,
        "--relocate",
        "s2:53.445,-2.275",
        "--max-travel-km",
        "3",
        "--json",
    )
    assert code == 0 and json.loads(out)["areas"]["A3"]["lost_linking"] == 1.0
    code, out, _ = run(
        capsys,
        "scenario",
        town_file,
        "--relocate",
        "s2:53.445,-2.275",
        "--max-travel-km",
        "5",
        "--json",
    )
    assert code == 0 and json.loads(out)["areas"]["A3"]["lost_linking"] == 0.0


def test_scenario_human_output_suppresses_small_counts_and_states_reasons(capsys, town_file):
    code, out, _ = run(capsys, "scenario", town_file, "--close", "o1")
    assert code == 0
    assert "Flagged areas (3):" in out
    assert (
        "1.5 NEET young people expected to become isolated (no bridging or linking tie left)" in out
    )
    lines = {line.split()[0]: line for line in out.splitlines() if line[:2] in ("A1", "A2", "A3")}
    assert "<5" in lines["A1"] and "<5" in lines["A2"]  # 2 and 3 young people live there
    assert "P-yp1" not in out and "yp1" not in out  # no young person's label or id


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["--decommission", "nope"], "unknown service 'nope'"),
        (["--decommission", "o1"], "'o1' is an organisation, not a service"),
        (["--close", "s1"], "'s1' is a service, not an organisation"),
        (["--transfer", "s1:ad1"], "'ad1' is an adult, not an organisation"),
        (["--transfer", "s1:o2", "--retention", "1.5"], "retention 1.5 is outside 0..1"),
        (
            ["--decommission", "s1", "--context-survival", "-0.2"],
            "context_survival -0.2 is outside 0..1",
        ),
        (["--relocate", "s1:95,-2.2"], "latitude 95 is out of range -90..90"),
        (["--relocate", "s1:53.4,-200"], "longitude -200 is out of range -180..180"),
        (["--relocate", "s1:53.4"], "expected SERVICE:LAT,LON"),
        (["--transfer", "s1"], "expected SERVICE:ORG"),
        (
            ["--relocate", "s1:53.4,-2.2", "--max-travel-km", "far"],
            "max_travel_km 'far' is not a number",
        ),
        ([], "no changes given"),
    ],
)
def test_bad_scenario_input_exits_2_with_the_reason_and_writes_nothing(
    capsys, town_file, argv, reason
):
    digest = hashlib.sha256(town_file.read_bytes()).hexdigest()
    code, out, err = run(capsys, "scenario", town_file, *argv)
    assert code == 2
    assert reason in err and out == ""
    assert all(line.startswith("socialmap: ") for line in err.strip().splitlines())
    assert hashlib.sha256(town_file.read_bytes()).hexdigest() == digest


def test_rank_json_lists_everything_most_damaging_first(capsys, town_file):
    code, out, _ = run(capsys, "rank", town_file, "--json")
    assert code == 0
    doc = json.loads(out)
    assert [d["id"] for d in doc["services"]] == ["s1", "s2", "s3"]
    assert [d["id"] for d in doc["organisations"]] == ["o1", "o3", "o2"]
    assert doc["services"][0]["newly_isolated"] == 2.5


def test_rank_human_output(capsys, town_file):
    code, out, _ = run(capsys, "rank", town_file)
    assert code == 0
    assert "Services (decommissioned): 3" in out and "Organisations (closed): 3" in out
    assert "Youth club" in out


def test_data_text_cannot_drive_the_terminal(tmp_path, capsys):
    """An area name or label carrying terminal control sequences (ESC[2J clears the screen) is printed
    with the control characters replaced, in the scenario table, the flag list and the ranking."""
    from shapely.geometry import box

    from socialmap.model import Area, Node, Project, Tie
    from socialmap.store import save_project

    evil = "Evil\x1b[2J\x07"
    p = Project()
    p.add_area(Area("A1", evil, box(-2.30, 53.40, -2.29, 53.41)))
    p.add_node(Node("o1", "organisation", evil, lat=53.405, lon=-2.295))
    p.add_node(Node("s1", "service", evil, lat=53.405, lon=-2.295, provider="o1"))
    p.add_node(Node("y1", "young_person", area_code="A1", neet=True))
    p.add_tie(Tie("y1", "s1", "attends"))
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    assert main(["scenario", str(path), "--decommission", "s1"]) == 0
    assert main(["rank", str(path)]) == 0
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Evil" in out and "\x1b" not in out and "\x07" not in out


def test_scenario_decay_model_from_the_command_line(capsys, town_file):
    """--travel-model decay --half-km: s1 to A3's centre; yp1's extra journey
    is about 1.33 km, so with H = 1.33 the attends tie survives with about 1/2
    (test_travel_and_staff has the exact case)."""
    code, out, err = run(
        capsys, "scenario", town_file, "--relocate", "s1:53.405,-2.275",
        "--travel-model", "decay", "--half-km", "1.33", "--json",
    )
    assert code == 0, err
    a1 = json.loads(out)["areas"]["A1"]
    assert a1["lost_linking"] == pytest.approx(0.5, abs=0.01)
    code, out, err = run(capsys, "scenario", town_file, "--relocate", "s1:53.405,-2.275", "--travel-model", "bus")
    assert code == 2 and "travel model 'bus' is not cliff or decay" in err and "Traceback" not in err
    code, out, err = run(capsys, "scenario", town_file, "--relocate", "s1:53.405,-2.275", "--half-km", "0")
    assert code == 2 and "half_km 0 is not positive" in err
