"""The ``socialmap`` command's contract (SPEC section 9): exit 0 on success, 2 on
bad input with one line per problem on stderr, ``--json`` one document on stdout."""

from __future__ import annotations

import hashlib
import json
import os
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
    assert "Young person" in out and "Friend" in out  # the codes in words (issue 14); --json keeps them
    assert "young_person" not in out


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


# ------------------------------------------------------------------ encrypted projects (issue 10)
SECRET = "correct horse battery staple"


@pytest.fixture
def encrypted(saved, tmp_path, monkeypatch, capsys):
    """The small project encrypted by ``socialmap encrypt`` (passphrase from the environment)."""
    out = tmp_path / "small.smx"
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", SECRET)
    assert main(["encrypt", str(saved), str(out)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {out}, encrypted" in err and f"the unencrypted {saved} is still on disk" in err
    return out


@pytest.mark.parametrize("argv", [
    ["info", "--json"], ["analyse", "--json"], ["hotspots", "--json"], ["anchors", "--json"],
    ["scenario", "--decommission", "s1", "--json"], ["rank", "--json"],
], ids=lambda a: a[0])
def test_every_command_reads_an_encrypted_project_as_the_plain_one(saved, encrypted, capsys, argv):
    command, *options = argv
    assert main([command, str(saved), *options]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([command, str(encrypted), *options]) == 0
    assert json.loads(capsys.readouterr().out) == plain


def test_export_and_import_into_an_encrypted_project(encrypted, tmp_path, capsys):
    """``export`` reads it; ``import --into`` merges into it and it stays encrypted (same passphrase)."""
    from socialmap.store import is_encrypted, open_project_file

    assert main(["export", "csv", str(encrypted), str(tmp_path / "tables")]) == 0
    assert (tmp_path / "tables").is_dir()
    (tmp_path / "elements.csv").write_text("Label,Type,Area code\nNewcomer,Young person,A2\n")
    assert main(["import", "kumu", str(tmp_path / "elements.csv"), "--into", str(encrypted)]) == 0
    capsys.readouterr()
    assert is_encrypted(encrypted)
    project = open_project_file(encrypted, SECRET).project
    assert len(project.nodes) == 7 and "Newcomer" in {n.label for n in project.nodes.values()}
    assert b"Newcomer" not in encrypted.read_bytes()


def test_without_passphrase_or_terminal_one_line_says_to_set_it(encrypted, capsys, monkeypatch):
    monkeypatch.delenv("SOCIALMAP_PASSPHRASE")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # not a terminal
    assert main(["info", str(encrypted)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"socialmap: {encrypted}: the project is encrypted: set SOCIALMAP_PASSPHRASE to its "
                   "passphrase (there is no terminal to ask on)"]


def test_on_a_terminal_the_passphrase_is_asked_without_echo(encrypted, capsys, monkeypatch):
    import getpass

    monkeypatch.delenv("SOCIALMAP_PASSPHRASE")
    asked = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or SECRET)
    assert main(["info", str(encrypted), "--json"]) == 0
    assert asked == [f"Passphrase for {encrypted}: "]
    assert json.loads(capsys.readouterr().out)["nodes"] == 6


@pytest.mark.parametrize("command", ["info", "analyse", "rank", "decrypt"])
def test_a_wrong_passphrase_exits_2_with_one_line_and_changes_nothing(encrypted, tmp_path, capsys, monkeypatch,
                                                                     command):
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", "not the passphrase")
    digest = hashlib.sha256(encrypted.read_bytes()).hexdigest()
    before = sorted(tmp_path.iterdir())
    argv = [command, str(encrypted)] + ([str(tmp_path / "plain.gpkg")] if command == "decrypt" else [])
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [f"socialmap: {encrypted}: wrong passphrase, or the file is damaged"]
    assert hashlib.sha256(encrypted.read_bytes()).hexdigest() == digest
    assert sorted(tmp_path.iterdir()) == before


def test_a_damaged_encrypted_file_exits_2_with_the_same_line(encrypted, capsys):
    data = bytearray(encrypted.read_bytes())
    data[-20] ^= 0xFF
    encrypted.write_bytes(bytes(data))
    assert main(["hotspots", str(encrypted)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"socialmap: {encrypted}: wrong passphrase, or the file is damaged"]


def test_decrypt_writes_a_plain_geopackage_and_warns_what_it_holds(encrypted, saved, tmp_path, capsys):
    from socialmap.store import is_encrypted, load_project

    out = tmp_path / "for-qgis.gpkg"
    assert main(["decrypt", str(encrypted), str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"socialmap: warning: {out} is NOT encrypted: it holds young "
                                               "people's records")
    assert not is_encrypted(out)
    assert load_project(out).nodes == load_project(saved).nodes
    assert b"Robin" in out.read_bytes()


def test_encrypt_refuses_bad_outputs_and_weak_passphrases(saved, encrypted, tmp_path, capsys, monkeypatch):
    cases = [
        (["encrypt", str(saved), str(tmp_path / "x.gpkg")], "give the output a .smx name"),
        (["encrypt", str(saved), str(encrypted)], "already exists; give --force"),
        (["decrypt", str(encrypted), str(tmp_path / "x.smx")], "give it a .gpkg name"),
        (["decrypt", str(saved), str(tmp_path / "x.gpkg")], "the project is not encrypted"),
    ]
    for argv, why in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and why in err[0], (argv, err)
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", "short")
    assert main(["encrypt", str(saved), str(tmp_path / "weak.smx")]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert not (tmp_path / "weak.smx").exists()


def test_copies_written_into_another_folder_name_the_projects_own_basemap(small_project, tmp_path, capsys,
                                                                           monkeypatch):
    """``encrypt``, ``decrypt`` and ``repair`` write a copy, perhaps into another folder: the
    basemap kept beside the project (a relative path) is named from the copy's folder, so a tile
    file of the same name there is not taken for it."""
    from socialmap.mapview.basemap import basemap_entry, resolve_path
    from socialmap.store import load_project, open_project_file
    from tests.tilefiles import make_mbtiles

    home, away = tmp_path / "home", tmp_path / "away"
    home.mkdir()
    away.mkdir()
    tiles = make_mbtiles(home / "town.mbtiles", zooms=(12,))
    make_mbtiles(away / "town.mbtiles", zooms=(13,))  # another folder's file of the same name
    project = home / "p.gpkg"
    small_project.settings["basemap"] = basemap_entry(tiles, project)
    save_project(small_project, project)
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", SECRET)
    assert main(["encrypt", str(project), str(away / "p.smx")]) == 0
    assert main(["decrypt", str(away / "p.smx"), str(home / "again.gpkg")]) == 0
    assert main(["repair", str(project), str(away / "repaired.gpkg")]) == 0
    capsys.readouterr()
    encrypted = open_project_file(away / "p.smx", SECRET).project.settings["basemap"]
    assert encrypted["path"] == str(tiles.resolve())
    assert resolve_path(encrypted, away / "p.smx") == tiles.resolve()
    # decrypted beside the tiles again: relative once more
    assert load_project(home / "again.gpkg").settings["basemap"]["path"] == "town.mbtiles"
    assert load_project(away / "repaired.gpkg").settings["basemap"]["path"] == str(tiles.resolve())


def test_encrypt_an_encrypted_project_changes_its_passphrase(encrypted, tmp_path, capsys, monkeypatch):
    from socialmap.store import WrongPassphrase, open_project_file

    out = tmp_path / "rekeyed.smx"
    monkeypatch.setenv("SOCIALMAP_NEW_PASSPHRASE", "a brand new passphrase")
    assert main(["encrypt", str(encrypted), str(out)]) == 0
    assert "still on disk" not in capsys.readouterr().err
    assert len(open_project_file(out, "a brand new passphrase").project.nodes) == 6
    with pytest.raises(WrongPassphrase):
        open_project_file(out, SECRET)


def test_import_to_a_new_smx_is_encrypted(tmp_path, capsys, monkeypatch):
    from socialmap.store import is_encrypted, open_project_file

    (tmp_path / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A1", "name": "West"},
         "geometry": {"type": "Polygon", "coordinates": [[[-2.3, 53.4], [-2.29, 53.4], [-2.29, 53.41], [-2.3, 53.4]]]}}]}))
    (tmp_path / "elements.csv").write_text("Label,Type,Area code\nRobin,Young person,A1\n")
    out = tmp_path / "new.smx"
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", SECRET)
    assert main(["import", "kumu", str(tmp_path / "elements.csv"), "--areas", str(tmp_path / "areas.geojson"),
                 str(out)]) == 0, capsys.readouterr().err
    assert is_encrypted(out) and b"Robin" not in out.read_bytes()
    assert [n.label for n in open_project_file(out, SECRET).project.nodes.values()] == ["Robin"]


def test_snapshot_and_compare_on_an_encrypted_project(encrypted, capsys):
    """``snapshot`` writes the project back encrypted (same passphrase); ``compare`` reads both
    sides of an ``.smx``, a snapshot inside it included."""
    from socialmap.store import is_encrypted, open_project_file

    assert main(["snapshot", str(encrypted), "before"]) == 0
    assert is_encrypted(encrypted)
    assert "before" in open_project_file(encrypted, SECRET).project.snapshots
    capsys.readouterr()
    assert main(["compare", f"{encrypted}#before", str(encrypted), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_a_command_sets_the_project_it_opened_aside_from_collection_and_still_frees_it(tmp_path, small_project):
    """socialmap.collection: the opened records are out of the cyclic collector's walks (gc.freeze)
    but a project let go is still freed (reference counting: it holds no cycles)."""
    import gc
    import weakref

    from socialmap.commands.common import open_project
    from socialmap.store import save_project

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    gc.unfreeze()
    project = open_project(str(path))
    assert gc.get_freeze_count() > 0
    assert not any(o is project for o in gc.get_objects())  # set aside: the walks do not see it
    gone = weakref.ref(project)
    del project
    assert gone() is None  # freed at once, with no collection
    gc.unfreeze()
