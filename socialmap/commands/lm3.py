"""``socialmap lm3``: the Local Multiplier 3 of an organisation (nef 2002), and its templates.

``socialmap lm3 template DIR`` writes the CSV templates; ``socialmap lm3 P.gpkg --org ID --spend
spend.csv [--supplier-survey F] [--staff-survey F] [--boundary B] [--postcodes L] [--save]
[--json]`` computes it. ``--save`` keeps the result in the project, where the anchor panel and
the evidence pack show it; nothing else ever changes the project.
"""

from __future__ import annotations

from typing import Any

from socialmap.commands.common import open_project_with_passphrase, plain, print_json
from socialmap.errors import InputError, Problem

#: Project setting holding saved LM3 results: ``{org_id: lm3 --json document}``.
LM3_SETTING = "lm3"


def gbp(value: float) -> str:
    """Pounds, whole, with thousands separators.

    >>> gbp(1234567.4), gbp(0)
    ('£1,234,567', '£0')
    """
    return f"£{value:,.0f}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def lm3_lines(doc: dict[str, Any]) -> list[str]:
    """The result in plain lines (terminal; the same words as the anchor panel)."""
    r1, r2, r3 = doc["round1"], doc["round2"], doc["round3"]
    org = doc["organisation"]
    lines = [
        f"LM3 of {plain(org['label'])} ({plain(org['id'])}); local: {plain(doc['local'])}",
        f"Round 1  income: {gbp(r1['income_gbp'])}",
        f"Round 2  spent locally: {gbp(r2['total_gbp'])} ({_pct(r2['total_gbp'], r1['income_gbp'])} of round 1)",
        f"         local suppliers {gbp(r2['suppliers_local_gbp'])} of {gbp(r2['suppliers_total_gbp'])} spent with "
        f"suppliers ({_pct(r2['suppliers_local_gbp'], r2['suppliers_total_gbp'])})",
        f"         local staff's pay {gbp(r2['staff_local_gbp'])} of {gbp(r2['staff_total_gbp'])} "
        f"({_pct(r2['staff_local_gbp'], r2['staff_total_gbp'])})",
        f"Round 3  re-spent locally: {gbp(r3['total_gbp'])} ({_pct(r3['total_gbp'], r1['income_gbp'])} of round 1)",
        f"         by local suppliers {gbp(r3['suppliers_gbp'])} ({r3['suppliers_surveyed']} of "
        f"{r3['local_suppliers']} surveyed)",
        f"         by local staff {gbp(r3['staff_gbp'])} ({r3['staff_respondents']} survey "
        f"respondent{'' if r3['staff_respondents'] == 1 else 's'})",
        f"LM3 = ({gbp(r1['income_gbp'])} + {gbp(r2['total_gbp'])} + {gbp(r3['total_gbp'])}) / "
        f"{gbp(r1['income_gbp'])} = {doc['lm3']:.2f}",
        "Every £1 of income is worth £{:.2f} to the local economy over three rounds of spending.".format(doc["lm3"]),
        "Caveats:",
    ]
    lines += [f"  - {plain(c)}" for c in doc["caveats"]]
    return lines


def cmd_lm3(args) -> int:
    if args.project_path == "template":
        from socialmap.interchange.lm3_files import write_templates

        if not args.folder:
            raise InputError(Problem("lm3 template needs a folder: socialmap lm3 template DIR"))
        for path in write_templates(args.folder):
            print(f"wrote {plain(path)}")
        print("Fill spend.csv (and the surveys if you have them), then: "
              "socialmap lm3 P.gpkg --org ID --spend spend.csv [--supplier-survey F] [--staff-survey F]")
        return 0
    if args.folder:
        raise InputError(Problem(f"unexpected {args.folder!r}: socialmap lm3 P.gpkg --org ID --spend spend.csv"))
    if not args.org:
        raise InputError(Problem("lm3 needs --org ID (the organisation whose money is followed)", field="org"))
    if not args.spend:
        raise InputError(Problem("lm3 needs --spend spend.csv (write one with socialmap lm3 template DIR)",
                                 field="spend"))
    from socialmap.analysis.lm3 import compute_lm3
    from socialmap.interchange.lm3_files import (
        read_boundary,
        read_spend,
        read_staff_survey,
        read_supplier_survey,
    )

    project, passphrase = open_project_with_passphrase(args.project_path)  # an encrypted project stays so
    node = project.nodes.get(args.org)
    if node is None or node.kind != "organisation":
        raise InputError(Problem(f"{args.org!r} is not an organisation of this project", field="org"))
    boundary = read_boundary(args.boundary) if args.boundary else None
    postcodes = None
    if args.postcodes:
        from socialmap.interchange.postcodes import load_postcode_lookup

        postcodes = load_postcode_lookup(args.postcodes)
    rows = read_spend(args.spend, project, args.org, boundary=boundary, postcodes=postcodes)
    suppliers = read_supplier_survey(args.supplier_survey) if args.supplier_survey else None
    staff = read_staff_survey(args.staff_survey) if args.staff_survey else None
    local_by = (f"inside the boundary in {args.boundary}" if boundary is not None
                else f"inside the project's {len(project.areas)} areas")
    result = compute_lm3(args.org, node.label, rows, local_by=local_by, supplier_survey=suppliers, staff_survey=staff)
    doc = result.to_json()
    if args.save:
        from socialmap.store import save_project_file

        saved = dict(project.settings.get(LM3_SETTING) or {})
        saved[args.org] = doc
        project.settings[LM3_SETTING] = saved
        project.touch()
        save_project_file(project, args.project_path, passphrase)
    if args.json:
        print_json(doc)
        return 0
    for line in lm3_lines(doc):
        print(line)
    if args.save:
        print(f"saved in {plain(args.project_path)}: the anchor panel and the evidence pack show it")
    return 0
