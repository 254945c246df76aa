"""The attacker's tests (issue 10): take only what a human-facing output publishes and try to
recover a suppressed count of 1..4 young people. Every attempt must fail.

The attacks are written independently of the protection in :mod:`socialmap.disclosure`: they
solve for the withheld cells by exhaustive enumeration or integer programming
(``scipy.optimize.milp``) from the published figures and the rules any reader can deduce (a
count is at least 0, NEET isolated <= NEET <= young people, the column totals), not from the
protection's own arithmetic.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from socialmap.analysis import analyse, area_isolation, hotspots, public_hotspots
from socialmap.disclosure import (
    SMALL,
    WITHHELD,
    gi_bin,
    protect_areas,
    protect_reach,
    public_area_table,
    public_rates,
    public_totals,
)

COUNTS = ("young_people", "neet", "isolated", "neet_isolated", "neet_with_opportunity")


@pytest.fixture(scope="module")
def sample():
    from socialmap.store import load_project

    return load_project("sample_data/sample.gpkg")


# --------------------------------------------------------------------------- what is published

def published_area_table(areas: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The area table and totals exactly as the human-facing outputs show them."""
    disclosure = protect_areas(areas)
    return public_area_table(areas, disclosure=disclosure), public_totals(areas, disclosure)


def published_gi_classes(project, areas: pd.DataFrame) -> list:
    """The Gi bins people are shown for an area table (the pipeline of public_hotspots, run on the
    table given, so that the attacker can try other values of the withheld counts)."""
    disclosure = protect_areas(areas)
    result = hotspots(project, rates=public_rates(areas, disclosure))
    return [gi_bin(z, p) for z, p in zip(result.areas["gi_z"], result.areas["gi_p"], strict=True)]


# --------------------------------------------------------------------------- attack 1: Gi* back-solve

def test_exact_z_scores_would_give_a_withheld_count_back(sample):
    """Why the classes are needed: with z to two decimals (the first release's output), trying each
    possible count of one area whose rate is withheld gives a different set of z-scores, so the
    published z-scores tell which count is true."""
    areas = area_isolation(sample)
    withheld = sorted(protect_areas(areas).derived["neet_isolation_rate"])
    code = max(withheld, key=lambda c: areas.at[c, "neet"])  # Old Mill Estate: 6 NEET, so 1..4 all possible
    seen = {}
    for count in range(1, 5):
        trial = areas["neet_isolation_rate"].copy()
        trial[code] = count / areas.at[code, "neet"]
        z = hotspots(sample, rates=trial).areas["gi_z"].round(2).fillna(99).tolist()
        seen.setdefault(tuple(z), []).append(count)
    assert len(seen) == 4  # each possible count leaves its own fingerprint in z


def test_gi_classes_do_not_depend_on_withheld_counts(sample):
    """The back-solve of the issue: try every combination of the withheld NEET-isolated counts that
    agrees with the published table (totals included) and recompute what people are shown. Every
    combination gives the same classes and the same public rates, so nothing is learnt."""
    areas = area_isolation(sample)
    table, totals = published_area_table(areas)
    truth = published_gi_classes(sample, areas)
    hidden = [c for c in areas.index if table.at[c, "neet_isolated"] == SMALL]
    assert len(hidden) == 4
    shown_sum = sum(int(v) for v in table["neet_isolated"] if v not in (SMALL, WITHHELD))
    residual = int(totals["neet_isolated"]) - shown_sum
    # worlds that agree with every published figure: the same NEET counts, the same total
    combos = [c for c in itertools.product(range(1, 5), repeat=len(hidden))
              if sum(c) == residual and all(n <= areas.at[h, "neet"] for h, n in zip(hidden, c, strict=True))]
    assert len(combos) > 1
    rates = public_rates(areas).fillna(-1).round(12).tolist()
    for combo in combos:
        trial = areas.copy()
        for code, count in zip(hidden, combo, strict=True):
            trial.at[code, "neet_isolated"] = count
            trial.at[code, "neet_isolation_rate"] = count / trial.at[code, "neet"]
        assert published_area_table(trial)[1] == totals
        assert public_rates(trial).fillna(-1).round(12).tolist() == rates
        assert published_gi_classes(sample, trial) == truth


