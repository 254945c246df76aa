"""Commissioning changes and saved scenarios (SPEC section 4).

A scenario is an ordered list of changes:

- :class:`Decommission` a service: it and its ties go; its staff lose their
  ``worker``/``mentor`` ties.
- :class:`Transfer` a service to another organisation (re-tendering): each of
  its staff stays with probability ``retention``; one who leaves loses all
  their ``worker``/``mentor`` ties.
- :class:`Relocate` a service: under the cliff model, ``attends`` ties of
  young people whose home-area centroid is farther than ``max_travel_km``
  from the new site are lost; under the decay model each survives with a
  chance that falls with the extra distance (``half_km``).
- :class:`Close` an organisation: it, its services and its ties go; all its
  staff lose their ``worker``/``mentor`` ties.

This module holds the change records, their parsing from the command line
and their (de)serialisation; :mod:`socialmap.scenarios.impact` applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model import DEFAULT_SETTINGS

DEFAULT_RETENTION: float = float(DEFAULT_SETTINGS["retention"])
DEFAULT_MAX_TRAVEL_KM: float = float(DEFAULT_SETTINGS["max_travel_km"])
DEFAULT_CONTEXT_SURVIVAL: float = float(DEFAULT_SETTINGS["context_survival"])
DEFAULT_TRAVEL_MODEL: str = str(DEFAULT_SETTINGS["travel_model"])
DEFAULT_HALF_KM: float = float(DEFAULT_SETTINGS["half_km"])


@dataclass(frozen=True)
class Decommission:
    """The service and all its ties go; its staff lose their worker/mentor ties."""

    service: str
    kind: str = field(default="decommission", init=False, repr=False)

    def describe(self) -> str:
        return f"decommission {self.service}"


@dataclass(frozen=True)
class Transfer:
    """The service is re-tendered to ``org``; each of its staff stays with probability ``retention``.

    With ``staff_half_km`` (optional, staff travel) that probability is
    multiplied by ``distance_decay(d, staff_half_km)``, ``d`` the distance
    between the old and the new provider's sites.
    """

    service: str
    org: str
    retention: float = DEFAULT_RETENTION
    staff_half_km: float | None = None
    kind: str = field(default="transfer", init=False, repr=False)

    def describe(self) -> str:
        travel = (
            ""
            if self.staff_half_km is None
            else f", staff travel half-distance {self.staff_half_km:g} km"
        )
        return f"transfer {self.service} to {self.org} (retention {self.retention:g}{travel})"


@dataclass(frozen=True)
class Relocate:
    """The service moves to (lat, lon).

    ``travel_model`` ``"cliff"``: young people living farther than
    ``max_travel_km`` from the new site stop attending. ``"decay"``: each
    young person's ``attends`` tie survives with
    ``distance_decay(extra, half_km)``, ``extra`` how much farther the new
    site is from their home area's centroid than the old one.
    """

    service: str
    lat: float
    lon: float
    max_travel_km: float = DEFAULT_MAX_TRAVEL_KM
    travel_model: str = DEFAULT_TRAVEL_MODEL
    half_km: float = DEFAULT_HALF_KM
    kind: str = field(default="relocate", init=False, repr=False)

    def describe(self) -> str:
        if self.travel_model == "decay":
            return f"relocate {self.service} to {self.lat:g},{self.lon:g} (distance decay, half-distance {self.half_km:g} km)"
        return f"relocate {self.service} to {self.lat:g},{self.lon:g} (travel limit {self.max_travel_km:g} km)"


@dataclass(frozen=True)
class Close:
    """The organisation closes: it, its services and its ties go; its staff lose their worker/mentor ties."""

    org: str
    kind: str = field(default="close", init=False, repr=False)

    def describe(self) -> str:
        return f"close {self.org}"


Change = Decommission | Transfer | Relocate | Close
CHANGE_KINDS = ("decommission", "transfer", "relocate", "close")


# ---------------------------------------------------------------------- numbers
def _number(raw: Any, name: str, record: str | None = None) -> float:
    """A finite float from ``raw`` (str or number), or an InputError naming ``name``."""
    if isinstance(raw, bool):
        raise InputError(Problem(f"{name} {raw!r} is not a number", record=record, field=name))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InputError(
            Problem(f"{name} {raw!r} is not a number", record=record, field=name)
        ) from None
    if not math.isfinite(value):
        raise InputError(
            Problem(f"{name} {raw!r} is not a finite number", record=record, field=name)
        )
    return value


def probability(raw: Any, name: str, record: str | None = None) -> float:
    """A probability in 0..1 parsed from ``raw``, or an InputError with the reason.

    Examples
    --------
    >>> probability("0.25", "retention")
    0.25
    >>> probability("1.5", "retention")
    Traceback (most recent call last):
    ...
    socialmap.errors.InputError: field 'retention': retention 1.5 is outside 0..1
    """
    value = _number(raw, name, record)
    if not 0.0 <= value <= 1.0:
        raise InputError(Problem(f"{name} {value:g} is outside 0..1", record=record, field=name))
    return value


#: The record named by a problem with a value read from the project's settings (not the command line).
SETTINGS_RECORD = "project settings"


def setting_number(project, name: str) -> float:
    """A finite number from the project's settings; an InputError naming the setting otherwise."""
    return _number(project.setting(name), name, SETTINGS_RECORD)


