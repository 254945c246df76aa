"""Criticality ranking of every service and organisation (SPEC section 4)."""

from __future__ import annotations

import pytest

from socialmap.scenarios import Cancelled, Close, Decommission, evaluate, rank


def test_rank_on_the_town(town):
    """S = 0.5 (default).

    Services: s1 decommissioned: 2.5 newly isolated, 1.0 bridging lost
    (test_impact). s2: yp5 loses attends and mentor ad2 (s2's staff), peer
    yp4 @s2 with 0.5 -> 0.5 isolated; bridging 0.5 at each end = 1.0;
    linking 2; flags A2 (25 % bridging) and A3 (0.5 NEET). s3: touches nobody.
    Organisations: o1 closed: 3.5 isolated (test_impact); o3 closed: yp3's
    member tie only (linking 1); o2 closed: nobody. o2 and o3 tie on the
    first two keys; lost linking breaks it.
    """
    r = rank(town)
    assert r.services["id"].tolist() == ["s1", "s2", "s3"]
    assert r.services["newly_isolated"].tolist() == pytest.approx([2.5, 0.5, 0.0])
    assert r.services["lost_bridging"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert r.services["lost_linking"].tolist() == pytest.approx([4.0, 2.0, 0.0])
    assert r.services["flagged_areas"].tolist() == [2, 2, 0]
    assert r.services["label"].tolist() == ["Youth club", "Careers hub", "Newco hub"]
    assert r.organisations["id"].tolist() == ["o1", "o3", "o2"]
    assert r.organisations["newly_isolated"].tolist() == pytest.approx([3.5, 0.0, 0.0])
    assert r.organisations["lost_linking"].tolist() == pytest.approx([6.0, 1.0, 0.0])


def test_rank_rows_equal_single_scenarios(town):
    """Each row is the summary of the same single-change scenario."""
    r = rank(town)
    for row in r.services.to_dict("records"):
        one = evaluate(town, [Decommission(row["id"])]).summary
        assert row["newly_isolated"] == pytest.approx(one["newly_isolated"])
        assert row["lost_bridging"] == pytest.approx(one["lost_bridging"])
        assert row["flagged_areas"] == len(one["flagged_areas"])
    for row in r.organisations.to_dict("records"):
        one = evaluate(town, [Close(row["id"])]).summary
        assert row["newly_isolated_neet"] == pytest.approx(one["newly_isolated_neet"])
        assert row["lost_bonding"] == pytest.approx(one["lost_bonding"])


def test_rank_json_lists_every_service_and_organisation(town):
    doc = rank(town).to_json()
    assert [d["id"] for d in doc["services"]] == ["s1", "s2", "s3"]
    assert [d["id"] for d in doc["organisations"]] == ["o1", "o3", "o2"]
    assert set(doc["services"][0]) == {
        "id",
        "label",
        "newly_isolated",
        "newly_isolated_neet",
        "lost_bridging",
        "lost_linking",
        "lost_bonding",
        "flagged_areas",
    }


def test_rank_reports_progress_and_can_be_cancelled(town):
    seen = []
    rank(town, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        rank(town, cancelled=lambda: True)


def test_rank_json_has_exactly_the_spec_keys(town):
    assert set(rank(town).to_json()) == {"services", "organisations"}


def test_top_ten_order_across_context_survival_by_hand(town):
    """Town: decommissioning s1 isolates yp1 (1), yp2 (1 - S) and yp6 (1): 3 - S;
    s2 isolates yp5 with 1 - S; s3 nothing. Closing o1 takes most, o3 only yp3's
    membership (0 newly isolated, 1 linking), o2 nothing. Neither order depends
    on S, so both lists keep their order from S = 0.35 to 0.65."""
    from socialmap.scenarios import rank

    r = rank(town, stability=True)
    top = r.top_ten
    assert top.orders["services"] == {"central": ["s1", "s2", "s3"], "low": ["s1", "s2", "s3"],
                                      "high": ["s1", "s2", "s3"]}
    assert top.orders["organisations"]["low"] == ["o1", "o3", "o2"] == top.orders["organisations"]["high"]
    assert top.describe("services") == "Top 3 services: the same order for context survival 0.35 to 0.65."
    doc = r.to_json()
    assert set(doc) == {"services", "organisations", "top_ten"}
    assert doc["top_ten"]["services"]["same_order"] is True and doc["top_ten"]["low"] == 0.35
    assert rank(town).top_ten is None  # only when asked: three rankings' work


def test_top_ten_that_changes_order_says_so(sample_project):
    """Millbrook: at S = 0.35 svc20 moves above svc06 and svc02 in the services' top ten."""
    from socialmap.scenarios import rank

    top = rank(sample_project, stability=True).top_ten
    assert not top.same_order("services")
    assert top.orders["services"]["low"] != top.orders["services"]["central"]
    text = top.describe("services")
    assert text.startswith("Top ten services change order across context survival 0.35 to 0.65 (central 0.5: ")


def test_rank_rows_from_touched_areas_equal_rows_over_every_area(town):
    """The ranking's per-candidate path (areas the candidate touches only) gives the figures
    of the all-areas path, on the town and on every candidate of a synthetic city of 3,000."""
    from socialmap.bench import synthetic_city
    from socialmap.scenarios.impact import (
        FlagThresholds,
        _Applier,
        _areas_by_service,
        _candidate_row,
        _candidate_row_all_areas,
        scenario_base,
    )

    for project in (town, synthetic_city(3000)):
        base = scenario_base(project)
        th = FlagThresholds.of(project)
        knn = _areas_by_service(base)
        flagged = 0
        for v in base.ids:
            node = project.nodes[str(v)]
            if node.kind not in ("service", "organisation"):
                continue
            change = Decommission(node.id) if node.kind == "service" else Close(node.id)
            state = _Applier(base, [change]).run()
            fast = _candidate_row(base, state, 0.5, th, knn)
            full = _candidate_row_all_areas(base, state, 0.5, th)
            assert fast is not None
            assert fast["flagged_areas"] == full["flagged_areas"], node.id
            flagged += fast["flagged_areas"]
            for key in ("newly_isolated", "newly_isolated_neet", "lost_bridging", "lost_linking", "lost_bonding"):
                assert fast[key] == pytest.approx(full[key], abs=1e-9), (node.id, key)
        assert flagged > 0  # the comparison covered flagged areas


def test_stability_orders_are_the_rankings_at_the_ends_of_the_range(town):
    """With stability the change of each candidate is applied once for the three values of
    context survival; the low and high orders are those of rankings made at 0.35 and 0.65
    on their own, and the central ranking is the plain one."""
    from socialmap.scenarios.assumptions import ASSUMPTIONS

    a = ASSUMPTIONS["context_survival"]
    both = rank(town, stability=True)
    plain = rank(town)
    assert both.services["id"].tolist() == plain.services["id"].tolist()
    for setting, value in (("low", a.low), ("high", a.high)):
        alone = rank(town, context_survival=value)
        for table in ("services", "organisations"):
            assert both.top_ten.orders[table][setting] == getattr(alone, table)["id"].head(10).astype(str).tolist()


@pytest.mark.parametrize("survival", [0.0, 0.35, 0.5, 1.0])
def test_every_candidate_at_once_gives_each_candidates_own_figures(town, sample_project, survival):
    """The ranking's pass over every candidate at once (_all_candidates) gives, for each
    service decommissioned and each organisation closed, the figures of that candidate's own
    scenario (_candidate_rows over _Applier), at context survival 0, 1 and between, on the
    town, Millbrook and a synthetic city of 3,000 (whose areas are flagged in every way)."""
    from socialmap.bench import synthetic_city
    from socialmap.scenarios.impact import (
        FlagThresholds,
        _all_candidate_figures,
        _all_candidates,
        _Applier,
        _areas_by_service,
        _candidate_rows,
        scenario_base,
    )

    for project in (town, sample_project, synthetic_city(3000)):
        base = scenario_base(project)
        th = FlagThresholds.of(project)
        knn = _areas_by_service(base)
        everyone = _all_candidates(base, th, knn)
        figures = _all_candidate_figures(base, everyone, survival, th)
        rows = [dict(zip(figures, values, strict=True)) for values in zip(*figures.values(), strict=True)]
        assert len(rows) == sum(1 for n in project.nodes.values() if n.kind in ("service", "organisation"))
        for j, (pos, row) in enumerate(zip(everyone.nodes.tolist(), rows, strict=True)):
            node = project.nodes[str(base.ids[pos])]
            assert (node.kind == "service") == (j < everyone.n_services)
            change = Decommission(node.id) if node.kind == "service" else Close(node.id)
            own = _candidate_rows(base, _Applier(base, [change]).run(), (survival,), th, knn)[0]
            assert row["flagged_areas"] == own["flagged_areas"], node.id
            for key in ("newly_isolated", "newly_isolated_neet", "lost_bridging", "lost_linking", "lost_bonding"):
                assert row[key] == pytest.approx(own[key], abs=1e-9), (node.id, key)


def test_rank_by_hand_at_context_survival_one_and_zero(town):
    """By hand on the town (test_top_ten_order_across_context_survival_by_hand): decommissioning
    s1 isolates 3 - S young people, s2 1 - S; at S = 1 that is 2 and 0, at S = 0 it is 3 and 1."""
    for survival, s1, s2 in ((1.0, 2.0, 0.0), (0.0, 3.0, 1.0)):
        r = rank(town, context_survival=survival).services.set_index("id")
        assert r.loc["s1", "newly_isolated"] == pytest.approx(s1)
        assert r.loc["s2", "newly_isolated"] == pytest.approx(s2)
        assert r.loc["s3", "newly_isolated"] == 0.0


def test_the_rankings_grouping_helpers_by_hand():
    """_groups: the distinct values, a stable order grouping equal values, each group's start;
    _group_reduce: products and sums per group in the order given; _unique_first_of: the
    distinct keys of two lists and which are the first list's."""
    import numpy as np

    from socialmap.scenarios.impact import _group_reduce, _groups, _unique_first_of

    keys, order, starts = _groups(np.array([5, 3, 5, 1, 3]))
    assert keys.tolist() == [1, 3, 5] and order.tolist() == [3, 1, 4, 0, 2] and starts.tolist() == [0, 1, 3]
    values = np.array([0.5, 0.2, 0.4, 0.9, 0.3])
    assert _group_reduce(np.multiply, values, order, starts).tolist() == [0.9, 0.2 * 0.3, 0.5 * 0.4]
    assert _group_reduce(np.add, values, order, starts).tolist() == [0.9, 0.2 + 0.3, 0.5 + 0.4]
    assert _group_reduce(np.add, np.zeros(0), *_groups(np.zeros(0, np.int64))[1:]).tolist() == []
    keys, first = _unique_first_of(np.array([2, 5]), np.array([5, 1, 2, 7]))
    assert keys.tolist() == [1, 2, 5, 7] and first.tolist() == [False, True, True, False]


def test_the_ranking_made_in_pieces_of_candidates_is_the_ranking_made_at_once(sample_project, monkeypatch):
    """Candidates taken 7 at a time (pieces that cut between services and organisations, and
    between an organisation and the services its closure removes) give the same two tables, row
    for row, as all of them at once, on Millbrook and a synthetic city of 3,000."""
    from socialmap.bench import synthetic_city
    from socialmap.scenarios import impact

    for project in (sample_project, synthetic_city(3000)):
        monkeypatch.setattr(impact, "RANK_PIECE", 10**9)
        whole = rank(project, stability=True)
        monkeypatch.setattr(impact, "RANK_PIECE", 7)
        pieces = rank(project, stability=True)
        assert len(pieces.services) > 7 and len(pieces.organisations) > 7
        assert pieces.services.equals(whole.services) and pieces.organisations.equals(whole.organisations)
        assert pieces.top_ten == whole.top_ten


def test_the_ranked_order_by_hand():
    """Most newly isolated first, then most lost bridging, then most lost linking, each to 9
    decimals (1e-12 apart is a tie), then the id (code point order: 'B' before 'a'); the
    columns keep their types."""
    from socialmap.scenarios.impact import RANK_FIGURES, _rank_table, _ranked

    table = _rank_table()
    rows = [("a", 1.0, 2.0, 0.0), ("b", 1.0, 2.0, 1.0), ("c", 1.0 + 1e-12, 2.0, 0.0), ("B", 1.0, 2.0, 0.0),
            ("d", 3.0, 0.0, 0.0), ("e", 1.0, 5.0, 0.0), ("f", 0.0, 0.0, 0.0)]
    for ident, newly, bridging, linking in rows:
        table["id"].append(ident)
        table["label"].append(f"<{ident}>")
        for name, value in zip(RANK_FIGURES, (newly, 0.0, bridging, linking, 0.0, 2), strict=True):
            table[name].append(value)
    ranked = _ranked(table)
    assert ranked["id"].tolist() == ["d", "e", "b", "B", "a", "c", "f"]
    assert ranked["label"].tolist() == [f"<{i}>" for i in ranked["id"]]
    assert ranked["flagged_areas"].dtype == "int64" and ranked["newly_isolated"].dtype == "float64"
    empty = _ranked(_rank_table())
    assert empty.empty and list(empty.columns) == list(ranked.columns)
    assert empty.dtypes.to_dict() == ranked.dtypes.to_dict()  # (an empty table is not all floats)


def test_ids_that_differ_only_by_a_trailing_nul_are_ordered_as_strings():
    """'a' sorts before 'a\\0' before 'a\\0b', as Python orders them, whatever the longest id is
    (fixed-width numpy strings take a trailing NUL for padding: 'a' and 'a\\0' would tie)."""
    from socialmap.scenarios.impact import RANK_FIGURES, _rank_table, _ranked

    table = _rank_table()
    for ident in ("a\0b", "a\0", "a", "x" * 1000, "A"):
        table["id"].append(ident)
        table["label"].append(ident)
        for name in RANK_FIGURES:
            table[name].append(0 if name == "flagged_areas" else 1.0)
    assert _ranked(table)["id"].tolist() == ["A", "a", "a\0", "a\0b", "x" * 1000]


def test_a_project_with_no_organisations_ranks_its_services_and_an_empty_typed_table(sample_project):
    from socialmap.model import ORGANISATION

    project = sample_project.copy()
    for node in [n for n in project.nodes.values() if n.kind == ORGANISATION]:
        project.remove_node(node.id)
    result = rank(project)
    assert result.organisations.empty and not result.services.empty
    assert result.organisations.dtypes.to_dict() == result.services.dtypes.to_dict()
    assert result.to_json()["organisations"] == []
