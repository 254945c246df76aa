"""``socialmap record`` (issue 16): an interview's answers from a CSV, all or nothing."""

from __future__ import annotations

import hashlib

import pytest

from socialmap.cli import main
from socialmap.store import load_project, open_project_file, save_project, save_project_file

GOOD = (
    "prompt,name,kind,area,type,strength,context\n"
    "time,Sam B,,,,2,Gym\n"          # new young person in Robin's area A1, met at the Gym (named below)
    "trust,ad1,,,,3,\n"             # Jo, existing adult, by id: mentor (the prompt's first type)
    "opportunity,Northfield College,organisation,A2,member,,\n"  # a new organisation (the label of o1: warned)
    "places,Gym,service,A2,,,\n"    # a new service placed inside A2
    "3,sam b,,,,,\n"                # the same Sam again (case ignored): one person, one tie
)


@pytest.fixture
def saved(tmp_path, small_project):
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return path


def test_record_adds_the_answers(saved, tmp_path, capsys):
    answers = tmp_path / "a.csv"
    answers.write_text(GOOD, encoding="utf-8")
    assert main(["record", str(saved), "--person", "yp1", "--answers", str(answers)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "o1 (organisation" in err
    assert "recorded 4 ties of yp1 (3 new nodes)" in err
    p = load_project(saved)
    # 6 nodes before + yp4 Sam B, org2 Northfield College (new), svc2 Gym; 6 ties before + 4
    assert (len(p.nodes), len(p.ties)) == (9, 10)
    sam = p.get_tie("yp1", "yp4")
    assert (sam.type, sam.strength, sam.context) == ("friend", 2, "svc2")
    assert p.get_tie("yp1", "ad1").type == "mentor" and p.get_tie("yp1", "org2").type == "member"
    assert p.get_tie("yp1", "svc2").type == "attends" and p.nodes["svc2"].area_code == "A2"


def test_every_bad_row_is_reported_and_nothing_is_written(saved, tmp_path, capsys):
    answers = tmp_path / "bad.csv"
    answers.write_text(
        "prompt,name,kind,area,type,strength,context\n"
        "time,Ali,,,,x,\n"           # row 2: strength not a number
        "time,yp2,,,,,\n"            # row 3: already tied
        "places,Gym,service,Z9,,,\n"  # row 4: unknown area
        "trust,Bo,,,attends,,\n",    # row 5: attends cannot join two people
        encoding="utf-8")
    before = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert main(["record", str(saved), "--person", "yp1", "--answers", str(answers)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == f"socialmap: {answers}, row 2, field 'strength': 'x' is not 1, 2 or 3"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == before


def test_plan_problems_are_all_reported(saved, tmp_path, capsys):
    answers = tmp_path / "bad.csv"
    answers.write_text(
        "prompt,name,kind,area,type\n"
        "time,yp2,,,\n"
        "places,Gym,service,Z9,\n"
        "trust,Bo,,,attends\n",
        encoding="utf-8")
    before = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert main(["record", str(saved), "--person", "yp1", "--answers", str(answers)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines[:3]] == [
        f"{answers}, row 2, field 'name'", f"{answers}, row 3, field 'area'", f"{answers}, row 4, field 'type'"]
    assert lines[-1].endswith("nothing was recorded")
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == before


def test_unknown_column_and_unknown_person(saved, tmp_path, capsys):
    answers = tmp_path / "a.csv"
    answers.write_text("prompt,name,colour\ntime,Sam,red\n", encoding="utf-8")
    assert main(["record", str(saved), "--person", "yp1", "--answers", str(answers)]) == 2
    assert "row 1: unknown column 'colour'" in capsys.readouterr().err
    answers.write_text("prompt,name\ntime,Sam\n", encoding="utf-8")
    assert main(["record", str(saved), "--person", "nobody", "--answers", str(answers)]) == 2
    assert "field 'person': unknown person 'nobody'" in capsys.readouterr().err


def test_record_into_an_encrypted_project(tmp_path, small_project, monkeypatch):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, "correct horse battery staple")
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", "correct horse battery staple")
    answers = tmp_path / "a.csv"
    answers.write_text("prompt,name\ntime,Eve\n", encoding="utf-8")
    assert main(["record", str(path), "--person", "yp1", "--answers", str(answers)]) == 0
    opened = open_project_file(path, lambda _p: "correct horse battery staple")
    assert opened.passphrase == "correct horse battery staple"
    assert opened.project.get_tie("yp1", "yp4").type == "friend"
