"""``sample``, ``info``, ``import csv`` and ``gui``."""

from __future__ import annotations

import sys

from socialmap.commands.common import check_output, open_project, print_json, print_table
from socialmap.errors import InputError, Problem


def cmd_sample(args) -> int:
    from socialmap.sample import generate_sample_project
    from socialmap.store import save_project

    out = check_output(args.out, args.force)
    project = generate_sample_project()
    if getattr(args, "with_history", False):
        from socialmap.sample_history import add_retender_history

        add_retender_history(project)
    save_project(project, out)
    print(f"wrote the sample project to {out}", file=sys.stderr)
    return 0


def cmd_info(args) -> int:
    project = open_project(args.project)
    counts = project.counts()
    if args.json:
        print_json(counts)
        return 0
    print(f"{args.project}: {counts['areas']} areas, {counts['nodes']} nodes, {counts['ties']} ties")
    from socialmap.model.labels import value_label

    # the kinds and tie types in words; --json keeps the codes
    print_table(["node kind", "count"], [[value_label("kind", k), v] for k, v in counts["nodes_by_kind"].items()])
    print()
    print_table(["tie type", "count"], [[value_label("type", k), v] for k, v in counts["ties_by_type"].items() if v])
    if counts["ties_ended"]:
        print(f"{counts['ties_ended']} of the ties have ended (kept with their end date, not counted in today's measures)")
    if counts["snapshots"]:
        print()
        print_table(["snapshot", "as of", "saved", "size (kB)"],
                    [[name, s["as_of"], s["taken"], f"{s['size_bytes'] / 1024:.0f}"]
                     for name, s in counts["snapshots"].items()])
    return 0


def cmd_gui(args) -> int:
    from socialmap.ui.app import run_app

    return run_app([args.project] if args.project else [])


def cmd_check(args) -> int:
    """``socialmap check P.gpkg``: every problem of the file, one per line with the fix offered
    (exit 2), or none."""
    from socialmap.commands.common import plain
    from socialmap.store.repair import check

    findings = check(args.project)
    if args.json:
        from socialmap.commands.common import print_json

        print_json({"problems": [{"problem": str(f.problem), "fix": f.safe_fix.action if f.safe_fix else None,
                                  "needs": None if f.safe_fix else f.decision,
                                  "offered": [x.action for x in f.fixes]} for f in findings]})
        return 2 if findings else 0
    if not findings:
        print(f"{args.project}: no problems")
        return 0
    for finding in findings:
        offered = (f"repair: {finding.safe_fix.action}" if finding.safe_fix else
                   f"needs a decision: {' or '.join(x.action for x in finding.fixes)}" if finding.fixes else
                   "no fix here: edit it in QGIS")
        print(f"socialmap: {plain(finding.problem)} [{plain(offered)}]", file=sys.stderr)
    safe = sum(1 for f in findings if f.safe_fix)
    print(f"socialmap: {len(findings)} problem(s), {safe} with a safe fix; 'socialmap repair {args.project} OUT.gpkg' "
          "applies the safe fixes, and opening the file in the window lets you decide the others", file=sys.stderr)
    return 2


def cmd_repair(args) -> int:
    """``socialmap repair P.gpkg OUT.gpkg``: the safe fixes applied, each reported; OUT written
    only when the project is then sound (and P keeps its foreign tables and columns in OUT)."""
    from pathlib import Path

    from socialmap.commands.common import check_output, plain
    from socialmap.store import save_project
    from socialmap.store.repair import repair

    out = check_output(args.out, args.force)
    if out.resolve() == Path(args.project).resolve():
        raise InputError(Problem("OUT must be another file than P.gpkg (the original is kept as it was)"))
    from socialmap.mapview.basemap import moved_settings

    repaired = repair(args.project)
    settings = repaired.project.settings  # the basemap and reference layers named from OUT's folder
    settings.update(moved_settings(settings, args.project, out))
    save_project(repaired.project, out, keep_from=args.project)
    for line in repaired.fixed:
        print(f"socialmap: fixed: {plain(line)}", file=sys.stderr)
    for line in repaired.left_out:
        print(f"socialmap: not fixed: {plain(line)}", file=sys.stderr)
    left = f", {len(repaired.left_out)} point(s) left out" if repaired.left_out else ""
    print(f"socialmap: wrote {out} ({len(repaired.fixed)} fix(es){left})", file=sys.stderr)
    return 0
