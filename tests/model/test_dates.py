"""Dated records (issue 18): nodes' first-recorded and last-updated dates, ties' since/until,
ending a tie, and which ties are in force on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from socialmap.errors import InputError
from socialmap.model import Node, Tie, dates

D = dt.date


@pytest.fixture
def fixed_today(monkeypatch):
    day = {"value": D(2026, 3, 10)}
    monkeypatch.setattr(dates, "today", lambda: day["value"])
    return day


def test_a_new_node_is_dated_today(small_project, fixed_today):
    small_project.add_node(Node("yp9", "young_person", area_code="A1"))
    node = small_project.nodes["yp9"]
    assert (node.recorded, node.updated) == (D(2026, 3, 10), D(2026, 3, 10))


def test_a_node_given_its_dates_keeps_them(small_project, fixed_today):
    small_project.add_node(Node("yp9", "young_person", area_code="A1", recorded=D(2024, 1, 5), updated=D(2025, 2, 1)))
    node = small_project.nodes["yp9"]
    assert (node.recorded, node.updated) == (D(2024, 1, 5), D(2025, 2, 1))


def test_an_edit_stamps_updated_and_its_old_values_undo_it(small_project, fixed_today):
    small_project.add_node(Node("yp9", "young_person", area_code="A1", neet=False))
    fixed_today["value"] = D(2026, 5, 1)
    old = small_project.update_node("yp9", neet=True)
    node = small_project.nodes["yp9"]
    assert (node.recorded, node.updated) == (D(2026, 3, 10), D(2026, 5, 1))
    # the activity follows neet (issue 15), and comes back with the undo too
    assert old == {"neet": False, "activity": "eet", "updated": D(2026, 3, 10)}
    small_project.update_node("yp9", **old)  # undo
    assert (small_project.nodes["yp9"].neet, small_project.nodes["yp9"].updated) == (False, D(2026, 3, 10))
    assert small_project.nodes["yp9"].activity == "eet"


def test_an_edit_that_changes_nothing_does_not_stamp(small_project, fixed_today):
    small_project.add_node(Node("yp9", "young_person", area_code="A1", neet=False))
    fixed_today["value"] = D(2026, 5, 1)
    assert small_project.update_node("yp9", neet=False) == {"neet": False}
    assert small_project.nodes["yp9"].updated == D(2026, 3, 10)


def test_updated_before_recorded_is_refused(small_project):
    with pytest.raises(InputError, match="last updated 2024-01-01 is before first recorded 2025-01-01"):
        small_project.add_node(Node("yp9", "young_person", area_code="A1", recorded=D(2025, 1, 1),
                                    updated=D(2024, 1, 1)))


def test_a_tie_ending_before_it_starts_is_refused(small_project):
    with pytest.raises(InputError) as err:
        small_project.add_tie(Tie("yp1", "yp3", "peer", since=D(2025, 9, 1), until=D(2025, 8, 1)))
    assert err.value.problems[0].field == "until"
    assert "ends (2025-08-01) before it starts (2025-09-01)" in str(err.value)


def test_a_tie_date_must_be_a_date(small_project):
    with pytest.raises(InputError, match="'2025-09-01' is not a date"):
        small_project.add_tie(Tie("yp1", "yp3", "peer", since="2025-09-01"))


def test_ending_a_tie_keeps_it_with_its_end_date(small_project, fixed_today):
    old = small_project.end_tie("yp1", "yp2")
    tie = small_project.get_tie("yp1", "yp2")
    assert tie is not None and tie.until == D(2026, 3, 10)
    assert old == {"until": None}
    with pytest.raises(InputError, match="already ended on 2026-03-10"):
        small_project.end_tie("yp1", "yp2")
    with pytest.raises(InputError, match="provides tie"):
        small_project.end_tie("o1", "s1")


def test_in_force_on_a_date_boundaries(small_project):
    """since is inclusive, until exclusive: yp1-yp2 ends on 1 Sept 2025, so it holds on 31 Aug
    and not on 1 Sept; yp1-yp3 starts on 1 Sept, so it holds from that day."""
    small_project.update_tie("yp1", "yp2", until=D(2025, 9, 1))
    small_project.add_tie(Tie("yp1", "yp3", "peer", since=D(2025, 9, 1)))
    before = small_project.in_force(D(2025, 8, 31))
    on = small_project.in_force(D(2025, 9, 1))
    assert ("yp1", "yp2") in before.ties and ("yp1", "yp3") not in before.ties
    assert ("yp1", "yp2") not in on.ties and ("yp1", "yp3") in on.ties
    assert on.neighbours("yp1") == {"yp3", "s1"}
    assert len(on.ties) == len(small_project.ties) - 1 and on.as_of == D(2025, 9, 1)
    assert small_project.in_force(D(2025, 9, 1)) is on  # cached until the project changes


def test_without_dated_ties_the_project_is_its_own_view(small_project):
    assert small_project.in_force(D(2020, 1, 1)) is small_project


def test_in_force_defaults_to_today(small_project, fixed_today):
    small_project.end_tie("yp1", "yp2")  # ends today: already out of today's measures
    assert ("yp1", "yp2") not in small_project.in_force().ties
    assert ("yp1", "yp2") in small_project.in_force(D(2026, 3, 9)).ties
