"""``socialmap areas join`` (issue 15): a published table keyed by area code joined to the areas."""

from __future__ import annotations

import sys
from pathlib import Path

from socialmap.commands.common import open_project_with_passphrase, plain, print_json


def cmd_areas_join(args) -> int:
    from socialmap.interchange.area_table import join_area_table, parse_fields
    from socialmap.interchange.merge import write_project

    fields = parse_fields(args.field)
    project, passphrase = open_project_with_passphrase(args.project)  # an encrypted project stays so
    joined, report = join_area_table(project, args.table, fields=fields, code_field=args.code_field, sheet=args.sheet)
    write_project(joined, Path(args.project), passphrase=passphrase)
    if args.json:
        print_json(report.to_json())
    for line in report.lines():
        print(f"socialmap: {plain(line)}", file=sys.stderr)
    print(f"socialmap: joined {', '.join(fields)} from {plain(args.table)} into {plain(args.project)}", file=sys.stderr)
    return 0
