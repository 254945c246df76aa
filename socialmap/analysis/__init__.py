"""Social-capital analysis: tie classes, person and area measures, hotspots,
anchor presence (pure Python, no Qt).

Heavy spatial-statistics libraries (libpysal, esda) are imported only inside
the functions that use them.
"""

from socialmap.analysis.anchors import (
    ANCHOR_FIGURES,
    AnchorResult,
    anchor_presence,
    percentile_rank,
    reach,
)
from socialmap.analysis.arrays import GraphArrays, graph_arrays
from socialmap.analysis.geography import metric_crs_for_bounds, nearest_service_km
from socialmap.analysis.hotspots import HotspotResult, hotspots, public_hotspots
from socialmap.analysis.measures import (
    AREA_COUNTS_OF_YOUNG_PEOPLE,
    AREA_MEASURES,
    PERSON_MEASURES,
    AnalysisResult,
    analyse,
    area_isolation,
    areas_reached,
    burt_measures,
    eet_connectedness,
    ei_index,
    service_link_matrix,
    service_links,
    tie_counts,
)
from socialmap.analysis.ties import TIE_CLASSES, classify_ties, group_keys, tie_class_codes

__all__ = [
    "ANCHOR_FIGURES",
    "AnchorResult",
    "HotspotResult",
    "anchor_presence",
    "hotspots",
    "public_hotspots",
    "metric_crs_for_bounds",
    "nearest_service_km",
    "percentile_rank",
    "reach",
    "AREA_COUNTS_OF_YOUNG_PEOPLE",
    "AREA_MEASURES",
    "AnalysisResult",
    "GraphArrays",
    "PERSON_MEASURES",
    "TIE_CLASSES",
    "analyse",
    "area_isolation",
    "areas_reached",
    "burt_measures",
    "classify_ties",
    "eet_connectedness",
    "ei_index",
    "graph_arrays",
    "group_keys",
    "service_link_matrix",
    "service_links",
    "tie_class_codes",
    "tie_counts",
]