def setting_probability(project, name: str) -> float:
    """A probability (0..1) from the project's settings; an InputError naming the setting otherwise."""
    return probability(project.setting(name), name, SETTINGS_RECORD)


def probability_or_none(raw: Any, name: str, record: str | None = None) -> float | None:
    """None when ``raw`` is None, else :func:`probability` of it."""
    return None if raw is None else probability(raw, name, record)


def travel_km(raw: Any, record: str | None = None) -> float:
    """A non-negative travel limit in km parsed from ``raw``."""
    value = _number(raw, "max_travel_km", record)
    if value < 0:
        raise InputError(
            Problem(f"max_travel_km {value:g} is negative", record=record, field="max_travel_km")
        )
    return value


def half_distance_km(raw: Any, name: str = "half_km", record: str | None = None) -> float:
    """A positive half-distance in km parsed from ``raw``."""
    value = _number(raw, name, record)
    if value <= 0:
        raise InputError(Problem(f"{name} {value:g} is not positive", record=record, field=name))
    return value


def travel_model(raw: Any, record: str | None = None) -> str:
    """``cliff`` or ``decay``."""
    value = str(raw).strip().lower() if raw is not None else ""
    if value not in ("cliff", "decay"):
        raise InputError(
            Problem(
                f"travel model {raw!r} is not cliff or decay", record=record, field="travel_model"
            )
        )
    return value


def _coordinates(lat: Any, lon: Any, record: str | None) -> tuple[float, float]:
    problems = []
    out = []
    for name, raw, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        try:
            v = _number(raw, name, record)
        except InputError as exc:
            problems += exc.problems
            continue
        if not -limit <= v <= limit:
            word = "latitude" if name == "lat" else "longitude"
            problems.append(
                Problem(
                    f"{word} {v:g} is out of range -{limit:g}..{limit:g}", record=record, field=name
                )
            )
        out.append(v)
    if problems:
        raise InputError(problems)
    return out[0], out[1]


def check_change_values(change: Change, record: str | None = None) -> list[Problem]:
    """Every out-of-range number of one change (retention, coordinates, travel limit)."""
    problems: list[Problem] = []
    try:
        if isinstance(change, Transfer):
            probability(change.retention, "retention", record)
            if change.staff_half_km is not None:
                half_distance_km(change.staff_half_km, "staff_half_km", record)
        elif isinstance(change, Relocate):
            _coordinates(change.lat, change.lon, record)
            travel_km(change.max_travel_km, record)
            travel_model(change.travel_model, record)
            half_distance_km(change.half_km, "half_km", record)
    except InputError as exc:
        problems += exc.problems
    return problems


