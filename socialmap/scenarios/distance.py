"""Area centroids and service sites in metres, for the scenarios.

A thin view over :mod:`socialmap.analysis.geography`, which owns the metric
projection (British National Grid EPSG:27700 for British data, otherwise the
local UTM zone; SPEC section 3) and the projected area centroids, so that a
scenario's ``nearest_service_km_before`` is exactly the analysis's
``nearest_service_km``. Adds what scenarios need on top: the service sites
as an (n, 2) array, projection of a relocation's new site, and a k-d tree
query for any set of sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialmap.analysis import graph_arrays
from socialmap.analysis.geography import geography, metric_transformer
from socialmap.model import Project


@dataclass(frozen=True)
class ProjectedSites:
    """Area centroids and service sites of one project version, in metres."""

    crs: str | None
    area_codes: list[str]
    centroid_xy: np.ndarray  # (n_areas, 2): centroid of the projected polygon
    service_nodes: np.ndarray  # node positions (graph_arrays order) of services with a site
    service_xy: np.ndarray  # (n_services, 2)
    _transformer: object

    def project_point(self, lat: float, lon: float) -> np.ndarray:
        """``(x, y)`` in metres of a point given in degrees."""
        if self._transformer is None:  # a project with no areas and no places
            return np.array([np.nan, np.nan])
        x, y = self._transformer.transform(lon, lat)
        return np.array([x, y], dtype=float)


def nearest_km(origin_xy: np.ndarray, target_xy: np.ndarray) -> np.ndarray:
    """Distance in km from each origin to its nearest target (metres in); NaN without targets."""
    if len(origin_xy) == 0:
        return np.zeros(0)
    if len(target_xy) == 0:
        return np.full(len(origin_xy), np.nan)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(target_xy).query(origin_xy, k=1)
    return np.asarray(dist, dtype=float) / 1000.0


def _build(project: Project) -> ProjectedSites:
    ga = graph_arrays(project)
    geo = geography(project)
    codes = list(project.areas)
    # the geography's own Transformer for this CRS and thread (one made, not two)
    transformer = metric_transformer(geo.crs) if geo.crs is not None else None
    centroid_xy = (
        np.column_stack([geo.centroid_x, geo.centroid_y]) if len(codes) else np.zeros((0, 2))
    )
    nodes = np.asarray(geo.service_nodes, dtype=np.int64)
    if len(nodes) and transformer is not None:
        x, y = transformer.transform(ga.lon[nodes], ga.lat[nodes])
        service_xy = np.column_stack([x, y])
    else:
        service_xy = np.zeros((0, 2))
    return ProjectedSites(geo.crs, codes, centroid_xy, nodes, service_xy, transformer)


def projected_sites(project: Project) -> ProjectedSites:
    """The cached :class:`ProjectedSites` of ``project``'s current version."""
    return project.cached("scenario_projected_sites", lambda: _build(project))
