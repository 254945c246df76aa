"""Reference layers (socialmap.mapview.reference): read from GeoPackage, GeoJSON and shapefile,
reprojected to WGS84, flattened into parts for the page."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from socialmap.mapview import reference
from socialmap.mapview.reference import LINE, POINT, RING, ReferenceLayerError, read_reference


def _frame(geoms, crs="EPSG:4326"):
    import geopandas as gpd

    return gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs)


def test_a_geojson_layer_is_flattened_into_points_lines_and_rings(tmp_path):
    """One point, a two-part road (2 + 3 vertices) and a square with a hole (5 + 5 vertices,
    closed rings): parts point, line, line, ring, ring; starts 0, 1, 3, 6, 11, 16."""
    square = Polygon([(-2.25, 53.48), (-2.24, 53.48), (-2.24, 53.49), (-2.25, 53.49)],
                     [[(-2.248, 53.482), (-2.242, 53.482), (-2.242, 53.488), (-2.248, 53.488)]])
    road = MultiLineString([[(-2.26, 53.50), (-2.20, 53.50)], [(-2.20, 53.50), (-2.19, 53.51), (-2.18, 53.50)]])
    path = tmp_path / "ref.geojson"
    _frame([Point(-2.23, 53.49), road, square]).to_file(path, driver="GeoJSON")
    geometry = read_reference(path)
    assert list(geometry.kinds) == [POINT, LINE, LINE, RING, RING]
    assert list(geometry.starts) == [0, 1, 3, 6, 11, 16]
    assert geometry.features == 3
    assert geometry.xy[0] == pytest.approx([-2.23, 53.49])
    assert geometry.bounds == pytest.approx((-2.26, 53.48, -2.18, 53.51))


def test_a_british_national_grid_shapefile_is_reprojected_to_wgs84(tmp_path):
    """A line from (383000, 398000) to (384000, 398000) in EPSG:27700 lies near Manchester:
    its first vertex reprojects (pyproj) to about lon -2.256, lat 53.48."""
    from pyproj import Transformer

    path = tmp_path / "roads.shp"
    _frame([LineString([(383000, 398000), (384000, 398000)])], crs="EPSG:27700").to_file(path)
    geometry = read_reference(path)
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(383000, 398000)
    assert geometry.xy[0] == pytest.approx([lon, lat], abs=1e-5)
    assert -2.3 < lon < -2.2 and 53.4 < lat < 53.6


def test_a_geopackage_layer_is_chosen_by_name(tmp_path):
    path = tmp_path / "layers.gpkg"
    _frame([Point(-2.2, 53.5)]).to_file(path, layer="sites", driver="GPKG")
    _frame([LineString([(-2.2, 53.5), (-2.1, 53.5)])]).to_file(path, layer="roads", driver="GPKG")
    assert sorted(reference.layer_names(path)) == ["roads", "sites"]
    assert list(read_reference(path, "roads").kinds) == [LINE]
    assert list(read_reference(path, "sites").kinds) == [POINT]


def test_simplification_drops_vertices_that_no_one_can_see():
    """A straight road of 1,001 vertices 0.0001 degrees apart simplifies to its two ends."""
    xs = np.linspace(-2.3, -2.2, 1001)
    geometry = reference.flatten(reference_simplified([LineString(np.c_[xs, np.full(1001, 53.5)])]))
    assert list(geometry.starts) == [0, 2]


def reference_simplified(geoms):
    import shapely

    return shapely.simplify(np.asarray(geoms, dtype=object), reference.SIMPLIFY_DEG, preserve_topology=False)


def test_the_payload_columns_decode_to_the_same_numbers():
    geometry = reference.flatten([LineString([(-2.2, 53.5), (-2.1, 53.6)])])
    payload = reference.layer_payload("r1", "Roads", "#7570b3", True, geometry)
    json.dumps(payload)  # plain JSON for runJavaScript
    xy = np.frombuffer(base64.b64decode(payload["xy"]), dtype="<f4")
    assert xy == pytest.approx([-2.2, 53.5, -2.1, 53.6])
    assert list(np.frombuffer(base64.b64decode(payload["starts"]), dtype="<i4")) == [0, 2]
    assert payload["n"] == 1


@pytest.mark.parametrize("case, why", [
    ("missing", "is not there"),
    ("junk", "cannot be read"),
    ("empty", "no features to draw"),
])
def test_bad_reference_files_are_refused_in_one_line(tmp_path, case, why):
    path = tmp_path / "bad.geojson"
    if case == "junk":
        path.write_text("{ not json")
    elif case == "empty":
        path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(ReferenceLayerError) as err:
        read_reference(path)
    assert why in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)
