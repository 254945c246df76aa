"""The views' shared indexes (socialmap.ui.indexes), made by the loading job: the same ids,
rows, counts and orders the views computed for themselves, made again after an edit."""

from __future__ import annotations

from socialmap.model import Node
from socialmap.ui import indexes


def test_indexes_match_what_the_views_computed(small_project, monkeypatch):
    monkeypatch.setattr(indexes, "PIECE", 2)  # big lists made in pieces: the same lists
    p = small_project
    p.nodes["yp2"].attrs["school"] = "Northfield"
    indexes.warm(p)
    assert indexes.node_ids(p, "young_person") == ["yp1", "yp2", "yp3"]
    assert indexes.tie_ids(p) == list(p.ties)
    assert indexes.young_people_per_area(p) == ({"A1": 2, "A2": 1}, {"yp1": "A1", "yp2": "A1", "yp3": "A2"})
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


# ---------------------------------------------------------------------- rows made in steps
#: small_project's ties in the project's order (tie_key: the lower id first; the service's
#: provider tie o1-s1 comes with the service)
TIES = [("o1", "s1"), ("yp1", "yp2"), ("yp2", "yp3"), ("s1", "yp1"), ("ad1", "o1"), ("ad1", "yp3")]


def _shown(proxy) -> list[str]:
    from socialmap.ui.models import ID_ROLE

    return [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())]


def test_tie_rows_made_in_steps_are_found_before_and_after(qapp, qtbot, small_project, monkeypatch):
    """The ties table's row of each key is made in steps (of 2 here) once the project is
    shown: before the steps are done a tie is found all the same (row_for, an edit, a removal,
    its undo), and once they are done the rows are those of the table's order."""
    from PySide6.QtCore import Qt

    from socialmap.model import Tie
    from socialmap.ui import models
    from socialmap.ui.commands import AddTie, RemoveTie, UpdateTie, push_edit
    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(models, "ROW_STEP", 2)
    doc = ProjectDocument()
    model = models.TieTableModel(doc)
    proxy = models.SearchProxy(model)
    doc.set_project(small_project, None)
    # none made yet (the first step comes once the project is shown), then the first two
    assert model.ids == TIES and model.row_of == {} and not model.rows_made
    made = indexes.tie_ids(small_project)
    model._rows_step(model._rows_turn)
    assert model.row_of == {TIES[0]: 0, TIES[1]: 1} and not model.rows_made
    assert [model.row_for(t) for t in ("yp1|yp2", "ad1|o1", "yp3|ad1", "yp1|yp3")] == [1, 4, 5, None]
    # an edit of the last tie (not made yet) repaints its row
    changed = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append((top.row(), bottom.row())))
    push_edit(doc, UpdateTie(doc, "ad1", "yp3", {"strength": 2}))
    assert changed == [(5, 5)]
    strength = model.columns.index("strength")
    assert proxy.index(5, strength).data(Qt.ItemDataRole.DisplayRole) == "2"
    # a removal after the rows made: those made stay, the rest move up and are found there
    push_edit(doc, RemoveTie(doc, "yp2", "yp3"))
    assert model.ids == [TIES[0], TIES[1], TIES[3], TIES[4], TIES[5]]
    assert model.row_of == {TIES[0]: 0, TIES[1]: 1}
    assert [model.row_for(t) for t in ("yp1|yp2", "s1|yp1", "ad1|yp3", "yp2|yp3")] == [1, 2, 4, None]
    assert _shown(proxy) == ["o1|s1", "yp1|yp2", "s1|yp1", "ad1|o1", "ad1|yp3"]
    doc.undo_stack.undo()  # back at the end of the table
    assert model.ids == [TIES[0], TIES[1], TIES[3], TIES[4], TIES[5], TIES[2]]
    assert model.row_for("yp2|yp3") == 5 and _shown(proxy)[5] == "yp2|yp3"
    assert made == TIES  # the table's own ids changed, not the index the table was shown from
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {TIES[0]: 0, TIES[1]: 1, TIES[3]: 2, TIES[4]: 3, TIES[5]: 4, TIES[2]: 5}
    # once made, an added tie is given its row at once
    push_edit(doc, AddTie(doc, Tie("yp1", "yp3", "friend")))
    assert model.row_of[("yp1", "yp3")] == 6 and model.rows_made and model.row_for("yp3|yp1") == 6