def test_hotspots_command_prints_classes_not_z(sample, tmp_path, capsys):
    from socialmap.cli import main
    from socialmap.store import save_project

    path = tmp_path / "s.gpkg"
    save_project(sample, path)
    assert main(["hotspots", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Hot spot, 99% confidence" in out and "Not significant" in out
    exact = hotspots(sample).areas["gi_z"].dropna()
    for z in exact:
        assert f"{z:.2f}" not in out.split("\n\n")[0].replace("0.00", "")  # no z to two decimals in the table
    assert "Gi* z" not in out


# --------------------------------------------------------------------------- attack 2: differencing

def _number(text: str) -> int | None:
    return None if text in (SMALL, WITHHELD, "") else int(text)


def differencing_ranges(table: pd.DataFrame, totals: dict[str, str]) -> dict[tuple[str, str], tuple[int, int]]:
    """For each count shown as ``<5``: the lowest and highest value it can take given the published
    table, by integer programming over every withheld count at once, under the published column
    totals, the order of counts within an area (NEET isolated <= NEET <= young people,
    NEET isolated <= isolated <= young people, isolated and not NEET <= not NEET), and each
    published rate (NEET isolated = rate x NEET)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    codes = list(table.index)
    var: dict[tuple[str, str], int] = {}
    lo, hi = [], []
    cols = [c for c in COUNTS if c in table.columns]
    big = {col: int(totals[col]) if totals[col] not in (WITHHELD, SMALL) else 10**6 for col in cols}
    for code in codes:
        for col in cols:
            text = table.at[code, col]
            if text == SMALL:
                var[(code, col)] = len(lo)
                lo.append(1)
                hi.append(4)
            elif text == WITHHELD:  # documented: a count withheld to protect a total is 0 or 5+; we know 5+
                var[(code, col)] = len(lo)
                lo.append(5)
                hi.append(big[col])
    if not var:
        return {}
    n = len(lo)
    rows, lbs, ubs = [], [], []

    def term(code, col):
        """(coefficient vector, constant) of one cell."""
        vec = np.zeros(n)
        if (code, col) in var:
            vec[var[(code, col)]] = 1.0
            return vec, 0.0
        return vec, float(_number(table.at[code, col]))

    def add(vec, const, low, high):
        if vec.any():
            rows.append(vec)
            lbs.append(low - const)
            ubs.append(high - const)

    for col in cols:
        if totals[col] in (WITHHELD, SMALL):
            continue
        vec, const = np.zeros(n), 0.0
        for code in codes:
            v, c = term(code, col)
            vec, const = vec + v, const + c
        add(vec, const, int(totals[col]), int(totals[col]))
    for code in codes:
        pairs = [("neet_isolated", "neet"), ("neet", "young_people"), ("neet_isolated", "isolated"),
                 ("isolated", "young_people")]
        if "neet_with_opportunity" in cols:
            pairs.append(("neet_with_opportunity", "neet"))
        for small, large in pairs:
            v1, c1 = term(code, small)
            v2, c2 = term(code, large)
            add(v1 - v2, c1 - c2, -np.inf, 0.0)
        vi, ci = term(code, "isolated")
        vn, cn = term(code, "neet_isolated")
        vy, cy = term(code, "young_people")
        ve, ce = term(code, "neet")
        add(vi - vn - vy + ve, ci - cn - cy + ce, -np.inf, 0.0)
        for rate_col, numerator in (("neet_isolation_rate", "neet_isolated"),
                                    ("neet_opportunity_share", "neet_with_opportunity")):
            if rate_col not in table.columns or numerator not in cols:
                continue
            rate = table.at[code, rate_col]
            if rate is not None and not (isinstance(rate, float) and math.isnan(rate)):
                vn2, cn2 = term(code, numerator)
                ve2, ce2 = term(code, "neet")
                add(vn2 - float(rate) * ve2, cn2 - float(rate) * ce2, -1e-6, 1e-6)
    constraints = [LinearConstraint(np.array(rows), lbs, ubs)] if rows else []
    ranges = {}
    for (code, col), k in var.items():
        if table.at[code, col] != SMALL:
            continue
        found = []
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[k] = sign
            res = milp(c, constraints=constraints, integrality=np.ones(n), bounds=Bounds(lo, hi))
            assert res.status == 0, res.message  # the truth is always feasible
            found.append(int(round(res.x[k])))
        ranges[(code, col)] = (found[0], found[1])
    return ranges


def assert_no_count_recovered(areas: pd.DataFrame) -> int:
    table, totals = published_area_table(areas)
    ranges = differencing_ranges(table, totals)
    pinned = {cell: r for cell, r in ranges.items() if r[0] == r[1]}
    assert not pinned, f"recovered by differencing: {pinned}"
    return len(ranges)


def test_differencing_the_sample_recovers_nothing(sample):
    areas = analyse(sample).areas
    assert assert_no_count_recovered(areas) >= 20  # many <5 cells, none pinned


def test_a_lone_suppressed_cell_is_protected():
    """One area of 3 NEET young people among 6 and 10: 19 - 6 - 10 would give it back."""
    frame = pd.DataFrame({"young_people": [20, 8, 30], "neet": [6, 3, 10], "isolated": [9, 0, 9],
                          "neet_isolated": [5, 0, 5], "neet_isolation_rate": [5 / 6, 0.0, 0.5]},
                         index=["X", "Y", "Z"])
    assert assert_no_count_recovered(frame) == 1


def _random_table(rng: np.random.Generator, n_areas: int) -> pd.DataFrame:
    young = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40], size=n_areas)
    neet = np.array([rng.integers(0, y + 1) if y else 0 for y in young])
    isolated = np.array([rng.integers(0, y + 1) if y else 0 for y in young])
    neet_isolated = np.array([rng.integers(max(0, i - (y - e)), min(e, i) + 1) for y, e, i in zip(young, neet, isolated, strict=True)])
    with_opportunity = np.array([rng.integers(0, e + 1) for e in neet])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(neet > 0, neet_isolated / np.maximum(neet, 1), np.nan)
        share = np.where(neet > 0, with_opportunity / np.maximum(neet, 1), np.nan)
    return pd.DataFrame({"young_people": young, "neet": neet, "isolated": isolated, "neet_isolated": neet_isolated,
                         "neet_isolation_rate": rate, "neet_with_opportunity": with_opportunity,
                         "neet_opportunity_share": share}, index=[f"A{i:02d}" for i in range(n_areas)])


@pytest.mark.parametrize("seed", range(25))
def test_differencing_random_tables_recovers_nothing(seed):
    """Tables of 3 to 15 areas with many small counts (0 to 40 young people an area)."""
    rng = np.random.default_rng(seed)
    assert_no_count_recovered(_random_table(rng, int(rng.integers(3, 16))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_differencing_generated_projects_recovers_nothing(seed):
    """Synthetic towns of 2,000 young people in 10 areas (socialmap bench's generator)."""
    from socialmap.bench import synthetic_city

    project = synthetic_city(2_000, seed=seed)
    assert_no_count_recovered(analyse(project).areas)


def test_means_over_a_withheld_number_are_withheld(sample):
    """A mean over a suppressed number of young people times that number is a tie count: the mean is
    withheld with it."""
    frame = pd.DataFrame({"young_people": [3, 20, 30], "neet": [0, 6, 10], "isolated": [0, 5, 9],
                          "neet_isolated": [0, 5, 5], "neet_isolation_rate": [np.nan, 5 / 6, 0.5],
                          "mean_bridging": [2 / 3, 1.5, 1.0], "ei_index": [0.2, 0.1, 0.0]}, index=["X", "Y", "Z"])
    table = public_area_table(frame)
    assert math.isnan(table.at["X", "mean_bridging"]) and math.isnan(table.at["X", "ei_index"])


# --------------------------------------------------------------------------- attack 3: anchor reach

def reach_pinned(view, n_areas_true: int) -> bool:
    """Whether the published reach (the total or its band, the number of areas, the band of each
    area) pins a count of 1..4: exhaustive search over per-area counts consistent with it."""
    bands = {"<5 young people": (1, 4), "5–9": (5, 9), "10–19": (10, 19), "20 or more": (20, 60), "reached": (1, 60)}
    if view.bands is None:
        return False  # nothing published about the areas
    total_text = view.young_people
    if total_text == SMALL:
        totals = range(1, 5)
    elif "–" in total_text:
        a, b = (int(x.replace(",", "")) for x in total_text.split("–"))
        totals = range(a, b + 1)
    else:
        totals = range(int(total_text), int(total_text) + 1)
    boxes = [bands[b] for b in view.bands.values()]
    possible: list[set[int]] = [set() for _ in boxes]
    possible_totals = set()
    for combo in itertools.product(*(range(lo, hi + 1) for lo, hi in boxes)):
        if sum(combo) in totals:
            possible_totals.add(sum(combo))
            for i, v in enumerate(combo):
                possible[i].add(v)
    small_pinned = any(len(p) == 1 and 1 <= next(iter(p)) <= 4 for p in possible)
    total_pinned = len(possible_totals) == 1 and 1 <= next(iter(possible_totals)) <= 4
    return small_pinned or total_pinned


def test_reach_of_every_sample_organisation_gives_nothing_back(sample):
    from socialmap.analysis import reach
    from socialmap.reports.evidence import reach_counts

    checked = 0
    for org in (n.id for n in sample.nodes.values() if n.kind == "organisation"):
        counts = reach_counts(sample, reach(sample, org).get("young_people", ()))
        if not counts or len(counts) > 6:
            continue  # the search is exhaustive: keep it small
        assert not reach_pinned(protect_reach(counts), len(counts)), org
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("counts", [
    {"A": 4, "B": 9},            # 13 = 4 + 9 exactly: total banded
    {"A": 1, "B": 1, "C": 1, "D": 1},  # <5 in 4 areas: 1 each
    {"A": 1, "B": 5},            # 6 = 1 + 5
    {"A": 2, "B": 2, "C": 3},
    {"A": 4, "B": 4, "C": 19},
    {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1},  # 5 in 5 areas
])
def test_reach_edge_cases_give_nothing_back(counts):
    view = protect_reach(counts)
    assert not reach_pinned(view, len(counts)), view


def test_reach_shown_as_it_is_when_safe():
    view = protect_reach({"A": 6, "B": 9, "C": 12})
    assert (view.young_people, view.areas, view.exact) == ("27", "3", True)
    assert view.bands == {"A": "5–9", "B": "5–9", "C": "10–19"}
    view = protect_reach({"A": 3, "B": 9, "C": 12})  # an area with <5: the number in a band
    assert (view.young_people, view.exact) == ("20–49", False)


def test_the_view_chosen_gives_nothing_away():
    """The reader sees the view, not the counts: group every possible reach of two or three areas
    (each 1..19, so every closed band is whole) by what is published, and check that within each
    group no count of 1..4 is the same in every member (else seeing that view would tell it).
    Groups that the enumeration cuts short (an area of 20 or more, a total of 50 or more) are
    left out."""
    for n in (2, 3):
        groups: dict = {}
        for combo in itertools.product(range(1, 20), repeat=n):
            counts = {f"A{i}": v for i, v in enumerate(combo)}
            view = protect_reach(counts)
            key = (view.young_people, view.areas, tuple(sorted((view.bands or {}).items())))
            groups.setdefault(key, []).append(combo)
        for key, members in groups.items():
            if not key[2] or key[0].startswith("50") or any(b == "20 or more" for _, b in key[2]):
                continue
            for i in range(n):
                values = {m[i] for m in members}
                if len(values) == 1:
                    assert not 1 <= next(iter(values)) <= 4, (key, members)


# --------------------------------------------------------------------------- the outputs themselves

def test_every_human_output_of_the_sample_uses_the_same_protection(sample, tmp_path):
    """The CLI's analyse table, the area CSV and GeoJSON layers and the report show the same cells
    as withheld (so that combining them gives nothing more than one of them)."""
    import json

    from socialmap.interchange.layers import public_areas

    table = public_areas(sample)
    disclosure = protect_areas(analyse(sample).areas)
    for code in table.index:
        for col in COUNTS:
            status = disclosure.status(code, col)
            if status is not None:
                assert table.at[code, col] == status
    assert "gi_z" not in table.columns and "gi_p" not in table.columns
    assert set(table["gi_class"]) <= {"Hot spot, 99% confidence", "Hot spot, 95% confidence",
                                      "Hot spot, 90% confidence", "Not significant", "Cold spot, 90% confidence",
                                      "Cold spot, 95% confidence", "Cold spot, 99% confidence", "no Gi*"}
    # --json stays exact and says what it is for
    doc = hotspots(sample).to_json()
    assert "not for publication" in doc["note"]
    assert json.dumps(doc)
    assert public_hotspots(sample).method["rates"].startswith("public")
