"""``socialmap import ccis`` (issue 15): a CCIS client extract into a project, all or nothing."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from socialmap.commands.common import (
    check_output,
    open_project_with_passphrase,
    plain,
    print_json,
    suppress,
)
from socialmap.errors import InputError, Problem


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    from socialmap.interchange.cells import BadValue, parse_date

    try:
        return parse_date(text)
    except BadValue as exc:
        raise InputError(Problem(str(exc), field="as-of")) from None


def _expect_total(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(Problem(f"{text!r} is not a whole number", field="expect-total")) from None
    if value < 0:
        raise InputError(Problem(f"{value} is negative", field="expect-total"))
    return value


def summary_lines(result) -> list[str]:
    """The import's summary as a person reads it, per area and in total, under the disclosure rules
    (:mod:`socialmap.disclosure`): counts of 1-4 read ``<5``, and a count that would give one back
    (a row's or a column's other figures) reads ``withheld``. EET is tracked minus NEET minus not
    known, so it is shown only where those three are."""
    import pandas as pd

    from socialmap.disclosure import WITHHELD, protect_areas, public_totals

    frame = pd.DataFrame.from_dict({c: {"young_people": a["tracked"], "neet": a["neet"], "not_known": a["not_known"]}
                                    for c, a in result.areas.items()}, orient="index",
                                   columns=["young_people", "neet", "not_known"])
    disclosure = protect_areas(frame)
    totals = public_totals(frame, disclosure)

    def shown(code: str, col: str, value: int) -> str:
        return disclosure.status(code, col) or str(value)

    def eet(code: str, value: int) -> str:
        hidden = any(disclosure.withheld(code, c) for c in ("young_people", "neet", "not_known"))
        return WITHHELD if hidden else suppress(value)

    t = result.totals
    eet_total = suppress(t["eet"]) if all(v not in (WITHHELD, "<5") for v in totals.values()) else WITHHELD
    lines = [f"tracked {totals['young_people']}: EET {eet_total}, NEET {totals['neet']}, not known "
             f"{totals['not_known']} ({t['added']} new, {t['updated']} updated)"]
    width = max([len(c) for c in result.areas] + [4])
    lines.append(f"{'area'.ljust(width)}  {'tracked':>8}  {'EET':>8}  {'NEET':>8}  {'not known':>9}")
    for code, a in result.areas.items():
        lines.append(f"{plain(code).ljust(width)}  {shown(code, 'young_people', a['tracked']):>8}  "
                     f"{eet(code, a['eet']):>8}  {shown(code, 'neet', a['neet']):>8}  "
                     f"{shown(code, 'not_known', a['not_known']):>9}")
    return lines


def cmd_import_ccis(args) -> int:
    from socialmap.interchange.merge import INTO_WITH_AREAS, write_project
    from socialmap.interchange.readers.ccis import (
        import_ccis,
        parse_activity_map,
        parse_field_options,
    )

    if args.into and args.out:
        raise InputError(Problem(f"give either --into P.gpkg (merge into it) or OUT.gpkg (a new project), not both "
                                 f"({args.out})"))
    if args.into and args.areas:
        raise InputError(Problem(INTO_WITH_AREAS))
    if not args.into and not (args.out and args.areas):
        raise InputError(Problem("give --into P.gpkg, or --areas AREAS and OUT.gpkg for a new project"))
    options = {"as_of": _as_of(args.as_of), "fields": parse_field_options(args.field),
               "activity_map": parse_activity_map(args.activity_map), "expect_total": _expect_total(args.expect_total)}
    passphrase = None
    if args.into:  # an encrypted project stays encrypted
        target = Path(args.into)
        base, passphrase = open_project_with_passphrase(args.into)
    else:
        target, base = check_output(args.out, args.force), None
        if target.suffix.lower() == ".smx":  # a new project written encrypted
            from socialmap.commands.common import new_passphrase

            passphrase = new_passphrase(target)
    result = import_ccis(args.file, base=base, areas_path=args.areas, area_code_field=args.area_code_field,
                         area_name_field=args.area_name_field, areas_layer=args.areas_layer, postcodes=args.postcodes,
                         postcode_fields={name: getattr(args, name, None)
                                          for name in ("postcode_field", "lat_field", "lon_field", "lsoa_field")},
                         **options)
    write_project(result.project, target, passphrase=passphrase)
    for note in result.notes:
        print(f"socialmap: warning: {plain(note)}", file=sys.stderr)
    if args.json:
        print_json(result.to_json())
    else:
        for line in summary_lines(result):
            print(line, file=sys.stderr)
    print(f"socialmap: {'merged into' if args.into else 'wrote'} {plain(target)}: a CCIS extract of "
          f"{suppress(result.totals['tracked'])} young people", file=sys.stderr)
    return 0
