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
