"""Social-capital analysis: tie classes, person and area measures, hotspots,
anchor presence (pure Python, no Qt)."""

from socialmap.analysis.arrays import GraphArrays, graph_arrays
from socialmap.analysis.ties import TIE_CLASSES, classify_ties, group_keys, tie_class_codes

__all__ = ["GraphArrays", "TIE_CLASSES", "classify_ties", "graph_arrays", "group_keys", "tie_class_codes"]
