"""GraphML and GEXF export for Gephi, yEd and networkx.

Every node carries its kind, label and fields (those that apply to its
kind), its extra attributes, and its measures: for people the person
measures of :func:`socialmap.analysis.analyse` (degree, bonding, bridging,
linking, areas_reached, constraint, effective_size, isolated,
service_links); for organisations the anchor-presence figures when
:func:`socialmap.analysis.anchor_presence` is available. Every tie carries
``tie_type``, ``tie_class`` (linking, bonding, bridging, institutional,
unclassified), ``context`` and ``strength``.

Without ``include_people`` young people appear as ``yp00001``... with the
label "young person", no age and no point (SPEC section 8).

The files are written by streaming XML here rather than through networkx's
writers: at city scale (125,000 nodes, 400,000 ties) this is several times
faster, and the attribute types are declared once from all values (an
attribute holding both whole and fractional numbers is a double). Both
formats are read back by networkx in the tests.

References: GraphML primer (graphml.graphdrawing.org); GEXF 1.2 schema
(gexf.net/1.2draft).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path
from typing import Any

from socialmap.interchange.registry import ExportFormat
from socialmap.model.kinds import KIND_FIELDS
from socialmap.model.project import Project

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NODE_EXTRA_RESERVED = {"id", "kind", "label", "lat", "lon"}


#: Declared types of our own fields and measures (anything else is inferred from its values).
_TYPES: dict[str, str] = {
    **dict.fromkeys(("kind", "label", "area_code", "role", "org_type", "sector", "provider", "service_type",
                     "commissioner", "contract_end", "tie_type", "tie_class", "context"), "string"),
    **dict.fromkeys(("neet", "is_anchor", "in_work", "isolated"), "boolean"),
    **dict.fromkeys(("age", "degree", "bonding", "bridging", "linking", "areas_reached", "service_links",
                     "young_people_reached", "sole_link_young_people", "strength"), "long"),
    **dict.fromkeys(("lat", "lon", "employees_total", "employees_local", "spend_total", "spend_local",
                     "years_in_area", "annual_value", "hours_per_week", "constraint", "effective_size"), "double"),
}
_PERSON_MEASURES = ("degree", "bonding", "bridging", "linking", "areas_reached", "constraint", "effective_size",
                    "isolated", "service_links")


def plain_value(value: Any) -> Any:
    """A plain bool/int/float/str for a file (GraphML, GEXF, GeoJSON), or None for a missing value.

    numpy scalars become Python ones; NaN, infinities, ``pd.NA`` and ``pd.NaT`` are missing;
    dates and times are ISO 8601 text (``2027-03-31``, ``2027-03-31T12:00:00``); anything
    else is its ``str``. The one conversion every export uses.
    """
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:  # NaT is a datetime: checked before dates
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _infer(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "boolean"
    if kinds and kinds <= {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


class GraphColumns:
    """The exported network, column by column: node ids, then ``(name, type, values)`` per attribute
    (values aligned with the nodes, ``None`` where missing), and the same for ties."""

    def __init__(self) -> None:
        self.node_ids: list[str] = []
        self.node_cols: list[tuple[str, str, list[Any]]] = []
        self.tie_a: list[str] = []
        self.tie_b: list[str] = []
        self.tie_cols: list[tuple[str, str, list[Any]]] = []


def _measure_column(frame, column: str, ids: list[str]) -> list[Any]:
    """``frame[column]`` aligned with ``ids`` (None where absent or NaN), as plain Python values."""
    import numpy as np

    pos = frame.index.get_indexer(ids)
    values = frame[column].to_numpy()
    out = np.full(len(ids), None, dtype=object)
    hit = pos >= 0
    picked = values[pos[hit]]
    if picked.dtype.kind == "f":
        picked = picked.astype(object)
        picked[np.isnan(values[pos[hit]].astype(float))] = None
    out[hit] = picked
    return [None if v is None else (v.item() if hasattr(v, "item") else v) for v in out.tolist()]


def graph_columns(project: Project, *, include_people: bool = False, with_measures: bool = True) -> GraphColumns:
    """The network as it is exported (see the module docstring for what is in it)."""
    nodes = list(project.nodes.values())
    real_ids = [n.id for n in nodes]
    out = GraphColumns()
    if include_people:
        out.node_ids = real_ids
        exported = None
    else:
        from socialmap.privacy import pseudonyms

        exported = pseudonyms(project)
        out.node_ids = [exported.get(i, i) for i in real_ids]
    hidden = [n.kind == "young_person" and not include_people for n in nodes]
    cols = out.node_cols
    cols.append(("kind", "string", [n.kind for n in nodes]))
    cols.append(("label", "string", ["young person" if h else n.label for n, h in zip(nodes, hidden, strict=False)]))
    fields = [f for f in dict.fromkeys(f for k in KIND_FIELDS.values() for f in k)]
    for name in fields:
        values = [plain_value(getattr(n, name)) if name in KIND_FIELDS[n.kind] else None for n in nodes]
        if name == "age":
            values = [None if h else v for v, h in zip(values, hidden, strict=False)]
        cols.append((name, _TYPES.get(name) or _infer(values), values))
    for name in ("lat", "lon"):
        cols.append((name, "double", [None if h else getattr(n, name) for n, h in zip(nodes, hidden, strict=False)]))
    extra_keys = list(dict.fromkeys(k for n, h in zip(nodes, hidden, strict=False) if not h for k in n.attrs))
    taken = {c[0] for c in cols} | set(_PERSON_MEASURES) | _NODE_EXTRA_RESERVED
    for key in extra_keys:
        values = [None if h else plain_value(n.attrs.get(key)) for n, h in zip(nodes, hidden, strict=False)]
        kind = _infer(values)
        if kind == "string":
            values = [None if v is None else str(v) for v in values]
        cols.append((f"attr_{key}" if key in taken else str(key), kind, values))
    ties = list(project.ties.values())
    tie_classes: list[Any] = [None] * len(ties)
    if with_measures:
        from socialmap.analysis import TIE_CLASSES, analyse, anchor_presence, tie_class_codes
        from socialmap.interchange.layers import ANCHOR_COUNTS
        from socialmap.privacy import suppress

        people = analyse(project).people
        for name in _PERSON_MEASURES:
            if name in people.columns:
                values = _measure_column(people, name, real_ids)
                cols.append((name, _TYPES.get(name) or _infer(values), values))
        orgs = anchor_presence(project).organisations
        # withheld with a suppressed count of young people (socialmap.interchange.layers): the
        # percentiles would give the count back, and so would the areas reached (4 areas: 4 people)
        small = {count: [v is not None and suppress(v) == "<5" for v in _measure_column(orgs, count, real_ids)]
                 if count in orgs.columns and not include_people else [False] * len(nodes)
                 for count in ANCHOR_COUNTS}
        withheld_by = {f"{count}_percentile": small[count] for count in ANCHOR_COUNTS}
        withheld_by["areas_reached"] = withheld_by["areas_reached_percentile"] = small["young_people_reached"]
        for name in orgs.columns:
            if name in ("label", "is_anchor") or name in fields:
                continue
            values = _measure_column(orgs, name, real_ids)
            if name in ANCHOR_COUNTS and not include_people:
                # counts of young people, 1..4 suppressed (SPEC 8) and still a number column (SPEC 11):
                # empty where suppressed, with a <name>_suppressed flag
                hidden_count = [v is not None and suppress(v) == "<5" for v in values]
                cols.append((name, "long", [None if h else v for v, h in zip(values, hidden_count, strict=True)]))
                cols.append((f"{name}_suppressed", "boolean",
                             [None if v is None else h for v, h in zip(values, hidden_count, strict=True)]))
                continue
            withheld = withheld_by.get(name)
            if withheld is not None:
                values = [None if h else v for v, h in zip(values, withheld, strict=True)]
            if name == "areas_reached":  # the organisation's figure shares the person measure's column
                person = next(c for c in cols if c[0] == "areas_reached")[2]
                values = [p if v is None and not h else v for p, v, h in zip(person, values, withheld, strict=False)]
                cols[:] = [c for c in cols if c[0] != "areas_reached"]
            cols.append((name, _TYPES.get(name) or _infer(values), values))
            if withheld is not None:  # an empty withheld cell is told from a missing one by its flag
                cols.append((f"{name}_suppressed", "boolean",
                             [True if h else (None if v is None else False) for v, h in zip(values, withheld, strict=True)]))
        # the class of each tie as the class's own string (not a frame of every tie's ends and
        # a new string per tie: about 0.5 GB at 1,000,000 young people, issue 13)
        tie_classes = [TIE_CLASSES[code] for code in tie_class_codes(project).tolist()]
    if exported:
        out.tie_a = [exported.get(t.a, t.a) for t in ties]
        out.tie_b = [exported.get(t.b, t.b) for t in ties]
    else:
        out.tie_a = [t.a for t in ties]
        out.tie_b = [t.b for t in ties]
    out.tie_cols = [("tie_type", "string", [t.type for t in ties]),
                    ("tie_class", "string", tie_classes),
                    ("context", "string", [t.context for t in ties]),
                    ("strength", "long", [t.strength for t in ties]),
                    ("opportunity", "boolean", [t.opportunity for t in ties] if any(t.opportunity for t in ties)
                     else [None] * len(ties))]
    flagged = {c[0].removesuffix("_suppressed") for c in cols
               if c[0].endswith("_suppressed") and any(v is not None for v in c[2])}
    out.node_cols = [c for c in cols if c[0] in flagged or any(v is not None for v in c[2])]
    out.tie_cols = [c for c in out.tie_cols if any(v is not None for v in c[2])]
    return out


_NOT_NMTOKEN = re.compile(r"[^A-Za-z0-9._\-]")


def nmtokens(names: list[str]) -> list[str]:
    """Each name as a valid XML ``NMTOKEN`` (what GraphML's schema requires of node ids, key ids
    and ``attr.name``), the same name where it is one already, and all distinct.

    A character outside ``A-Z a-z 0-9 . _ -`` becomes ``_`` and its code point in hex and ``_``
    (a space is ``_20_``); a name that would clash with another gets ``-2``, ``-3``...

    >>> nmtokens(["svc01", "Sam W", "Sam_20_W", "Zoë"])
    ['svc01', 'Sam_20_W', 'Sam_20_W-2', 'Zo_eb_']
    """
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        token = _NOT_NMTOKEN.sub(lambda m: f"_{ord(m.group()):x}_", str(name)) or "_"
        base, n = token, 1
        while token in seen:
            n += 1
            token = f"{base}-{n}"
        seen.add(token)
        out.append(token)
    return out


def _esc_text(value: str) -> str:
    return _BAD_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(value: str) -> str:
    return (_esc_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _fragments(kind: str, values: list[Any], template: str, esc) -> list[str]:
    """One XML fragment per value (``""`` for a missing one), ``{}`` in ``template`` taking the text."""
    before, after = template.split("{}")
    if kind == "boolean":
        yes, no = before + "true" + after, before + "false" + after
        return ["" if v is None else (yes if v else no) for v in values]
    if kind == "long":
        return ["" if v is None else f"{before}{int(v)}{after}" for v in values]
    if kind == "double":
        return ["" if v is None else f"{before}{float(v)!r}{after}" for v in values]
    cache: dict[str, str] = {}
    out = []
    for v in values:
        if v is None:
            out.append("")
            continue
        text = cache.get(v)
        if text is None:
            text = before + esc(str(v)) + after
            if len(cache) < 10000:
                cache[v] = text
        out.append(text)
    return out


def _rows(parts: list[list[str]], n: int) -> list[str]:
    if not parts:
        return [""] * n
    return ["".join(row) for row in zip(*parts, strict=False)]


#: Nodes or ties whose XML is made and written at a time: the text of every tie made at once
#: (a list of fragments per column, then the rows, then one string) was the peak of a city's
#: export, 0.3 GB at 100,000 young people and ten times that at a million.
ROWS_PER_WRITE = 20_000


def _row_pieces(columns, n: int, template: str, esc):
    """(first row, the data text of each row) for pieces of :data:`ROWS_PER_WRITE` rows; ``template``
    holds ``{i}`` for the column's number and ``{{}}`` for the value."""
    for start in range(0, max(n, 1), ROWS_PER_WRITE):
        stop = min(n, start + ROWS_PER_WRITE)
        yield start, _rows([_fragments(kind, values[start:stop], template.format(i=i), esc)
                            for i, (_, kind, values) in enumerate(columns)], stop - start)