def test_an_edit_while_the_rows_are_made_leaves_them_whole(qapp, qtbot, small_project, monkeypatch):
    """Steps of 2 over small_project's young people (yp1, yp2, yp3) with one added (yp4, at
    the end: the steps come to it) and yp1 removed (every row moves up: made again) meanwhile:
    once done, each id has its row of the table's order."""
    from socialmap.model import Node
    from socialmap.ui import models
    from socialmap.ui.commands import AddNode, RemoveNode, push_edit
    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(models, "ROW_STEP", 2)
    doc = ProjectDocument()
    model = models.NodeTableModel(doc, "young_person")
    doc.set_project(small_project, None)
    model._rows_step(model._rows_turn)  # the first step
    assert model.row_of == {"yp1": 0, "yp2": 1}
    push_edit(doc, AddNode(doc, Node("yp4", "young_person", "Ash", area_code="A2")))
    assert model.row_of == {"yp1": 0, "yp2": 1, "yp4": 3} and model.row_for("yp4") == 3  # the new row's at once
    push_edit(doc, RemoveNode(doc, "yp1"))
    assert model.ids == ["yp2", "yp3", "yp4"] and model._made == 0  # made again from the start
    assert [model.row_for(i) for i in ("yp2", "yp3", "yp4", "yp1")] == [0, 1, 2, None]
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {"yp2": 0, "yp3": 1, "yp4": 2}
    doc.undo_stack.undo()  # yp1 back, with its ties, at the end
    assert model.ids == ["yp2", "yp3", "yp4", "yp1"] and model.row_of["yp1"] == 3


def test_a_removal_keeps_the_rows_before_it(qapp, qtbot, small_project, monkeypatch):
    """Steps of 2 over yp1, yp2, yp3 and yp4 (added), every row made; yp3 (row 2) removed: the
    rows before it keep their entries and the steps go on from row 2 (a city's undo straight
    after a removal made the whole dict again, 0.1-0.16 s on the UI thread); yp4's old entry
    (row 3) is not taken meanwhile, yp3's is gone, and the steps make yp4's again."""
    from socialmap.model import Node
    from socialmap.ui import models
    from socialmap.ui.commands import AddNode, RemoveNode, push_edit
    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(models, "ROW_STEP", 2)
    doc = ProjectDocument()
    model = models.NodeTableModel(doc, "young_person")
    doc.set_project(small_project, None)
    push_edit(doc, AddNode(doc, Node("yp4", "young_person", "Ash", area_code="A2")))
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {"yp1": 0, "yp2": 1, "yp3": 2, "yp4": 3}
    push_edit(doc, RemoveNode(doc, "yp3"))
    assert model.ids == ["yp1", "yp2", "yp4"] and model._made == 2 and not model.rows_made
    assert model.row_of == {"yp1": 0, "yp2": 1, "yp4": 3}  # (row 3: out of date, not taken)
    assert [model.row_for(i) for i in ("yp1", "yp2", "yp4", "yp3")] == [0, 1, 2, None]
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {"yp1": 0, "yp2": 1, "yp4": 2}
    doc.undo_stack.undo()  # yp3 back, at the end
    assert model.ids == ["yp1", "yp2", "yp4", "yp3"] and model.row_for("yp3") == 3


