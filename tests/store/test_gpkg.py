"""The project file (SPEC section 5): every field survives save then open; an
interrupted save leaves the last good file as it was; a damaged or newer file is
reported and never modified."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from socialmap.errors import ProjectFileError
from socialmap.model import Area, Node, Project, Tie
from socialmap.store import SCHEMA_VERSION, load_project, read_schema_version, save_project


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def full_project() -> Project:
    """One node of each kind with every field it can have set, one with everything
    empty, a multipolygon area with a hole, changed settings and a saved scenario."""
    ring = Polygon(box(-2.30, 53.40, -2.28, 53.42).exterior.coords, [box(-2.295, 53.405, -2.290, 53.410).exterior.coords])
    multi = MultiPolygon([ring, box(-2.26, 53.40, -2.25, 53.41)])
    areas = [
        Area("E01000001", "Ward & <Hill>", multi, imd_decile=2, population_16_24=1234),
        Area("E01000002", "", box(-2.28, 53.40, -2.27, 53.41)),
    ]
    nodes = [
        Node("yp1", "young_person", "Robin \u00e9\U0001F600", area_code="E01000001", age=17, neet=True,
             attrs={"school": "Oak <b>High</b>", "siblings": 2, "scores": [1, 2.5], "note": None}),
        Node("yp2", "young_person", "", area_code="E01000002"),  # everything optional empty
        Node("ad1", "adult", "Jo", area_code="E01000002", role="youth worker", attrs={"dbs": "yes"}),
        Node("ad2", "adult", "No area"),
        Node("o1", "organisation", "Northfield College", area_code="E01000001", lat=53.415, lon=-2.285,
             org_type="school_college", sector="public", is_anchor=True, employees_total=120.5,
             employees_local=60.25, spend_total=1_000_000.0, spend_local=0.0, years_in_area=31.0),
        Node("o2", "organisation", "Tiny CIC", lat=53.401, lon=-2.271, org_type="social_enterprise",
             sector="social", is_anchor=False),
        Node("s1", "service", "Youth club", area_code="E01000002", lat=53.405, lon=-2.275, provider="o1",
             service_type="youth club", commissioner="Council", contract_end=dt.date(2027, 3, 31),
             annual_value=45_000.75, hours_per_week=12.5),
        Node("s2", "service", "Drop-in", lat=53.402, lon=-2.272),
    ]
    ties = [
        Tie("yp1", "yp2", "friend", context="s1", strength=3),
        Tie("yp2", "ad1", "worker"),
        Tie("o1", "ad1", "employs", context="s1", strength=1),
        Tie("yp1", "s1", "attends"),
        Tie("o2", "s2", "provides"),
        Tie("o1", "o2", "partner", context=None, strength=2),
        Tie("ad2", "o2", "member"),
    ]
    settings = {"group_by": "community", "flag_bridging_loss_pct": 12.5, "custom_note": "kept"}
    scenarios = {"close college": {"changes": [["close", "o1"]], "context_survival": 0.25},
                 "move club": {"changes": [["relocate", "s1:53.41,-2.28"]], "max_travel_km": 2}}
    return Project.build(areas, nodes, ties, settings, scenarios)


def _assert_same(a: Project, b: Project) -> None:
    assert a.areas.keys() == b.areas.keys()
    for code, area in a.areas.items():
        other = b.areas[code]
        assert (area.name, area.imd_decile, area.population_16_24) == (
            other.name, other.imd_decile, other.population_16_24)
        assert area.geometry.geom_type == other.geometry.geom_type
        assert area.geometry.equals_exact(other.geometry, 0.0)
    assert a.nodes == b.nodes  # dataclass equality: every field, attrs, dates, None
    assert a.ties == b.ties
    assert a.settings == b.settings
    assert a.scenarios == b.scenarios
    assert a.adjacency == b.adjacency


def test_every_field_survives_save_then_open(tmp_path, full_project):
    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    loaded = load_project(path)
    _assert_same(full_project, loaded)
    assert loaded.nodes["s1"].contract_end == dt.date(2027, 3, 31)
    assert loaded.nodes["yp2"].age is None and loaded.nodes["yp2"].neet is None
    assert loaded.nodes["o2"].is_anchor is False and loaded.nodes["o1"].spend_local == 0.0
    assert loaded.nodes["s2"].provider == "o2"  # derived from the provides tie
    assert loaded.areas["E01000001"].geometry.geom_type == "MultiPolygon"
    assert loaded.settings["custom_note"] == "kept"


def test_saving_again_gives_the_same_project(tmp_path, full_project):
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    save_project(full_project, first)
    save_project(load_project(first), second)
    _assert_same(load_project(first), load_project(second))


def test_empty_project_round_trip(tmp_path):
    path = tmp_path / "empty.gpkg"
    save_project(Project(), path)
    loaded = load_project(path)
    assert (len(loaded.areas), len(loaded.nodes), len(loaded.ties)) == (0, 0, 0)


def test_file_is_a_geopackage_gis_tools_can_list(tmp_path, full_project):
    import pyogrio

    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}
    assert layers["areas"] == "MultiPolygon" and layers["nodes"] == "Point"
    assert "ties" in layers
    assert read_schema_version(path) == SCHEMA_VERSION
    info = pyogrio.read_info(path, layer="nodes")
    assert info["crs"] == "EPSG:4326"


# ------------------------------------------------------------------- atomic save
class _Crash(RuntimeError):
    pass


def _crash(_tmp):
    raise _Crash("power cut")


def test_interrupted_save_leaves_old_file_intact(tmp_path, full_project):
    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    digest = _sha(path)
    changed = full_project.copy()
    changed.update_node("yp1", label="Changed")
    changed.remove_node("o2")
    with pytest.raises(_Crash):
        save_project(changed, path, _after_layers=_crash)
    assert _sha(path) == digest
    assert sorted(os.listdir(tmp_path)) == ["p.gpkg"]  # no temporary file left behind
    _assert_same(full_project, load_project(path))


def test_interrupted_first_save_writes_nothing(tmp_path, full_project):
    with pytest.raises(_Crash):
        save_project(full_project, tmp_path / "new.gpkg", _after_layers=_crash)
    assert os.listdir(tmp_path) == []


def test_successful_save_replaces_old_file(tmp_path, full_project):
    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    changed = full_project.copy()
    changed.update_node("yp1", label="Changed")
    save_project(changed, path)
    assert load_project(path).nodes["yp1"].label == "Changed"
    assert sorted(os.listdir(tmp_path)) == ["p.gpkg"]


def test_save_into_missing_folder_is_refused(tmp_path, full_project):
    with pytest.raises(ProjectFileError):
        save_project(full_project, tmp_path / "nowhere" / "p.gpkg")


# ------------------------------------------------------------------- bad files
def _saved(tmp_path: Path, project: Project) -> Path:
    path = tmp_path / "good.gpkg"
    save_project(project, path)
    return path


def _truncated(tmp_path, good):
    data = good.read_bytes()
    path = tmp_path / "truncated.gpkg"
    path.write_bytes(data[: len(data) // 3])
    return path


def _random_bytes(tmp_path, good):
    path = tmp_path / "random.gpkg"
    path.write_bytes(os.urandom(20_000))
    return path


def _plain_sqlite(tmp_path, good):
    path = tmp_path / "plain.gpkg"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE things (x INTEGER)")
    con.execute("INSERT INTO things VALUES (1)")
    con.commit()
    con.close()
    return path


def _newer_schema(tmp_path, good):
    path = tmp_path / "newer.gpkg"
    shutil.copy(good, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE socialmap_meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    return path


def _inconsistent(tmp_path, good):
    path = tmp_path / "inconsistent.gpkg"
    shutil.copy(good, path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO ties (a, b, type) VALUES ('yp1', 'ghost', 'friend')")
    con.commit()
    con.close()
    return path


def _empty(tmp_path, good):
    path = tmp_path / "empty.gpkg"
    path.write_bytes(b"")
    return path


def _text(tmp_path, good):
    path = tmp_path / "notes.gpkg"
    path.write_text("id,kind\nyp1,young_person\n")
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_truncated, "damaged"),
        (_random_bytes, "not a GeoPackage"),
        (_plain_sqlite, "not a GeoPackage (an SQLite database without GeoPackage's application id)"),
        (_newer_schema, "newer SocialMap"),
        (_inconsistent, "inconsistent"),
        (_empty, "the file is empty (0 bytes)"),
        (_text, "not a GeoPackage"),
    ],
    ids=["truncated", "random", "plain-sqlite", "newer-schema", "inconsistent", "empty", "text"],
)
def test_bad_file_is_reported_and_left_unchanged(tmp_path, full_project, make, expected):
    good = _saved(tmp_path, full_project)
    path = make(tmp_path, good)
    digest, mtime = _sha(path), path.stat().st_mtime_ns
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ProjectFileError) as err:
        load_project(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)
    assert _sha(path) == digest and path.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(tmp_path)) == before  # no journal or lock files left


def test_newer_schema_message_says_update(tmp_path, full_project):
    path = _newer_schema(tmp_path, _saved(tmp_path, full_project))
    with pytest.raises(ProjectFileError) as err:
        read_schema_version(path)
    assert "schema 99" in str(err.value) and "not changed" in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectFileError, match="no such file"):
        load_project(tmp_path / "nothing.gpkg")
    with pytest.raises(ProjectFileError, match="not a file"):
        load_project(tmp_path)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("hotspot_permutations", None, "is not a whole number"),
    ("hotspot_alpha", "x", "is not a number"),
    ("louvain_seed", "a", "is not a whole number"),
    ("context_survival", 7, "is outside 0..1"),
    ("flag_bridging_loss_pct", -1, "is negative"),
    ("group_by", 5, "is not a text"),
])
def test_a_project_file_with_a_damaged_setting_is_refused_on_open(tmp_path, small_project, name, value, words):
    """A settings table edited by hand (or damaged) is reported when the file is opened, naming the
    setting, and the file is left as it was: analysis later must not stop with a TypeError
    ('internal error') on int(None)."""
    import hashlib
    import json
    import sqlite3

    from socialmap.errors import ProjectFileError

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = sqlite3.connect(path)
    con.execute("INSERT OR REPLACE INTO socialmap_settings VALUES (?, ?)", (name, json.dumps(value)))
    con.commit()
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ProjectFileError) as err:
        load_project(path)
    assert f"project settings, field {name!r}" in str(err.value) and words in str(err.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("name", ["plan#2.gpkg", "what?.gpkg", "a%20b.gpkg", "youth 100%.gpkg"])
def test_file_names_with_uri_characters_open(tmp_path, full_project, name):
    """SQLite opens the file read-only through a URI: '#', '?' and '%' in a file name must be
    escaped, or 'plan#2.gpkg' is read as 'plan' ('not a SocialMap project') and 'a%20b.gpkg'
    as 'a b.gpkg' ('cannot be opened')."""
    path = tmp_path / name
    save_project(full_project, path)
    assert read_schema_version(path) == SCHEMA_VERSION
    loaded = load_project(path)
    assert set(loaded.nodes) == set(full_project.nodes) and set(loaded.ties) == set(full_project.ties)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saving_over_a_file_keeps_its_permissions(tmp_path, full_project):
    """A project holds personal data about young people; a worker who made the file
    private (0600) must not find it readable by everyone (0644, from the umask) after the
    next save, which writes a new file and renames it over the old one."""
    path = tmp_path / "private.gpkg"
    save_project(full_project, path)
    os.chmod(path, 0o600)
    save_project(full_project, path)
    assert (os.stat(path).st_mode & 0o777) == 0o600
    os.chmod(path, 0o640)
    save_project(full_project, path)
    assert (os.stat(path).st_mode & 0o777) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_saving_through_a_symbolic_link_writes_the_target(tmp_path, full_project):
    """A project opened through a link (e.g. a shortcut into a shared folder) is saved into
    the file the link points to; the link stays a link."""
    real = tmp_path / "shared" / "p.gpkg"
    real.parent.mkdir()
    save_project(full_project, real)
    link = tmp_path / "p.gpkg"
    link.symlink_to(real)
    changed = full_project.copy()
    changed.update_node("yp1", label="Changed")
    save_project(changed, link)
    assert link.is_symlink()
    assert load_project(real).nodes["yp1"].label == "Changed"
    assert sorted(os.listdir(real.parent)) == ["p.gpkg"]


def test_a_file_in_wal_mode_is_read_with_its_log(tmp_path, full_project):
    """A GeoPackage edited by another program in WAL mode (QGIS does this) keeps recent
    commits in 'p.gpkg-wal' until a checkpoint. SQLite's immutable flag ignores that log, so
    the schema version (and nodes and ties) were read as they were before those commits:
    here a newer schema written by another program was not seen."""
    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE socialmap_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        writer.commit()
        assert Path(str(path) + "-wal").exists()
        with pytest.raises(ProjectFileError, match="newer"):
            read_schema_version(path)
    finally:
        writer.close()


def test_a_save_that_fails_on_disk_says_why_and_keeps_the_old_file(tmp_path, full_project):
    """A full disk (or a folder one may not write in) while saving: a ProjectFileError naming
    the file and the reason, which the CLI prints as one line (it was an OSError, printed as
    'internal error: OSError ...'); the previous file is untouched and nothing is left over."""
    import errno

    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    digest = _sha(path)

    def disk_full(_tmp):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ProjectFileError, match=r"p\.gpkg.*No space left on device.*unchanged"):
        save_project(full_project, path, _after_layers=disk_full)
    assert _sha(path) == digest
    assert sorted(os.listdir(tmp_path)) == ["p.gpkg"]


def test_opening_a_file_in_wal_mode_leaves_it_and_its_log_untouched(tmp_path, full_project):
    """Opening never modifies the file (SPEC 5). With another program's commits still in
    'p.gpkg-wal', GDAL's read of the areas layer checkpointed the log into the file and
    deleted the log. The project is read with those commits, and both files keep their bytes."""
    path = tmp_path / "p.gpkg"
    save_project(full_project, path)
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE socialmap_settings SET value = '0.2' WHERE key = 'hotspot_alpha'")
        writer.commit()
        wal = Path(str(path) + "-wal")
        before = (_sha(path), _sha(wal))
        loaded = load_project(path)
        assert loaded.settings["hotspot_alpha"] == 0.2
        assert wal.exists() and (_sha(path), _sha(wal)) == before
    finally:
        writer.close()
