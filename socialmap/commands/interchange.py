"""``import kumu``, ``import openreferral`` and ``export`` (SPEC section 9)."""

from __future__ import annotations

import sys
from pathlib import Path

from socialmap.commands.common import check_output, open_project
from socialmap.errors import InputError, Problem


# --------------------------------------------------------------------- import
def _run_import(args, read_batch, what: str) -> int:
    """The shared flow of every importer: a new project over ``--areas``, or ``--into`` one,
    all or nothing."""
    from socialmap.interchange.merge import build_import, write_project

    if args.into and (args.out or args.areas):
        raise InputError(Problem("give either --into P.gpkg (merge into it) or --areas AREAS OUT.gpkg "
                                 "(a new project), not both"))
    if not args.into and not (args.areas and args.out):
        raise InputError(Problem("give --into P.gpkg to merge into a project, or --areas AREAS and OUT.gpkg "
                                 "for a new one"))
    notes: list[str] = []
    base = areas = None
    if args.into:
        target = Path(args.into)
        base = open_project(args.into)
        area_map = base.areas
    else:
        from socialmap.interchange.areas import read_areas

        target = check_output(args.out, args.force)
        areas = read_areas(args.areas, args.area_code_field, args.area_name_field, warnings=notes)
        area_map = {a.code: a for a in areas}
    lookup = None
    if args.postcodes:
        from socialmap.interchange.postcodes import load_postcode_lookup

        lookup = load_postcode_lookup(args.postcodes, postcode_field=args.postcode_field,
                                      lat_field=args.lat_field, lon_field=args.lon_field,
                                      lsoa_field=args.lsoa_field)
    batch = read_batch(lookup=lookup, areas=area_map, existing=base)
    project = build_import(batch, base=base, areas=areas, base_name=str(args.into) if args.into else None)
    write_project(project, target)
    for note in notes + batch.notes:
        print(f"socialmap: note: {note}", file=sys.stderr)
    # what the project gained, derived ``provides`` ties included
    nodes_added = len(project.nodes) - (len(base.nodes) if base is not None else 0)
    ties_added = len(project.ties) - (len(base.ties) if base is not None else 0)
    print(f"imported {nodes_added} nodes and {ties_added} ties from {what} "
          f"{'into' if args.into else 'to'} {target}", file=sys.stderr)
    return 0


def cmd_import_kumu(args) -> int:
    from socialmap.interchange.kumu import read_kumu

    def read(**kw):
        return read_kumu(args.file, connections=args.connections, kind_map=args.kind_map,
                         tie_map=args.tie_map, **kw)

    return _run_import(args, read, args.file)


def cmd_import_openreferral(args) -> int:
    from socialmap.interchange.openreferral import read_openreferral

    def read(**kw):
        return read_openreferral(args.source, **kw)

    return _run_import(args, read, args.source)


# --------------------------------------------------------------------- export
def cmd_export(args) -> int:
    from socialmap.interchange.exporting import export_project

    fmt = args.format
    if fmt != "scenario-report" and args.changes:
        raise InputError(Problem(f"scenario options are only for export scenario-report, not {fmt}"))
    if fmt == "evidence" and not args.org:
        raise InputError(Problem("export evidence needs --org ID (the organisation the pack is for)", field="org"))
    if fmt != "evidence" and args.org:
        raise InputError(Problem(f"--org is only for export evidence, not {fmt}", field="org"))
    from socialmap.interchange.exporting import FOLDER_FORMATS

    out = check_output(args.out, args.force, folder=fmt in FOLDER_FORMATS)
    project = open_project(args.project)
    changes, survival = None, None
    if fmt == "scenario-report":
        from socialmap.commands.scenarios import scenario_from_args

        if not args.changes:
            raise InputError(Problem("export scenario-report needs at least one change (--decommission, "
                                     "--transfer, --relocate or --close)"))
        # the same reading as ``socialmap scenario`` (the project's retention and travel limit by default)
        changes, survival = scenario_from_args(args, project)
    written = export_project(project, fmt, out, include_people=args.include_people, org=args.org, changes=changes,
                             context_survival=survival, source=Path(args.project).name, overwrite=args.force)
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0
