"""Every assumption of the scenario model, with its default, plausible range and source.

The one place where the scenario engine's judgements are written down
(issue 17). ``docs/scenarios.md``, the scenario panel's tooltips, the
scenario report's methods and the sensitivity runs
(:func:`socialmap.scenarios.sensitivity`) all read :data:`ASSUMPTIONS`.

Every range is oriented the same way: the **low** setting of every
assumption is the more damaging one (fewer staff stay, fewer ties outlive
their place, young people give up at a shorter journey, a flag fires
sooner), so "all low" is the pessimistic corner and "all high" the
optimistic one.

Walking distances are converted at 4.8 km/h (3 mph), the usual planning
figure for a walking pace: 35 minutes is 2.8 km, 40 minutes 3.2 km.

Sources, as summarised in the project's issue 17 (the full references are
in ``docs/scenarios.md``):

- YMCA England & Wales: youth-service spending in England down about 70%
  in real terms since 2010/11, about 760 youth centres closed.
- Villa, C. (2024), IFS working paper (13 November 2024), on youth club
  closures in London: teenagers all of whose youth clubs within a
  40-minute walk closed became 14% more likely to offend and did worse at
  GCSE.
- Youth Investment Fund evaluation: about 70% of users live within a
  35-minute walk of the provision.
- McMillan (2025): about 35% of school friendships survive a year after
  leaving the school where they were made.
- Skills for Care, *The state of the adult social care sector and
  workforce in England*: staff turnover 29-32% a year, higher among those
  who travel further to work.
- No published figure exists for the share of staff kept after a TUPE
  transfer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Walking pace used to turn minutes of walk into km (3 mph).
WALKING_KM_PER_HOUR = 4.8

#: Exponent of the distance-decay curve ``1 / (1 + (x / half_km) ** DECAY_STEEPNESS)``.
DECAY_STEEPNESS = 2.0

TRAVEL_MODELS = ("cliff", "decay")


@dataclass(frozen=True)
class Assumption:
    """One judgement the scenario model rests on.

    ``name`` is the project setting (and the key in JSON ranges); ``option``
    the command-line flag; ``applies`` which change or flag it belongs to;
    ``source`` the evidence in plain words, saying so when there is none.
    """

    name: str
    label: str
    short: str  # in a sentence: "flagged only if retention is below 0.42"
    default: float
    low: float
    high: float
    unit: str
    option: str
    applies: str
    source: str

    def describe_value(self, value: float) -> str:
        """``0.4`` or ``2.5 km``: a value of this assumption as a reader sees it."""
        if self.unit == "%":
            return f"{value:g}%"
        return f"{value:g}" + (f" {self.unit}" if self.unit else "")

    def tooltip(self) -> str:
        """Plain-text hover help: default, plausible range and source."""
        return (
            f"{self.label}. Default {self.describe_value(self.default)}; plausible range "
            f"{self.describe_value(self.low)} to {self.describe_value(self.high)}.\n"
            f"Source: {self.source}"
        )


ASSUMPTIONS: dict[str, Assumption] = {
    a.name: a
    for a in (
        Assumption(
            "retention",
            "Chance that a member of staff stays through a transfer (re-tendering)",
            "retention",
            0.5,
            0.3,
            0.7,
            "",
            "--retention",
            "transfer",
            "No published figure exists for the share of staff kept after a TUPE transfer. The high "
            "0.7 is the one-year stay rate of adult social care staff in England with no transfer at "
            "all (turnover 29-32% a year, Skills for Care); 0.5 and 0.3 are judgements that a change "
            "of employer loses more.",
        ),
        Assumption(
            "context_survival",
            "Chance that a tie made at a service or organisation that goes outlives it",
            "context survival",
            0.5,
            0.35,
            0.65,
            "",
            "--context-survival",
            "decommission, close",
            "McMillan (2025): about 35% of school friendships survive a year after leaving the school "
            "where they were made, the low setting. No study measures youth-club friendships; 0.5 "
            "and 0.65 are judgements that some ties made at a club are kept up elsewhere.",
        ),
        Assumption(
            "max_travel_km",
            "Travel limit of the cliff model: young people living farther than this from the new "
            "site stop attending",
            "the travel limit",
            3.0,
            2.0,
            4.0,
            "km",
            "--max-travel-km",
            "relocate (cliff)",
            "About 70% of Youth Investment Fund users live within a 35-minute walk (2.8 km at "
            "4.8 km/h); Villa (2024, IFS) measured the harm of losing every youth club "
            "within a 40-minute walk (3.2 km). 2.0 and 4.0 km (25 and 50 minutes' walk) are judgements either side.",
        ),
        Assumption(
            "half_km",
            "Half-distance of the decay model: the extra journey at which half of a service's young "
            "people stop attending after it moves",
            "the decay half-distance",
            2.0,
            1.0,
            3.0,
            "km",
            "--half-km",
            "relocate (decay)",
            "No published estimate of how attendance falls when a service moves farther away. "
            "Anchored to the walking evidence (70% of Youth Investment Fund users within a "
            "35-minute walk, 2.8 km): 2 km is about 25 more minutes' walk; 1 and 3 km are "
            "judgements either side.",
        ),
        Assumption(
            "staff_half_km",
            "Half-distance of staff travel (optional): the distance between the old and new "
            "provider's sites at which a transferred member of staff's chance of staying halves",
            "the staff travel half-distance",
            10.0,
            5.0,
            20.0,
            "km",
            "--staff-half-km",
            "transfer (staff travel)",
            "Skills for Care reports higher turnover among adult social care staff who travel "
            "further to work, but no published curve; 10 km (and 5 and 20 km) are judgements. Off "
            "unless asked for.",
        ),
        Assumption(
            "flag_newly_isolated_neet",
            "Flag an area when at least this many NEET young people are expected to become isolated",
            "the NEET isolation threshold",
            0.5,
            0.25,
            1.0,
            "",
            "project setting",
            "flag",
            "No published threshold: a judgement. 0.5 is an even chance that one NEET young person "
            "is cut off; 0.25 and 1.0 either side.",
        ),
        Assumption(
            "flag_bridging_loss_pct",
            "Flag an area when its bridging ties are expected to fall by at least this percentage",
            "the bridging-loss threshold",
            10.0,
            5.0,
            20.0,
            "%",
            "project setting",
            "flag",
            "No published threshold: a judgement. 5% and 20% either side of 10%.",
        ),
        Assumption(
            "flag_nearest_service_km",
            "Flag an area when its nearest service moves farther away and ends beyond this distance",
            "the nearest-service threshold",
            2.0,
            1.5,
            3.0,
            "km",
            "project setting",
            "flag",
            "A judgement anchored to the walking evidence: 2 km is a 25-minute walk, within the "
            "35-minute walk (2.8 km) of 70% of Youth Investment Fund users; 1.5 and 3.0 km (about "
            "20 and 40 minutes) either side.",
        ),
    )
}

#: The assumptions that change expected losses (the others only move flags).
IMPACT_ASSUMPTIONS = ("retention", "context_survival", "max_travel_km", "half_km", "staff_half_km")
#: The flag thresholds, in the order of :class:`socialmap.scenarios.FlagThresholds`.
FLAG_ASSUMPTIONS = ("flag_newly_isolated_neet", "flag_bridging_loss_pct", "flag_nearest_service_km")


def distance_decay(extra_km, half_km: float):
    """Chance that a journey longer by ``extra_km`` is still made: ``1 / (1 + (x / h) ** 2)``.

    ``x`` is the extra distance (0 when the journey gets shorter) and ``h``
    the half-distance: 1 with no extra distance, exactly 0.5 at ``h``, 0.2
    at ``2h`` and 0.1 at ``3h``. A log-logistic curve (logistic in log
    distance), one of the smooth distance-decay functions of accessibility
    studies (Geurs & van Wee 2004, *J. Transport Geography* 12:127-140);
    the exponent :data:`DECAY_STEEPNESS` is a judgement. Works on floats
    and numpy arrays.

    Examples
    --------
    >>> [round(distance_decay(x, 2.0), 4) for x in (0.0, 1.0, 2.0, 4.0, -1.0)]
    [1.0, 0.8, 0.5, 0.2, 1.0]
    """
    import numpy as np

    x = np.maximum(np.asarray(extra_km, dtype=float), 0.0)
    out = 1.0 / (1.0 + (x / float(half_km)) ** DECAY_STEEPNESS)
    return float(out) if out.ndim == 0 else out


def walk_minutes(km: float) -> float:
    """Minutes of walking at :data:`WALKING_KM_PER_HOUR`."""
    return 60.0 * km / WALKING_KM_PER_HOUR


def is_positive_km(value: float) -> bool:
    return math.isfinite(value) and value > 0


def assumptions_markdown() -> str:
    """The table of :data:`ASSUMPTIONS` as it appears in ``docs/scenarios.md`` (a test keeps them equal)."""
    lines = [
        "| assumption | option or setting | default | low | high | applies to | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in ASSUMPTIONS.values():
        option = f"`{a.option}`" if a.option.startswith("--") else a.option
        setting = "off unless given" if a.name == "staff_half_km" else f"setting `{a.name}`"
        lines.append(
            f"| `{a.name}`: {a.label} | {option} ({setting}) | {a.describe_value(a.default)} "
            f"| {a.describe_value(a.low)} | {a.describe_value(a.high)} | {a.applies} | {a.source} |"
        )
    return "\n".join(lines) + "\n"
