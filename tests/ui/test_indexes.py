"""The views' shared indexes (socialmap.ui.indexes), made by the loading job: the same ids,
rows, counts and orders the views computed for themselves, made again after an edit."""

from __future__ import annotations

from socialmap.model import Node
from socialmap.ui import indexes


def test_indexes_match_what_the_views_computed(small_project, monkeypatch):
    monkeypatch.setattr(indexes, "PIECE", 2)  # big dicts made in pieces: the same dicts
    p = small_project
    p.nodes["yp2"].attrs["school"] = "Northfield"
    indexes.warm(p)
    assert indexes.node_ids(p, "young_person") == ["yp1", "yp2", "yp3"]
    assert indexes.node_rows(p, "young_person") == {"yp1": 0, "yp2": 1, "yp3": 2}
    assert indexes.tie_ids(p) == list(p.ties)
    assert indexes.tie_rows(p) == {k: i for i, k in enumerate(p.ties)}
    assert indexes.young_people_per_area(p) == ({"A1": 2, "A2": 1}, {"yp1": "A1", "yp2": "A1", "yp3": "A2"})
    assert indexes.kind_of(p) == {n.id: n.kind for n in p.nodes.values()}
    assert indexes.person_attrs(p) == ["school"]
    # an edit (a new version): asked again, the index is made again from the project
    p.add_node(Node("o2", "organisation", "Anchor Trust", lat=53.40, lon=-2.29, is_anchor=True))
    p.add_node(Node("o3", "organisation", "arts centre", lat=53.40, lon=-2.29))
    assert indexes.by_label(p, "organisation") == ["o2", "o3", "o1"]  # any case: Anchor, arts, Northfield
    assert indexes.by_label(p, "organisation", anchors_first=True) == ["o2", "o1", "o3"]
    assert indexes.node_ids(p, "organisation") == ["o1", "o2", "o3"]


def test_young_people_per_area_in_the_order_they_are_met(small_project, monkeypatch):
    """Counted in pieces (of 2 here): yp1 and yp2 live in A1, yp3 in A2, then yp4 (added) in A2
    and yp5 in A1: A1 3, A2 2, the areas in the order their first young person comes, and each
    young person's home in the nodes' order."""
    monkeypatch.setattr(indexes, "PIECE", 2)
    p = small_project
    p.add_node(Node("yp4", "young_person", "Ash", area_code="A2"))
    p.add_node(Node("yp5", "young_person", "Lee", area_code="A1"))
    counts, home = indexes.young_people_per_area(p)
    assert list(counts.items()) == [("A1", 3), ("A2", 2)]
    assert list(home.items()) == [("yp1", "A1"), ("yp2", "A1"), ("yp3", "A2"), ("yp4", "A2"), ("yp5", "A1")]
    assert type(counts) is dict


def test_column_texts_for_widths_are_what_the_table_shows(qapp, small_project):
    """fit_columns_to_text takes a record model's texts from its values (shown_texts): the same
    text as data() for every cell, codes shown as their plain labels, counts of 1-4 as "<5"."""
    from PySide6.QtCore import Qt

    from socialmap.ui.document import ProjectDocument
    from socialmap.ui.models import AreaTableModel, NodeTableModel, TieTableModel

    doc = ProjectDocument()
    doc.set_project(small_project, None)
    models = [NodeTableModel(doc, k) for k in ("young_person", "adult", "organisation", "service")]
    for model in [*models, AreaTableModel(doc), TieTableModel(doc)]:
        rows = list(range(model.rowCount()))
        for col in range(model.columnCount()):
            shown = [model.index(r, col).data(Qt.ItemDataRole.DisplayRole) for r in rows]
            assert model.shown_texts(rows, col) == shown, (type(model).__name__, model.columns[col])
