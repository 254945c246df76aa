"""The PDF reports as export formats (``socialmap export report|evidence|scenario-report`` and
the Reports menu); the reports themselves are made by :mod:`socialmap.reports`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.interchange.registry import ExportFormat
from socialmap.model.project import Project


def export_report(project: Project, out: Path, *, source: str | None = None, **_: Any) -> list[Path]:
    """The area and hotspot report (PDF)."""
    from socialmap.interchange.exporting import atomic_file
    from socialmap.reports import write_area_report

    atomic_file(out, lambda p: write_area_report(project, p, source=source))
    return [out]


def export_evidence(project: Project, out: Path, *, org: str | None = None, source: str | None = None,
                    overwrite: bool = False, measures: list | None = None, **_: Any) -> list[Path]:
    """The anchor evidence pack of ``org`` (PDF) and its figures (the same name ``.csv``): both
    written, or neither. ``measures``: the user's social value measures (``--measures FILE``)."""
    from socialmap.interchange.exporting import atomic_files
    from socialmap.reports import write_evidence_figures, write_evidence_pack

    if not org:
        raise InputError(Problem("an evidence pack needs --org ID (the organisation it is for)", field="org"))
    node = project.nodes.get(org)
    if node is None or node.kind != "organisation":
        raise InputError(Problem(f"{org!r} is not an organisation of {source or 'the project'}", field="org"))
    figures = out.with_suffix(".csv")
    if figures == out:
        raise InputError(Problem(f"{out}: the pack and its figures ({figures.name}) would be the same file; "
                                 "name the pack .pdf"))
    if figures.exists() and not overwrite:
        raise InputError(Problem(f"{figures} already exists; give --force to overwrite it"))
    atomic_files([(out, lambda p: write_evidence_pack(project, org, p, source=source, measures=measures)),
                  (figures, lambda p: write_evidence_figures(project, org, p))])
    return [out, figures]


def export_scenario_report(project: Project, out: Path, *, changes: list | None = None,
                           context_survival: float | None = None, source: str | None = None,
                           **_: Any) -> list[Path]:
    """The scenario impact report (PDF) of ``changes``."""
    from socialmap.interchange.exporting import atomic_file
    from socialmap.reports import write_scenario_report
    from socialmap.scenarios import validate_changes

    if not changes:
        raise InputError(Problem("a scenario report needs at least one change (--decommission, --transfer, "
                                 "--relocate or --close)"))
    validate_changes(project, changes)
    atomic_file(out, lambda p: write_scenario_report(project, changes, p, context_survival=context_survival,
                                                     source=source))
    return [out]


def export_change_report(project: Project, out: Path, *, before: str | None = None, after: str | None = None,
                         scenario: str | None = None, source: str | None = None, **_: Any) -> list[Path]:
    """The change report (PDF): ``before`` and ``after`` are sides (``@DATE``, ``#SNAPSHOT`` of this
    project, or ``FILE...`` words; :mod:`socialmap.change.sides`), by default the snapshot saved
    last and the project today; ``scenario`` a saved scenario to set against what happened."""
    from socialmap.change import compare_projects, predicted_against_observed
    from socialmap.change.sides import latest_snapshot, project_side
    from socialmap.interchange.exporting import atomic_file
    from socialmap.reports.change_report import write_change_report

    name = source or "project"
    if before is None:
        last = latest_snapshot(project)
        if last is None:
            raise InputError(Problem("a change report compares two states: save a snapshot first (File > Save "
                                     "snapshot, or socialmap snapshot) or give --before", field="before"))
        before = f"#{last}"
    before_side = project_side(project, before, name)
    after_side = project_side(project, after or "", name)
    change = compare_projects(before_side.project, after_side.project, before_label=before_side.label,
                              after_label=after_side.label)
    check = None
    if scenario:
        from socialmap.commands.change import resolve_scenario

        check = predicted_against_observed(before_side.project, after_side.project,
                                           resolve_scenario(scenario, after_side, before_side), change)
    atomic_file(out, lambda p: write_change_report(before_side, after_side, change, p, check))
    return [out]


FORMATS = (
    ExportFormat("report", "Area and hotspot report…", "the area and hotspot report (PDF)",
                 "socialmap.interchange.writers.reports:export_report", patterns=("*.pdf",), suffix=".pdf",
                 menu="report", people=False, order=110),
    ExportFormat("evidence", "Anchor evidence pack…", "the anchor evidence pack of --org (PDF and CSV)",
                 "socialmap.interchange.writers.reports:export_evidence", patterns=("*.pdf",), suffix=".pdf",
                 menu="report", people=False, order=120),
    ExportFormat("scenario-report", "Scenario impact report…", "the scenario impact report (PDF)",
                 "socialmap.interchange.writers.reports:export_scenario_report", patterns=("*.pdf",),
                 suffix=".pdf", menu="report", people=False, order=130),
    ExportFormat("change-report", "Change report…", "what changed between two dates or snapshots (PDF)",
                 "socialmap.interchange.writers.reports:export_change_report", patterns=("*.pdf",),
                 suffix=".pdf", menu="report", people=False, order=140),
)
