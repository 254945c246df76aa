"""Where things are: metric projection, area centroids, services and anchors
in each area, and the distance from each area to its nearest service.

Distances are measured in a metric projection, never on raw longitude and
latitude: the British National Grid (EPSG:27700) for British data, otherwise
the WGS 84 UTM zone of the centre of the data (EPSG:326zz north of the
equator, 327zz south). Data count as British when every area and every
organisation or service lies inside the grid's area of use (Great Britain and
its waters, 9.01 W to 2.01 E, 49.75 N to 61.01 N) and not all of it lies on
the island of Ireland (10.7 W to 5.4 W, 51.4 N to 55.45 N, less southern
Kintyre, which is Scotland), which that box also covers. Either way the scale error over a town is well under 0.1 %.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from socialmap.analysis.arrays import ORG, SERVICE, graph_arrays
from socialmap.model import Project
from socialmap.model.metric import (  # noqa: F401 - the analysis's names for them
    BRITISH_NATIONAL_GRID_BOUNDS,
    IRELAND_BOUNDS,
    KINTYRE_BOUNDS,
    metric_crs_for_bounds,
)


@dataclass(frozen=True)
class Geography:
    """Projected positions of one project version (cached by version)."""

    crs: str | None  # None when the project has no areas and no places
    centroid_x: np.ndarray  # metres, one per area in project order
    centroid_y: np.ndarray
    service_nodes: np.ndarray  # node positions of services with a location
    service_area: np.ndarray  # area index containing each service, -1 when none
    anchor_area: np.ndarray  # area index containing each anchor organisation, -1 when none
    anchor_nodes: np.ndarray

    def transformer(self):
        """A pyproj transformer from EPSG:4326 (lon, lat) to :attr:`crs`."""
        from pyproj import Transformer

        return Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)


def points_in_areas(project: Project, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index (in ``project.areas`` order) of the area containing each point, -1 when none.

    A point on a border shared by two areas goes to the first of them, so it
    is counted once.
    """
    import shapely

    out = np.full(len(lon), -1, dtype=np.int64)
    if not len(lon) or not project.areas:
        return out
    polygons = [a.geometry for a in project.areas.values()]
    tree = shapely.STRtree(polygons)
    points = shapely.points(np.column_stack([lon, lat]))
    point_idx, area_idx = tree.query(points, predicate="intersects")
    # first area (lowest index) per point
    order = np.lexsort((area_idx, point_idx))
    point_idx, area_idx = point_idx[order], area_idx[order]
    first = np.ones(len(point_idx), dtype=bool)
    first[1:] = point_idx[1:] != point_idx[:-1]
    out[point_idx[first]] = area_idx[first]
    return out


@lru_cache(maxsize=16)
def _to_metric(crs: str, thread: int):
    # building a pyproj Transformer costs 15 ms on a quiet machine and over 200 ms on a busy
    # one, once per project version; one per CRS and thread (a Transformer must not be
    # shared between threads)
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def metric_transformer(crs: str):
    """The pyproj Transformer from WGS84 degrees (lon, lat order) to ``crs`` for the calling
    thread, made once per CRS and thread and shared by every user on that thread (the
    geography here, the scenarios' sites: socialmap.scenarios.distance). Made ahead, it takes
    nothing from the first scenario: two of them cost 0.07-0.12 s of its set-up at 100,000
    young people."""
    return _to_metric(crs, threading.get_ident())


def _build(project: Project) -> Geography:
    import shapely

    ga = graph_arrays(project)
    place = ((ga.kind == SERVICE) | (ga.kind == ORG)) & ~np.isnan(ga.lon) & ~np.isnan(ga.lat)
    service_nodes = np.nonzero((ga.kind == SERVICE) & place)[0]
    anchor_nodes = np.nonzero(ga.is_anchor & place)[0]
    polygons = [a.geometry for a in project.areas.values()]
    bounds = []
    if polygons:
        b = shapely.bounds(np.array(polygons, dtype=object))
        bounds.append((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))
    if place.any():
        bounds.append((ga.lon[place].min(), ga.lat[place].min(), ga.lon[place].max(), ga.lat[place].max()))
    if not bounds:
        empty = np.zeros(0)
        return Geography(None, empty, empty, service_nodes, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), anchor_nodes)
    crs = metric_crs_for_bounds(
        min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds)
    )
    if polygons:
        to_metric = metric_transformer(crs)
        projected = shapely.transform(np.array(polygons, dtype=object), lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1])))
        centroids = shapely.centroid(projected)
        cx, cy = shapely.get_x(centroids), shapely.get_y(centroids)
    else:
        cx = cy = np.zeros(0)
    service_area = points_in_areas(project, ga.lon[service_nodes], ga.lat[service_nodes])
    anchor_area = points_in_areas(project, ga.lon[anchor_nodes], ga.lat[anchor_nodes])
    return Geography(crs, np.asarray(cx), np.asarray(cy), service_nodes, service_area, anchor_area, anchor_nodes)


def geography(project: Project) -> Geography:
    """The cached :class:`Geography` of ``project``'s current version."""
    return project.cached("geography", lambda: _build(project))


def nearest_service_km(project: Project, service_lon: np.ndarray | None = None, service_lat: np.ndarray | None = None) -> np.ndarray:
    """Distance in km from each area's centroid to the nearest service.

    Measured in the project's metric projection (module docstring) with a
    KD-tree. ``service_lon``/``service_lat`` replace the project's services
    (scenarios pass the services that remain, at their new sites); by default
    every service with a location is used. ``nan`` for every area when there
    is no service.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Project
    >>> p = Project()
    >>> p.add_area(Area("A1", "Square", box(-2.30, 53.40, -2.29, 53.41)))
    >>> import numpy as np
    >>> km = nearest_service_km(p, np.array([-2.295]), np.array([53.405]))  # at the centre
    >>> round(float(km[0]), 3)
    0.0
    >>> nearest_service_km(p, np.array([]), np.array([])).tolist()
    [nan]
    """
    from scipy.spatial import cKDTree

    geo = geography(project)
    n_areas = len(project.areas)
    if service_lon is None or service_lat is None:
        ga = graph_arrays(project)
        service_lon, service_lat = ga.lon[geo.service_nodes], ga.lat[geo.service_nodes]
    service_lon = np.asarray(service_lon, dtype=np.float64)
    service_lat = np.asarray(service_lat, dtype=np.float64)
    if n_areas == 0 or len(service_lon) == 0 or geo.crs is None:
        return np.full(n_areas, np.nan)
    x, y = geo.transformer().transform(service_lon, service_lat)
    tree = cKDTree(np.column_stack([x, y]))
    distance_m, _ = tree.query(np.column_stack([geo.centroid_x, geo.centroid_y]), k=1)
    return np.asarray(distance_m, dtype=np.float64) / 1000.0


def services_in_area(project: Project) -> np.ndarray:
    """Number of services whose site lies inside each area (project order)."""
    geo = geography(project)
    area = geo.service_area[geo.service_area >= 0]
    return np.bincount(area, minlength=len(project.areas)).astype(np.int64)


def anchors_in_area(project: Project) -> np.ndarray:
    """Number of anchor organisations (``is_anchor`` or ``org_type`` "anchor") sited inside each area."""
    geo = geography(project)
    area = geo.anchor_area[geo.anchor_area >= 0]
    return np.bincount(area, minlength=len(project.areas)).astype(np.int64)
