"""Getis-Ord Gi* hotspots of the NEET isolation rate (SPEC section 3)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from shapely.geometry import box

from socialmap.analysis import analyse, hotspots
from socialmap.analysis.hotspots import (
    FIXED_BY_OTHERS,
    NO_NEIGHBOUR,
    NO_SPREAD,
    NO_VARIATION,
    SINGLE_AREA,
    WHOLE_MAP,
)
from socialmap.model import Area, Node, Tie
from tests.analysis.conftest import grid_areas, project_with

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"


def _with_rates(areas, isolated_neet: dict[str, int], neet: dict[str, int] | None = None):
    """Each area gets ``neet[code]`` NEET young people (default 1), of whom
    ``isolated_neet[code]`` have no ties; the rest attend one service."""
    p = project_with(areas, [Node("svc", "service", lat=0.0, lon=0.0)])
    for area in areas:
        total = (neet or {}).get(area.code, 1)
        for k in range(total):
            pid = f"{area.code}-{k}"
            p.add_node(Node(pid, "young_person", area_code=area.code, neet=True))
            if k >= isolated_neet.get(area.code, 0):
                p.add_tie(Tie(pid, "svc", "attends"))
    return p


def test_gi_star_z_by_hand_on_a_row_of_four():
    """Areas A B C D in a row (A-B, B-C, C-D adjoin), NEET isolation rates y = (1, 0, 0, 0).
    Gi* with binary weights and self-neighbours: n = 4, sum y = 1, mean 1/4,
    variance s^2 = 1/4 - 1/16 = 3/16, s^2 / mean^2 = 3.
    G_i = sum_j w_ij y_j / sum y; E = k_i / n; Var = k_i (n - k_i) / (n - 1) / n^2 x 3.
    A: k = 2 (A, B): G = 1, E = 1/2, Var = 2 x 2/3 / 16 x 3 = 1/4: z = (1/2)/(1/2) = 1.
    B: k = 3 (A, B, C): G = 1, E = 3/4, Var = 3 x 1/3 / 16 x 3 = 3/16: z = (1/4)/(sqrt 3/4) = 1/sqrt 3.
    C: k = 3 (B, C, D): G = 0: z = -(3/4)/(sqrt 3/4) = -sqrt 3.
    D: k = 2 (C, D): G = 0: z = -(1/2)/(1/2) = -1.
    These analytical z-values are kept as ``gi_z_normal``; ``gi_z`` and ``gi_p`` come from the
    conditional permutations (next test). A's shuffles draw from B, C, D, all 0: every
    shuffle gives the same Gi*, so A cannot be tested and gets a reason."""
    areas = grid_areas(1, 4)
    p = _with_rates(areas, {"R0C0": 1})
    result = hotspots(p)
    assert result.areas["rate"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert result.areas["gi_z_normal"].tolist() == pytest.approx([1.0, 1 / math.sqrt(3), -math.sqrt(3), -1.0])
    assert result.areas["reason"].iloc[0] == FIXED_BY_OTHERS and result.areas["reason"].iloc[1:].isna().all()
    assert math.isnan(result.areas.loc["R0C0", "gi_z"]) and result.areas.loc["R0C0", "hotspot"] is None
    # pseudo p-values: (shuffles at least as extreme on the side of z, + 1) / 1000
    for p_value in result.areas["gi_p"].dropna():
        assert 1 / 1000 <= p_value <= 1
        assert (p_value * 1000) == pytest.approx(round(p_value * 1000))


def test_the_result_remembers_how_it_was_made(small_project):
    result = hotspots(small_project)
    assert (result.permutations, result.seed, result.alpha) == (999, 12345, 0.05)
    assert "queen" in result.weights and "own neighbour" in result.weights
    assert result.method["hotspot_rule"] == "gi_z > 0 and gi_p < 0.05"


def test_same_seed_same_p_values():
    areas = grid_areas(4, 4)
    p = _with_rates(areas, {"R0C0": 1, "R0C1": 1, "R1C0": 1})
    first = hotspots(p).areas["gi_p"].tolist()
    again = _with_rates(areas, {"R0C0": 1, "R0C1": 1, "R1C0": 1})
    assert hotspots(again).areas["gi_p"].tolist() == first


def test_hotspot_rule_is_positive_z_and_small_p():
    """With alpha raised to 1 every area with z > 0 is a hotspot (z > 0 puts some shuffles below
    the observed Gi*, so p < 1) and no
    area with z < 0 is; with the default 0.05 a hotspot has z > 0 and p < 0.05."""
    areas = grid_areas(5, 5)
    high = {f"R{r}C{c}": 1 for r in range(2) for c in range(2)}
    p = _with_rates(areas, high)
    default = hotspots(p).areas
    for _, row in default.iterrows():
        assert row["hotspot"] == (row["gi_z"] > 0 and row["gi_p"] < 0.05)
    assert default.loc["R0C0", "hotspot"] is True and default.loc["R4C4", "hotspot"] is False
    p.settings["hotspot_alpha"] = 1.0
    loose = hotspots(p).areas
    assert loose["hotspot"].tolist() == (loose["gi_z"] > 0).tolist()


def test_island_area_gets_null_with_reason():
    """A 1x3 row plus a square far away: the far square has no neighbour."""
    areas = grid_areas(1, 3) + [Area("FAR", "Far away", box(-2.0, 53.0, -1.99, 53.01))]
    p = _with_rates(areas, {"R0C0": 1, "FAR": 1})
    result = hotspots(p)
    far = result.areas.loc["FAR"]
    assert math.isnan(far["gi_z"]) and math.isnan(far["gi_p"])
    assert far["hotspot"] is None and far["reason"] == NO_NEIGHBOUR
    assert result.islands == ("FAR",)
    doc = result.to_json()["areas"]["FAR"]
    assert doc == {"gi_z": None, "gi_p": None, "hotspot": None, "reason": NO_NEIGHBOUR}
    assert result.areas.loc["R0C0", "hotspot"] in (True, False)


def test_single_area_project():
    p = _with_rates(grid_areas(1, 1), {"R0C0": 1})
    row = hotspots(p).areas.loc["R0C0"]
    assert row["hotspot"] is None and row["reason"] == SINGLE_AREA and math.isnan(row["gi_z"])


def test_same_rate_everywhere(small_project):
    """The small project's rates are 0 (A1) and null (A2, as 0): no variation."""
    result = hotspots(small_project)
    assert result.areas["reason"].tolist() == [NO_VARIATION, NO_VARIATION]
    assert result.areas["hotspot"].tolist() == [None, None]