def test_a_node_with_more_ties_relabelled_before_the_rows_are_made(qapp, small_project, monkeypatch):
    """yp1 with three ties (yp1-yp2 row 1, s1-yp1 row 3, and yp1-yp3 added, row 6) relabelled
    before any step: no look-up of each row (none made
    meanwhile): every row repaints, and the three rows show the new label."""
    from socialmap.model import Tie
    from socialmap.ui import models
    from socialmap.ui.commands import UpdateNode, push_edit
    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(models, "ROW_STEP", 2)
    small_project.add_tie(Tie("yp1", "yp3", "friend"))
    doc = ProjectDocument()
    model = models.TieTableModel(doc)
    proxy = models.SearchProxy(model)
    doc.set_project(small_project, None)
    assert model.row_of == {} and model.ids == [*TIES, ("yp1", "yp3")]
    a_label, b_label = model.columns.index("a_label"), model.columns.index("b_label")
    changed = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append(
        (top.row(), top.column(), bottom.row(), bottom.column())))
    proxy.setFilterFixedString("robin")
    assert _shown(proxy) == ["yp1|yp2", "s1|yp1", "yp1|yp3"]
    texts = proxy._texts
    push_edit(doc, UpdateNode(doc, "yp1", {"label": "Robyn"}))
    assert set(changed) == {(0, 0, 6, len(model.columns) - 1)} and model.row_of == {}
    assert proxy._texts is texts  # kept: only the three rows' texts are made again, at the search
    # the tie yp1 attends s1 (key (s1, yp1)): the young person end a, the service end b
    assert [model.index(1, a_label).data(), model.index(3, a_label).data(), model.index(3, b_label).data(),
            model.index(6, a_label).data()] == ["Robyn", "Robyn", "Youth club", "Robyn"]
    proxy.setFilterFixedString("robyn")  # the search matches the new label
    assert _shown(proxy) == ["yp1|yp2", "s1|yp1", "yp1|yp3"]
    assert proxy._texts is texts and proxy._texts == model.row_texts()


def test_the_label_order_after_an_edit_is_the_order_made_afresh(small_project):
    """Organisations ordered by label, then id: after adding two, relabelling one, making one an
    anchor and removing one, the order made from the one before and the touched ids is the one
    by_label makes from the whole project; a touched id of another kind stays out."""
    p = small_project
    p.add_node(Node("o2", "organisation", "arts centre", lat=53.40, lon=-2.29))
    p.add_node(Node("o3", "organisation", "Arts Centre", lat=53.40, lon=-2.29))
    for anchors_first in (False, True):
        before = list(indexes.by_label(p, "organisation", anchors_first=anchors_first))
        assert before == (["o2", "o3", "o1"] if not anchors_first else ["o1", "o2", "o3"])  # o1 an anchor
        p.add_node(Node("o4", "organisation", "Zeta Works", lat=53.40, lon=-2.29, is_anchor=True))
        p.add_node(Node("o5", "organisation", "Arts centre", lat=53.40, lon=-2.29))
        p.update_node("o1", label="Aardvark Trust")
        p.remove_node("o2")
        touched = ["o4", "o5", "o1", "o2", "yp1"]
        after = indexes.by_label_after_edit(p, "organisation", before, touched, anchors_first=anchors_first)
        assert after == indexes.by_label(p, "organisation", anchors_first=anchors_first)
        # worked by hand: Aardvark; arts centre twice, by id (o3, o5); Zeta (with the anchors, after o1)
        assert after == (["o1", "o3", "o5", "o4"] if not anchors_first else ["o1", "o4", "o3", "o5"])
        p.remove_node("o4"), p.remove_node("o5")
        p.update_node("o1", label="Northfield College")
        p.add_node(Node("o2", "organisation", "arts centre", lat=53.40, lon=-2.29))


