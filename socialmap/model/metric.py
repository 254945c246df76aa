"""The metric projection distances are measured in (SPEC section 3): the British National Grid
(EPSG:27700) for British data, otherwise the WGS 84 UTM zone of the centre of the data.

Used by the analysis (:mod:`socialmap.analysis.geography`) and by the repair of a project file
edited elsewhere (:mod:`socialmap.store.repair`: the nearest area of a point outside every area),
so it lives at the bottom of the layers.
"""

from __future__ import annotations

import math

#: Area of use of EPSG:27700 (west, south, east, north), from the EPSG registry.
BRITISH_NATIONAL_GRID_BOUNDS = (-9.01, 49.75, 2.01, 61.01)
#: A box around the island of Ireland, inside the grid's area of use but not British.
IRELAND_BOUNDS = (-10.7, 51.4, -5.4, 55.45)
#: The part of that box that is Scotland (southern Kintyre): no part of Ireland lies in it
#: (the Antrim coast north of 55.25 N, Rathlin Island included, lies west of 5.9 W).
KINTYRE_BOUNDS = (-5.85, 55.25, -5.4, 55.45)


def metric_crs_for_bounds(west: float, south: float, east: float, north: float) -> str:
    """The metric CRS used for data within these longitude/latitude bounds.

    Examples
    --------
    >>> metric_crs_for_bounds(-2.3, 53.4, -2.2, 53.5)   # Manchester
    'EPSG:27700'
    >>> metric_crs_for_bounds(2.30, 48.85, 2.40, 48.90)  # Paris: UTM zone 31 north
    'EPSG:32631'
    >>> metric_crs_for_bounds(-6.35, 53.30, -6.15, 53.40)  # Dublin: UTM zone 29 north
    'EPSG:32629'
    >>> metric_crs_for_bounds(151.1, -33.9, 151.3, -33.8)  # Sydney: UTM zone 56 south
    'EPSG:32756'
    """
    def inside(bounds: tuple[float, float, float, float]) -> bool:
        w, s, e, n = bounds
        return west >= w and east <= e and south >= s and north <= n

    def touches(bounds: tuple[float, float, float, float]) -> bool:
        w, s, e, n = bounds
        return west <= e and east >= w and south <= n and north >= s

    irish = inside(IRELAND_BOUNDS) and not touches(KINTYRE_BOUNDS)
    if inside(BRITISH_NATIONAL_GRID_BOUNDS) and not irish:
        return "EPSG:27700"
    lon = (west + east) / 2.0
    lat = (south + north) / 2.0
    zone = min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"
