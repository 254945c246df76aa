"""Hotspots of NEET isolation: Getis–Ord Gi* (SPEC section 3).

Getis & Ord (1992), "The analysis of spatial association by use of distance
statistics", Geographical Analysis 24(3); Ord & Getis (1995), "Local spatial
autocorrelation statistics", Geographical Analysis 27(4). Computed with PySAL
(libpysal weights, ``esda.G_Local``).

For area *i* with binary weights :math:`w_{ij}` (queen contiguity, and
:math:`w_{ii} = 1`: the area counts as its own neighbour, which makes it
Gi* rather than Gi),

.. math:: G^*_i = \\frac{\\sum_j w_{ij} y_j}{\\sum_j y_j}

where :math:`y` is the NEET isolation rate (null as 0). Inference is by
conditional permutation (Anselin 1995, "Local indicators of spatial
association: LISA", Geographical Analysis 27(2); esda): :math:`y_i` is held fixed and
the other values are shuffled among the neighbours ``permutations`` times
(fixed seed), which gives a reference distribution of Gi* for the area.
``gi_z`` and ``gi_p`` both come from that one distribution, so they agree:

- ``gi_z`` is :math:`(G^*_i - \\bar G^*_{sim}) / s_{sim}` (``esda.G_Local.z_sim``);
- ``gi_p`` is the one-sided pseudo p-value on the side ``gi_z`` points to:
  (the number of shuffles whose Gi* is at least as high, for ``gi_z >= 0``,
  or at least as low, for ``gi_z < 0``, as the observed one, plus 1) /
  (``permutations`` + 1). Ties count as at least as extreme: the rate is
  often 0, and many shuffles then give exactly the observed Gi*.

``esda.G_Local.p_sim`` is not used: it counts the shuffles at least as high
and, when they are more than half, the shuffles *strictly* lower, so an area
whose Gi* ties with most shuffles at the bottom of the range (all neighbours
at rate 0) gets the smallest p possible, 0.001; and the analytical z
(``G_Local.Zs``, kept as ``gi_z_normal``) ignores the conditioning on
:math:`y_i`, so its sign can disagree with the side the permutations put the
area on. An area is a **hotspot** when ``gi_z > 0`` and ``gi_p < alpha``.

An area without a neighbouring area (an island), a project with a single
area, a rate that is the same in every area, or an area whose neighbourhood
takes in every area (the variance of Gi* is then 0), or an area whose
shuffles cannot change its Gi* (every other area has the same rate) has no
Gi*: its values are null and ``reason`` says why. Islands stay in the study
region (they count in the sum of *y*).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socialmap.analysis.measures import AnalysisResult, area_isolation, json_value
from socialmap.model import Project

NO_NEIGHBOUR = "no neighbouring area"
SINGLE_AREA = "only one area in the project: Gi* compares an area with its neighbours"
NO_VARIATION = "the NEET isolation rate is the same in every area, so Gi* is undefined"
WHOLE_MAP = "its neighbourhood takes in every area, so Gi* is undefined"
FIXED_BY_OTHERS = "every other area has the same rate, so shuffling them cannot test its Gi*"
NO_SPREAD = "every permutation gave the same Gi*: too few permutations (project setting hotspot_permutations)"


@dataclass
class HotspotResult:
    """Gi* of the NEET isolation rate per area, with how it was made (STYLE 15).

    Attributes
    ----------
    areas
        Indexed by area code: ``rate`` (the NEET isolation rate used, null as
        0), ``gi_z`` (from the permutations), ``gi_p`` (one-sided pseudo
        p-value on the side of ``gi_z``), ``hotspot`` (bool, or None when
        undefined), ``reason`` (None, or why the area has no Gi*),
        ``gi_z_normal`` (the analytical z, ``G_Local.Zs``, for reference) and
        ``neet_isolation_rate`` (the rate as measured: null when the area has
        no NEET young person).
    permutations, seed, alpha
        Conditional permutations, the random seed, and the significance level.
    weights
        Plain description of the spatial weights.
    variable
        The variable analysed.
    islands
        Codes of areas without a neighbouring area.
    """

    areas: pd.DataFrame
    permutations: int
    seed: int
    alpha: float
    weights: str = "queen contiguity, binary, with each area as its own neighbour (Gi*)"
    variable: str = "neet_isolation_rate (null as 0)"
    islands: tuple[str, ...] = ()
    #: True when computed on public rates (withheld rates replaced, :func:`public_hotspots`):
    #: the result that may be shown to people.
    public: bool = False

    @property
    def method(self) -> dict[str, Any]:
        """How the statistic was computed, for a report's method note."""
        return {
            "statistic": "Getis-Ord Gi* (esda.G_Local, star=True)",
            "variable": self.variable,
            "weights": self.weights,
            "permutations": self.permutations,
            "seed": self.seed,
            "alpha": self.alpha,
            "hotspot_rule": f"gi_z > 0 and gi_p < {self.alpha:g}",
            "inference": "gi_z and gi_p from the conditional permutations; gi_p one-sided on the side of gi_z, ties counted",
            "islands": list(self.islands),
            "rates": ("public: each withheld rate replaced by the midpoint of the range it could take "
                      "(docs/privacy.md)") if self.public else "exact",
        }

    def to_json(self) -> dict[str, Any]:
        """The ``socialmap hotspots --json`` document (SPEC section 9)."""
        areas = {}
        for code, row in zip(self.areas.index.tolist(), self.areas.itertuples(index=False), strict=True):
            areas[str(code)] = {
                "gi_z": json_value(row.gi_z),
                "gi_p": json_value(row.gi_p),
                "hotspot": None if row.hotspot is None else bool(row.hotspot),
                "reason": row.reason,
            }
        return {
            "areas": areas,
            "method": self.method,
            "note": "exact values for further processing, not for publication: people are shown the Gi "
                    "bins of Gi* computed on public rates (socialmap hotspots without --json; docs/privacy.md)",
        }


