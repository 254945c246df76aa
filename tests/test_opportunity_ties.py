"""Opportunity ties (issue 16): the mark the interview's third prompt puts on a tie, kept by the
record command, the CSV bundle, Kumu, GraphML and GEXF, and read by the opportunity measure."""

from __future__ import annotations

import csv

from socialmap.analysis.opportunity import opportunity_reach
from socialmap.cli import main
from socialmap.interview import Answer, apply_plan, plan_interview
from socialmap.model import Node, Tie
from socialmap.store import load_project, save_project


def _with_gran(project):
    """Robin (yp1) names Gran, an adult not in work nor employed, as someone who could help."""
    project.add_node(Node("gran", "adult", "Gran", area_code="A1"))
    project.add_tie(Tie("yp1", "gran", "family", opportunity=True))
    return project


def test_the_opportunity_prompt_marks_its_ties_and_the_others_do_not(small_project):
    plan = plan_interview(small_project, "yp1", [Answer("time", "Ali"), Answer("opportunity", "Coach P"),
                                                 Answer("places", "Gym", kind="service"), Answer("3", "ali")])
    apply_plan(small_project, plan)
    marks = {small_project.nodes[t.other("yp1")].label: t.opportunity
             for t in small_project.incident_ties("yp1") if t.other("yp1") not in ("yp2", "s1")}
    # Ali named under time and again under opportunity: one tie, marked
    assert marks == {"Ali": True, "Coach P": True, "Gym": False}


def test_the_record_command_saves_the_mark(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    answers = tmp_path / "a.csv"
    answers.write_text("prompt,name\nopportunity,Coach P\ntrust,Ms K\n", encoding="utf-8")
    assert main(["record", str(path), "--person", "yp1", "--answers", str(answers)]) == 0
    p = load_project(path)
    assert {p.nodes[t.other("yp1")].label: t.opportunity for t in p.incident_ties("yp1")} == {
        "Sam": False, "Youth club": False, "Coach P": True, "Ms K": False}


def test_an_opportunity_tie_makes_its_other_end_an_opportunity(small_project):
    """Without the mark: ad1 (employed by o1) and o1 (a school or college) are the opportunities.
    yp1 - yp2 - yp3 - ad1, and yp1 - s1 (o1 provides s1: an institutional tie, not a hop): yp1
    reaches none within two hops (ad1 is three away); yp2 reaches ad1 (two hops).
    With Gran marked: Gran is one hop from yp1 (nearest now 1), and two from yp2 (ad1 and Gran)."""
    ties, hops = opportunity_reach(small_project)
    at = {i: n for n, i in enumerate(small_project.nodes)}
    assert (ties[at["yp1"]], hops[at["yp1"]], ties[at["yp2"]], hops[at["yp2"]]) == (0, 3, 1, 2)
    _with_gran(small_project)
    ties, hops = opportunity_reach(small_project)
    at = {i: n for n, i in enumerate(small_project.nodes)}
    assert (ties[at["yp1"]], hops[at["yp1"]], ties[at["yp2"]], hops[at["yp2"]]) == (1, 1, 2, 2)


def test_exports_carry_the_mark_and_imports_read_it_back(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(_with_gran(small_project), path)
    assert main(["export", "csv", str(path), str(tmp_path / "csv"), "--include-people"]) == 0
    with open(tmp_path / "csv" / "ties.csv", encoding="utf-8-sig", newline="") as f:
        rows = {(r["a"], r["b"]): r["opportunity"] for r in csv.DictReader(f)}
    assert rows[("yp1", "gran")] == "true" and rows[("yp1", "yp2")] == ""
    out = tmp_path / "back.gpkg"
    assert main(["import", "csv", "--nodes", str(tmp_path / "csv" / "nodes.csv"), "--ties",
                 str(tmp_path / "csv" / "ties.csv"), "--areas", str(tmp_path / "csv" / "areas.geojson"),
                 str(out)]) == 0
    back = load_project(out)
    assert {k for k, t in back.ties.items() if t.opportunity} == {("gran", "yp1")}
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"p.{fmt}"
        assert main(["export", fmt, str(path), str(target)]) == 0
        assert "opportunity" in target.read_text(encoding="utf-8")
    graph_back = tmp_path / "g.gpkg"
    assert main(["import", "graphml", str(tmp_path / "p.graphml"), "--areas", str(tmp_path / "csv" / "areas.geojson"),
                 str(graph_back)]) == 0
    assert sum(t.opportunity for t in load_project(graph_back).ties.values()) == 1
    assert main(["export", "kumu", str(path), str(tmp_path / "p.xlsx"), "--include-people"]) == 0
    kumu_back = tmp_path / "k.gpkg"
    assert main(["import", "kumu", str(tmp_path / "p.xlsx"), "--areas", str(tmp_path / "csv" / "areas.geojson"),
                 str(kumu_back)]) == 0
    assert sum(t.opportunity for t in load_project(kumu_back).ties.values()) == 1


def test_a_bad_mark_in_ties_csv_is_one_line_naming_row_and_field(tmp_path, small_project, capsys):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    assert main(["export", "csv", str(path), str(tmp_path / "csv"), "--include-people"]) == 0
    ties = tmp_path / "csv" / "ties.csv"
    text = ties.read_text(encoding="utf-8-sig").splitlines()
    text[1] = text[1] + "perhaps"
    ties.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert main(["import", "csv", "--nodes", str(tmp_path / "csv" / "nodes.csv"), "--ties", str(ties),
                 "--areas", str(tmp_path / "csv" / "areas.geojson"), str(tmp_path / "x.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "opportunity" in err and "'perhaps' is not yes/no" in err
    assert not (tmp_path / "x.gpkg").exists()


def test_erasure_and_its_undo_keep_the_other_ties_marks(small_project):
    """Erasing yp2 takes its ties; restoring it gives them back as they were, marks and all;
    Gran's marked tie to yp1 is untouched throughout."""
    from socialmap.model.erasure import erase_person, restore_erasure

    _with_gran(small_project)
    small_project.update_tie("yp1", "yp2", opportunity=True)
    erasure = erase_person(small_project, "yp2")
    assert small_project.get_tie("yp1", "yp2") is None and small_project.get_tie("yp1", "gran").opportunity
    restore_erasure(small_project, erasure)
    assert small_project.get_tie("yp1", "yp2").opportunity is True
    assert small_project.get_tie("yp2", "yp3").opportunity is False
