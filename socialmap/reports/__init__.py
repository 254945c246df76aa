"""PDF reports, made locally: the area and hotspot report, the anchor evidence pack
(with its figures as CSV) and the scenario impact report.

reportlab lays the pages out and matplotlib (Agg) draws the static maps; both
are imported only inside the functions that use them.
"""

from socialmap.reports.area_report import write_area_report
from socialmap.reports.evidence import write_evidence_figures, write_evidence_pack
from socialmap.reports.scenario_report import write_scenario_report

__all__ = ["write_area_report", "write_evidence_figures", "write_evidence_pack", "write_scenario_report"]