# ---------------------------------------------------------------------- parsing
def parse_change(
    kind: str,
    raw: str,
    retention: Any = None,
    max_travel_km: Any = None,
    travel: Any = None,
    half_km: Any = None,
    staff_half_km: Any = None,
) -> Change:
    """One change from its command-line form.

    ``decommission SERVICE``, ``transfer SERVICE:ORG``, ``relocate
    SERVICE:LAT,LON``, ``close ORG``. Ids may contain colons except the last
    part of a transfer's ``SERVICE:ORG`` (split at the last colon).
    """
    record = f"--{kind} {raw!r}"
    text = (raw or "").strip()
    if kind not in CHANGE_KINDS:
        raise InputError(
            Problem(f"unknown change {kind!r}; expected one of {', '.join(CHANGE_KINDS)}")
        )
    if not text:
        raise InputError(Problem("no id given", record=record))
    if kind == "decommission":
        return Decommission(text)
    if kind == "close":
        return Close(text)
    if kind == "transfer":
        service, sep, org = text.rpartition(":")
        if not sep or not service.strip() or not org.strip():
            raise InputError(Problem("expected SERVICE:ORG, e.g. svc12:org3", record=record))
        r = DEFAULT_RETENTION if retention is None else probability(retention, "retention")
        staff = None if staff_half_km is None else half_distance_km(staff_half_km, "staff_half_km")
        return Transfer(service.strip(), org.strip(), r, staff)
    service, sep, where = text.rpartition(":")
    parts = where.split(",")
    if not sep or not service.strip() or len(parts) != 2:
        raise InputError(Problem("expected SERVICE:LAT,LON, e.g. svc12:53.48,-2.24", record=record))
    lat, lon = _coordinates(parts[0].strip(), parts[1].strip(), record)
    d = DEFAULT_MAX_TRAVEL_KM if max_travel_km is None else travel_km(max_travel_km)
    model = DEFAULT_TRAVEL_MODEL if travel is None else travel_model(travel)
    h = DEFAULT_HALF_KM if half_km is None else half_distance_km(half_km)
    return Relocate(service.strip(), lat, lon, d, model, h)


def parse_changes(
    pairs: list[tuple[str, str]],
    retention: Any = None,
    max_travel_km: Any = None,
    travel: Any = None,
    half_km: Any = None,
    staff_half_km: Any = None,
) -> list[Change]:
    """Changes from the CLI's ordered ``(kind, raw)`` pairs, in the order given.

    ``retention`` applies to every transfer and ``max_travel_km`` to every
    relocation (raw strings or numbers; None for the defaults 0.5 and 3.0 km),
    as do ``travel`` (``cliff`` or ``decay``) and ``half_km`` (2.0 km);
    ``staff_half_km`` (None: off) to every transfer.
    Raises one :class:`InputError` listing every unparseable change.

    Examples
    --------
    >>> parse_changes([("transfer", "s1:o2"), ("relocate", "s2:53.4,-2.2"), ("close", "o1")], retention="0.8")
    [Transfer(service='s1', org='o2', retention=0.8, staff_half_km=None), Relocate(service='s2', lat=53.4, lon=-2.2, max_travel_km=3.0, travel_model='cliff', half_km=2.0), Close(org='o1')]
    """
    problems: list[Problem] = []
    changes: list[Change] = []
    for name, raw, check in (
        ("retention", retention, probability),
        ("max_travel_km", max_travel_km, lambda raw, _name: travel_km(raw)),
        ("travel_model", travel, lambda raw, _name: travel_model(raw)),
        ("half_km", half_km, half_distance_km),
        ("staff_half_km", staff_half_km, half_distance_km),
    ):
        if raw is None:
            continue
        try:
            check(raw, name)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    for kind, raw in pairs or []:
        try:
            changes.append(
                parse_change(kind, raw, retention, max_travel_km, travel, half_km, staff_half_km)
            )
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return changes


# ---------------------------------------------------------------------- dicts
def change_to_dict(change: Change) -> dict[str, Any]:
    """A JSON-ready dict of one change, with its ``type``."""
    if isinstance(change, Decommission):
        return {"type": "decommission", "service": change.service}
    if isinstance(change, Transfer):
        out = {
            "type": "transfer",
            "service": change.service,
            "org": change.org,
            "retention": change.retention,
        }
        if change.staff_half_km is not None:  # older files and readers never see the key
            out["staff_half_km"] = change.staff_half_km
        return out
    if isinstance(change, Relocate):
        out = {
            "type": "relocate",
            "service": change.service,
            "lat": change.lat,
            "lon": change.lon,
            "max_travel_km": change.max_travel_km,
        }
        if change.travel_model != "cliff":
            out["travel_model"] = change.travel_model
            out["half_km"] = change.half_km
        return out
    if isinstance(change, Close):
        return {"type": "close", "org": change.org}
    raise TypeError(f"not a change: {change!r}")


