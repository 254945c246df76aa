"""The ``socialmap`` command (SPEC section 9).

Every command exits 0 on success and 2 on bad input, with one line per
problem on stderr and never a traceback. ``--json`` prints one JSON document
on stdout. Command handlers live in :mod:`socialmap.commands` and are imported
only when their command runs, so ``socialmap --version`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from socialmap import __version__
from socialmap.errors import InputError, SocialMapError


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Ordered(argparse.Action):
    """Collects scenario changes in command-line order into ``args.changes``."""

    def __call__(self, parser, namespace, values, option_string=None):
        changes = list(getattr(namespace, "changes", None) or [])
        changes.append((self.dest, values))
        namespace.changes = changes


def _add_scenario_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scenario changes (applied in the order given)")
    g.add_argument("--decommission", action=_Ordered, metavar="SERVICE", help="decommission a service")
    g.add_argument("--transfer", action=_Ordered, metavar="SERVICE:ORG", help="re-tender a service to another organisation")
    g.add_argument("--relocate", action=_Ordered, metavar="SERVICE:LAT,LON", help="move a service to a new site")
    g.add_argument("--close", action=_Ordered, metavar="ORG", help="an organisation closes, with its services")
    g.add_argument("--retention", type=str, default=None, metavar="R", help="share of transferred staff who stay (0..1, default 0.5)")
    g.add_argument("--max-travel-km", type=str, default=None, metavar="D", help="travel limit after a relocation (cliff model, default 3.0)")
    g.add_argument("--travel-model", type=str, default=None, metavar="MODEL", help="relocation travel model: cliff (a travel limit, default) or decay (attendance falls smoothly with the extra distance)")
    g.add_argument("--half-km", type=str, default=None, metavar="H", help="decay model: extra km at which half stop attending (default 2.0)")
    g.add_argument("--staff-half-km", type=str, default=None, metavar="H", help="staff travel (optional): km between the old and new provider's sites at which a transferred member of staff's chance of staying halves")
    g.add_argument("--context-survival", type=str, default=None, metavar="S", help="chance a tie made at a removed place survives (0..1, default 0.5)")
    p.set_defaults(changes=[])


def _add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", default=None,
                   help="measure the network of this day (YYYY-MM-DD): the ties in force then, "
                        "since <= DATE < until (default: today)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="socialmap",
        description="SocialMap: map anchor institutions, young people's networks and services; measure "
        "bridging ties, NEET isolation hotspots and anchor presence; see what a commissioning change would do.",
    )
    parser.add_argument("--version", action="version", version=f"socialmap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("sample", help="write the bundled sample project")
    p.add_argument("out", metavar="OUT.gpkg")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--with-history", action="store_true",
                   help="with a recorded re-tender: ended ties, a saved scenario and a snapshot (to try compare)")
    p.set_defaults(handler="socialmap.commands.project:cmd_sample")

    p = sub.add_parser("info", help="counts by node kind and tie type")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="socialmap.commands.project:cmd_info")

    p = sub.add_parser("check", help="list every problem of a project file (e.g. one edited in QGIS)")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="socialmap.commands.project:cmd_check")

    p = sub.add_parser("repair", help="apply the safe fixes to a project file, reporting each, into OUT")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("out", metavar="OUT.gpkg")
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    p.set_defaults(handler="socialmap.commands.project:cmd_repair")

    imp = sub.add_parser("import", help="import data into a project")
    isub = imp.add_subparsers(dest="format", metavar="FORMAT", parser_class=_Parser, required=True)

    def common_import(q: argparse.ArgumentParser) -> None:
        q.add_argument("--areas", metavar="AREAS", help="areas file: GeoJSON, GeoPackage or shapefile")
        q.add_argument("--area-code-field", metavar="F", help="column of the areas file holding the area code")
        q.add_argument("--area-name-field", metavar="F", help="column of the areas file holding the area name")
        q.add_argument("--areas-layer", metavar="NAME", help="layer of a GeoPackage areas file with several polygon layers")
        q.add_argument("--postcodes", metavar="LOOKUP.csv", help="ONS Postcode Directory / NSPL extract to place records by postcode")
        q.add_argument("--postcode-field", metavar="F", help="postcode column of the lookup (default: pcds, pcd, pcd7...)")
        q.add_argument("--lat-field", metavar="F", help="latitude column of the lookup (default: lat)")
        q.add_argument("--lon-field", metavar="F", help="longitude column of the lookup (default: long)")
        q.add_argument("--lsoa-field", metavar="F", help="LSOA code column of the lookup (default: lsoa21, lsoa11)")
        q.add_argument("--into", metavar="P.gpkg", help="merge into an existing project (all or nothing)")
        q.add_argument("--force", action="store_true", help="overwrite an existing output file")
        q.add_argument("out", nargs="?", metavar="OUT.gpkg")

    # one sub-command per format of the registry (socialmap.interchange.registry)
    from socialmap.interchange.registry import export_formats, import_formats

    for fmt in import_formats():
        q = isub.add_parser(fmt.name, help=fmt.help)
        for option in fmt.options:
            option.add_to(q)
        common_import(q)
        q.set_defaults(handler="socialmap.commands.interchange:cmd_import", import_format=fmt.name)

    q = isub.add_parser("ccis", help="a CCIS client extract (NCCIS field names): young people and their activity")
    q.add_argument("file", metavar="FILE.csv")
    q.add_argument("--field", action="append", metavar="NAME=COLUMN",
                   help="the extract's column for a field (person_id, date_of_birth, postcode, activity_code, "
                        "activity_start_date, review_date, care_leaver...); repeatable")
    q.add_argument("--activity-map", metavar="MAP", help='activity codes to activities, e.g. "530=eet,710=not_known"')
    q.add_argument("--as-of", metavar="DATE", help="reference date for ages and the currency rule (default today)")
    q.add_argument("--expect-total", metavar="N", help="refuse the extract unless it has exactly N young people")
    q.add_argument("--json", action="store_true", help="print the summary as JSON (exact counts)")
    common_import(q)
    q.set_defaults(handler="socialmap.commands.ccis:cmd_import_ccis")

    p = sub.add_parser("areas", help="area data: join a published table keyed by area code")
    asub = p.add_subparsers(dest="areas_command", metavar="ACTION", parser_class=_Parser, required=True)
    q = asub.add_parser("join", help="join columns of a table keyed by area code (IoD2025, ONS population...)")
    q.add_argument("project", metavar="P.gpkg")
    q.add_argument("table", metavar="TABLE.csv", help="CSV, or an .xlsx workbook (--sheet)")
    q.add_argument("--code-field", metavar="F", help="the table's area code column (default: found by name)")
    q.add_argument("--field", action="append", required=True, metavar="NAME=COLUMN",
                   help="imd_decile=COLUMN, population_16_24=COLUMN (A+B, F16..F24+M16..M24 add columns up), or "
                        "any other name for an extra area attribute; repeatable")
    q.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx workbook (default: its first)")
    q.add_argument("--json", action="store_true", help="print the report as JSON")
    q.set_defaults(handler="socialmap.commands.areas:cmd_areas_join")

    p = sub.add_parser("analyse", help="person and area measures of social capital")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--group-by", metavar="KEY", default=None, help="area_code (default), a node attribute, or community")
    p.add_argument("--json", action="store_true")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.analysis:cmd_analyse")

    p = sub.add_parser("hotspots", help="Getis-Ord Gi* hotspots of NEET isolation")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--json", action="store_true")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.analysis:cmd_hotspots")

    p = sub.add_parser("anchors", help="anchor presence of every organisation")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--json", action="store_true")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.analysis:cmd_anchors")

    p = sub.add_parser("scenario", help="expected impact of a commissioning change")
    p.add_argument("project", metavar="P.gpkg")
    _add_scenario_options(p)
    p.add_argument("--json", action="store_true")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.scenarios:cmd_scenario")

    p = sub.add_parser("rank", help="criticality ranking of every service and organisation")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--json", action="store_true")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.scenarios:cmd_rank")

    p = sub.add_parser("export", help="export to Gephi, GIS, web map or PDF reports")
    p.add_argument("format", choices=[f.name for f in export_formats()])
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--org", metavar="ID", help="the organisation of an evidence pack")
    p.add_argument("--measures", metavar="FILE", help="evidence: your social value measures (social_value_measures.csv)")
    p.add_argument("--include-people", action="store_true", help="include young people's pseudonyms and points")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    _add_scenario_options(p)
    _add_as_of(p)
    g = p.add_argument_group("change report (docs/change-over-time.md)")
    g.add_argument("--before", metavar="SIDE", help="@DATE, #SNAPSHOT or FILE[#SNAPSHOT][@DATE] (default: the "
                   "snapshot saved last)")
    g.add_argument("--after", metavar="SIDE", help="the same (default: the project today)")
    g.add_argument("--scenario", metavar="NAME", help="a saved scenario: its predicted losses against the observed ones")
    p.set_defaults(handler="socialmap.commands.interchange:cmd_export")

    p = sub.add_parser(
        "lm3", help="Local Multiplier 3 of an organisation's spending (or: lm3 template DIR)",
        description="socialmap lm3 template DIR writes the CSV templates; socialmap lm3 P.gpkg --org ID "
                    "--spend spend.csv [--supplier-survey F] [--staff-survey F] computes LM3 (nef 2002).",
    )
    p.add_argument("project_path", metavar="P.gpkg|template")
    p.add_argument("folder", nargs="?", metavar="DIR", help="with template: the folder to write the templates in")
    p.add_argument("--org", metavar="ID", help="the organisation whose income is followed")
    p.add_argument("--spend", metavar="FILE", help="spend.csv: income, supplier payments, staff pay")
    p.add_argument("--supplier-survey", metavar="FILE", help="suppliers' local re-spend shares (round 3)")
    p.add_argument("--staff-survey", metavar="FILE", help="local staff's local spend shares (round 3)")
    p.add_argument("--boundary", metavar="FILE", help="what counts as local (default: the project's areas)")
    p.add_argument("--postcodes", metavar="LOOKUP.csv", help="postcode lookup (ONSPD/NSPL extract) for postcodes")
    p.add_argument("--save", action="store_true", help="keep the result in the project (anchor panel, evidence pack)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="socialmap.commands.lm3:cmd_lm3")

    p = sub.add_parser("compare", help="what changed between two dates, snapshots or files, area by area",
                       description="Each side is FILE (ties in force today), FILE@DATE, FILE#SNAPSHOT or "
                                   "FILE#SNAPSHOT@DATE (docs/change-over-time.md).")
    p.add_argument("before", metavar="BEFORE")
    p.add_argument("after", metavar="AFTER")
    p.add_argument("--scenario", metavar="NAME", help="a saved scenario: its predicted losses against the observed ones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="socialmap.commands.change:cmd_compare")

    p = sub.add_parser("snapshot", help="save a named, dated, compressed copy of the network inside the project")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--note", metavar="TEXT", help="what the snapshot is of")
    p.add_argument("--force", action="store_true", help="replace a snapshot of the same name")
    _add_as_of(p)
    p.set_defaults(handler="socialmap.commands.change:cmd_snapshot")

    p = sub.add_parser("record", help="enter a young person's interview answers (a CSV) into a project",
                       description="Record one young person's network from an answers file with the columns "
                       "prompt, name, kind, area, type, strength, context (and since): one row per person or "
                       "place named, all or nothing (docs/user-guide.md, Record a young person's network).")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("--person", required=True, metavar="ID", help="the young person interviewed (their id)")
    p.add_argument("--answers", required=True, metavar="FILE.csv", help="the answers, one row per alter")
    p.set_defaults(handler="socialmap.commands.record:cmd_record")

    p = sub.add_parser("encrypt", help="write a copy of a project protected with a passphrase (.smx)",
                       description="Write an encrypted copy of a project (AES-256-GCM, key from the passphrase "
                       "by Argon2id). The passphrase is read from SOCIALMAP_PASSPHRASE or asked twice on the "
                       "terminal; to change the passphrase of an encrypted project, the old one comes from "
                       "SOCIALMAP_PASSPHRASE and the new one from SOCIALMAP_NEW_PASSPHRASE. A lost passphrase "
                       "cannot be recovered.")
    p.add_argument("project", metavar="P.gpkg")
    p.add_argument("out", metavar="OUT.smx")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(handler="socialmap.commands.protection:cmd_encrypt")

    p = sub.add_parser("decrypt", help="write an unencrypted GeoPackage copy of an encrypted project (for QGIS)",
                       description="Write a plain GeoPackage copy of an encrypted project, for QGIS or GDAL. "
                       "The copy is not protected: it holds the young people's records in plain form.")
    p.add_argument("project", metavar="IN.smx")
    p.add_argument("out", metavar="OUT.gpkg")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(handler="socialmap.commands.protection:cmd_decrypt")

    p = sub.add_parser("bench", help="time each stage on a synthetic city")
    p.add_argument("--young-people", type=int, default=100_000, metavar="N")
    p.add_argument("--json", action="store_true")
    p.add_argument("--gui", action="store_true", help="measure the window too (a real main window, offscreen)")
    p.set_defaults(handler="socialmap.bench:cmd_bench")

    p = sub.add_parser("gui", help="open the desktop application")
    p.add_argument("project", nargs="?", metavar="P.gpkg")
    p.set_defaults(handler="socialmap.commands.project:cmd_gui")
    return parser


def _resolve(handler: str):
    module, _, func = handler.partition(":")
    return getattr(importlib.import_module(module), func)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse cannot match a second positional after options (``import kumu FILE --areas A OUT``):
    # take one leftover word as OUT when the command has an OUT and it is still empty.
    if extra and len(extra) == 1 and not extra[0].startswith("-") and getattr(args, "out", "") is None:
        args.out = extra[0]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    from socialmap import faults

    faults.terminate_as_interrupt()  # SIGTERM cleans up temporary files as Ctrl-C does
    try:
        code = int(_resolve(args.handler)(args) or 0)
        sys.stdout.flush()  # output to a full disk fails here, as one line, not at interpreter exit
        return code
    except InputError as exc:
        for line in exc.lines():
            print(f"socialmap: {line}", file=sys.stderr)
        return 2
    except SocialMapError as exc:
        print(f"socialmap: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print("socialmap: interrupted; nothing was changed", file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, faults.Terminated) else 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        print("socialmap: out of memory", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback in front of a user
        # a fault of the environment (a full disk, a vanished folder, stdout on a read-only disk)
        # that no writer named: still one line and exit 2, worded in one place (socialmap.faults)
        line = faults.last_resort(exc)
        if line is not None:
            print(f"socialmap: {line}", file=sys.stderr)
            return 2
        print(f"socialmap: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
