"""Finding areas, organisations, services and people by name or id (the map's search box).

:class:`SearchIndex` holds, for one version of a project, every area and node as one
lower-case text (``" label\\x1fid"``) in a list, with dictionaries from the exact id and
label to their entries and the labels sorted for prefix look-ups. A query is answered in
tiers, best first:

1. the id, exactly (any case);
2. the label, exactly;
3. labels that start with the query (a binary search in the sorted labels: areas and places
   first, then people);
4. labels with a word that starts with the query (``"sam"`` finds ``"Jo Sam"``);
5. labels or ids that contain it.

Tiers 4 and 5 are one pass of ``in`` over the texts (a C string search per entry: about
10 ms for 125,000 entries) when the query is common, else ``str.find`` from one
occurrence to the next in all the texts joined (a few milliseconds); typing on narrows the previous query's matches instead of
searching everything again. Each hit says its kind and its area (a young person's home
area, a place's area) so that two people called Sam are told apart.

The index is a cache: it is made for ``project.version`` and :meth:`SearchIndex.current`
says whether it still is.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from socialmap.model.kinds import ADULT, ORGANISATION, SERVICE, YOUNG_PERSON

#: How each kind is named to users.
KIND_TITLES = {"area": "Area", ORGANISATION: "Organisation", SERVICE: "Service", YOUNG_PERSON: "Young person",
               ADULT: "Adult", "postcode": "Postcode"}
#: Within a tier, areas and places come before people.
_KIND_ORDER = {"area": 0, ORGANISATION: 1, SERVICE: 2, YOUNG_PERSON: 3, ADULT: 4}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: what it is (``kind``: ``area``, a node kind or ``postcode``), its id, label
    and area name (``""`` when it has none); a postcode carries its point."""

    kind: str
    ident: str
    label: str
    area: str = ""
    lat: float | None = None
    lon: float | None = None

    def text(self) -> str:
        """The hit as one line of the results list: ``Sam - Young person, Hulme (yp12)``."""
        where = f", {self.area}" if self.area else ""
        ident = "" if self.kind == "postcode" or self.ident == self.label else f" ({self.ident})"
        return f"{self.label or self.ident} \u2013 {KIND_TITLES.get(self.kind, self.kind)}{where}{ident}"


class _Picked:
    """Entries picked in tiers, best first, each once, up to ``limit`` (:meth:`SearchIndex.search`,
    :meth:`ChoiceIndex.match`)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: list[int] = []
        self.seen: set[int] = set()

    def take(self, rows) -> bool:
        """Take each of ``rows`` not taken yet, in order; whether ``limit`` is reached."""
        for k in rows:
            if k not in self.seen:
                self.seen.add(k)
                self.rows.append(k)
                if len(self.rows) >= self.limit:
                    return True
        return False


class SearchIndex:
    """Every area and node of ``project`` by label and id (see the module text)."""

    def __init__(self, project) -> None:
        self.version = project.version
        self._project = project
        kinds: list[str] = []
        ids: list[str] = []
        labels: list[str] = []
        areas: list[str] = []
        names = {code: (a.name or code) for code, a in project.areas.items()}
        for code, area in project.areas.items():
            kinds.append("area")
            ids.append(code)
            labels.append(area.name or "")
            areas.append("")
        for node in project.nodes.values():
            kinds.append(node.kind)
            ids.append(node.id)
            labels.append(node.label or "")
            areas.append(names.get(node.area_code, node.area_code or "") if node.area_code else "")
        self.kinds, self.ids, self.labels, self.areas = kinds, ids, labels, areas
        lower = [s.lower() for s in labels]
        self._labels = [" " + lab for lab in lower]  # a word of the label starts after a space
        self._texts = [f" {lab}\x1f{i.lower()}".replace("\n", " ") for lab, i in zip(lower, ids, strict=True)]
        # every text in one string, for finding a rare needle with str.find (C) instead of an
        # `in` per entry
        self._blob = "\n".join(self._texts)
        self._starts: list[int] = []
        at = 0
        for t in self._texts:
            self._starts.append(at)
            at += len(t) + 1
        self._by_id: dict[str, list[int]] = {}
        for k, i in enumerate(ids):
            self._by_id.setdefault(i.lower(), []).append(k)
        self._by_label: dict[str, list[int]] = {}
        for k, lab in enumerate(lower):
            if lab:
                self._by_label.setdefault(lab, []).append(k)
        # a thousand young people called Sami: their order made once, not at each keystroke
        for rows in self._by_label.values():
            if len(rows) > 1:
                rows.sort(key=self._order_key)
        # areas and places, then people, each sorted by label: "st" finds St Mary's Hall
        # before the young people called Stacey
        people = {YOUNG_PERSON, ADULT}
        self._sorted = []
        for group in (False, True):
            order = sorted((k for k in range(len(lower)) if (kinds[k] in people) is group), key=lower.__getitem__)
            self._sorted.append(([lower[k] for k in order], order))
        self._last: tuple[str, list[int]] | None = None

    def _order_key(self, k: int) -> tuple:
        return (_KIND_ORDER.get(self.kinds[k], 9), self.labels[k].lower(), self.ids[k])

    def __len__(self) -> int:
        return len(self.ids)

    def current(self, project) -> bool:
        """Whether the index was made from ``project`` as it is now."""
        return project is self._project and project.version == self.version

    def hit(self, k: int) -> SearchHit:
        return SearchHit(self.kinds[k], self.ids[k], self.labels[k], self.areas[k])

    def _contains(self, needle: str) -> list[int]:
        """Entries whose text contains ``needle``, narrowing the last query's when it is a start of it."""
        last = self._last
        texts = self._texts
        if last is not None and last[0] and needle.startswith(last[0]) and len(last[1]) < len(texts) // 4:
            found = [k for k in last[1] if needle in texts[k]]
        elif self._blob.count(needle) > len(texts) // 50:  # common: one `in` per entry
            found = [k for k, t in enumerate(texts) if needle in t]
        else:  # rare: jump from one occurrence to the next entry's start
            blob, starts, n = self._blob, self._starts, len(texts)
            found = []
            pos = blob.find(needle)
            while pos != -1:
                k = bisect.bisect_right(starts, pos) - 1
                found.append(k)
                pos = blob.find(needle, starts[k + 1]) if k + 1 < n else -1
        self._last = (needle, found)
        return found

    def search(self, query: str, limit: int = 12) -> list[SearchHit]:
        """The best ``limit`` entries for ``query`` (tiers of the module text; blank -> none)."""
        q = " ".join(str(query).split()).lower()
        if not q:
            return []
        picked = _Picked(limit)
        seen = picked.seen

        def take(rows, ordered: bool = False) -> bool:
            return picked.take(rows if ordered else sorted(rows, key=self._order_key))

        if take(self._by_id.get(q, ())) or take(self._by_label.get(q, ()), ordered=True):
            return [self.hit(k) for k in picked.rows]
        for sorted_labels, rows in self._sorted:
            start = bisect.bisect_left(sorted_labels, q)
            prefix = []
            for j in range(start, min(start + limit, len(sorted_labels))):
                if not sorted_labels[j].startswith(q):
                    break
                prefix.append(rows[j])
            if take(prefix, ordered=True):
                return [self.hit(k) for k in picked.rows]
        found = self._contains(q)
        spaced = " " + q
        labels = self._labels
        words = []
        parts = []
        for k in found:
            if spaced in labels[k]:
                if k not in seen:
                    words.append(k)
                    if len(words) >= limit:
                        break
            elif len(parts) < 4 * limit and k not in seen:
                parts.append(k)
        if not take(words):
            take(parts[: 4 * limit])
        return [self.hit(k) for k in picked.rows]


