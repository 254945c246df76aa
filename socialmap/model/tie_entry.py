"""Fast tie entry (issue 16): ties typed or pasted as rows ``source, target, type[, strength,
context]`` (tab-separated, as a spreadsheet copies them), each row checked against the project
and the rows before it; and the tie types that may join two kinds, for a picker that offers only
those (SPEC section 2; the rules are :data:`socialmap.model.kinds.TIE_ENDPOINTS`).

An end is given by its id or, when no id matches, by its label (case ignored) if exactly one
node has it. Kumu's "type or paste your connections" is the model (From, To, Type columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from socialmap.model import kinds
from socialmap.model.kinds import PLACE_KINDS, TIE_TYPES
from socialmap.model.project import Project, Tie, tie_key, tie_problems

#: The columns of a pasted row, in order; the first three are required.
COLUMNS = ("source", "target", "type", "strength", "context")
#: Words that mark a first row as a header (a spreadsheet copied with its titles).
_HEADER_WORDS = frozenset({"source", "target", "type", "a", "b", "from", "to", "strength", "context",
                           "tie type", "tie_type"})


def _a(word: str) -> str:
    """'a young person', 'an adult', 'an attends'."""
    words = word.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def valid_types(kind_a: str, kind_b: str) -> list[str]:
    """The tie types that may join a node of ``kind_a`` to one of ``kind_b``, in :data:`TIE_TYPES` order.

    >>> valid_types("young_person", "service"), valid_types("organisation", "adult")
    (['attends'], ['member', 'employs'])
    >>> valid_types("young_person", "adult")
    ['family', 'friend', 'peer', 'neighbour', 'mentor', 'worker']
    """
    return [t for t in TIE_TYPES if kinds.tie_fits(t, kind_a, kind_b)]


def split_rows(text: str) -> list[list[str]]:
    """Rows of pasted text: lines, cells split at tabs (a spreadsheet's copy) or, in text with no
    tab at all, at commas; a first row of column titles is left out; empty lines are skipped.

    >>> split_rows("Source\\tTarget\\tType\\nyp1\\typ2\\tfriend\\n\\nyp1\\ts1\\tattends\\t2\\r\\n")
    [['yp1', 'yp2', 'friend'], ['yp1', 's1', 'attends', '2']]
    >>> split_rows("yp1, yp3, peer")
    [['yp1', 'yp3', 'peer']]
    """
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    sep = "\t" if any("\t" in line for line in lines) else ","
    rows = [[cell.strip() for cell in line.split(sep)] for line in lines]
    if rows and {c.lower() for c in rows[0] if c} <= _HEADER_WORDS and "type" in {c.lower() for c in rows[0]}:
        rows = rows[1:]
    return rows


class NodeFinder:
    """Finds a node by id, else by its label (case ignored) when exactly one node has it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_label: dict[str, list[str]] = {}
        for n in project.nodes.values():
            self.by_label.setdefault((n.label or n.id).strip().lower(), []).append(n.id)

    def find(self, ref: str) -> tuple[str | None, str | None]:
        """``(id, None)``, or ``(None, reason)``."""
        ref = ref.strip()
        if not ref:
            return None, "empty"
        if ref in self.project.nodes:
            return ref, None
        ids = self.by_label.get(ref.lower(), [])
        if len(ids) == 1:
            return ids[0], None
        if ids:
            shown = ", ".join(f"{i} ({self.project.nodes[i].area_code or 'no area'})" for i in ids[:4])
            return None, f"{len(ids)} nodes are called {ref!r} ({shown}): give the id"
        return None, f"no node {ref!r} (give an id or a label)"


@dataclass(slots=True)
class TieRow:
    """One row checked: the tie it makes, or the field and reason it is refused for."""

    row: int
    cells: list[str]
    tie: Tie | None = None
    field: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.tie is not None

    def message(self) -> str:
        """``row 3, target: no node 'Sma' (give an id or a label)``."""
        return f"row {self.row}, {self.field}: {self.reason}" if self.field else f"row {self.row}: {self.reason}"


def check_rows(project: Project, rows: list[list[str]], finder: NodeFinder | None = None) -> list[TieRow]:
    """Check each row (numbered from 1) against ``project`` and the good rows before it (one tie
    per pair); every row gets its tie or its first problem.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node
    >>> p = Project()
    >>> p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    >>> p.add_node(Node("yp1", "young_person", "Jo", area_code="A1"))
    >>> p.add_node(Node("yp2", "young_person", "Sam", area_code="A1"))
    >>> p.add_node(Node("s1", "service", "Youth club", lat=0.5, lon=0.5))
    >>> checked = check_rows(p, [["Jo", "Sam", "friend", "3", "Youth club"], ["yp1", "s1", "friend"],
    ...                          ["yp2", "Jo", "peer"], ["yp2", "s1", "attends", "4"]])
    >>> [(c.tie.type, c.tie.strength, c.tie.context) if c.ok else c.message() for c in checked]
    [('friend', 3, 's1'), 'row 2, type: a friend tie cannot join a young person and a service (for these two: attends)', 'row 3, target: the same pair as row 1 (one tie per pair)', 'row 4, strength: 4 is not 1, 2 or 3']
    """
    finder = finder or NodeFinder(project)
    seen: dict[tuple[str, str], int] = {}
    out: list[TieRow] = []
    for number, raw in enumerate(rows, 1):
        cells = [c.strip() for c in raw] + [""] * (len(COLUMNS) - len(raw))
        checked = TieRow(number, cells)
        out.append(checked)

        def refuse(fieldname: str | None, reason: str, checked: TieRow = checked) -> None:
            checked.field, checked.reason = fieldname, reason

        if len(raw) > len(COLUMNS) and any(c.strip() for c in raw[len(COLUMNS):]):
            refuse(None, f"{len(raw)} cells; a row is {', '.join(COLUMNS)}")
            continue
        source, target, type_text, strength_text, context_text = cells[:5]
        a, why = finder.find(source)
        if a is None:
            refuse("source", "empty: give the id or label of one end" if why == "empty" else why)
            continue
        b, why = finder.find(target)
        if b is None:
            refuse("target", "empty: give the id or label of the other end" if why == "empty" else why)
            continue
        if a == b:
            refuse("target", f"a tie cannot join {a!r} to itself")
            continue
        ka, kb = project.nodes[a].kind, project.nodes[b].kind
        fitting = valid_types(ka, kb)
        words = f"{_a(ka)} and {_a(kb)}"
        tie_type = type_text.lower().replace(" ", "_")
        if not tie_type:
            refuse("type", f"empty (for {words}: {', '.join(fitting) or 'no tie type fits'})")
            continue
        if tie_type not in TIE_TYPES:
            refuse("type", f"unknown tie type {type_text!r} (for {words}: {', '.join(fitting) or 'none fits'})")
            continue
        if tie_type not in fitting:
            refuse("type", f"{_a(tie_type)} tie cannot join {words} (for these two: {', '.join(fitting) or 'none'})")
            continue
        strength = None
        if strength_text:
            if strength_text not in ("1", "2", "3"):
                refuse("strength", f"{strength_text} is not 1, 2 or 3")
                continue
            strength = int(strength_text)
        context = None
        if context_text:
            context, why = finder.find(context_text)
            if context is None:
                refuse("context", why)
                continue
            if project.nodes[context].kind not in PLACE_KINDS:
                refuse("context", f"{context_text!r} is {_a(project.nodes[context].kind)}, "
                                  "not a service or organisation")
                continue
        key = tie_key(a, b)
        existing = project.ties.get(key)
        if existing is not None:
            refuse("target", f"{a!r} and {b!r} are already tied ({existing.type}); one tie per pair")
            continue
        if key in seen:
            refuse("target", f"the same pair as row {seen[key]} (one tie per pair)")
            continue
        tie = Tie(a, b, tie_type, context=context, strength=strength)
        problems = tie_problems(tie, project)
        if problems:
            refuse(problems[0].field, problems[0].reason)
            continue
        seen[key] = number
        checked.tie = tie
    return out


__all__ = ["COLUMNS", "NodeFinder", "TieRow", "check_rows", "split_rows", "valid_types"]
