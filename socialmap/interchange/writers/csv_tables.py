"""CSV tables: the project as the canonical CSV bundle plus the measure tables.

The folder gets:

- ``nodes.csv``, ``ties.csv``, ``areas.geojson``: the canonical bundle
  (:func:`socialmap.interchange.readers.csv_bundle.write_csv_bundle`), which
  ``socialmap import csv`` reads back. Without ``include_people`` young people
  are ``yp00001``... with no label, age or extra attributes (SPEC section 8);
- ``area_measures.csv``: one row per area with the measures and hotspots,
  counts of young people suppressed (``<5`` for 1..4);
- ``organisations.csv``: organisations with their anchor figures and percentiles;
- ``services.csv``: services with their fields.

Files are UTF-8 with a byte-order mark so that Excel opens them with the right characters.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialmap.interchange.registry import ExportFormat
from socialmap.model.project import Project


def write_csv_tables(project: Project, folder: str | os.PathLike, *, include_people: bool = False) -> list[Path]:
    """Write the tables into ``folder`` (created if needed). Returns the files written."""
    from socialmap.interchange.layers import (
        area_results,
        public_areas,
        public_organisations,
        public_services,
    )
    from socialmap.interchange.readers.csv_bundle import write_csv_bundle
    from socialmap.privacy import spreadsheet_safe

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # the bundle is the record (every tie with its dates); the measures are of one day's ties in force
    measured = project.in_force(project.as_of)
    analysis, hot = area_results(measured)
    source = project
    if not include_people:
        from socialmap.privacy import pseudonymise

        source, _ = pseudonymise(project)
    written = list(write_csv_bundle(source, folder))
    from socialmap.interchange.layers import ANCHOR_COUNTS
    from socialmap.interchange.machine import machine_readable
    from socialmap.privacy import YOUNG_PEOPLE_COUNTS

    counts = (*YOUNG_PEOPLE_COUNTS, *ANCHOR_COUNTS)
    # numbers stay numbers: a suppressed count is an empty cell with its <name>_suppressed flag
    for name, frame in (("area_measures.csv", machine_readable(public_areas(measured, analysis, hot), counts)),
                        ("organisations.csv", machine_readable(public_organisations(measured), counts)),
                        ("services.csv", public_services(measured))):
        path = folder / name
        frame = frame.copy()
        for col in [c for c in frame.columns if frame[c].dtype.kind == "O"]:  # data text must not run in Excel
            frame[col] = frame[col].map(spreadsheet_safe)
        frame.index = frame.index.map(spreadsheet_safe)
        frame.index.name = "code" if name == "area_measures.csv" else "id"
        frame.to_csv(path, encoding="utf-8-sig", float_format="%.15g")  # exact money and places
        written.append(path)
    return written


def export_csv(project: Project, out: Path, *, include_people: bool = False, **_: Any) -> list[Path]:
    """``socialmap export csv``: the bundle and the measure tables in a folder, swapped in whole."""
    from socialmap.interchange.exporting import atomic_folder

    atomic_folder(out, lambda p: write_csv_tables(project, p, include_people=include_people))
    return [out]


FORMATS = (
    ExportFormat("csv", "CSV tables (folder)…", "the CSV bundle and measure tables (a folder)",
                 "socialmap.interchange.writers.csv_tables:export_csv", folder=True, order=40),
)
