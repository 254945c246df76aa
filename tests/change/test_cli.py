"""socialmap compare / snapshot / --as-of (issue 18): sides FILE, FILE@DATE, FILE#SNAPSHOT."""

from __future__ import annotations

import json

import pytest

from socialmap.cli import main
from socialmap.store import load_project, save_project
from tests.change.conftest import DAY, EVE


@pytest.fixture
def dated_file(small_project, tmp_path):
    small_project.update_tie("yp1", "s1", until=DAY)
    small_project.update_tie("yp2", "yp3", until=DAY)
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    return path


def test_compare_two_dates_of_one_file_json(dated_file, capsys):
    assert main(["compare", f"{dated_file}@{EVE}", f"{dated_file}@{DAY}", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["before"] == {"source": f"p.gpkg@{EVE}", "as_of": EVE.isoformat()}
    assert doc["areas"]["A1"]["newly_isolated"] == 2 and doc["areas"]["A1"]["flagged"] is True
    assert doc["summary"]["ties_lost_by_class"]["linking"] == 1


def test_compare_human_output_suppresses_small_counts_and_names_no_one(dated_file, capsys):
    assert main(["compare", f"{dated_file}@{EVE}", f"{dated_file}@{DAY}"]) == 0
    out = capsys.readouterr().out
    assert "newly isolated <5 (NEET <5)" in out
    assert "<5 NEET young people became isolated" in out  # not "1 NEET young person"
    assert "withheld" in out
    for label in ("Robin", "Sam", "Kai", "yp1", "yp2"):
        assert label not in out


def test_analyse_as_of_counts_the_ties_in_force_that_day(dated_file, capsys):
    assert main(["analyse", str(dated_file), "--as-of", EVE.isoformat(), "--json"]) == 0
    eve = json.loads(capsys.readouterr().out)
    assert main(["analyse", str(dated_file), "--as-of", DAY.isoformat(), "--json"]) == 0
    day = json.loads(capsys.readouterr().out)
    assert (eve["areas"]["A1"]["isolated"], day["areas"]["A1"]["isolated"]) == (0, 2)


@pytest.mark.parametrize("command", ["hotspots", "anchors", "rank"])
def test_as_of_is_taken_by_every_measure(dated_file, command, capsys):
    assert main([command, str(dated_file), "--as-of", DAY.isoformat(), "--json"]) == 0


def test_a_bad_as_of_date_is_one_line_and_exit_2(dated_file, capsys):
    assert main(["analyse", str(dated_file), "--as-of", "31/08/2025"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["socialmap: field '--as-of': '31/08/2025' is not a date (YYYY-MM-DD)"]


def test_snapshot_then_compare_with_it(dated_file, capsys):
    assert main(["snapshot", str(dated_file), "before", "--as-of", EVE.isoformat(), "--note", "pre re-tender"]) == 0
    assert load_project(dated_file).snapshots["before"].as_of == EVE
    assert main(["snapshot", str(dated_file), "before"]) == 2  # already saved
    assert "already saved" in capsys.readouterr().err
    assert main(["compare", f"{dated_file}#before", str(dated_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["before"]["source"] == f"p.gpkg#before@{EVE}"
    assert doc["summary"]["ties_lost"] == 2


def test_an_unknown_snapshot_or_a_bad_side_is_refused(dated_file, capsys):
    assert main(["compare", f"{dated_file}#nope", str(dated_file)]) == 2
    assert "no snapshot 'nope' in p.gpkg (its snapshots: none)" in capsys.readouterr().err
    assert main(["compare", f"{dated_file}@2025-02-30", str(dated_file)]) == 2
    assert "'2025-02-30' after '@' is not a date" in capsys.readouterr().err
    assert main(["compare", "missing.gpkg", str(dated_file)]) == 2
    assert "missing.gpkg" in capsys.readouterr().err


def test_the_sample_with_its_retender(tmp_path, capsys):
    """The issue's done-when: the sample with a re-tender recorded as ties ended on
    1 September 2025, compared by date, and from its snapshot against the saved scenario."""
    from socialmap.sample_history import SCENARIO_NAME, SNAPSHOT_NAME

    path = tmp_path / "s.gpkg"
    assert main(["sample", "--with-history", str(path)]) == 0
    assert main(["compare", f"{path}@2025-08-31", f"{path}@2026-09-01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["ties_lost_by_class"]["linking"] > 0
    assert any(a["lost_linking"] > 0 for a in doc["areas"].values())
    assert main(["compare", f"{path}#{SNAPSHOT_NAME}", f"{path}@2026-09-01", "--scenario", SCENARIO_NAME]) == 0
    out = capsys.readouterr().out
    assert "Predicted against observed" in out
    assert "Estimated retention: 0.50 (1 of 2 staff moved by the transfer kept their worker/mentor ties" in out
    # from a date after the re-tender the provider is already the new one: a clear refusal
    assert main(["compare", f"{path}@2025-08-31", str(path), "--scenario", SCENARIO_NAME]) == 2
    assert "compare from a snapshot taken before the change" in capsys.readouterr().err
