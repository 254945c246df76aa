"""Taking turns with Python's lock (socialmap.turns): a thread waiting for the lock runs at each
:func:`let_others_run`, and the long bulk passes of opening a city call it between their pieces
(Project.build's keys and adjacency, the views' indexes, the ties' read)."""

from __future__ import annotations

import threading

from socialmap import turns


def test_a_waiting_thread_runs_at_each_turn():
    """The other thread counts while it holds the lock; this one lets it go at let_others_run,
    and the count moves on at its turns. (Not at every one: on a busy machine the other thread
    may not be running when the lock is let go; the bound leaves room for that.)"""
    counts = [0]
    stop = threading.Event()
    started = threading.Event()

    def count() -> None:
        started.set()
        while not stop.is_set():
            counts[0] += 1

    other = threading.Thread(target=count, daemon=True)
    other.start()
    started.wait(5)
    moved = 0
    try:
        for _ in range(200):
            before = counts[0]
            turns.let_others_run()
            moved += counts[0] != before
    finally:
        stop.set()
        other.join(5)
    assert moved >= 20


def _counting(monkeypatch, *modules) -> list[int]:
    calls = [0]

    def counted() -> None:
        calls[0] += 1

    for module in modules:
        monkeypatch.setattr(module, "let_others_run", counted)
    return calls


def test_the_build_over_columns_takes_turns_between_its_pieces(monkeypatch):
    """A city's build over the loader's columns in pieces of 50: a turn per piece of keys (the
    neighbours are arrays, their sets made when asked for: no pieces), and the same project as
    without turns."""
    from socialmap.bench import synthetic_city
    from socialmap.model import project as project_module
    from tests.model.test_build_tie_columns import _both, _records, _same_project

    city = synthetic_city(300)
    areas, nodes, ties = _records(city)
    _, plain = _both(areas, nodes, ties)
    monkeypatch.setattr(project_module, "BULK_PIECE", 50)
    calls = _counting(monkeypatch, project_module)
    _, taken = _both(areas, nodes, ties)
    key_pieces = -(-len(city.ties) // 50)
    assert calls[0] == key_pieces
    _same_project(plain, taken)


def test_the_views_indexes_take_turns(monkeypatch):
    """The tie table's keys in pieces of 100 over a city's ties: a turn after each."""
    from socialmap.bench import synthetic_city
    from socialmap.ui import indexes

    city = synthetic_city(300)
    monkeypatch.setattr(indexes, "PIECE", 100)
    calls = _counting(monkeypatch, indexes)
    keys = indexes.tie_ids(city)
    assert calls[0] == -(-len(city.ties) // 100)  # a turn after each piece
    assert keys == list(city.ties)


def test_positions_are_made_in_pieces_with_a_turn_after_each(monkeypatch):
    """Positions of 7 ids in pieces of 3: three pieces, a turn after each; an id given twice
    keeps its last position, as one dict(zip(...)) does."""
    calls = _counting(monkeypatch, turns)
    ids = ["a", "b", "c", "d", "b", "e", "f"]
    assert turns.positions(ids, 3) == dict(zip(ids, range(len(ids)), strict=True))
    assert turns.positions(ids, 3)["b"] == 4
    assert calls[0] == 6
    assert turns.positions([], 3) == {} and calls[0] == 6
    own = []
    turns.positions(ids, 5, between=lambda: own.append(1))
    assert own == [1, 1] and calls[0] == 6  # the given turn, not the default


def test_the_graph_arrays_index_gives_way_between_pieces(monkeypatch):
    """The graph arrays' id index goes through give_way (a window's job pauses there)."""
    from socialmap.analysis import arrays

    monkeypatch.setattr(arrays, "PIECE", 2)
    seen = []
    monkeypatch.setattr(arrays, "give_way", lambda: seen.append(1))
    assert arrays._index(["x", "y", "z"]) == {"x": 0, "y": 1, "z": 2}
    assert len(seen) == 2


def test_reading_a_files_ties_takes_turns(monkeypatch, tmp_path):
    """A saved city read in pieces of 200 ties (and nodes): a turn after each piece read and each
    piece made into records, and the same project as one read without turns."""
    from socialmap.bench import synthetic_city
    from socialmap.store import gpkg, load_project, nodecolumns, save_project

    city = synthetic_city(300)
    path = tmp_path / "city.gpkg"
    save_project(city, path)
    plain = load_project(path)
    monkeypatch.setattr(gpkg, "TIES_PER_READ", 200)
    calls = _counting(monkeypatch, gpkg, nodecolumns)  # (the nodes' dense fields: nodecolumns)
    again = load_project(path)
    ties = -(-len(city.ties) // 200)
    nodes = -(-len(city.nodes) // 200)
    assert calls[0] >= 2 * ties + nodes
    assert list(again.ties.items()) == list(plain.ties.items()) and again.adjacency == plain.adjacency