def write_graphml(project: Project, path: str | os.PathLike, *, include_people: bool = False) -> Path:
    """Write the project's network as GraphML (undirected). Returns the path.

    Valid against the GraphML schema: node ids and ``attr.name`` are ``NMTOKEN``s
    (:func:`nmtokens`); where an id had to be escaped, every node carries its id as written in the
    ``original_id`` attribute, and a renamed attribute keeps its name in the key's ``desc``.
    """
    g = graph_columns(project, include_people=include_people)
    path = Path(path)
    tokens = nmtokens(g.node_ids)
    node_cols = list(g.node_cols)
    if tokens != g.node_ids:
        node_cols.insert(0, ("original_id", "string", list(g.node_ids)))
    quoted = dict(zip(g.node_ids, tokens, strict=True))
    with open(path, "w", encoding="utf-8") as fh:
        w = fh.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
          'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for prefix, target, columns in (("n", "node", node_cols), ("e", "edge", g.tie_cols)):
            names = [name for name, _, _ in columns]
            for i, (name, token, (_, kind, _)) in enumerate(zip(names, nmtokens(names), columns, strict=True)):
                desc = "" if token == name else f"<desc>{_esc_text(name)}</desc>"
                w(f'  <key id="{prefix}{i}" for="{target}" attr.name="{token}" attr.type="{kind}"'
                  f'{">" + desc + "</key>" if desc else "/>"}\n')
        w('  <graph id="socialmap" edgedefault="undirected">\n')
        ids = g.node_ids
        for start, node_data in _row_pieces(node_cols, len(ids), '<data key="n{i}">{{}}</data>', _esc_text):
            w("".join(f'    <node id="{quoted[i]}">{d}</node>\n'
                      for i, d in zip(ids[start:start + len(node_data)], node_data, strict=False)))
        for start, tie_data in _row_pieces(g.tie_cols, len(g.tie_a), '<data key="e{i}">{{}}</data>', _esc_text):
            stop = start + len(tie_data)
            w("".join(f'    <edge id="e{k}" source="{quoted[a]}" target="{quoted[b]}">{d}</edge>\n'
                      for k, (a, b, d) in enumerate(zip(g.tie_a[start:stop], g.tie_b[start:stop], tie_data,
                                                        strict=False), start)))
        w("  </graph>\n</graphml>\n")
    return path


