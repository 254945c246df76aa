"""The map page (Leaflet, built once with folium) and the JSON it is updated with.

No Qt here: the desktop UI loads :func:`build_page` into a web view and sends
the payloads of :mod:`socialmap.mapview.payloads` to it.
"""

from socialmap.mapview.page import build_page, leaflet_dir
from socialmap.mapview.payloads import (
    DRAWN_KINDS,
    TIE_CLASSES,
    areas_payload,
    change_style,
    choropleth,
    full_payload,
    gi_bin_style,
    node_feature,
    nodes_payload,
    tie_class,
    ties_payload,
)

__all__ = [
    "DRAWN_KINDS",
    "TIE_CLASSES",
    "areas_payload",
    "build_page",
    "change_style",
    "choropleth",
    "full_payload",
    "gi_bin_style",
    "leaflet_dir",
    "node_feature",
    "nodes_payload",
    "tie_class",
    "ties_payload",
]