def change_from_dict(d: dict[str, Any], record: str | None = None) -> Change:
    """The change a :func:`change_to_dict` dict describes; InputError when malformed."""
    if not isinstance(d, dict):
        raise InputError(
            Problem(f"a change must be a mapping, not {type(d).__name__}", record=record)
        )
    kind = d.get("type")
    need = {
        "decommission": ("service",),
        "transfer": ("service", "org"),
        "relocate": ("service", "lat", "lon"),
        "close": ("org",),
    }.get(kind)
    if need is None:
        raise InputError(
            Problem(
                f"unknown change type {kind!r}; expected one of {', '.join(CHANGE_KINDS)}",
                record=record,
                field="type",
            )
        )
    missing = [k for k in need if d.get(k) in (None, "")]
    if missing:
        raise InputError([Problem("is missing", record=record, field=k) for k in missing])
    for k in ("service", "org"):
        if k in need and not isinstance(d[k], str):
            raise InputError(Problem(f"{d[k]!r} is not an id", record=record, field=k))
    if kind == "decommission":
        return Decommission(d["service"])
    if kind == "close":
        return Close(d["org"])
    if kind == "transfer":
        r = d.get("retention")
        staff = d.get("staff_half_km")
        return Transfer(
            d["service"],
            d["org"],
            DEFAULT_RETENTION if r is None else probability(r, "retention", record),
            None if staff is None else half_distance_km(staff, "staff_half_km", record),
        )
    lat, lon = _coordinates(d["lat"], d["lon"], record)
    km = d.get("max_travel_km")
    model, h = d.get("travel_model"), d.get("half_km")
    return Relocate(
        d["service"],
        lat,
        lon,
        DEFAULT_MAX_TRAVEL_KM if km is None else travel_km(km, record),
        DEFAULT_TRAVEL_MODEL if model is None else travel_model(model, record),
        DEFAULT_HALF_KM if h is None else half_distance_km(h, "half_km", record),
    )


@dataclass
class Scenario:
    """A named, ordered change list with its context survival, as saved in a project.

    Saved with ``project.scenarios[name] = scenario.to_dict()`` (the project
    file stores that dict as JSON) and read back with :meth:`from_dict`.

    Examples
    --------
    >>> s = Scenario("cut youth club", [Decommission("s1"), Transfer("s2", "o3", 0.7)], 0.4)
    >>> Scenario.from_dict(s.to_dict()) == s
    True
    """

    name: str
    changes: list[Change]
    context_survival: float = DEFAULT_CONTEXT_SURVIVAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "context_survival": self.context_survival,
            "changes": [change_to_dict(c) for c in self.changes],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scenario:
        """A scenario from :meth:`to_dict`'s form; one InputError listing every problem."""
        if not isinstance(d, dict):
            raise InputError(Problem("a saved scenario must be a mapping"))
        name = d.get("name")
        rec = f"scenario {name!r}"
        problems: list[Problem] = []
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem("a scenario needs a name", record=rec, field="name"))
        s = d.get("context_survival")
        try:
            survival = (
                DEFAULT_CONTEXT_SURVIVAL if s is None else probability(s, "context_survival", rec)
            )
        except InputError as exc:
            problems += exc.problems
            survival = DEFAULT_CONTEXT_SURVIVAL
        raw_changes = d.get("changes")
        changes: list[Change] = []
        if not isinstance(raw_changes, list):
            problems.append(Problem("changes must be a list", record=rec, field="changes"))
            raw_changes = []
        for i, c in enumerate(raw_changes, 1):
            try:
                changes.append(change_from_dict(c, f"{rec} change {i}"))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return cls(name, changes, survival)

    def save(self, project) -> None:
        """Store this scenario in ``project.scenarios`` under its name (saved with the project file).

        The network is unchanged, so the project's version (and the analysis
        caches keyed on it) stays as it is.
        """
        project.scenarios[self.name] = self.to_dict()

    @classmethod
    def load(cls, project, name: str) -> Scenario:
        """The scenario saved in ``project`` under ``name``."""
        try:
            d = project.scenarios[name]
        except KeyError:
            raise InputError(Problem(f"no saved scenario {name!r}")) from None
        d = dict(d)
        d.setdefault("name", name)
        return cls.from_dict(d)