def test_removals_and_undo_while_the_rows_are_made_again_make_none_ahead(qapp, qtbot, small_project, monkeypatch):
    """The ties table in steps of 2, every row made once; yp2's removal has the steps start
    again from its first row. Then s1's three ties removed and the two undos:
    each finds its rows without making the rest at once (a city's ties: 60 ms, in the undo right
    after a delete), and once the steps are done every tie has its row."""
    from socialmap.model import Tie
    from socialmap.ui import models
    from socialmap.ui.commands import RemoveNode, push_edit
    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(models, "ROW_STEP", 2)
    p = small_project
    for tie in (Tie("yp3", "s1", "attends"), Tie("yp1", "yp3", "friend"), Tie("ad1", "yp1", "worker")):
        p.add_tie(tie)  # 9 ties: 4 left when yp2's 2 and s1's 3 are gone (more than a step)
    doc = ProjectDocument()
    model = models.TieTableModel(doc)
    doc.set_project(p, None)
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    all_ties = list(model.ids)
    first = min(i for i, k in enumerate(all_ties) if "yp2" in k)
    push_edit(doc, RemoveNode(doc, "yp2"))
    assert model._made == first
    arm = models._arm_rows_step
    monkeypatch.setattr(models, "_arm_rows_step", lambda: None)  # no steps meanwhile
    push_edit(doc, RemoveNode(doc, "s1"))
    assert model.ids == [k for k in all_ties if "yp2" not in k and "s1" not in k] and model._made <= first
    made = model._made
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert sorted(model.ids) == sorted(all_ties) and model._made == made
    assert [model._row(k) for k in model.ids] == list(range(len(all_ties)))
    assert model._row(("nobody", "yp1")) is None
    monkeypatch.setattr(models, "_arm_rows_step", arm)
    arm()
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {k: i for i, k in enumerate(model.ids)}


def test_rows_moved_back_by_removals_are_found_just_before_their_old_entry(qapp, qtbot, small_project, monkeypatch):
    """The ties table in steps of 2, every row made once; yp2's removal (two ties) has the
    steps start again from its first row, and with no steps meanwhile s1's three ties are
    removed: each is found within the two rows before its out-of-date entry (rows are only
    appended or removed), with no pass over every row not made again (a city's ties: 20-25
    ms per edit); every row found is the row it is in, and once the steps are done every
    entry is right."""
    from socialmap.model import Tie
    from socialmap.ui import models
    from socialmap.ui.commands import RemoveNode, push_edit
    from socialmap.ui.document import ProjectDocument

    class NoPass(list):
        def __iter__(self):
            raise AssertionError("a pass over the rows")

    monkeypatch.setattr(models, "ROW_STEP", 2)
    p = small_project
    for tie in (Tie("yp3", "s1", "attends"), Tie("yp1", "yp3", "friend"), Tie("ad1", "yp1", "worker")):
        p.add_tie(tie)
    doc = ProjectDocument()
    model = models.TieTableModel(doc)
    doc.set_project(p, None)
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    all_ties = list(model.ids)
    arm = models._arm_rows_step
    monkeypatch.setattr(models, "_arm_rows_step", lambda: None)  # no steps meanwhile
    push_edit(doc, RemoveNode(doc, "yp2"))
    assert model._removed == 2 and model._made < len(model.ids)
    left = [k for k in all_ties if "yp2" not in k]
    assert [model._row(k) for k in left] == list(range(len(left)))
    model.ids = NoPass(model.ids)
    push_edit(doc, RemoveNode(doc, "s1"))
    model.ids = model.ids[:]  # (a plain list again)
    assert model.ids == [k for k in left if "s1" not in k] and model._removed == 5
    assert [model._row(k) for k in model.ids] == list(range(len(model.ids)))
    assert model._rows_of(list(model.ids)) == list(range(len(model.ids)))
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert sorted(model.ids) == sorted(all_ties)
    assert [model._row(k) for k in model.ids] == list(range(len(all_ties)))
    monkeypatch.setattr(models, "_arm_rows_step", arm)
    arm()
    qtbot.waitUntil(lambda: model.rows_made, timeout=5000)
    assert model.row_of == {k: i for i, k in enumerate(model.ids)} and model._removed == 0
