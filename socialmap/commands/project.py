"""``sample``, ``info``, ``import csv`` and ``gui``."""

from __future__ import annotations

import sys

from socialmap.commands.common import check_output, open_project, print_json, print_table


def cmd_sample(args) -> int:
    from socialmap.sample import generate_sample_project
    from socialmap.store import save_project

    out = check_output(args.out, args.force)
    save_project(generate_sample_project(), out)
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
    return 0


def cmd_gui(args) -> int:
    from socialmap.ui.app import run_app

    return run_app([args.project] if args.project else [])
