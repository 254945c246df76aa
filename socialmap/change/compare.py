"""Area by area, what changed between two states of a network.

The two sides are projects as they are measured (for one project file on two dates, its
:meth:`~socialmap.model.Project.in_force` views). For every area:

- each compared measure (:data:`COMPARED_MEASURES`, SPEC section 3) before, after and
  its change (after minus before; null when either is null);
- ``lost_<class>`` / ``gained_<class>``: area tie counts (summed over the area's young
  people, as in scenarios: a bridging tie between two areas counts once for each) of the
  ties in force before and not after, classed as they were before, and of the ties in
  force after and not before, classed as they are after;
- ``newly_isolated``: young people on both sides (same id), not isolated before and
  isolated after, by their home area after; ``newly_isolated_neet`` those of them who
  were NEET before; ``no_longer_isolated`` the reverse;
- ``bridging_loss_pct``: ``lost_bridging`` as a percentage of the area's bridging ties
  before (0 when it had none), the scenario's definition applied to what happened;
- ``flagged`` and ``reasons``: the scenario thresholds (project settings ``flag_*``,
  SPEC section 4) applied to the observed change: ``newly_isolated_neet`` at or above
  ``flag_newly_isolated_neet``, ``bridging_loss_pct`` at or above
  ``flag_bridging_loss_pct``, or the nearest service farther and beyond
  ``flag_nearest_service_km`` (or none left).

Counts here are exact; whoever shows them to people suppresses 1-4 as ``<5``
(:func:`socialmap.privacy.suppress`; :func:`reasons_for` does it for the reasons).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialmap.analysis import analyse, classify_ties
from socialmap.model import Project
from socialmap.privacy import suppress
from socialmap.scenarios import FlagThresholds

#: Area measures compared before and after (SPEC section 3).
COMPARED_MEASURES = (
    "young_people",
    "neet",
    "isolated",
    "neet_isolated",
    "neet_isolation_rate",
    "mean_bridging",
    "mean_linking",
    "ei_index",
    "eet_connectedness",
    "nearest_service_km",
)
#: Classes of the ties counted per area (a young person's ties).
PERSON_CLASSES = ("bonding", "bridging", "linking")
#: Every tie class, for the totals (each tie once).
ALL_CLASSES = ("bonding", "bridging", "linking", "institutional", "unclassified")
#: The per-area columns a map can be coloured by: every change, the ties lost and gained,
#: the isolation moves and the bridging loss.
CHANGE_MEASURES = (
    *(f"{m}_change" for m in COMPARED_MEASURES),
    *(f"lost_{c}" for c in PERSON_CLASSES),
    *(f"gained_{c}" for c in PERSON_CLASSES),
    "newly_isolated",
    "newly_isolated_neet",
    "no_longer_isolated",
    "bridging_loss_pct",
)
#: Per-area columns that count young people (suppressed 1-4 in human-facing output).
YOUNG_PEOPLE_COUNTS = ("newly_isolated", "newly_isolated_neet", "no_longer_isolated",
                       *(f"{m}_{s}" for m in ("young_people", "neet", "isolated", "neet_isolated")
                         for s in ("before", "after")))
_EPS = 1e-9


@dataclass
class ChangeResult:
    """What changed, per area (``areas``, indexed by code) and in total (``summary``)."""

    areas: pd.DataFrame
    summary: dict[str, Any]
    before_label: str
    after_label: str
    before_as_of: dt.date | None
    after_as_of: dt.date | None
    thresholds: FlagThresholds
    area_names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``compare --json`` document (counts exact)."""
        areas = {}
        for code, row in self.areas.iterrows():
            rec = {}
            for name, value in row.items():
                if name == "reasons":
                    rec[name] = list(value)
                elif name == "flagged":
                    rec[name] = bool(value)
                else:
                    rec[name] = _json_number(value)
            areas[str(code)] = rec
        return {
            "before": {"source": self.before_label, "as_of": _iso(self.before_as_of)},
            "after": {"source": self.after_label, "as_of": _iso(self.after_as_of)},
            "areas": areas,
            "summary": self.summary,
            "thresholds": {"newly_isolated_neet": self.thresholds.newly_isolated_neet,
                           "bridging_loss_pct": self.thresholds.bridging_loss_pct,
                           "nearest_service_km": self.thresholds.nearest_service_km},
        }


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _json_number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else round(float(value), 6)
    return value


