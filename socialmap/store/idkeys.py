"""Tie ends matched to node ids as fixed-width byte keys with numpy, not a dict look-up per end.

A project file's ties name their ends by node id (text). Reading a city's 391,000 ties, making
a Python string of each of the 782,000 ends and looking each up in a dict of the 125,000 ids
took 0.6 s of CPU (docs/performance.md, "Reading the ties, sixth session"). Here the ids and the
ends are UTF-8 bytes instead: each is a key of ``width`` bytes (the bytes, padded with NULs),
read as big-endian 64-bit words; the keys of the ids are hashed to one word, sorted once, and
each end's key is found with :func:`numpy.searchsorted` and then compared word for word. Equal
keys are equal ids exactly when no id holds a NUL (then the padding is unambiguous), which
:meth:`IdKeys.of` and :meth:`IdKeys.rows` check, returning ``None`` (the caller looks up one by
one) when it does not hold.

This is the look-up of :func:`socialmap.store.gpkg._rows_of`, value for value: an end's row is
the row of the id equal to it (the last, for an id given twice), -1 when no id is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from socialmap.turns import let_others_run

#: What the ends of a piece are joined with (SQLite's group_concat separator, the ASCII unit
#: separator): an id or end that holds it splits into too many parts, which is checked.
SEPARATOR = b"\x1f"
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Ids made into keys per C-level call (a million ids joined, encoded and split at once held
#: Python's lock for a tenth of a second and more, and the window's UI thread waited for it).
IDS_PER_PIECE = 65_536  # 2^64 / golden ratio (Knuth's multiplicative hashing)


def _hashes(words: np.ndarray) -> np.ndarray:
    """One 64-bit word per key: the key itself when it is one word, else its words folded by
    multiplicative hashing (collisions are found and handled by the callers)."""
    h = words[:, 0].copy()
    for j in range(1, words.shape[1]):
        h ^= h >> np.uint64(29)
        h *= _MIX
        h ^= words[:, j]
    return h


def _words(keys: np.ndarray, width: int) -> np.ndarray:
    """``keys`` (a numpy bytes array) as keys of ``width`` bytes (NUL-padded; longer ones cut),
    one row of big-endian 64-bit words each."""
    return keys.astype(f"S{width}").view(">u8").reshape(len(keys), width // 8)


class IdKeys:
    """The node ids as sorted keys (:meth:`of`), to find the row of each of many ends (:meth:`rows`)."""

    def __init__(self, hashes: np.ndarray, rows: np.ndarray, words: np.ndarray, longest: int) -> None:
        self._hashes = hashes  # sorted; equal hashes are equal ids, in row order
        self._rows = rows  # the row in the ids given of each sorted key
        self._words = words  # each sorted key's words
        self._longest = longest  # the longest id's length in bytes
        self.width = words.shape[1] * 8

    @classmethod
    def of(cls, node_ids: Sequence) -> IdKeys | None:
        """The keys of the ids that are strings among ``node_ids`` (their rows as given), or
        ``None`` when they cannot be keys exactly: an id that holds a NUL or the separator,
        one that is not UTF-8 (a lone surrogate), no ids, or two different long ids whose
        hashes are equal."""
        if set(map(type, node_ids)) <= {str}:
            ids, rows = node_ids, np.arange(len(node_ids), dtype=np.int64)
        else:
            rows = np.array([n for n, i in enumerate(node_ids) if type(i) is str], np.int64)
            ids = [node_ids[n] for n in rows.tolist()]
        if not ids:
            return None
        pieces = []  # each piece's keys as numpy bytes (each C call over IDS_PER_PIECE ids at most)
        for start in range(0, len(ids), IDS_PER_PIECE):
            piece = ids[start:start + IDS_PER_PIECE]
            try:
                joined = SEPARATOR.decode().join(piece).encode("utf-8")
            except UnicodeEncodeError:
                return None
            parts = joined.split(SEPARATOR)
            if b"\0" in joined or len(parts) != len(piece):
                return None
            pieces.append(np.array(parts, dtype="S"))  # (as wide as the piece's longest id)
            let_others_run()
        longest = max(keys.itemsize for keys in pieces)
        width = max(8, -(-longest // 8) * 8)
        words = np.concatenate([_words(keys, width) for keys in pieces])
        hashes = _hashes(words)
        order = np.argsort(hashes, kind="stable")  # an id given twice: its rows in order
        hashes, words = hashes[order], words[order]
        same = np.flatnonzero(hashes[1:] == hashes[:-1])
        if width > 8 and len(same) and not (words[same] == words[same + 1]).all():
            return None  # two different ids with one hash: cannot tell their ends apart here
        return cls(hashes, rows[order], words, longest)

    def rows(self, joined: bytes, n: int) -> np.ndarray | None:
        """The row of each of the ``n`` ends joined by :data:`SEPARATOR` in ``joined`` (their
        UTF-8 bytes), -1 for an end that is no id; ``None`` when ``joined`` does not split into
        ``n`` ends or holds a NUL (then the ends cannot be keys exactly).

        The ends' keys are cut out of ``joined`` by numpy (no Python object per end), and
        sorted before they are looked up (each search then starts near the last: 2.5 times
        faster for a piece of a city's ends)."""
        if n == 0:
            return np.zeros(0, np.int64)
        words, lengths = _joined_words(joined, n, self.width)
        if words is None:
            return None
        hashes = _hashes(words)
        order = np.argsort(hashes)
        at = np.empty(n, np.int64)
        at[order] = np.searchsorted(self._hashes, hashes[order], side="right")
        at -= 1  # (the last of equal keys: an id given twice)
        found = at >= 0
        np.maximum(at, 0, out=at)
        found &= self._hashes[at] == hashes
        if self.width > 8:
            found &= (self._words[at] == words).all(axis=1)
        found &= lengths <= self._longest  # (a longer end's key was cut)
        return np.where(found, self._rows[at], -1)


def _joined_words(joined: bytes, n: int, width: int) -> tuple[np.ndarray | None, np.ndarray]:
    """The keys of the ``n`` parts of ``joined`` split at :data:`SEPARATOR` (as :func:`_words`
    makes them, each cut at ``width`` bytes) and each part's length in bytes; ``(None, ...)``
    when ``joined`` has not ``n`` parts or holds a NUL."""
    raw = np.frombuffer(joined, np.uint8)
    cuts = np.flatnonzero(raw == SEPARATOR[0])
    if len(cuts) != n - 1 or not raw.all():
        return None, np.zeros(0, np.int64)
    starts = np.empty(n, np.int64)
    starts[0] = 0
    starts[1:] = cuts + 1
    lengths = np.empty(n, np.int64)
    lengths[:-1] = cuts - starts[:-1]
    lengths[-1] = len(raw) - starts[-1]
    column = np.arange(width, dtype=np.int64)
    at = starts[:, None] + column
    if len(raw):
        np.minimum(at, len(raw) - 1, out=at)
        keys = np.where(column < lengths[:, None], raw[at], np.uint8(0))
    else:  # one empty end
        keys = np.zeros((n, width), np.uint8)
    return keys.view(">u8"), lengths
