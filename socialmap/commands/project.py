"""``sample``, ``info``, ``import csv`` and ``gui``."""

from __future__ import annotations

import sys

from socialmap.commands.common import check_output, open_project, print_json, print_table


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
    print_table(["node kind", "count"], [[k, v] for k, v in counts["nodes_by_kind"].items()])
    print()
    print_table(["tie type", "count"], [[k, v] for k, v in counts["ties_by_type"].items() if v])
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
