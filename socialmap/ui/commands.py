"""Undo commands: every edit of the project, from any widget, is one of these.

Each command calls the model's edit API (which validates and raises
:class:`~socialmap.errors.InputError`) and then tells the document what
changed. A command is built and validated before it is pushed: ``push_edit``
runs ``redo`` once and only pushes the command when the model accepted it,
so a refused edit leaves nothing on the stack.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtGui import QUndoCommand

from socialmap.errors import InputError
from socialmap.model import Node, Tie
from socialmap.model.project import tie_key
from socialmap.ui.document import ProjectDocument


class _Edit(QUndoCommand):
    def __init__(self, doc: ProjectDocument, text: str) -> None:
        super().__init__(text)
        self.doc = doc
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by push_edit
            self._first = False
            return
        self.apply()

    def apply(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ProjectBusy(InputError):
    """An edit while a background job copies the project."""


def push_edit(doc: ProjectDocument, command: _Edit) -> None:
    """Apply ``command`` (raising InputError if the model refuses it) and push it."""
    if doc.locked_for:
        raise ProjectBusy(f"The project is being read for {doc.locked_for}; try again in a moment.")
    command.apply()
    doc.undo_stack.push(command)


def _incident_keys(doc: ProjectDocument, node_id: str) -> list[tuple[str, str]]:
    return [tie_key(node_id, o) for o in doc.project.neighbours(node_id)]


def _context_keys(doc: ProjectDocument, dependants: dict) -> list[tuple[str, str]]:
    """The ties (still in the project) whose context a removed place was: changed by its
    removal and by its undo (the views' texts and sort keys of them follow)."""
    ties = doc.project.ties
    return [key for key in map(tuple, dependants.get("contexts", {})) if key in ties]


def _signal_ties_of(doc: ProjectDocument, ties: list, dependants: dict, *, back: bool) -> None:
    """A removed node's ties gone (or, with ``back``, its undo: back) and the ties whose
    context it was changed, in one signal."""
    keys = [t.key for t in ties]
    contexts = _context_keys(doc, dependants)
    if keys or contexts:
        doc.tiesChanged.emit(keys if back else [], contexts, [] if back else keys)


class AddNode(_Edit):
    """Add a node (a young person is placed inside their home area by the model)."""

    def __init__(self, doc: ProjectDocument, node: Node) -> None:
        super().__init__(doc, f"Add {node.kind.replace('_', ' ')} {node.label or node.id}")
        self.node = replace(node, attrs=dict(node.attrs))

    def apply(self) -> None:
        node = replace(self.node, attrs=dict(self.node.attrs))
        self.doc.project.add_node(node)
        # the model dates a new record; a redo after undo puts back the same dates
        self.node.recorded, self.node.updated = node.recorded, node.updated
        self.doc.nodesChanged.emit([node.id], [], [])
        keys = _incident_keys(self.doc, node.id)
        if keys:
            self.doc.tiesChanged.emit(keys, [], [])

    def undo(self) -> None:
        keys = _incident_keys(self.doc, self.node.id)
        self.doc.project.remove_node(self.node.id)
        if keys:
            self.doc.tiesChanged.emit([], [], keys)
        self.doc.nodesChanged.emit([], [], [self.node.id])


class UpdateNode(_Edit):
    """Change fields of a node."""

    def __init__(self, doc: ProjectDocument, node_id: str, changes: dict[str, Any]) -> None:
        label = doc.project.nodes[node_id].label if node_id in doc.project.nodes else node_id
        super().__init__(doc, f"Edit {label}")
        self.node_id = node_id
        self.changes = dict(changes)
        self.old: dict[str, Any] = {}

    def _set(self, changes: dict[str, Any]) -> dict[str, Any]:
        # the node's own ties, from the adjacency (two scans of a city's 391,000 ties held the
        # UI thread 100-170 ms per edit)
        before = set(_incident_keys(self.doc, self.node_id))
        old = self.doc.project.update_node(self.node_id, **changes)
        after = _incident_keys(self.doc, self.node_id)
        self.doc.nodesChanged.emit([], [self.node_id], [])
        added = [k for k in after if k not in before]
        removed = [k for k in before if k not in after]
        changed = [k for k in after if k in before]
        # A moved person changes the classes of their ties; a changed provider
        # moves the provides tie: tell the views about every incident tie.
        if added or removed or changed:
            self.doc.tiesChanged.emit(added, changed, removed)
        return old

    def apply(self) -> None:
        self.old = self._set(self.changes)

    def undo(self) -> None:
        self._set(self.old)


class RemoveNode(_Edit):
    """Delete a node with its ties (restored together by undo)."""

    def __init__(self, doc: ProjectDocument, node_id: str) -> None:
        node = doc.project.nodes[node_id]
        super().__init__(doc, f"Delete {node.label or node_id}")
        self.node_id = node_id
        self.saved: tuple | None = None

    def apply(self) -> None:
        node, ties, dependants = self.doc.project.remove_node(self.node_id)
        self.saved = (node, ties, dependants)
        _signal_ties_of(self.doc, ties, dependants, back=False)
        changed = list(dependants.get("providers", {}))
        self.doc.nodesChanged.emit([], changed, [self.node_id])
        if self.doc.selection[1] == self.node_id:
            self.doc.select("", "")

    def undo(self) -> None:
        node, ties, dependants = self.saved
        self.doc.project.restore_node(node, ties, dependants)
        self.doc.nodesChanged.emit([self.node_id], list(dependants.get("providers", {})), [])
        _signal_ties_of(self.doc, ties, dependants, back=True)


class EraseNode(_Edit):
    """Erase a person completely (UK GDPR right to erasure): the record, their ties and every
    mention in saved scenarios, snapshots and settings (:func:`socialmap.model.erasure.erase_person`).
    Undoable until the project is saved; the window then drops the undo history, which holds the
    erased data, and rewrites the recovery copy at once."""

    def __init__(self, doc: ProjectDocument, node_id: str) -> None:
        node = doc.project.nodes[node_id]
        super().__init__(doc, f"Erase {node.kind.replace('_', ' ')}")  # no label: the undo menu is seen
        self.node_id = node_id
        self.erasure = None

    def apply(self) -> None:
        from socialmap.model.erasure import erase_person
        from socialmap.store.snapshots import erase_from_snapshots

        self.erasure = erase_person(self.doc.project, self.node_id, snapshot_eraser=erase_from_snapshots)
        _signal_ties_of(self.doc, self.erasure.ties, self.erasure.dependants, back=False)
        self.doc.nodesChanged.emit([], list(self.erasure.dependants.get("providers", {})), [self.node_id])
        if self.doc.selection[1] == self.node_id:
            self.doc.select("", "")

    def undo(self) -> None:
        from socialmap.model.erasure import restore_erasure

        restore_erasure(self.doc.project, self.erasure)
        self.doc.nodesChanged.emit([self.node_id], list(self.erasure.dependants.get("providers", {})), [])
        _signal_ties_of(self.doc, self.erasure.ties, self.erasure.dependants, back=True)


def holds_erased_data(stack) -> bool:
    """Whether an undo stack holds an erasure (whose undo data are the erased person)."""
    for i in range(stack.count()):
        command = stack.command(i)
        if isinstance(command, EraseNode):
            return True
        for j in range(command.childCount()):
            if isinstance(command.child(j), EraseNode):
                return True
    return False


class AddTie(_Edit):
    """Add a tie between two nodes."""

    def __init__(self, doc: ProjectDocument, tie: Tie) -> None:
        super().__init__(doc, f"Add {tie.type} tie {tie.a}-{tie.b}")
        self.tie = replace(tie)

    def apply(self) -> None:
        self.doc.project.add_tie(replace(self.tie))
        self.doc.tiesChanged.emit([self.tie.key], [], [])
        if self.tie.type == "provides":
            self.doc.nodesChanged.emit([], [self.tie.a, self.tie.b], [])

    def undo(self) -> None:
        self.doc.project.remove_tie(self.tie.a, self.tie.b)
        self.doc.tiesChanged.emit([], [], [self.tie.key])
        if self.tie.type == "provides":
            self.doc.nodesChanged.emit([], [self.tie.a, self.tie.b], [])


class RemoveTie(_Edit):
    """Delete one tie."""

    def __init__(self, doc: ProjectDocument, a: str, b: str) -> None:
        super().__init__(doc, f"Delete tie {a}-{b}")
        self.key = tie_key(a, b)
        self.tie: Tie | None = None

    def apply(self) -> None:
        self.tie = self.doc.project.remove_tie(*self.key)
        self.doc.tiesChanged.emit([], [], [self.key])
        if self.tie.type == "provides":
            self.doc.nodesChanged.emit([], list(self.key), [])
        if self.doc.selection == ("tie", "|".join(self.key)):
            self.doc.select("", "")

    def undo(self) -> None:
        self.doc.project.add_tie(replace(self.tie))
        self.doc.tiesChanged.emit([self.key], [], [])
        if self.tie.type == "provides":
            self.doc.nodesChanged.emit([], list(self.key), [])


class UpdateTie(_Edit):
    """Change a tie's type, context or strength."""

    def __init__(self, doc: ProjectDocument, a: str, b: str, changes: dict[str, Any]) -> None:
        super().__init__(doc, f"Edit tie {a}-{b}")
        self.key = tie_key(a, b)
        self.changes = dict(changes)
        self.old: dict[str, Any] = {}

    def apply(self) -> None:
        self.old = self.doc.project.update_tie(*self.key, **self.changes)
        self.doc.tiesChanged.emit([], [self.key], [])

    def undo(self) -> None:
        self.doc.project.update_tie(*self.key, **self.old)
        self.doc.tiesChanged.emit([], [self.key], [])


class EndTie(_Edit):
    """End a tie on a date (default today): kept with its ``until`` date, not deleted."""

    def __init__(self, doc: ProjectDocument, a: str, b: str, on=None) -> None:
        super().__init__(doc, f"End tie {a}-{b}")
        self.key = tie_key(a, b)
        self.on = on
        self.old: dict[str, Any] = {}

    def apply(self) -> None:
        self.old = self.doc.project.end_tie(*self.key, self.on)
        self.doc.tiesChanged.emit([], [self.key], [])

    def undo(self) -> None:
        self.doc.project.update_tie(*self.key, **self.old)
        self.doc.tiesChanged.emit([], [self.key], [])


class UpdateArea(_Edit):
    """Change an area's name, IMD decile or population."""

    def __init__(self, doc: ProjectDocument, code: str, changes: dict[str, Any]) -> None:
        super().__init__(doc, f"Edit area {code}")
        self.code = code
        self.changes = dict(changes)
        self.old: dict[str, Any] = {}

    def apply(self) -> None:
        self.old = self.doc.project.update_area(self.code, **self.changes)
        self.doc.areasChanged.emit([self.code])

    def undo(self) -> None:
        self.doc.project.update_area(self.code, **self.old)
        self.doc.areasChanged.emit([self.code])