class ChoiceIndex:
    """Texts to pick from by typing (the interview's and Add tie's type-ahead): each text with
    the label and the id it stands for, matched in the map search's tiers, best first: the id
    exactly (any case), labels that start with what is typed, labels with a word that starts
    with it (``"youth"`` finds ``"Millbrook Youth Club"``), then labels or ids that contain it.
    Within a tier, texts come in the order of their labels, ignoring case (two of one label in
    the order of their texts: by kind, then area).

    The labels' starts are found by a binary search; the rest by ``str.find`` over every label
    and id joined into one string (a few milliseconds for 125,000 of them), stopped once
    ``4 * limit`` are found (the words among them first)."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        """``entries``: each text -> (label, id)."""
        texts = list(entries)
        folded = [label.casefold() for label, _ in entries.values()]
        order = sorted(range(len(texts)), key=lambda k: (folded[k], texts[k].casefold()))  # by label, then text
        self.texts = [texts[k] for k in order]
        self._labels = [folded[k] for k in order]  # sorted
        ids = [ident.casefold() for _, ident in entries.values()]
        ids = [ids[k] for k in order]
        self._ids = dict(zip(ids, range(len(ids)), strict=True))  # (a node's id is one text's)
        lines = list(map("{}\x1f{}\n".format, self._labels, ids))
        self._blob = "".join(lines)
        self._starts = [0, *itertools.accumulate(map(len, lines))]  # where each text's line starts

    def __len__(self) -> int:
        return len(self.texts)

    def match(self, typed: str, limit: int) -> list[str]:
        """The best ``limit`` texts for ``typed`` (none for a blank)."""
        q = " ".join(str(typed).replace("\x1f", " ").split()).casefold()
        if not q or limit <= 0:
            return []
        picked = _Picked(limit)
        take, seen = picked.take, picked.seen
        labels = self._labels
        start = bisect.bisect_left(labels, q)
        end = start
        while end < len(labels) and end - start < limit and labels[end].startswith(q):
            end += 1
        exact = self._ids.get(q)
        if take(() if exact is None else (exact,)) or take(range(start, end)):
            return [self.texts[k] for k in picked.rows]
        words, parts = [], []
        blob, starts, at, hits = self._blob, self._starts, 0, 0
        while len(words) < limit and hits < 4 * limit:  # (enough to choose from)
            at = blob.find(q, at)
            if at < 0:
                break
            k = bisect.bisect_right(starts, at) - 1
            at = starts[k + 1]  # the next text's start: one hit per text
            hits += 1
            if k in seen:
                continue
            if (" " + q) in labels[k]:
                words.append(k)
            elif len(parts) < limit:
                parts.append(k)
        take(words) or take(parts)
        return [self.texts[k] for k in picked.rows]
