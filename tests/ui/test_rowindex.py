"""The row of each id of a table (socialmap.ui.rowindex.RowIndex): the same entries as a dict
made the same way, whatever the order of rows made, added, moved and removed, in parts of a
bounded size."""

from __future__ import annotations

import random

import pytest

from socialmap.ui import rowindex
from socialmap.ui.rowindex import RowIndex


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(rowindex, "PART", 4)


def test_rows_in_parts_of_at_most_part(small_parts):
    keys = [f"yp{i}" for i in range(10)]
    index = RowIndex.of_rows(keys)
    assert index == {k: i for i, k in enumerate(keys)} and len(index) == 10
    assert [len(p) for p in index._parts] == [4, 4, 2]
    assert index.get("yp9") == 9 and index["yp0"] == 0 and "yp5" in index and "yp10" not in index
    assert index.get("nobody") is None and index.get("nobody", -1) == -1
    with pytest.raises(KeyError):
        index["nobody"]
    # rows made again from 3 on (rows were removed before them): each key keeps its one part
    index.set_rows(keys[4:], 3)
    assert index == {**{k: i for i, k in enumerate(keys[:4])}, **{k: i + 3 for i, k in enumerate(keys[4:])}}
    assert sum(k in p for p in index._parts for k in keys) == 10
    assert index.pop("yp2") == 2 and index.pop("yp2", None) is None and "yp2" not in index
    del index["yp3"]
    with pytest.raises(KeyError):
        del index["yp3"]
    index.set_rows(["new1", "new2", "new3"], 20)  # into the room the removals left, then a new part
    assert index["new1"] == 20 and index["new3"] == 22 and len(index) == 11
    assert all(len(p) <= 4 for p in index._parts)


def test_fresh_rows_fill_the_parts_in_order(small_parts):
    """Rows the caller knows are new (a table's rows made from the start): the same entries."""
    keys = [f"t{i}" for i in range(11)]
    index = RowIndex()
    for start in range(0, 11, 3):
        index.set_rows(keys[start:start + 3], start, fresh=True)
    assert index == {k: i for i, k in enumerate(keys)} and [len(p) for p in index._parts] == [4, 4, 3]


def test_a_key_given_twice_takes_its_last_row(small_parts):
    index = RowIndex.of_rows(["a", "b", "a"], 5)
    assert index == {"a": 7, "b": 6} and len(index) == 2


def test_the_same_as_a_dict_under_random_edits(small_parts):
    rng = random.Random(13)
    index, plain = RowIndex(), {}
    universe = [f"k{i}" for i in range(60)]
    for _ in range(600):
        op = rng.random()
        if op < 0.45:  # a step of rows (new keys, or keys made again)
            keys = rng.sample(universe, rng.randint(1, 9))
            start = rng.randint(0, 100)
            index.set_rows(keys, start)
            plain.update(zip(keys, range(start, start + len(keys)), strict=True))
        elif op < 0.7:
            key = rng.choice(universe)
            assert index.pop(key, None) == plain.pop(key, None)
        elif op < 0.85:
            key, row = rng.choice(universe), rng.randint(0, 100)
            index[key] = row
            plain[key] = row
        else:
            key = rng.choice(universe)
            assert (key in index) == (key in plain) and index.get(key) == plain.get(key)
        assert index == plain and plain == index and len(index) == len(plain)
        assert sorted(index) == sorted(plain)
        assert all(len(p) <= 4 for p in index._parts)
        assert sum(len(p) for p in index._parts) == len(set().union(*index._parts))  # one part each
