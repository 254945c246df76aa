"""``socialmap record P.gpkg --person ID --answers FILE.csv``: a young person's interview entered
in bulk (socialmap.interview), all or nothing."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from socialmap.commands.common import open_project_with_passphrase, plain
from socialmap.errors import InputError, Problem
from socialmap.interview import Answer, apply_plan, plan_interview

#: The columns of an answers file; ``prompt`` and ``name`` are required, the others may be empty.
COLUMNS = ("prompt", "name", "kind", "area", "type", "strength", "context", "since")
REQUIRED = ("prompt", "name")


def read_answers(path: str) -> list[Answer]:
    """The answers in the CSV file ``path`` (header row 1; data from row 2), collecting every problem."""
    from socialmap.model.dates import parse_date

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise InputError(Problem("no such file", file=path)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(Problem(f"cannot read the answers: {exc}", file=path)) from None
    if not rows:
        raise InputError(Problem("the file is empty (expected a header: " + ", ".join(COLUMNS) + ")", file=path))
    header = [h.strip().lower() for h in rows[0]]
    problems: list[Problem] = []
    for h in header:
        if h and h not in COLUMNS:
            problems.append(Problem(f"unknown column {h!r} (columns: {', '.join(COLUMNS)})", file=path, row=1))
    for h in REQUIRED:
        if h not in header:
            problems.append(Problem(f"the column {h!r} is missing", file=path, row=1, field=h))
    if problems:
        raise InputError(problems)
    answers: list[Answer] = []
    for number, cells in enumerate(rows[1:], 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(Problem(f"{len(cells)} cells but {len(header)} columns", file=path, row=number))
            continue
        value = {h: (cells[i].strip() if i < len(cells) else "") or None for i, h in enumerate(header) if h}
        strength = value.get("strength")
        if strength is not None:
            try:
                strength = int(strength)
            except ValueError:
                problems.append(Problem(f"{strength!r} is not 1, 2 or 3", file=path, row=number, field="strength"))
                continue
        kind = value.get("kind")
        if kind is not None:
            kind = kind.lower().replace(" ", "_")
        try:
            since = parse_date(value.get("since"), "since", file=path, row=number)
        except InputError as exc:
            problems += exc.problems
            continue
        answers.append(Answer(value.get("prompt") or "", value.get("name") or "", kind=kind, area=value.get("area"),
                              type=(value.get("type") or "").lower() or None, strength=strength,
                              context=value.get("context"), since=since, row=number))
    if problems:
        raise InputError(problems)
    return answers


def cmd_record(args) -> int:
    from socialmap.store import save_project_file

    answers = read_answers(args.answers)
    opened = open_project_with_passphrase(args.project)  # an encrypted project stays encrypted
    project = opened.project
    problems: list[Problem] = []
    try:
        plan = plan_interview(project, args.person, answers, source=str(args.answers))
    except InputError as exc:
        problems = exc.problems
    if problems:
        raise InputError([*problems, Problem("nothing was recorded", file=str(args.project))])
    for warning in plan.warnings:
        print(f"socialmap: warning: {plain(warning)}", file=sys.stderr)
    apply_plan(project, plan)
    save_project_file(project, Path(args.project), opened.passphrase)
    people = len(plan.ties)
    print(f"recorded {people} {'tie' if people == 1 else 'ties'} of {plain(args.person)} "
          f"({len(plan.nodes)} new {'node' if len(plan.nodes) == 1 else 'nodes'}) in {plain(args.project)}",
          file=sys.stderr)
    return 0