def test_area_neighbouring_every_other_area():
    """Row of three, y = (1, 0, 0): the middle area's neighbourhood (with itself) is the whole
    map, so its Gi* has variance k (n - k) = 3 x 0 = 0: undefined."""
    p = _with_rates(grid_areas(1, 3), {"R0C0": 1})
    row = hotspots(p).areas.loc["R0C1"]
    assert row["reason"] == WHOLE_MAP and row["hotspot"] is None


def test_empty_project(empty_project):
    result = hotspots(empty_project)
    assert len(result.areas) == 0 and result.to_json()["areas"] == {}


def test_uses_a_given_analysis(two_areas):
    """Grouped by 'club', y1 and y2 share a club: their tie is bonding, y1 (NEET) is isolated,
    rate A1 = 1; by area the tie is bridging and A1's rate is 0."""
    nodes = [Node("y1", "young_person", area_code="A1", neet=True, attrs={"club": "X"}),
             Node("y2", "young_person", area_code="A2", neet=True, attrs={"club": "X"})]
    p = project_with(two_areas, nodes, [Tie("y1", "y2", "friend")])
    assert hotspots(p).areas["rate"].tolist() == [0.0, 0.0]
    assert hotspots(p, analyse(p, "club")).areas["rate"].tolist() == [1.0, 1.0]


