"""Areas files (GeoJSON, GeoPackage, shapefile): problems named by feature, and choosing the layer
of a GeoPackage that has several."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, box, mapping

from socialmap.cli import main
from socialmap.errors import InputError
from socialmap.interchange.areas import read_areas

WEST = box(-2.30, 53.40, -2.29, 53.41)
EAST = box(-2.29, 53.40, -2.28, 53.41)


def _geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": None if geom is None else mapping(geom)}
        for props, geom in features]}))
    return path


def _gpkg(path, layer, rows):
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows]},
                             geometry=[r[2] for r in rows], crs=4326)
    frame.to_file(path, layer=layer, driver="GPKG")
    return path


def test_geojson_problems_name_the_feature(tmp_path):
    """Feature 3 repeats A1's code (first at feature 1); feature 2 is a point: each line says
    'feature N', never 'row N'."""
    path = _geojson(tmp_path / "areas.geojson", [({"code": "A1", "name": "W"}, WEST),
                                                  ({"code": "A2", "name": "Dot"}, Point(-2.285, 53.405)),
                                                  ({"code": "A1", "name": "Again"}, EAST)])
    with pytest.raises(InputError) as caught:
        read_areas(path)
    lines = caught.value.lines()
    assert lines == [
        f"{path}, feature 2, area 'A2', field 'geometry': geometry is a Point, not a polygon",
        f"{path}, feature 3, area 'A1', field 'code': duplicate area code (first at feature 1)",
    ]


def test_geopackage_problems_name_the_feature(tmp_path):
    path = _gpkg(tmp_path / "areas.gpkg", "areas", [("A1", "W", WEST), ("", "Nameless", EAST)])
    with pytest.raises(InputError) as caught:
        read_areas(path)
    assert caught.value.lines() == [f"{path}, feature 2, field 'code': the area code is empty"]


def test_cli_reports_features_of_the_areas_file(tmp_path, capsys):
    """Through an importer too: the areas file's problem names its feature, the CSV's its row."""
    areas = _geojson(tmp_path / "areas.geojson", [({"code": "A1", "name": "W", "imd_decile": 11}, WEST)])
    (tmp_path / "nodes.csv").write_text("id,kind,area_code,age\nyp1,young_person,A1,old\n")
    (tmp_path / "ties.csv").write_text("a,b,type\n")
    code = main(["import", "csv", "--nodes", str(tmp_path / "nodes.csv"), "--ties", str(tmp_path / "ties.csv"),
                 "--areas", str(areas), str(tmp_path / "out.gpkg")])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert f"socialmap: {areas}, feature 1, area 'A1', field 'imd_decile': IMD decile 11 is not 1..10" in err
    assert any("nodes.csv, row 2" in line and "'old' is not a whole number" in line for line in err), err


# ------------------------------------------------------------------ --areas-layer
@pytest.fixture
def two_layer_gpkg(tmp_path):
    """A GeoPackage with two polygon layers (lsoa: A1 and A2; wards: W1) and a point layer (sites)."""
    import geopandas as gpd

    path = tmp_path / "boundaries.gpkg"
    _gpkg(path, "lsoa", [("A1", "West", WEST), ("A2", "East", EAST)])
    _gpkg(path, "wards", [("W1", "Both", box(-2.30, 53.40, -2.28, 53.41))])
    gpd.GeoDataFrame({"code": ["p"]}, geometry=[Point(-2.295, 53.405)], crs=4326).to_file(
        path, layer="sites", driver="GPKG")
    return path


def test_several_polygon_layers_are_ambiguous(two_layer_gpkg):
    with pytest.raises(InputError) as caught:
        read_areas(two_layer_gpkg)
    assert caught.value.lines() == [f"{two_layer_gpkg}: has 2 polygon layers (lsoa, wards) and none is called "
                                    "'areas'; choose one with --areas-layer NAME"]


@pytest.mark.parametrize(("layer", "codes"), [("lsoa", ["A1", "A2"]), ("Wards", ["W1"])])
def test_areas_layer_chooses_one(two_layer_gpkg, layer, codes):
    assert [a.code for a in read_areas(two_layer_gpkg, layer=layer)] == codes


@pytest.mark.parametrize(("layer", "words"), [("nope", "has no layer 'nope' (given by --areas-layer)"),
                                              ("sites", "layer 'sites' holds point geometry, not polygons")])
def test_areas_layer_that_cannot_be_used(two_layer_gpkg, layer, words):
    with pytest.raises(InputError) as caught:
        read_areas(two_layer_gpkg, layer=layer)
    (line,) = caught.value.lines()
    assert words in line and "its layers are lsoa (polygon), wards (polygon), sites (point)" in line


@pytest.mark.parametrize("fmt", ["csv", "kumu"])
def test_cli_areas_layer(two_layer_gpkg, tmp_path, capsys, fmt):
    """Every importer takes --areas-layer: without it the file is refused with the layer names; with it
    the new project has the chosen layer's areas."""
    from socialmap.store import load_project

    if fmt == "csv":
        (tmp_path / "nodes.csv").write_text("id,kind,area_code\nyp1,young_person,A2\n")
        (tmp_path / "ties.csv").write_text("a,b,type\n")
        inputs = ["csv", "--nodes", str(tmp_path / "nodes.csv"), "--ties", str(tmp_path / "ties.csv")]
    else:
        (tmp_path / "elements.csv").write_text("Label,Type,Area code\nyp1,Young person,A2\n")
        inputs = ["kumu", str(tmp_path / "elements.csv")]
    out = tmp_path / "out.gpkg"
    assert main(["import", *inputs, "--areas", str(two_layer_gpkg), str(out)]) == 2
    assert "choose one with --areas-layer NAME" in capsys.readouterr().err
    assert main(["import", *inputs, "--areas", str(two_layer_gpkg), "--areas-layer", "lsoa", str(out)]) == 0
    assert sorted(load_project(out).areas) == ["A1", "A2"]


def test_cli_areas_layer_with_into_is_refused(saved_small, tmp_path, capsys):
    (tmp_path / "elements.csv").write_text("Label,Type,Area code\nyp9,Young person,A2\n")
    assert main(["import", "kumu", str(tmp_path / "elements.csv"), "--into", str(saved_small),
                 "--areas-layer", "lsoa"]) == 2
    assert "--areas-layer chooses the layer of the --areas file" in capsys.readouterr().err
