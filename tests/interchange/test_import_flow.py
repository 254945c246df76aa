"""One import flow for every format (``import csv``, ``import kumu``, ``import openreferral``):
the same rules for ``--into``/``--areas``/OUT/``--force``, the same all-or-nothing build, the
same warnings on stderr."""

from __future__ import annotations

import hashlib
import json

import pytest
from shapely.geometry import Point, mapping

from socialmap.cli import main
from socialmap.interchange.merge import INTO_WITH_AREAS
from socialmap.store import load_project


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(fmt: str, folder) -> list[str]:
    """The input arguments of a small good file of each format (one young person in A1 with
    an exact location, which every importer drops with a warning)."""
    if fmt == "csv":
        (folder / "nodes.csv").write_text("id,kind,area_code,lat,lon\nnew1,young_person,A1,53.405,-2.295\n")
        (folder / "ties.csv").write_text("a,b,type\n")
        return ["csv", "--nodes", str(folder / "nodes.csv"), "--ties", str(folder / "ties.csv")]
    if fmt == "kumu":
        (folder / "elements.csv").write_text("Label,Type,Area code,Note\nnew1,Young person,A1,hi\n")
        (folder / "connections.csv").write_text("From,To,Type,Colour\n")
        return ["kumu", str(folder / "elements.csv"), "--connections", str(folder / "connections.csv")]
    oruk = folder / "oruk"
    oruk.mkdir()
    (oruk / "organization.csv").write_text("id,name\norg-9,Trust\n")
    (oruk / "service.csv").write_text("id,organization_id,name,status\nsvc-9,org-9,Club,active\n"
                                      "svc-8,org-9,Helpline,active\n")
    (oruk / "location.csv").write_text("id,name,latitude,longitude\nloc-9,Hall,53.405,-2.295\n")
    (oruk / "service_at_location.csv").write_text("id,service_id,location_id\nsal-9,svc-9,loc-9\n")
    return ["openreferral", str(oruk)]


FORMATS = ["csv", "kumu", "openreferral"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_into_with_areas_is_refused_by_every_importer(fmt, tmp_path, saved_small, areas_geojson, capsys):
    """--into keeps the project's own areas, so --areas with it is refused with one line, and the
    project is left as it was (import csv used to merge the areas in; kumu/openreferral refused)."""
    before = _digest(saved_small)
    code = main(["import", *_inputs(fmt, tmp_path), "--into", str(saved_small), "--areas", str(areas_geojson)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"socialmap: {INTO_WITH_AREAS}"]
    assert _digest(saved_small) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_into_merges_with_every_importer(fmt, tmp_path, saved_small, capsys):
    code = main(["import", *_inputs(fmt, tmp_path), "--into", str(saved_small)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"merged into {saved_small}" in err
    assert len(load_project(saved_small).nodes) == 7 + (fmt == "openreferral")


@pytest.mark.parametrize("fmt", FORMATS)
def test_existing_output_needs_force_with_every_importer(fmt, tmp_path, areas_geojson, capsys):
    out = tmp_path / "out.gpkg"
    out.write_bytes(b"keep me")
    argv = ["import", *_inputs(fmt, tmp_path), "--areas", str(areas_geojson), str(out)]
    assert main(argv) == 2
    assert "already exists; give --force" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main([*argv, "--force"]) == 0
    assert len(load_project(out).nodes) >= 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_warnings_are_printed_the_same_way(fmt, tmp_path, areas_geojson, capsys):
    """csv: the young person's exact location dropped; kumu: the Colour connection column not imported;
    openreferral: svc-8 has no location. Each as 'socialmap: warning: ...' on stderr."""
    out = tmp_path / "out.gpkg"
    assert main(["import", *_inputs(fmt, tmp_path), "--areas", str(areas_geojson), str(out)]) == 0
    err = capsys.readouterr().err
    expected = {"csv": "dropped the exact location", "kumu": "Colour",
                "openreferral": "no physical location"}[fmt]
    assert [line for line in err.splitlines() if expected in line][0].startswith("socialmap: warning: ")
    assert "note:" not in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_areas_and_records_problems_come_together(fmt, tmp_path, capsys):
    """A bad areas file (feature 2 is a point) and a bad record (area 'A9' unknown... or a bad cell)
    are reported in one go by every importer, and nothing is written."""
    areas = tmp_path / "areas.geojson"
    areas.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A1", "name": "West"},
         "geometry": mapping(Point(-2.295, 53.405).buffer(0.004))},
        {"type": "Feature", "properties": {"code": "A2", "name": "Dot"}, "geometry": mapping(Point(-2.285, 53.405))}]}))
    argv = _inputs(fmt, tmp_path)
    if fmt == "csv":
        (tmp_path / "nodes.csv").write_text("id,kind,area_code,age\nnew1,young_person,A1,old\n")
    elif fmt == "kumu":
        (tmp_path / "elements.csv").write_text("Label,Type,Area code,Age\nnew1,Young person,A1,old\n")
    else:
        (tmp_path / "oruk" / "location.csv").write_text("id,name,latitude,longitude\nloc-9,Hall,north,-2.295\n")
    out = tmp_path / "out.gpkg"
    assert main(["import", *argv, "--areas", str(areas), str(out)]) == 2
    err = capsys.readouterr().err
    assert "areas.geojson" in err and "not a polygon" in err
    assert ("'old' is not a whole number" in err) if fmt != "openreferral" else ("'north' is not a number" in err)
    assert not out.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_desktop_import_uses_the_same_flow(fmt, tmp_path, small_project):
    """File > Import (importing.import_into) merges through the flow of `import ... --into`: the
    same result, warnings included, and the open project is not changed."""
    from socialmap.interchange.importing import import_into

    argv = _inputs(fmt, tmp_path)
    source = argv[2] if fmt == "csv" else argv[1]
    extra = {"ties": argv[4]} if fmt == "csv" else {"connections": argv[3]} if fmt == "kumu" else {}
    before = len(small_project.nodes)
    merged, notes, nodes_added, _ = import_into(small_project, fmt, source, **extra)
    assert len(small_project.nodes) == before
    assert nodes_added == (2 if fmt == "openreferral" else 1) and len(merged.nodes) == before + nodes_added
    expected = {"csv": "dropped the exact location", "kumu": "Colour", "openreferral": "no physical location"}[fmt]
    assert any(expected in note for note in notes), notes


def test_the_desktop_import_refuses_an_id_already_in_the_project(tmp_path, small_project):
    from socialmap.errors import InputError
    from socialmap.interchange.importing import import_into

    (tmp_path / "elements.csv").write_text("Label,Type,Area code\nyp1,Young person,A1\n")
    with pytest.raises(InputError) as caught:
        import_into(small_project, "kumu", tmp_path / "elements.csv")
    assert caught.value.lines() == [f"{tmp_path / 'elements.csv'}, row 2, node 'yp1', field 'id': "
                                    "id 'yp1' is already in the project"]