def _class_by_key(project: Project) -> dict[tuple[str, str], str]:
    df = classify_ties(project)
    return {(a, b) if a <= b else (b, a): str(c) for a, b, c in zip(df["a"], df["b"], df["tie_class"], strict=True)}


def _young_area(project: Project) -> dict[str, str]:
    return {n.id: n.area_code for n in project.nodes.values() if n.kind == "young_person"}


def _count_ends(keys, classes: dict, young_area: dict[str, str], out: dict[str, dict[str, int]], prefix: str) -> dict[str, int]:
    """Add area tie counts of ``keys`` to ``out[code][prefix + class]``; return totals by class (each tie once)."""
    totals = dict.fromkeys(ALL_CLASSES, 0)
    for key in keys:
        cls = classes[key]
        totals[cls] += 1
        if cls not in PERSON_CLASSES:
            continue
        for end in key:
            code = young_area.get(end)
            if code is not None:
                row = out.setdefault(code, {})
                row[prefix + cls] = row.get(prefix + cls, 0) + 1
    return totals


def compare_projects(before: Project, after: Project, *, before_label: str = "before", after_label: str = "after",
                     thresholds: FlagThresholds | None = None) -> ChangeResult:
    """The change from ``before`` to ``after``, area by area (module docstring).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> for code, x in (("A1", 0), ("A2", 1)): p.add_area(Area(code, code, box(x, 0, x + 1, 1)))
    >>> p.add_node(Node("y1", "young_person", area_code="A1", neet=True))
    >>> p.add_node(Node("y2", "young_person", area_code="A2"))
    >>> p.add_tie(Tie("y1", "y2", "friend"))          # bridging: neither is isolated
    >>> q = p.copy(); _ = q.remove_tie("y1", "y2")     # after: the friendship is gone
    >>> r = compare_projects(p, q)
    >>> r.areas.loc["A1", ["lost_bridging", "newly_isolated", "newly_isolated_neet", "bridging_loss_pct"]].astype(int).tolist()
    [1, 1, 1, 100]
    >>> r.summary["ties_lost_by_class"]["bridging"], bool(r.areas.loc["A1", "flagged"])
    (1, True)
    """
    th = thresholds or FlagThresholds.of(after)
    ab, aa = analyse(before), analyse(after)
    codes = list(after.areas) + [c for c in before.areas if c not in after.areas]
    frame = pd.DataFrame(index=pd.Index(codes, name="code", dtype=object))
    for m in COMPARED_MEASURES:
        b = ab.areas[m].reindex(codes).astype(np.float64)
        a = aa.areas[m].reindex(codes).astype(np.float64)
        frame[f"{m}_before"] = b.to_numpy()
        frame[f"{m}_after"] = a.to_numpy()
        frame[f"{m}_change"] = (a - b).to_numpy()

    cb, ca = _class_by_key(before), _class_by_key(after)
    lost = [k for k in cb if k not in ca]
    gained = [k for k in ca if k not in cb]
    counts: dict[str, dict[str, int]] = {}
    lost_totals = _count_ends(lost, cb, _young_area(before), counts, "lost_")
    gained_totals = _count_ends(gained, ca, _young_area(after), counts, "gained_")
    for prefix in ("lost_", "gained_"):
        for cls in PERSON_CLASSES:
            name = prefix + cls
            frame[name] = [counts.get(c, {}).get(name, 0) for c in codes]

    pb, pa = ab.people, aa.people
    young_b = pb[pb["kind"] == "young_person"]
    young_a = pa[pa["kind"] == "young_person"]
    both = young_b.index.intersection(young_a.index)
    was = young_b.loc[both, "isolated"].astype(bool)
    now = young_a.loc[both, "isolated"].astype(bool)
    neet_before = young_b.loc[both, "neet"].astype(bool)
    home_after = young_a.loc[both, "area_code"]
    newly = (~was) & now
    no_longer = was & (~now)

    def per_area(mask: pd.Series) -> list[int]:
        tally = home_after[mask].value_counts()
        return [int(tally.get(c, 0)) for c in codes]

    frame["newly_isolated"] = per_area(newly)
    frame["newly_isolated_neet"] = per_area(newly & neet_before)
    frame["no_longer_isolated"] = per_area(no_longer)
    bridging_before = ab.areas["bridging_ties"].reindex(codes).fillna(0).to_numpy(dtype=np.float64)
    lost_bridging = frame["lost_bridging"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["bridging_loss_pct"] = np.where(bridging_before > 0, 100.0 * lost_bridging / np.where(
            bridging_before > 0, bridging_before, 1.0), 0.0)
    frame["bridging_ties_before"] = bridging_before.astype(np.int64)

    flagged, reasons = [], []
    for code in codes:
        row = frame.loc[code]
        rs = reasons_for(row, th, suppressed=False)
        flagged.append(bool(rs))
        reasons.append(rs)
    frame["flagged"] = flagged
    frame["reasons"] = reasons

    def total(name: str, side) -> int:
        return int(side.areas[name].sum()) if len(side.areas) else 0

    summary = {
        "young_people_before": total("young_people", ab),
        "young_people_after": total("young_people", aa),
        "neet_before": total("neet", ab),
        "neet_after": total("neet", aa),
        "isolated_before": total("isolated", ab),
        "isolated_after": total("isolated", aa),
        "neet_isolated_before": total("neet_isolated", ab),
        "neet_isolated_after": total("neet_isolated", aa),
        "young_people_on_both_sides": int(len(both)),
        "newly_isolated": int(newly.sum()),
        "newly_isolated_neet": int((newly & neet_before).sum()),
        "no_longer_isolated": int(no_longer.sum()),
        "ties_lost_by_class": lost_totals,
        "ties_gained_by_class": gained_totals,
        "ties_lost": len(lost),
        "ties_gained": len(gained),
        "flagged_areas": int(sum(flagged)),
    }
    names = {c: a.name for c, a in before.areas.items()}
    names.update({c: a.name for c, a in after.areas.items()})
    return ChangeResult(frame, summary, before_label, after_label, before.as_of, after.as_of, th, names)


def _pct(x: float) -> str:
    r = round(x, 1)
    return f"{r:.0f}%" if r == int(r) else f"{r:.1f}%"


def reasons_for(row: pd.Series, th: FlagThresholds, *, suppressed: bool = True) -> list[str]:
    """Why an area is flagged, in plain words (empty when it is not). ``suppressed``: counts of
    young people 1-4 read ``<5`` (for people); False gives exact counts (``--json``)."""
    out = []
    newly_neet = float(row["newly_isolated_neet"])
    if newly_neet > 0 and newly_neet >= th.newly_isolated_neet - _EPS:
        shown = suppress(newly_neet) if suppressed else str(int(newly_neet))
        who = "NEET young person" if shown == "1" else "NEET young people"
        out.append(f"{shown} {who} became isolated (no bridging or linking tie left)")
    pct = float(row["bridging_loss_pct"])
    if pct > 0 and pct >= th.bridging_loss_pct - _EPS:
        out.append(f"bridging ties fell {_pct(pct)} ({int(row['lost_bridging'])} of "
                   f"{int(row['bridging_ties_before'])} lost)")
    before_km, after_km = float(row["nearest_service_km_before"]), float(row["nearest_service_km_after"])
    if not math.isnan(before_km):
        if math.isnan(after_km):
            out.append(f"no service left to reach (nearest was {before_km:.1f} km)")
        elif after_km > before_km + _EPS and after_km > th.nearest_service_km:
            out.append(f"nearest service moved from {before_km:.2f} km to {after_km:.2f} km")
    return out
