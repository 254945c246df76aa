"""Each node's neighbours, kept as arrays until a node's set is asked for.

A project built in bulk from a file (``Project.build`` with the loader's columns) used to make
a Python set of neighbours for every node: 125,000 sets holding 782,000 entries for a city of
100,000 young people, 0.33-0.45 s of the time it took to open it, most of which no view ever
looked at. :class:`Adjacency` holds the ties' ends instead as rows of arrays (each node's run
of neighbours in one array, a compressed sparse row layout) and makes a node's set the first
time it is asked for, then keeps it. Everything else behaves as the dict of sets it replaces:
sets put in by an edit replace the made ones, deleted nodes are gone, ``copy`` is shallow (the
sets shared, as ``dict.copy``; an edit replaces a set rather than changing it in place, see
``Project._adjacent``).

Iteration gives the nodes of the arrays in their order (less those deleted), then the nodes
put in since, in the order they were put in.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np


class Adjacency(MutableMapping):
    """``{node id: set of neighbour ids}`` over arrays (see the module's text).

    ``ids`` (a list) and ``by_row`` (the same ids as an array of objects) name the nodes by
    row; ``starts``/``stops`` (int arrays, one per row) bound each row's run in ``others``
    (row numbers of the neighbours).

    >>> import numpy as np
    >>> ids = ["a", "b", "c"]
    >>> by_row = np.array(ids, dtype=object)
    >>> adj = Adjacency(ids, by_row, np.array([0, 1, 3]), np.array([1, 3, 4]), np.array([1, 0, 2, 1]))
    >>> sorted(adj["b"]), adj.count("b"), len(adj)
    (['a', 'c'], 2, 3)
    >>> adj["d"] = {"a"}; del adj["c"]
    >>> list(adj), "c" in adj
    (['a', 'b', 'd'], False)
    """

    __slots__ = ("_ids", "_by_row", "_row", "_starts", "_stops", "_others", "_sets", "_gone", "_extra")

    def __init__(self, ids: list, by_row: np.ndarray, starts: np.ndarray, stops: np.ndarray,
                 others: np.ndarray, row: dict[str, int] | None = None) -> None:
        self._ids = ids
        self._by_row = by_row
        self._row = dict(zip(ids, range(len(ids)), strict=True)) if row is None else row
        self._starts = starts
        self._stops = stops
        self._others = others
        #: sets made or put in, by id (those of the arrays' nodes, and of nodes put in since)
        self._sets: dict[str, set[str]] = {}
        #: ids of the arrays' nodes deleted
        self._gone: set[str] = set()
        #: how many ids of ``_sets`` are not the arrays' (nodes put in since)
        self._extra = 0

    # ----------------------------------------------------------------- reading
    def _made(self, node_id: str, row: int) -> set[str]:
        s, e = int(self._starts[row]), int(self._stops[row])
        made = set(self._by_row[self._others[s:e]].tolist()) if e > s else set()
        return self._sets.setdefault(node_id, made)

    def __getitem__(self, node_id: str) -> set[str]:
        made = self._sets.get(node_id)
        if made is not None:
            return made
        row = self._row.get(node_id)
        if row is None or node_id in self._gone:
            raise KeyError(node_id)
        return self._made(node_id, row)

    def get(self, node_id: str, default: Any = None) -> Any:
        made = self._sets.get(node_id)
        if made is not None:
            return made
        row = self._row.get(node_id)
        if row is None or node_id in self._gone:
            return default
        return self._made(node_id, row)

    def count(self, node_id: str) -> int:
        """``len(self.get(node_id, ()))`` without making the set."""
        made = self._sets.get(node_id)
        if made is not None:
            return len(made)
        row = self._row.get(node_id)
        if row is None or node_id in self._gone:
            return 0
        return int(self._stops[row] - self._starts[row])

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._sets or (node_id in self._row and node_id not in self._gone)

    def __len__(self) -> int:
        return len(self._ids) - len(self._gone) + self._extra

    def __iter__(self) -> Iterator[str]:
        gone, row = self._gone, self._row
        if gone:
            yield from (i for i in self._ids if i not in gone)
        else:
            yield from self._ids
        if self._extra:
            yield from [i for i in self._sets if i not in row]

    # ----------------------------------------------------------------- changing
    def __setitem__(self, node_id: str, neighbours: set[str]) -> None:
        if node_id in self._row:
            self._gone.discard(node_id)
        elif node_id not in self._sets:
            self._extra += 1
        self._sets[node_id] = neighbours

    def __delitem__(self, node_id: str) -> None:
        if node_id in self._row:
            if node_id in self._gone:
                raise KeyError(node_id)
            self._gone.add(node_id)
            self._sets.pop(node_id, None)
        else:
            del self._sets[node_id]
            self._extra -= 1

    def copy(self) -> Adjacency:
        """A shallow copy, as ``dict.copy``: the same sets, the arrays shared (never changed)."""
        other = Adjacency.__new__(Adjacency)
        other._ids, other._by_row, other._row = self._ids, self._by_row, self._row
        other._starts, other._stops, other._others = self._starts, self._stops, self._others
        other._sets, other._gone, other._extra = dict(self._sets), set(self._gone), self._extra
        return other

    def deep_copy(self) -> Adjacency:
        """A copy with sets of its own (``Project.copy``)."""
        other = self.copy()
        other._sets = {i: set(s) for i, s in self._sets.items()}
        return other

    def __repr__(self) -> str:
        return f"<Adjacency of {len(self)} nodes ({len(self._sets)} sets made)>"
