"""The ``socialmap`` command's contract (SPEC section 9): exit 0 on success, 2 on
bad input with one line per problem on stderr, ``--json`` one document on stdout."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from socialmap import __version__
from socialmap.cli import main
from socialmap.store import save_project


@pytest.fixture
def saved(tmp_path, small_project):
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return path


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"socialmap {__version__}"


def test_version_as_a_module_without_heavy_imports():
    """``python -m socialmap --version`` answers without loading GIS or Qt libraries."""
    code = (
        "import sys\n"
        "from socialmap.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "heavy = [m for m in ('geopandas', 'pyogrio', 'PySide6', 'networkx', 'pandas') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("HEAVY []")
    done = subprocess.run([sys.executable, "-m", "socialmap", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"socialmap {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["info"],
        ["info", "a.gpkg", "--colour"],
        ["import", "csv", "--ties", "t.csv", "out.gpkg"],
        ["import", "xml", "f.xml"],
        ["bench", "--young-people", "many"],
    ],
    ids=["unknown-command", "missing-argument", "unknown-option", "missing-nodes", "unknown-format", "not-a-number"],
)
def test_bad_arguments_exit_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("socialmap") and "error:" in err


def test_no_command_shows_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_info_json_counts(saved, capsys):
    """small_project: 3 young people (1 NEET), 1 adult, 1 organisation (an anchor), 1 service;
    ties: friend x2, attends, employs, worker, and provides (derived from s1.provider) = 6."""
    assert main(["info", str(saved), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["areas"] == 2 and doc["nodes"] == 6 and doc["ties"] == 6
    assert doc["nodes_by_kind"] == {"young_person": 3, "adult": 1, "organisation": 1, "service": 1}
    assert {k: v for k, v in doc["ties_by_type"].items() if v} == {
        "friend": 2, "attends": 1, "employs": 1, "worker": 1, "provides": 1}
    assert doc["neet_young_people"] == 1 and doc["anchors"] == 1 and doc["saved_scenarios"] == 0


def test_info_text(saved, capsys):
    assert main(["info", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "2 areas, 6 nodes, 6 ties" in out
    assert "young_person" in out and "friend" in out


@pytest.mark.parametrize("content", [b"", b"garbage" * 100], ids=["empty", "garbage"])
def test_info_on_a_bad_file_exits_2_and_leaves_it(tmp_path, capsys, content):
    path = tmp_path / "bad.gpkg"
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(path) in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_info_on_a_missing_file(tmp_path, capsys):
    assert main(["info", str(tmp_path / "none.gpkg")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_import_error_lines_have_no_traceback(tmp_path, capsys):
    (tmp_path / "nodes.csv").write_text("id,kind\nyp1,young_person\n")
    (tmp_path / "ties.csv").write_text("a,b,type\n")
    (tmp_path / "areas.geojson").write_text("not json")
    code = main(["import", "csv", "--nodes", str(tmp_path / "nodes.csv"), "--ties", str(tmp_path / "ties.csv"),
                 "--areas", str(tmp_path / "areas.geojson"), str(tmp_path / "out.gpkg")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert not (tmp_path / "out.gpkg").exists()


def test_help_speaks_to_users_not_to_developers(capsys):
    """The help opens with what the program does, not the module docstring's "(SPEC section 9)"
    with reStructuredText quotes."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "SPEC" not in text and "``" not in text
    assert "commissioning" in text


def test_a_folder_as_output_file_is_bad_input_not_an_internal_error(tmp_path, saved, capsys):
    """``--force`` onto a folder where a file is to be written: exit 2 with the reason (it was
    "internal error: IsADirectoryError", exit 1), and the folder is left as it was."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    for argv in (["sample", str(folder), "--force"],
                 ["export", "graphml", str(saved), str(folder), "--force"],
                 ["export", "report", str(saved), str(folder), "--force"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "is a folder" in err and "internal error" not in err, err
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert main(["export", "csv", str(saved), str(folder), "--force"]) == 0  # a folder export may replace it
