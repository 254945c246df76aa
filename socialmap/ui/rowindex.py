"""The row of each id of a table, kept in dicts of a bounded size.

A table's row of each id (``socialmap.ui.models``) is made in steps while the window is idle.
Made as one dict, it grew by doubling, and its last growth, a copy of 350,000 entries of a
city's ties into a new table, held the UI thread 35-66 ms in one step against 2-3 ms for the
others. Here no part holds more than :data:`PART` entries, so no step copies more than that;
a look-up asks each part in turn (a city's ties: six).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from itertools import chain, islice
from typing import Any

#: Most entries in one part (a part's last growth copies two thirds of that: 3-8 ms).
PART = 1 << 16

_MISSING = object()


class RowIndex(MutableMapping):
    """A mapping of id -> row, as a dict of them would be (equal to one with the same entries),
    whose entries are spread over dicts of at most :data:`PART` each (see the module text).
    Each id is in one part only."""

    __slots__ = ("_parts",)

    def __init__(self, pairs: Iterable[tuple[Any, int]] = ()) -> None:
        self._parts: list[dict[Any, int]] = [{}]
        self.update(pairs)

    @classmethod
    def of_rows(cls, keys: list[Any], start: int = 0) -> RowIndex:
        """``keys[i]`` at row ``start + i``."""
        out = cls()
        out.set_rows(keys, start)
        return out

    def set_rows(self, keys: list[Any], start: int, *, fresh: bool = False) -> None:
        """Give ``keys[i]`` the row ``start + i``, as ``dict.update(zip(keys, range(start,
        ...)))`` would (a key given twice: its last row). Keys already here keep their part;
        the new ones fill the last part, then new parts. ``fresh``: the caller knows that
        none of ``keys`` is here and none is given twice (no look-up in every part first:
        a city's ties, 1.1 ms a step of 5,000 against 4.6)."""
        if not keys:
            return
        if fresh:
            pairs = zip(keys, range(start, start + len(keys)), strict=True)
            left = len(keys)
        else:
            rows = dict(zip(keys, range(start, start + len(keys)), strict=True))
            for part in self._parts:
                if len(part):
                    held = list(filter(part.__contains__, rows))  # (one C-level pass a part)
                    if held:
                        part.update(zip(held, map(rows.pop, held), strict=True))
            pairs, left = iter(rows.items()), len(rows)
        while left:
            last = self._parts[-1]
            room = PART - len(last)
            if room <= 0:
                self._parts.append({})
                continue
            take = min(room, left)
            last.update(islice(pairs, take))
            left -= take

    # ------------------------------------------------------------- the mapping
    def get(self, key: Any, default: Any = None) -> Any:
        for part in self._parts:
            row = part.get(key, _MISSING)
            if row is not _MISSING:
                return row
        return default

    def __getitem__(self, key: Any) -> int:
        row = self.get(key, _MISSING)
        if row is _MISSING:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self._parts)

    def __setitem__(self, key: Any, row: int) -> None:
        for part in self._parts:
            if key in part:
                part[key] = row
                return
        self.set_rows([key], row)

    def __delitem__(self, key: Any) -> None:
        for part in self._parts:
            if key in part:
                del part[key]
                return
        raise KeyError(key)

    def pop(self, key: Any, *default: Any) -> Any:
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        for part in self._parts:
            row = part.pop(key, _MISSING)
            if row is not _MISSING:
                return row
        if default:
            return default[0]
        raise KeyError(key)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        pairs = list(other.items() if hasattr(other, "items") else other) + list(kwargs.items())
        for key, row in pairs:
            self[key] = row

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(self._parts)

    def __len__(self) -> int:
        return sum(map(len, self._parts))

    def __repr__(self) -> str:
        return f"RowIndex({dict(self.items())!r})"