def _queen_neighbours(project: Project):
    """libpysal queen-contiguity weights of the project's areas (ids 0..n-1)."""
    import geopandas as gpd
    from libpysal.weights import Queen

    frame = gpd.GeoDataFrame(geometry=[a.geometry for a in project.areas.values()], crs="EPSG:4326")
    with warnings.catch_warnings():
        # islands are reported per area as a reason, not as a warning
        warnings.simplefilter("ignore")
        return Queen.from_dataframe(frame, use_index=False, silence_warnings=True)


def queen_weights(project: Project):
    """Cached queen-contiguity weights of ``project``'s areas (by version)."""
    return project.cached("queen_weights", lambda: _queen_neighbours(project))


def hotspots(project: Project, analysis: AnalysisResult | None = None, *,
             rates: pd.Series | None = None) -> HotspotResult:
    """Getis–Ord Gi* hotspots of the NEET isolation rate (module docstring).

    Parameters
    ----------
    project
        The project; ``hotspot_permutations``, ``hotspot_seed`` and
        ``hotspot_alpha`` come from its settings (999, 12345, 0.05).
    analysis
        An :func:`~socialmap.analysis.analyse` result to take the NEET
        isolation rate from (its group key); by default the rate is computed
        with the project's group key.
    rates
        The rates to use instead (indexed by area code): :func:`public_hotspots`
        passes the public rates.
    """
    permutations = int(project.setting("hotspot_permutations"))
    seed = int(project.setting("hotspot_seed"))
    alpha = float(project.setting("hotspot_alpha"))
    codes = list(project.areas)
    n = len(codes)
    if rates is not None:
        rate = rates.reindex(codes).to_numpy(dtype=np.float64)
    elif analysis is not None:
        rate = analysis.areas["neet_isolation_rate"].reindex(codes).to_numpy(dtype=np.float64)
    else:
        rate = area_isolation(project)["neet_isolation_rate"].to_numpy(dtype=np.float64)
    y = np.nan_to_num(rate, nan=0.0)
    gi_z = np.full(n, np.nan)
    gi_p = np.full(n, np.nan)
    gi_z_normal = np.full(n, np.nan)
    hotspot: list[bool | None] = [None] * n
    reason: list[str | None] = [None] * n
    islands: tuple[str, ...] = ()
    if n == 1:
        reason = [SINGLE_AREA]
    elif n > 1:
        w = queen_weights(project)
        island_ids = sorted(int(i) for i in w.islands)
        islands = tuple(codes[i] for i in island_ids)
        for i in island_ids:
            reason[i] = NO_NEIGHBOUR
        linked = np.ones(n, dtype=bool)
        linked[island_ids] = False
        if linked.any():
            if np.ptp(y) == 0:
                for i in np.nonzero(linked)[0]:
                    reason[i] = NO_VARIATION
            else:
                z, p, z_normal = _gi_star(y, w, permutations, seed)
                for i in np.nonzero(linked)[0]:
                    gi_z_normal[i] = z_normal[i]
                    if not np.isfinite(z_normal[i]):  # the variance of Gi* is 0 when an area neighbours all the others
                        reason[i] = WHOLE_MAP
                    elif not np.isfinite(z[i]):  # every shuffle gave the same Gi*
                        reason[i] = FIXED_BY_OTHERS if np.ptp(np.delete(y, i)) == 0 else NO_SPREAD
                    else:
                        gi_z[i], gi_p[i] = z[i], p[i]
                        hotspot[i] = bool(z[i] > 0 and p[i] < alpha)
    index = pd.Index(codes, name="code", dtype=object)
    areas = pd.DataFrame(
        {
            "rate": y,
            "gi_z": gi_z,
            "gi_p": gi_p,
            # object Series with the index: a plain array of str/None would become pandas'
            # string dtype, None turning into NaN (shown as 'nan')
            "hotspot": pd.Series(hotspot, index=index, dtype=object),
            "reason": pd.Series(reason, index=index, dtype=object),
            "gi_z_normal": gi_z_normal,
            "neet_isolation_rate": rate,
        },
        index=index,
    )
    return HotspotResult(areas, permutations, seed, alpha, islands=islands)