def test_pseudo_p_counts_ties_and_z_comes_from_the_same_permutations():
    """Row A B C D, y = (1, 0, 0, 0) as above. D's only other neighbour is C (y = 0), so
    Gi*_D = (y_D + y_C) / sum y = 0. Conditional permutations hold y_D = 0 and draw C's
    value from the others {A: 1, B: 0, C: 0}: 1 with probability 1/3, 0 with 2/3, so the
    simulated Gi*_D is 1 or 0: mean 1/3, sd sqrt(1/3 x 2/3) = sqrt 2 / 3.
    z from the permutations: (0 - 1/3) / (sqrt 2 / 3) = -1/sqrt 2 = -0.71 (about).
    Pseudo p on the low side (z < 0): shuffles at least as low as 0, i.e. equal to it,
    about 2/3 of 999, so p is about 0.67: D is unremarkable. esda's p_sim counts only the
    strictly lower shuffles (none) and gives the smallest possible 0.001."""
    p = _with_rates(grid_areas(1, 4), {"R0C0": 1})
    d = hotspots(p).areas.loc["R0C3"]
    assert d["gi_z"] == pytest.approx(-1 / math.sqrt(2), abs=0.1)
    assert d["gi_p"] == pytest.approx(2 / 3, abs=0.06)
    assert d["hotspot"] is False


def test_high_area_among_low_neighbours_is_not_significant():
    """Crowther Vale in the sample: rate 1, every neighbour 0. Held fixed, its own value
    cannot make the shuffles differ; among the other areas (rates 1, 0, 0, 0, 0 in a 2x3
    grid: R0C0 = 1, R1C2 = 1) its neighbours R0C1, R1C0, R1C1 draw 0 often, so its observed
    Gi* (the lowest possible given its own value) ties with many shuffles: p is large, z < 0,
    no hotspot, never 'z -0.49 and p 0.001'."""
    p = _with_rates(grid_areas(2, 3), {"R0C0": 1, "R1C2": 1})
    row = hotspots(p).areas.loc["R0C0"]
    assert row["gi_z"] < 0
    assert row["gi_p"] > 0.05
    assert row["hotspot"] is False


def test_z_and_p_agree_on_the_sample():
    """On the bundled sample, no area pairs a small pseudo p with a z near 0 (the CLI showed
    Crowther Vale, rate 1.00, with z -0.49 and p 0.001), and the hotspot flag is exactly
    z > 0 and p < 0.05. Crowther Vale's neighbours all have rate 0; shuffles drawing zeros
    tie with it, so its p is large."""
    from socialmap.store import load_project

    result = hotspots(load_project(SAMPLE)).areas
    assert result["reason"].isna().all()
    for code, row in result.iterrows():
        assert row["hotspot"] == (row["gi_z"] > 0 and row["gi_p"] < 0.05), code
        assert not (row["gi_p"] < 0.05 and abs(row["gi_z"]) < 1.0), code
    crowther = result.loc["X01000018"]
    assert crowther["rate"] == 1.0 and crowther["gi_z"] < 0 and crowther["gi_p"] > 0.05


def test_one_permutation_is_not_blamed_on_the_rates():
    """With the project setting hotspot_permutations = 1 (the least the model accepts) every
    area's shuffles have no spread; the reason must say so, not that every other area has
    the same rate (rates here: 1, 1 and 0 elsewhere in a 3x3 grid)."""
    p = _with_rates(grid_areas(3, 3), {"R0C0": 1, "R2C2": 1})
    p.settings["hotspot_permutations"] = 1
    reasons = hotspots(p).areas["reason"]
    assert reasons["R1C1"] == WHOLE_MAP  # the centre touches every other area
    assert all(r == NO_SPREAD for r in reasons.drop("R1C1"))
