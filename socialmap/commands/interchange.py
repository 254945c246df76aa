"""``socialmap import FORMAT`` and ``socialmap export FORMAT`` (SPEC section 9), for every format of
:mod:`socialmap.interchange.registry`."""

from __future__ import annotations

import sys
from pathlib import Path

from socialmap.commands.common import check_output, open_project, open_project_with_passphrase
from socialmap.errors import InputError, Problem


# --------------------------------------------------------------------- import
def run_import(args, read_batch, what: str, *, assign_areas: bool = True) -> int:
    """The one flow of every ``socialmap import``: a new project over ``--areas`` written to OUT
    (refused if it exists, unless ``--force``), or a merge ``--into`` a project; all or nothing
    (:func:`socialmap.interchange.merge.import_project`), the file written atomically, warnings
    and a summary on stderr."""
    from socialmap.interchange.merge import INTO_WITH_AREAS, import_project, write_project

    if args.into and args.out:
        raise InputError(Problem(f"give either --into P.gpkg (merge into it) or OUT.gpkg (a new project), "
                                 f"not both ({args.out})"))
    if args.into and args.areas:
        raise InputError(Problem(INTO_WITH_AREAS))
    if not args.into and not args.out:
        raise InputError(Problem("no output file given (OUT.gpkg), and no --into project to merge into; "
                                 "give --into P.gpkg, or --areas AREAS and OUT.gpkg for a new project"))
    if args.into and getattr(args, "areas_layer", None):
        raise InputError(Problem("--areas-layer chooses the layer of the --areas file of a new project; "
                                 "--into keeps the project's own areas"))
    if not args.into and not args.areas:
        raise InputError(Problem("--areas is needed to make a new project; or give --into P.gpkg to merge "
                                 "into an existing one"))
    base, passphrase = None, None
    if args.into:
        target = Path(args.into)
        base, passphrase = open_project_with_passphrase(args.into)  # an encrypted project stays encrypted
    else:
        target = check_output(args.out, args.force)
        if target.suffix.lower() == ".smx":  # a new project written encrypted
            from socialmap.commands.common import new_passphrase

            passphrase = new_passphrase(target)
    project, warnings = import_project(
        read_batch, base=base, areas_path=args.areas, area_code_field=args.area_code_field,
        area_name_field=args.area_name_field, areas_layer=getattr(args, "areas_layer", None),
        postcodes=args.postcodes,
        postcode_fields={name: getattr(args, name, None)
                         for name in ("postcode_field", "lat_field", "lon_field", "lsoa_field")},
        base_name=str(args.into) if args.into else None, assign_areas=assign_areas)
    write_project(project, target, passphrase=passphrase)
    for text in warnings:
        print(f"socialmap: warning: {text}", file=sys.stderr)
    # what the project gained, derived ``provides`` ties included
    nodes_added = len(project.nodes) - (len(base.nodes) if base is not None else 0)
    ties_added = len(project.ties) - (len(base.ties) if base is not None else 0)
    counts = project.counts()
    print(f"socialmap: {'merged into' if args.into else 'wrote'} {target}: imported {nodes_added} nodes and "
          f"{ties_added} ties from {what} ({counts['areas']} areas, {counts['nodes']} nodes, "
          f"{counts['ties']} ties in all)", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    """``socialmap import FORMAT ...``: the format's reader (from the registry) given the values of
    its own options, through the one import flow :func:`run_import`."""
    from socialmap.interchange.registry import import_format

    fmt = import_format(args.import_format)
    values = {option.name: getattr(args, option.name, None) for option in fmt.options}

    def read(**kw):
        return fmt.reader()(**values, **kw)

    return run_import(args, read, str(values.get(fmt.what)), assign_areas=fmt.assign_areas)


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
    measures = None
    if getattr(args, "measures", None):
        if fmt != "evidence":
            raise InputError(Problem(f"--measures is only for export evidence, not {fmt}", field="measures"))
        from socialmap.interchange.lm3_files import read_measures

        measures = read_measures(args.measures)
    from socialmap.commands.common import as_of_date
    from socialmap.interchange.registry import export_format

    on = as_of_date(args)
    out = check_output(args.out, args.force, folder=export_format(fmt).folder)
    project = open_project(args.project)
    if fmt == "change-report":  # its sides choose their own dates
        if args.as_of:
            raise InputError(Problem("export change-report takes --before and --after, not --as-of", field="as_of"))
    elif fmt != "csv":  # the CSV bundle is the record itself, every tie with its dates; the rest show one day
        project = project.in_force(on)
    else:
        project.as_of = on  # the day its measure tables are of (write_csv_tables)
    changes, survival = None, None
    if fmt == "scenario-report":
        from socialmap.commands.scenarios import scenario_from_args

        if not args.changes:
            raise InputError(Problem("export scenario-report needs at least one change (--decommission, "
                                     "--transfer, --relocate or --close)"))
        # the same reading as ``socialmap scenario`` (the project's retention and travel limit by default)
        changes, survival = scenario_from_args(args, project)
    for option in ("before", "after", "scenario"):
        if getattr(args, option, None) and fmt != "change-report":
            raise InputError(Problem(f"--{option} is only for export change-report, not {fmt}", field=option))
    written = export_project(project, fmt, out, include_people=args.include_people, org=args.org, changes=changes,
                             context_survival=survival, source=Path(args.project).name, overwrite=args.force,
                             before=_side_word(args.before, args.project), after=_side_word(args.after, args.project),
                             scenario=args.scenario, measures=measures)
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0


def _side_word(word: str | None, project_path: str) -> str | None:
    """A change-report side: ``@DATE`` / ``#SNAPSHOT`` (of the exported project) stay as they are; a word
    naming the exported file itself becomes relative to it, so both sides share one loaded project."""
    if not word or word[0] in "#@":
        return word
    from pathlib import Path as _P

    own = _P(project_path)
    for sep in ("#", "@"):
        head = word.split(sep, 1)[0]
        if head and _P(head).exists() and _P(head).resolve() == own.resolve():
            return word[len(head):]
    return word