def public_hotspots(project: Project, analysis: AnalysisResult | None = None) -> HotspotResult:
    """Gi* as it may be shown to people (``docs/privacy.md``): computed on the public rates of
    :func:`socialmap.disclosure.public_rates` (a withheld rate replaced by the midpoint of the range
    it could take, so the result depends on published figures alone), with ``gi_bin`` (-3..3, the
    seven Gi bins of :data:`socialmap.disclosure.GI_BINS`) added per area. ``neet_isolation_rate``
    holds the public rate too.
    """
    from socialmap.disclosure import gi_bin, protect_areas, public_rates

    areas = analysis.areas if analysis is not None else area_isolation(project)
    disclosure = protect_areas(areas)
    rates = public_rates(areas, disclosure)
    result = hotspots(project, analysis, rates=rates)
    frame = result.areas.copy()
    frame["gi_bin"] = pd.Series([gi_bin(z, p) for z, p in zip(frame["gi_z"], frame["gi_p"], strict=True)],
                                index=frame.index, dtype=object)
    result.areas = frame
    result.public = True
    return result


def _gi_star(y: np.ndarray, w, permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, p, z_normal)`` per area: the permutation z, its one-sided pseudo p (module
    docstring) and esda's analytical z. ``z`` is ``nan`` where the shuffles all give the
    same Gi* (within rounding)."""
    import copy

    from esda.getisord import G_Local

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        # esda changes the weights' transform in place: work on a copy of the cached weights
        g = G_Local(
            y,
            copy.deepcopy(w),
            transform="B",
            permutations=permutations,
            star=True,
            seed=seed,
            n_jobs=1,
            keep_simulations=True,
        )
    observed = np.asarray(g.Gs, dtype=np.float64)
    simulated = np.asarray(g.rGs, dtype=np.float64)  # (areas, permutations)
    # esda computes the observed and simulated Gi* in different orders of summation:
    # values equal up to rounding are ties
    tolerance = 1e-9 * max(float(np.abs(observed).max()), 1.0)
    high = (simulated >= observed[:, None] - tolerance).sum(axis=1)
    low = (simulated <= observed[:, None] + tolerance).sum(axis=1)
    mean = simulated.mean(axis=1)
    spread = simulated.std(axis=1)
    varies = spread > tolerance
    z = np.full(len(y), np.nan)
    z[varies] = (observed[varies] - mean[varies]) / spread[varies]
    p = np.where(z >= 0, high + 1.0, low + 1.0) / (permutations + 1.0)
    p[~varies] = np.nan
    return z, p, np.asarray(g.Zs, dtype=np.float64)
