"""Fixtures for the interchange tests: an areas file, a saved project, a postcode lookup."""

from __future__ import annotations

import json

import pytest

from socialmap.store import save_project


@pytest.fixture
def areas_geojson(tmp_path, two_areas):
    """The two test areas (A1 West, A2 East) as a GeoJSON file with ``code``/``name``."""
    from shapely.geometry import mapping

    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code, "name": a.name}, "geometry": mapping(a.geometry)}
        for a in two_areas]}
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def saved_small(tmp_path, small_project):
    """The small project saved to a file (for ``--into`` and exports)."""
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return path


@pytest.fixture
def lookup_csv(tmp_path):
    """A three-postcode NSPL-style extract: columns as the ONS names them.

    M1 1AA lies in A1 (West), M1 2BB in A2 (East), ZZ9 9ZZ has no grid reference.
    """
    path = tmp_path / "nspl.csv"
    path.write_text(
        "pcd,pcd2,pcds,dointr,lat,long,lsoa21,oseast1m\n"
        "M1  1AA,M1   1AA,M1 1AA,202001,53.4050,-2.2950,A1,380000\n"
        "M1  2BB,M1   2BB,M1 2BB,202001,53.4050,-2.2850,A2,381000\n"
        "ZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,202001,99.999999,0.000000,,\n"
    )
    return path
