"""Networks kept in Gephi, yEd, NodeXL or Network Canvas: ``socialmap import graphml|gexf FILE``.

A GraphML (graphml.graphdrawing.org) or GEXF 1.1–1.3 (gexf.net) file is read into the two tables
a Kumu map has — its nodes as elements, its edges as connections — and then read exactly as a
Kumu map is (:mod:`socialmap.interchange.readers.kumu`): the node attribute ``kind`` or
``type`` (also ``element type``, ``category``, ``group``) gives the node kind, with the same
spellings understood and ``--kind-map`` for the rest; the edge attribute ``tie_type`` or
``type`` (also ``connection type``, ``relationship``, the edge's label) gives the tie type,
with ``--tie-map``; ``strength`` (else an edge ``weight`` of 1, 2 or 3) the strength; other node
attributes named like our fields fill them and the rest are kept as attributes.

A file SocialMap exported reads back: GraphML ids escaped for the schema come back from
``original_id``; the measures it carried (degree, bridging, anchor figures…) are results, not
data, and are left out.

The XML is parsed with defusedxml, so a file cannot expand entities or fetch anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.interchange.merge import ImportBatch
from socialmap.interchange.registry import ImportFormat, Option
from socialmap.interchange.tabular import Table, norm_key

#: Node attributes that name the kind, in order of preference (after norm_key).
KIND_ATTRIBUTES = ("kind", "type", "element_type", "node_type", "category", "group", "class")
#: Edge attributes that name the tie type.
TIE_ATTRIBUTES = ("tie_type", "type", "connection_type", "edge_type", "relationship", "relation", "label")
#: What a SocialMap export adds that is computed, not recorded: left out on the way back in.
COMPUTED = frozenset({
    "degree", "bonding", "bridging", "linking", "areas_reached", "constraint", "effective_size", "isolated",
    "service_links", "tie_class", "original_id", "young_people_reached", "sole_link_young_people",
    "local_employment_share", "local_spend_share", "young_people_reached_suppressed",
    "sole_link_young_people_suppressed", "areas_reached_suppressed", "young_people_reached_percentile_suppressed",
    "sole_link_young_people_percentile_suppressed", "areas_reached_percentile_suppressed",
})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [c for c in element if _local(c.tag) == name]


def _parse(path: Path):
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        return safe_xml.parse(str(path)).getroot()
    except (ParseError, DefusedXmlException) as exc:
        raise InputError(Problem(f"is not well-formed XML ({exc})", file=str(path))) from None
    except OSError as exc:
        raise InputError(Problem(f"cannot be read ({exc.strerror or exc})", file=str(path))) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:  # a whole float (Gephi writes weights as 2.0) as the whole number
        number = float(text)
        if number.is_integer() and "." in text and abs(number) < 1e15:
            return str(int(number))
    except ValueError:
        pass
    return text


def _graphml(root, source: str) -> tuple[list[tuple[str, str | None, dict[str, str]]],
                                        list[tuple[str, str, dict[str, str]]]]:
    keys: dict[str, tuple[str, str]] = {}  # key id -> (for, name)
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for key in _children(root, "key"):
        kid = key.get("id")
        desc = next((c.text for c in _children(key, "desc") if c.text), None)
        name = key.get("attr.name") or desc or kid
        if key.get("attr.name") and desc and key.get("attr.name") != desc and "_" in key.get("attr.name"):
            name = desc  # a SocialMap export keeps the name it had to escape in desc
        target = key.get("for", "all")
        keys[kid] = (target, name)
        default = next((c.text for c in _children(key, "default")), None)
        if default is not None:
            for kind in ("node", "edge"):
                if target in (kind, "all"):
                    defaults[kind][name] = default
    graphs = _children(root, "graph")
    if not graphs:
        raise InputError(Problem("has no <graph> element: not a GraphML network", file=source))
    nodes, edges = [], []
    for element in graphs[0].iter():
        tag = _local(element.tag)
        if tag not in ("node", "edge"):
            continue
        values = dict(defaults[tag])
        for data in _children(element, "data"):
            target, name = keys.get(data.get("key"), ("all", data.get("key")))
            values[name] = "".join(data.itertext())
        if tag == "node":
            nodes.append((element.get("id"), values.get("label"), values))
        else:
            edges.append((element.get("source"), element.get("target"), values))
    return nodes, edges


def _gexf(root, source: str):
    graph = next(iter(_children(root, "graph")), None)
    if graph is None:
        raise InputError(Problem("has no <graph> element: not a GEXF network", file=source))
    titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attributes in _children(graph, "attributes"):
        cls = attributes.get("class", "node")
        for attribute in _children(attributes, "attribute"):
            title = attribute.get("title") or attribute.get("id")
            titles.setdefault(cls, {})[attribute.get("id")] = title
            default = next((c.text for c in _children(attribute, "default")), None)
            if default is not None:
                defaults.setdefault(cls, {})[title] = default

    def values_of(element, cls: str) -> dict[str, str]:
        values = dict(defaults.get(cls, {}))
        for holder in _children(element, "attvalues"):
            for att in _children(holder, "attvalue"):
                key = att.get("for") or att.get("id")
                values[titles.get(cls, {}).get(key, key)] = att.get("value")
        return values

    nodes, edges = [], []
    for holder in _children(graph, "nodes"):
        for node in _children(holder, "node"):
            nodes.append((node.get("id"), node.get("label"), values_of(node, "node")))
    for holder in _children(graph, "edges"):
        for edge in _children(holder, "edge"):
            values = values_of(edge, "edge")
            if edge.get("weight") is not None:
                values.setdefault("weight", edge.get("weight"))
            if edge.get("label") is not None:
                values.setdefault("label", edge.get("label"))
            edges.append((edge.get("source"), edge.get("target"), values))
    return nodes, edges


def _tables(nodes, edges, source: str, fmt: str) -> tuple[Table, Table]:
    """The Kumu-shaped Elements and Connections tables of a network (rows: the node's or edge's
    position in the file, from 1, under the sheet name ``nodes``/``edges``)."""
    node_names = list(dict.fromkeys(k for _, _, values in nodes for k in values))
    by_norm = {norm_key(k): k for k in node_names}
    kind_attr = next((by_norm[k] for k in KIND_ATTRIBUTES if k in by_norm), None)
    has_original = "original_id" in node_names
    extra = [k for k in node_names if k not in (kind_attr, "label") and norm_key(k) not in COMPUTED
             and not norm_key(k).endswith("_percentile")]
    elements = Table(source, "nodes", ["ID", "Label", "Type", *extra])
    id_of: dict[str, str] = {}
    for position, (node_id, label, values) in enumerate(nodes, 1):
        real = _text(values.get("original_id")) if has_original else None
        real = real or _text(node_id)
        id_of[str(node_id)] = real
        cells = {"ID": real, "Label": _text(label) or real,
                 "Type": _text(values.get(kind_attr)) if kind_attr else None}
        cells.update({k: _text(values.get(k)) for k in extra})
        elements.rows.append((position, cells))
    edge_names = list(dict.fromkeys(k for _, _, values in edges for k in values))
    by_norm = {norm_key(k): k for k in edge_names}
    type_attr = next((by_norm[k] for k in TIE_ATTRIBUTES if k in by_norm), None)
    strength_attr = by_norm.get("strength")
    weight_attr = by_norm.get("weight")
    context_attr = by_norm.get("context")
    opportunity_attr = by_norm.get("opportunity")
    connections = Table(source, "edges", ["From", "To", "Type", "Strength", "Context"]
                        + (["Opportunity"] if opportunity_attr else []))
    for position, (a, b, values) in enumerate(edges, 1):
        strength = _text(values.get(strength_attr)) if strength_attr else None
        if strength is None and weight_attr is not None:
            weight = _text(values.get(weight_attr))
            strength = weight if weight in ("1", "2", "3") else None
        connections.rows.append((position, {
            "From": id_of.get(str(a), _text(a)), "To": id_of.get(str(b), _text(b)),
            "Type": _text(values.get(type_attr)) if type_attr else None, "Strength": strength,
            "Context": _text(values.get(context_attr)) if context_attr else None,
            **({"Opportunity": _text(values.get(opportunity_attr))} if opportunity_attr else {})}))
    if kind_attr is None and nodes:
        raise InputError(Problem(
            f"its nodes have no kind or type attribute (their attributes: {', '.join(node_names) or 'none'}); "
            f"SocialMap needs each node's kind: add a 'type' attribute in Gephi/yEd, or a column "
            f"named type, and map its values with --kind-map", file=source))
    return elements, connections


def read_graph(
    file: str | os.PathLike,
    *,
    kind_map: str | dict[str, str] | None = None,
    tie_map: str | dict[str, str] | None = None,
    default_tie_type: str | None = None,
    lookup: Any = None,
    areas: dict[str, Any] | None = None,
    existing: Any = None,
    fmt: str | None = None,
) -> ImportBatch:
    """Read a GraphML or GEXF network (``fmt`` from the file's root element when not given) into
    an :class:`~socialmap.interchange.merge.ImportBatch`, as a Kumu map is read."""
    from socialmap.interchange.readers.kumu import read_kumu_tables

    path = Path(file)
    source = str(path)
    if not path.is_file():
        raise InputError(Problem("no such file", file=source))
    root = _parse(path)
    found = _local(root.tag)
    if found not in ("graphml", "gexf"):
        raise InputError(Problem(f"is neither GraphML nor GEXF (its root element is <{found}>)", file=source))
    if fmt is not None and found != fmt:
        raise InputError(Problem(f"is a {found.upper() if found == 'gexf' else 'GraphML'} file; "
                                 f"import it with 'socialmap import {found}'", file=source))
    nodes, edges = _graphml(root, source) if found == "graphml" else _gexf(root, source)
    if not nodes:
        raise InputError(Problem("has no nodes to import", file=source))
    elements, connections = _tables(nodes, edges, source, found)
    return read_kumu_tables([elements], [connections] if edges else [], source=source, kind_map=kind_map,
                            tie_map=tie_map, default_tie_type=default_tie_type, lookup=lookup, areas=areas,
                            existing=existing)


def read_graphml_import(file: str | os.PathLike, **kw: Any) -> ImportBatch:
    return read_graph(file, fmt="graphml", **kw)


def read_gexf_import(file: str | os.PathLike, **kw: Any) -> ImportBatch:
    return read_graph(file, fmt="gexf", **kw)


_OPTIONS = (
    Option(("--kind-map",), metavar="MAP", help='node type -> kind, e.g. "Person=young_person,Org=organisation"'),
    Option(("--tie-map",), metavar="MAP", help='edge type -> tie type, e.g. "Knows=peer"'),
    Option(("--default-tie-type",), metavar="TYPE", help="tie type of edges that have none"),
)
FORMATS = (
    ImportFormat("graphml", "GraphML network", "a GraphML network (Gephi, yEd, NodeXL, Network Canvas)",
                 ("*.graphml", "*.xml"), "socialmap.interchange.readers.graph:read_graphml_import",
                 options=(Option(("file",), metavar="FILE.graphml"), *_OPTIONS), what="file",
                 placeholder="GraphML file (.graphml)", order=40),
    ImportFormat("gexf", "GEXF network", "a GEXF network (Gephi)", ("*.gexf",),
                 "socialmap.interchange.readers.graph:read_gexf_import",
                 options=(Option(("file",), metavar="FILE.gexf"), *_OPTIONS), what="file",
                 placeholder="GEXF file (.gexf)", order=50),
)
