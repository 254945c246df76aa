"""The import's fast paths (docs/performance.md, "Saving and importing, fifth session"): each
gives what the general path gives, value for value and message for message."""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import replace

import pytest

from socialmap import csvsafe
from socialmap.collection import collection_paused, collection_paused_in
from socialmap.interchange import merge
from socialmap.interchange.cells import parse_int, parse_number
from socialmap.interchange.limits import MAX_ID_CHARS, MAX_LABEL_CHARS
from socialmap.interchange.readers.csv_bundle import read_csv_bundle, write_csv_bundle
from socialmap.model import Node, Tie
from socialmap.model.dates import today
from tests.store.test_direct_write import _every_field_project


class _Text(str):
    """Text that is not exactly ``str``: the parsers take their general path for it."""


SPELLINGS = ["17", "007", " 17 ", "17.0", "17.5", "-3", "+5", "1e3", "1E-3", ".5", "5.", "1_000", "0", "-0",
             "nan", "NaN", "inf", "-Infinity", "1" * 15, "1" * 16, "9" * 30, "1" * 5000, "\u0661\u0662",
             "\u00b2", "\uff11", "£5", "£1,200.50", "-£3", "1,200", "3,5", "", "  ", "abc", "12abc", "0x10", "1 000"]


def _outcome(parse, value):
    try:
        return ("value", parse(value), type(parse(value)))
    except ValueError as exc:
        return ("refused", type(exc).__name__, str(exc))


@pytest.mark.parametrize("parse", [parse_number, parse_int], ids=["number", "whole number"])
@pytest.mark.parametrize("text", SPELLINGS)
def test_a_plain_cell_parses_as_the_general_path_parses_it(parse, text):
    assert _outcome(parse, text) == _outcome(parse, _Text(text))


def test_the_fast_paths_give_the_hand_computed_values():
    assert parse_int("017") == 17 and type(parse_int("017")) is int
    assert parse_number("1_000") == 1000.0 and parse_number(" -2.5 ") == -2.5
    assert parse_int("1" * 16) == 1111111111111111  # 16 digits: through float, exact below 2**53
    with pytest.raises(ValueError, match="is not a finite number"):
        parse_number("inf")
    with pytest.raises(ValueError, match="is not a whole number"):
        parse_int("\u00b2")


def test_a_row_without_apostrophes_is_kept_and_one_with_them_restored():
    row = ["yp1", "young_person", "Robin", "-2.5", "=not escaped"]
    assert csvsafe.restore_row(row) is row  # nothing to restore: the same list
    assert csvsafe.restore_row(["O'Brien", "'=1+1", "''=x", "'", "'quoted'"]) == [
        "O'Brien", "=1+1", "'=x", "'", "'quoted'"]


def _batch(nodes, ties=()):
    return merge.ImportBatch("in.csv", nodes=list(nodes), ties=list(ties))


def test_texts_too_long_are_still_found_among_short_ones():
    short = [Node(f"n{i}", "adult", f"Adult {i}") for i in range(1000)]
    long_label = Node("x", "adult", "L" * (MAX_LABEL_CHARS + 1))
    long_attr = Node("y", "adult", "ok", attrs={"note": "N" * 40_000})
    found = merge._too_long(_batch([*short, long_label, long_attr]))
    assert [(p.field, p.record) for p in found] == [("label", "node 'x'"), ("attribute 'note'", "node 'y'")]
    assert merge._too_long(_batch(short, [Tie("n1", "n2", "friend")])) == []
    far = "c" * (MAX_ID_CHARS + 1)
    found = merge._too_long(_batch(short, [Tie("n1", "n2", "friend", context=far)]))
    assert [(p.field, p.record) for p in found] == [("context", "tie 'n1'-'n2'")]
    # a value that is not text is judged by itself, as before
    odd = Node("z", "adult", "ok")
    odd.role = 17
    assert merge._too_long(_batch([*short, odd])) == []


def test_the_collector_is_paused_for_an_import_and_restored():
    seen = []

    @collection_paused_in
    def reading():
        seen.append(gc.isenabled())

    assert gc.isenabled()
    reading()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_every_field_of_nodes_and_ties_survives_the_bundle(tmp_path):
    """Contexts, strengths, dates and opportunity marks of ties, and every node field, after
    write_csv_bundle then read_csv_bundle (the bench's import stage, on a small project)."""
    project = _every_field_project()
    write_csv_bundle(project, tmp_path / "b")
    back, _warnings = read_csv_bundle(tmp_path / "b" / "nodes.csv", tmp_path / "b" / "ties.csv",
                                      tmp_path / "b" / "areas.geojson")
    assert back.ties == project.ties
    assert back.ties[("s2", "yp3")].since == dt.date(2025, 6, 1) and back.ties[("s2", "yp3")].opportunity is True
    assert {key for key, t in back.ties.items() if t.opportunity} == {("s1", "yp1"), ("s2", "yp3")}
    # a CSV cell is text: attributes come back as text, an empty one not at all
    assert back.nodes["yp1"].attrs == {"school": "Oak <b>High</b>", "n": "2", "scores": "[1, 2.5]"}
    # and a record without dates is dated on import: entered (or last changed) today
    now = today()
    assert {i: replace(n, attrs={}) for i, n in back.nodes.items()} == {
        i: replace(n, attrs={}, recorded=n.recorded or n.updated or now, updated=n.updated or now)
        for i, n in project.nodes.items()}