def write_gexf(project: Project, path: str | os.PathLike, *, include_people: bool = False) -> Path:
    """Write the project's network as GEXF 1.2 (undirected, static). Returns the path.

    The node label is GEXF's own ``label``; every other field is a declared attribute. A tie's
    strength is also GEXF's edge ``weight``, which Gephi uses as the edge weight.
    """
    g = graph_columns(project, include_people=include_people)
    labels = next((values for name, _, values in g.node_cols if name == "label"), [None] * len(g.node_ids))
    node_cols = [c for c in g.node_cols if c[0] != "label"]
    quoted = {i: _esc_attr(i) for i in g.node_ids}
    path = Path(path)
    today = dt.date.today().isoformat()
    with open(path, "w", encoding="utf-8") as fh:
        w = fh.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
        w(f'  <meta lastmodifieddate="{today}"><creator>SocialMap</creator></meta>\n')
        w('  <graph defaultedgetype="undirected" mode="static">\n')
        w('    <attributes class="node" mode="static">\n')
        for i, (name, kind, _) in enumerate(node_cols):
            w(f'      <attribute id="{i}" title="{_esc_attr(name)}" type="{kind}"/>\n')
        w('    </attributes>\n    <attributes class="edge" mode="static">\n')
        for i, (name, kind, _) in enumerate(g.tie_cols):
            w(f'      <attribute id="{i}" title="{_esc_attr(name)}" type="{kind}"/>\n')
        w("    </attributes>\n    <nodes>\n")
        # an empty <attvalues/> is not allowed by the GEXF schema: leave it out
        ids = g.node_ids
        for start, node_data in _row_pieces(node_cols, len(ids), '<attvalue for="{i}" value="{{}}"/>', _esc_attr):
            stop = start + len(node_data)
            w("".join(f'      <node id="{quoted[i]}" label="{_esc_attr(str(lab if lab is not None else i))}">'
                      f"{'<attvalues>' + d + '</attvalues>' if d else ''}</node>\n"
                      for i, lab, d in zip(ids[start:stop], labels[start:stop], node_data, strict=False)))
        w("    </nodes>\n    <edges>\n")
        strengths = next((values for name, _, values in g.tie_cols if name == "strength"), [None] * len(g.tie_a))
        for start, tie_data in _row_pieces(g.tie_cols, len(g.tie_a), '<attvalue for="{i}" value="{{}}"/>', _esc_attr):
            stop = start + len(tie_data)
            w("".join(f'      <edge id="{k}" source="{quoted[a]}" target="{quoted[b]}"'
                      f'{"" if wt is None else f" weight={chr(34)}{float(wt)!r}{chr(34)}"}>'
                      f"{'<attvalues>' + d + '</attvalues>' if d else ''}</edge>\n"
                      for k, (a, b, wt, d) in enumerate(zip(g.tie_a[start:stop], g.tie_b[start:stop],
                                                            strengths[start:stop], tie_data, strict=False), start)))
        w("    </edges>\n  </graph>\n</gexf>\n")
    return path


# --------------------------------------------------------------------- registry
def export_graphml(project: Project, out: Path, *, include_people: bool = False, **_: Any) -> list[Path]:
    """``socialmap export graphml``: the network as one GraphML file, written atomically."""
    from socialmap.interchange.exporting import atomic_file

    atomic_file(out, lambda p: write_graphml(project, p, include_people=include_people))
    return [out]


def export_gexf(project: Project, out: Path, *, include_people: bool = False, **_: Any) -> list[Path]:
    """``socialmap export gexf``: the network as one GEXF 1.2 file, written atomically."""
    from socialmap.interchange.exporting import atomic_file

    atomic_file(out, lambda p: write_gexf(project, p, include_people=include_people))
    return [out]


FORMATS = (
    ExportFormat("graphml", "GraphML network (Gephi, yEd)…", "the network for Gephi, yEd, NodeXL",
                 "socialmap.interchange.writers.graph:export_graphml", patterns=("*.graphml",),
                 suffix=".graphml", order=10),
    ExportFormat("gexf", "GEXF network (Gephi)…", "the network for Gephi (GEXF 1.2)",
                 "socialmap.interchange.writers.graph:export_gexf", patterns=("*.gexf",), suffix=".gexf",
                 order=20),
)
