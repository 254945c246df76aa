"""Distances in kilometres between area centroids and service sites.

SPEC section 3 measures ``nearest_service_km`` "from the area's centroid to
the nearest service, measured in a metric projection: British National Grid
EPSG:27700 for British data, otherwise the local UTM zone". Points and
polygons are stored in EPSG:4326 (SPEC section 5); this module projects them
once per project version (cached on the project, so an edit invalidates it)
and answers nearest-neighbour queries with a k-d tree (scipy ``cKDTree``).

Used by the scenarios (``nearest_service_km`` before and after a change, and
the travel limit of a relocation); kept free of scenario logic so the area
measures can share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialmap.model import SERVICE, Project

#: Where British National Grid is valid (EPSG:27700 area of use: west, south, east, north).
BNG_BOUNDS = (-9.01, 49.75, 2.01, 61.01)


def metric_epsg(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> int:
    """EPSG code of the metric projection for data inside the given bounds (degrees).

    British National Grid (EPSG:27700) when the bounds lie inside its area of
    use, otherwise the WGS 84 UTM zone of the bounds' centre (326zz north,
    327zz south).

    Examples
    --------
    >>> metric_epsg(-2.3, 53.4, -2.2, 53.5)   # Manchester
    27700
    >>> metric_epsg(2.2, 48.8, 2.4, 48.9)     # Paris: UTM zone 31 north
    32631
    >>> metric_epsg(151.1, -33.9, 151.3, -33.8)  # Sydney: UTM zone 56 south
    32756
    """
    w, s, e, n = BNG_BOUNDS
    if lon_min >= w and lat_min >= s and lon_max <= e and lat_max <= n:
        return 27700
    lon = (lon_min + lon_max) / 2.0
    lat = (lat_min + lat_max) / 2.0
    zone = int(np.clip(np.floor((lon + 180.0) / 6.0) + 1, 1, 60))
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class ProjectedSites:
    """Area centroids and service sites of one project version, in metres."""

    epsg: int
    area_codes: list[str]
    centroid_xy: np.ndarray  # (n_areas, 2) metres, centroid of the projected polygon
    service_ids: list[str]
    service_xy: np.ndarray  # (n_services, 2) metres
    _transformer: object

    def project_point(self, lat: float, lon: float) -> np.ndarray:
        """``(x, y)`` in metres of a point given in degrees."""
        x, y = self._transformer.transform(lon, lat)
        return np.array([x, y], dtype=float)

    def nearest_service_km(self, service_xy: np.ndarray | None = None) -> np.ndarray:
        """Kilometres from each area centroid to the nearest of ``service_xy``
        (default: every service); NaN for every area when there is none."""
        pts = self.service_xy if service_xy is None else service_xy
        return nearest_km(self.centroid_xy, pts)


def nearest_km(origin_xy: np.ndarray, target_xy: np.ndarray) -> np.ndarray:
    """Distance in km from each origin to its nearest target (metres in, km out); NaN without targets."""
    if len(origin_xy) == 0:
        return np.zeros(0)
    if len(target_xy) == 0:
        return np.full(len(origin_xy), np.nan)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(target_xy).query(origin_xy, k=1)
    return np.asarray(dist, dtype=float) / 1000.0


def _build(project: Project) -> ProjectedSites:
    import shapely
    from pyproj import Transformer

    codes = list(project.areas)
    geoms = np.array([a.geometry for a in project.areas.values()], dtype=object)
    services = [
        n
        for n in project.nodes.values()
        if n.kind == SERVICE and n.lat is not None and n.lon is not None
    ]
    if len(geoms):
        lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(geoms)
    elif services:
        lons = [s.lon for s in services]
        lats = [s.lat for s in services]
        lon_min, lat_min, lon_max, lat_max = min(lons), min(lats), max(lons), max(lats)
    else:
        lon_min = lat_min = lon_max = lat_max = 0.0
    epsg = metric_epsg(lon_min, lat_min, lon_max, lat_max)
    transformer = Transformer.from_crs(4326, epsg, always_xy=True)

    def to_metres(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    if len(geoms):
        projected = shapely.transform(geoms, to_metres)
        centroid_xy = shapely.get_coordinates(shapely.centroid(projected))
    else:
        centroid_xy = np.zeros((0, 2))
    if services:
        lonlat = np.array([[s.lon, s.lat] for s in services], dtype=float)
        service_xy = to_metres(lonlat)
    else:
        service_xy = np.zeros((0, 2))
    return ProjectedSites(
        epsg, codes, centroid_xy, [s.id for s in services], service_xy, transformer
    )


def projected_sites(project: Project) -> ProjectedSites:
    """The cached :class:`ProjectedSites` of ``project``'s current version."""
    return project.cached("projected_sites", lambda: _build(project))


def nearest_service_km(project: Project) -> dict[str, float | None]:
    """Kilometres from each area's centroid to the nearest service (None when there is none).

    Measured in British National Grid (EPSG:27700) for British data, otherwise
    the local UTM zone (SPEC section 3).
    """
    sites = projected_sites(project)
    km = sites.nearest_service_km()
    return {
        c: (None if np.isnan(v) else float(v)) for c, v in zip(sites.area_codes, km, strict=True)
    }
