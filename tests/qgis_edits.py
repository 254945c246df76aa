"""Edits as QGIS makes them to a project file, for the tests of check, repair and the repair view:
areas drawn on the British National Grid, points digitised with only the attributes typed in."""

from __future__ import annotations

import sqlite3

from socialmap.store.foreign import gpkg_functions


def grid_project():
    """Two 1 km squares drawn on the British National Grid near Manchester and stored, as every
    project is, in EPSG:4326: A = E 380000-381000, N 390000-391000; B (east of it) =
    E 381520-382520, same northings; C (north-east of A) = E 381100-382100, N 390900-391900
    (used alone with A). Returns the project, the EPSG:27700 -> 4326 transformer and the boxes."""
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import box

    from socialmap.model import Area, Node, Project

    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

    def area(code, *xy):
        polygon = shapely.transform(box(*xy), lambda c: np.column_stack(to_wgs84.transform(c[:, 0], c[:, 1])))
        return Area(code, f"Area {code}", polygon)

    p = Project()
    p.add_area(area("A", 380000, 390000, 381000, 391000))
    p.add_area(area("B", 381520, 390000, 382520, 391000))
    lon, lat = to_wgs84.transform(380500, 390500)
    p.add_node(Node("o1", "organisation", "College", lat=lat, lon=lon))
    return p, to_wgs84, area


def add_point(path, to_wgs84, easting, northing, **fields):
    """What QGIS does when a point is digitised on the nodes layer: a row with only the
    attributes typed in (none, or a kind) and the point."""
    import struct

    lon, lat = to_wgs84.transform(easting, northing)
    blob = b"GP\x00\x01" + struct.pack("<i", 4326) + b"\x01\x01\x00\x00\x00" + struct.pack("<dd", lon, lat)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        names = ", ".join(["geom", *fields])
        marks = ", ".join("?" * (len(fields) + 1))
        con.execute(f"INSERT INTO nodes ({names}) VALUES ({marks})", (blob, *fields.values()))
    con.close()
