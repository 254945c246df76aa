"""Rows of ties typed or pasted (issue 16, socialmap.model.tie_entry): split, ends found by id or
unique label, each row checked with its row, field and reason."""

from __future__ import annotations

import doctest

import socialmap.model.tie_entry as tie_entry
from socialmap.model import Node
from socialmap.model.tie_entry import check_rows, split_rows, valid_types


def test_the_docstring_examples_hold():
    assert doctest.testmod(tie_entry).failed == 0


def test_valid_types_follow_the_model_rules():
    assert valid_types("organisation", "service") == ["provides", "partner", "refers", "supplies"]
    assert valid_types("young_person", "organisation") == ["member"]
    assert valid_types("service", "service") == ["partner", "refers", "supplies"]


def test_a_pasted_block_with_titles_and_windows_line_ends():
    assert split_rows("from\tto\ttype\r\nyp1\typ3\tpeer\r\n\r\n") == [["yp1", "yp3", "peer"]]
    assert split_rows("yp1\typ3") == [["yp1", "yp3"]]  # not a header: no 'type'


def test_a_label_two_nodes_have_needs_the_id(small_project):
    small_project.add_node(Node("yp4", "young_person", "Sam", area_code="A2"))
    checked = check_rows(small_project, [["Kai", "Sam", "friend"], ["yp3", "yp4", "friend", "", "o2"],
                                         ["yp3", "yp4", "friend", "", "Jo"], ["yp3", "yp4", "friend", "1", "", "x"]])
    assert [c.message() for c in checked] == [
        "row 1, target: 2 nodes are called 'Sam' (yp2 (A1), yp4 (A2)): give the id",
        "row 2, context: no node 'o2' (give an id or a label)",
        "row 3, context: 'Jo' is an adult, not a service or organisation",
        "row 4: 6 cells; a row is source, target, type, strength, context",
    ]
