"""The synthetic benchmark city and ``socialmap bench`` (SPEC section 10).

:func:`synthetic_city` builds a town shaped like the bundled sample
(:mod:`socialmap.sample`) but scaled to a given number of young people: at
100,000 young people about 20,000 adults, 2,000 organisations, 3,000 services,
500 areas (a grid of irregular quadrilaterals around lon -2.2, lat 53.5) and
about 400,000 ties. Every draw is a vectorised numpy draw; the records are
validated once, by :meth:`Project.build`.

:func:`cmd_bench` times each stage of a user's day on that city (generate,
save, load, analyse, hotspots, one scenario, ranking, CSV import, GraphML
export) and compares it with the budgets of SPEC section 10. A stage whose
module or function has not been written yet is reported as "not available";
every other failure is an error.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import json
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from socialmap.collection import kept_apart, set_aside_from_collection
from socialmap.errors import InputError, Problem
from socialmap.model import TIE_TYPES, Area, Node, Project, Tie
from socialmap.sample import ADULT_FIRST_NAMES, FIRST_NAMES, km_to_lonlat

#: Budgets in seconds for a city of 100,000 young people: SPEC section 10's (load, save, analyse,
#: hotspots, scenario, rank); import and export are the bench's own targets, set when it was
#: written (SPEC 10 gives none for them).
BUDGETS_S: dict[str, float] = {
    "load": 3.0,
    "save": 3.0,
    "analyse": 5.0,
    "hotspots": 2.0,
    "scenario": 0.2,
    "rank": 5.0,
    "import": 10.0,
    "export": 10.0,
}
#: Budgets relative to another stage (issue 17): a scenario with its ranges <= 10x the scenario alone.
RATIO_BUDGETS: dict[str, float] = {"scenario_ranges": 10.0}
PEAK_MEMORY_BUDGET_MB = 2048.0
#: Issue 13: "Peak memory <= 2 GB at 100k through every stage including import, and <= 8 GB at 1M".
PEAK_MEMORY_BUDGET_1M_MB = 8192.0
BUDGET_YOUNG_PEOPLE = 100_000
NOT_AVAILABLE = "not available"
MIN_YOUNG_PEOPLE = 100
MAX_YOUNG_PEOPLE = 1_000_000

#: People per area (an LSOA has ~1,500 residents, ~200 of them aged 14-24).
YOUNG_PEOPLE_PER_AREA = 200
AREA_SIZE_KM = 0.5
#: Node counts per young person.
ADULTS_PER_YP = 0.20
ORGS_PER_YP = 0.02
SERVICES_PER_YP = 0.03
#: Ties per young person, by how they are made.
SIBLINGS_PER_YP = 0.25
FRIENDS_IN_AREA_PER_YP = 1.1
NEIGHBOURS_PER_YP = 0.1
CROSS_AREA_PER_YP = 0.35
MADE_AT_SERVICES_PER_YP = 0.2
ATTENDS_PER_YP = 1.3
MEMBERSHIPS_PER_YP = 0.25
NEET_SHARE = 0.12

_T = {t: i for i, t in enumerate(TIE_TYPES)}
_ORG_TYPES = np.array(
    ["service_provider", "social_enterprise", "charity", "school_college", "employer",
     "community_group", "public_body", "private_provider", "anchor"]
)
_ORG_TYPE_P = np.array([0.14, 0.12, 0.24, 0.06, 0.12, 0.2, 0.04, 0.06, 0.02])
_SECTOR_OF = {
    "service_provider": "voluntary", "social_enterprise": "social", "charity": "voluntary",
    "school_college": "public", "employer": "private", "community_group": "voluntary",
    "public_body": "public", "private_provider": "private", "anchor": "social",
}
_SERVICE_TYPES = np.array(
    ["youth club", "mentoring", "careers advice", "mental health", "employability",
     "training", "sport", "housing support", "family support", "outreach"]
)
_COMMISSIONERS = np.array(
    ["Benchtown Council", "Integrated Care Board", "Combined Authority",
     "Department for Work and Pensions", "National Lottery Community Fund"]
)
_CONTRACT_ENDS = [dt.date(y, m, d) for y in (2026, 2027, 2028, 2029) for m, d in ((3, 31), (9, 30))][1:]


# ------------------------------------------------------------------ the city
@dataclass
class _Groups:
    """Members sorted by group, for drawing a random member of a group in bulk."""

    order: np.ndarray  # member positions sorted by group
    start: np.ndarray  # first slot of each group in ``order``
    size: np.ndarray  # members in each group

    @classmethod
    def of(cls, group: np.ndarray, n_groups: int) -> _Groups:
        order = np.argsort(group, kind="stable")
        size = np.bincount(group, minlength=n_groups)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        return cls(order, start, size)

    def draw(self, groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random member of each of ``groups``; -1 where a group is empty."""
        size = self.size[groups]
        slot = self.start[groups] + (rng.random(len(groups)) * np.maximum(size, 1)).astype(np.int64)
        return np.where(size > 0, self.order[np.minimum(slot, len(self.order) - 1)], -1)


def _grid_areas(n_areas: int, rng: np.random.Generator):
    """A grid of irregular quadrilaterals (jittered shared corners, so queen
    contiguity holds) about ``n_areas`` cells; returns polygons in lon/lat,
    the grid shape and each cell's centre in km."""
    import shapely

    nx = max(2, round(math.sqrt(n_areas * 1.25)))
    ny = max(2, round(n_areas / nx))
    gx, gy = np.meshgrid(np.arange(nx + 1, dtype=float), np.arange(ny + 1, dtype=float))
    jitter = rng.uniform(-0.18, 0.18, (2, ny + 1, nx + 1))
    xs = (gx + jitter[0] - nx / 2) * AREA_SIZE_KM
    ys = (gy + jitter[1] - ny / 2) * AREA_SIZE_KM
    lon, lat = km_to_lonlat(xs, ys)
    lon, lat = np.round(lon, 7), np.round(lat, 7)
    j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    j, i = j.ravel(), i.ravel()
    corners = [(j, i), (j, i + 1), (j + 1, i + 1), (j + 1, i), (j, i)]
    ring = np.stack([np.stack([lon[r, c], lat[r, c]], axis=-1) for r, c in corners], axis=1)
    polygons = shapely.polygons(ring)
    centre_km = np.column_stack([(i + 0.5 - nx / 2) * AREA_SIZE_KM, (j + 0.5 - ny / 2) * AREA_SIZE_KM])
    return polygons, nx, ny, centre_km


def synthetic_city(young_people: int, seed: int = 7) -> Project:
    """A synthetic city of ``young_people`` young people, for benchmarks.

    Shaped like the sample town: young people aged 14-24, 12% NEET and more
    so in deprived areas (a few bumps of deprivation over the grid), family
    and friends mostly in their own area, friends next door, ties made at
    services across areas (with the service as context), attendance mostly
    near home, youth workers and staff employed at services, mentors,
    members of organisations, and partnerships between organisations.

    Parameters
    ----------
    young_people
        How many young people; the other counts scale with it (per young
        person: 0.2 adults, 0.02 organisations, 0.03 services, 1/200 areas,
        about 4 ties).
    seed
        Seed of every random draw (the same seed gives the same city).

    Returns
    -------
    Project
        A validated project.
    """
    rng = np.random.default_rng(seed)
    n_yp = int(young_people)
    polygons, nx, ny, centre_km = _grid_areas(max(4, round(n_yp / YOUNG_PEOPLE_PER_AREA)), rng)
    n_areas = len(polygons)
    n_adults = round(ADULTS_PER_YP * n_yp)
    n_orgs = max(10, round(ORGS_PER_YP * n_yp))
    n_svc = max(10, round(SERVICES_PER_YP * n_yp))
    codes = [f"X02{k:06d}" for k in range(n_areas)]

    # Deprivation: a few smooth bumps; IMD decile 1 is the most deprived tenth.
    bumps = rng.uniform([-nx / 2, -ny / 2], [nx / 2, ny / 2], (3, 2)) * AREA_SIZE_KM
    dist2 = ((centre_km[:, None, :] - bumps[None, :, :]) ** 2).sum(axis=2)
    radius = max(nx, ny) * AREA_SIZE_KM / 6
    deprivation = np.exp(-dist2 / (2 * radius**2)).max(axis=1)
    rank = np.argsort(np.argsort(-deprivation)) / n_areas
    imd = np.clip((rank * 10).astype(int) + 1, 1, 10)
    population = (150 + 150 * deprivation + rng.integers(0, 40, n_areas)).astype(int)
    areas = [
        Area(codes[k], f"Benchtown {k + 1}", polygons[k], int(imd[k]), int(population[k])) for k in range(n_areas)
    ]

    # Node positions: young people, adults, organisations, services.
    ad0, org0, svc0 = n_yp, n_yp + n_adults, n_yp + n_adults + n_orgs  # young people start at 0
    n_nodes = svc0 + n_svc
    ids = np.array(
        [f"yp{k}" for k in range(n_yp)] + [f"ad{k}" for k in range(n_adults)]
        + [f"org{k}" for k in range(n_orgs)] + [f"svc{k}" for k in range(n_svc)],
        dtype=object,
    )

    # ---- young people
    yp_area = np.sort(rng.choice(n_areas, n_yp, p=population / population.sum()))
    age = rng.integers(14, 25, n_yp)
    w = np.where(age >= 16, 1 + 6 * deprivation[yp_area] ** 2, 0.0)
    neet = rng.random(n_yp) < NEET_SHARE * n_yp * w / w.sum()
    cut_off = neet & (deprivation[yp_area] > 0.5)
    reach = np.where(cut_off, 0.2, np.where(neet, 0.8, 1.0))
    yp_by_area = _Groups.of(yp_area, n_areas)

    # ---- organisations and services, each sited in an area
    org_area = rng.integers(0, n_areas, n_orgs)
    org_type = rng.choice(_ORG_TYPES, n_orgs, p=_ORG_TYPE_P)
    is_anchor = (org_type == "anchor") | ((org_type == "school_college") | (org_type == "public_body")) & (rng.random(n_orgs) < 0.5)
    staff_total = np.where(is_anchor, rng.integers(200, 4000, n_orgs), rng.integers(0, 120, n_orgs)).astype(float)
    staff_local = np.round(staff_total * rng.uniform(0.2, 0.95, n_orgs))
    spend_total = np.round(staff_total * rng.uniform(30_000, 90_000, n_orgs) + rng.uniform(5_000, 200_000, n_orgs), -2)
    spend_local = np.round(spend_total * rng.uniform(0.1, 0.7, n_orgs), -2)
    years = rng.integers(1, 90, n_orgs).astype(float)
    provider_weight = np.where(np.isin(org_type, ["employer", "community_group"]), 0.3, 1.0)
    svc_provider = rng.choice(n_orgs, n_svc, p=provider_weight / provider_weight.sum())
    svc_area = np.where(rng.random(n_svc) < 0.6, org_area[svc_provider], rng.integers(0, n_areas, n_svc))
    # Fewer services where deprivation is high.
    svc_area = np.where(deprivation[svc_area] > 0.6, rng.integers(0, n_areas, n_svc), svc_area)
    org_xy = centre_km[org_area] + rng.uniform(-0.1, 0.1, (n_orgs, 2))
    svc_xy = centre_km[svc_area] + rng.uniform(-0.1, 0.1, (n_svc, 2))
    org_lon, org_lat = km_to_lonlat(org_xy[:, 0], org_xy[:, 1])
    svc_lon, svc_lat = km_to_lonlat(svc_xy[:, 0], svc_xy[:, 1])
    svc_by_area = _Groups.of(svc_area, n_areas)
    org_by_area = _Groups.of(org_area, n_areas)

    # ---- ties, as integer arrays
    parts: list[tuple] = []

    def add(a, b, kind: str, context=None, strength=None) -> None:
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        ctx = np.full(len(a), -1, np.int64) if context is None else np.asarray(context, dtype=np.int64)
        st = np.zeros(len(a), np.int8) if strength is None else np.asarray(strength, dtype=np.int8)
        parts.append((a, b, np.full(len(a), _T[kind], np.int8), ctx, st))

    def same_area_partner(people: np.ndarray) -> np.ndarray:
        return yp_by_area.draw(yp_area[people], rng)

    def nearby_area(area: np.ndarray, spread: int) -> np.ndarray:
        ax, ay = area % nx, area // nx
        ox = np.clip(ax + rng.integers(-spread, spread + 1, len(area)), 0, nx - 1)
        oy = np.clip(ay + rng.integers(-spread, spread + 1, len(area)), 0, ny - 1)
        return oy * nx + ox

    def some_young_people(count: int, weighted: bool = True) -> np.ndarray:
        if not weighted:
            return rng.integers(0, n_yp, count)
        return rng.choice(n_yp, count, p=reach / reach.sum())

    def strengths(count: int) -> np.ndarray:
        return rng.integers(1, 4, count)

    k = some_young_people(round(SIBLINGS_PER_YP * n_yp), weighted=False)
    add(k, same_area_partner(k), "family", strength=np.full(len(k), 3))
    k = some_young_people(round(FRIENDS_IN_AREA_PER_YP * n_yp), weighted=False)
    add(k, same_area_partner(k), "friend", strength=strengths(len(k)))
    k = some_young_people(round(NEIGHBOURS_PER_YP * n_yp), weighted=False)
    add(k, same_area_partner(k), "neighbour", strength=np.ones(len(k)))
    k = some_young_people(round(CROSS_AREA_PER_YP * n_yp))
    next_door = nearby_area(yp_area[k], 1)
    other = yp_by_area.draw(next_door, rng)
    ok = (other >= 0) & (next_door != yp_area[k])
    peer = rng.random(len(k)) < 0.4
    add(k[ok & peer], other[ok & peer], "peer", strength=strengths(int((ok & peer).sum())))
    add(k[ok & ~peer], other[ok & ~peer], "friend", strength=strengths(int((ok & ~peer).sum())))

    # attends: mostly a service within two areas of home
    count = np.minimum(rng.poisson(ATTENDS_PER_YP * reach), 4)
    att_yp = np.repeat(np.arange(n_yp), count)
    att_svc = svc_by_area.draw(nearby_area(yp_area[att_yp], 2), rng)
    att_svc = np.where(att_svc >= 0, att_svc, rng.integers(0, n_svc, len(att_yp)))
    add(att_yp, svc0 + att_svc, "attends", strength=np.full(len(att_yp), 2))
    attendance = _Groups.of(att_svc, n_svc)

    def attendee_of(services: np.ndarray) -> np.ndarray:
        """A random young person attending each of ``services``; -1 where none does."""
        edge = attendance.draw(services, rng)
        return np.where(edge >= 0, att_yp[np.maximum(edge, 0)], -1)

    # friendships made at services, across areas, with the service as context
    e = rng.integers(0, len(att_yp), round(MADE_AT_SERVICES_PER_YP * n_yp))
    s = att_svc[e]
    other = attendee_of(s)
    ok = (other >= 0) & (yp_area[np.maximum(other, 0)] != yp_area[att_yp[e]])
    add(att_yp[e][ok], other[ok], "friend", context=svc0 + s[ok], strength=strengths(int(ok.sum())))

    # memberships of organisations near home
    k = some_young_people(round(MEMBERSHIPS_PER_YP * n_yp))
    org = org_by_area.draw(nearby_area(yp_area[k], 1), rng)
    org = np.where(org >= 0, org, rng.integers(0, n_orgs, len(k)))
    add(k, org0 + org, "member", strength=np.ones(len(k)))

    # ---- adults: parents, youth workers, mentors, staff, volunteers
    role_names = np.array(["parent", "youth worker", "mentor", "staff", "volunteer"])
    role = rng.choice(len(role_names), n_adults, p=[0.45, 0.15, 0.10, 0.15, 0.15])
    adult_area = rng.integers(0, n_areas, n_adults).astype(np.int64)
    adult = np.arange(n_adults)
    # parents live with a child, and some with a second
    parents = adult[role == 0]
    child = rng.integers(0, n_yp, len(parents))
    adult_area[parents] = yp_area[child]
    add(ad0 + parents, child, "family", strength=np.full(len(parents), 3))
    second = same_area_partner(child)
    keep = rng.random(len(parents)) < 0.5
    add(ad0 + parents[keep], second[keep], "family", strength=np.full(int(keep.sum()), 3))
    # youth workers: employed by a service's provider at that service, working with its attendees
    workers = adult[role == 1]
    their_svc = rng.integers(0, n_svc, len(workers))
    add(org0 + svc_provider[their_svc], ad0 + workers, "employs", context=svc0 + their_svc)
    rep = np.repeat(np.arange(len(workers)), 5)
    young = attendee_of(their_svc[rep])
    ok = young >= 0
    add(ad0 + workers[rep][ok], young[ok], "worker", strength=np.full(int(ok.sum()), 2))
    # mentors: employed by a charity, mentoring young people near where they live
    mentors = adult[role == 2]
    charities = np.nonzero(org_type == "charity")[0]
    add(org0 + rng.choice(charities, len(mentors)), ad0 + mentors, "employs")
    rep = np.repeat(mentors, 3)
    young = yp_by_area.draw(nearby_area(adult_area[rep], 1), rng)
    ok = young >= 0
    add(ad0 + rep[ok], young[ok], "mentor", strength=np.full(int(ok.sum()), 2))
    # staff: half at a service of their employer, half at the organisation at large
    staff = adult[role == 3]
    at_service = rng.random(len(staff)) < 0.5
    their_svc = rng.integers(0, n_svc, len(staff))
    employer = np.where(at_service, svc_provider[their_svc], rng.integers(0, n_orgs, len(staff)))
    add(org0 + employer, ad0 + staff, "employs", context=np.where(at_service, svc0 + their_svc, -1))
    young = attendee_of(their_svc[at_service])
    ok = young >= 0
    add(ad0 + staff[at_service][ok], young[ok], "worker", strength=np.full(int(ok.sum()), 2))
    # volunteers: members of a local organisation, some coaching young people there
    volunteers = adult[role == 4]
    org = org_by_area.draw(adult_area[volunteers], rng)
    org = np.where(org >= 0, org, rng.integers(0, n_orgs, len(volunteers)))
    add(ad0 + volunteers, org0 + org, "member", strength=np.full(len(volunteers), 2))
    coach = rng.random(len(volunteers)) < 0.5
    young = yp_by_area.draw(adult_area[volunteers[coach]], rng)
    ok = young >= 0
    add(ad0 + volunteers[coach][ok], young[ok], "worker", strength=np.ones(int(ok.sum())))

    # ---- organisations and services among themselves
    add(org0 + svc_provider, svc0 + np.arange(n_svc), "provides")
    m = round(1.2 * n_orgs)
    add(org0 + rng.integers(0, n_orgs, m), org0 + rng.integers(0, n_orgs, m), "partner")
    m = round(0.2 * n_orgs)
    add(org0 + rng.integers(0, n_orgs, m), org0 + rng.integers(0, n_orgs, m), "supplies")
    add(svc0 + np.arange(n_svc), svc0 + rng.integers(0, n_svc, n_svc), "refers")

    # ---- one tie per pair: the first drawn wins
    a, b, kind, ctx, st = (np.concatenate(cols) for cols in zip(*parts, strict=True))
    keep = a != b
    a, b, kind, ctx, st = a[keep], b[keep], kind[keep], ctx[keep], st[keep]
    key = np.minimum(a, b) * n_nodes + np.maximum(a, b)
    _, first = np.unique(key, return_index=True)
    first.sort()
    a, b, kind, ctx, st = a[first], b[first], kind[first], ctx[first], st[first]

    # ---- records
    nodes = _young_people(ids[:n_yp], yp_area, codes, age, neet)
    nodes += _adults(ids[ad0:org0], adult_area, codes, role_names[role])
    nodes += [
        Node(oid, "organisation", f"Organisation {i + 1}", area_code=codes[ar], lat=la, lon=lo,
             org_type=ot, sector=_SECTOR_OF[ot], is_anchor=an, employees_total=et, employees_local=el,
             spend_total=spt, spend_local=spl, years_in_area=yr)
        for i, (oid, ar, la, lo, ot, an, et, el, spt, spl, yr) in enumerate(zip(
            ids[org0:svc0].tolist(), org_area.tolist(), org_lat.tolist(), org_lon.tolist(), org_type.tolist(),
            is_anchor.tolist(), staff_total.tolist(), staff_local.tolist(), spend_total.tolist(),
            spend_local.tolist(), years.tolist(), strict=True))
    ]
    svc_type = rng.choice(_SERVICE_TYPES, n_svc).tolist()
    commissioner = rng.choice(_COMMISSIONERS, n_svc).tolist()
    contract_end = rng.integers(0, len(_CONTRACT_ENDS), n_svc).tolist()
    value = np.round(rng.uniform(8_000, 400_000, n_svc), -2).tolist()
    hours = rng.integers(3, 41, n_svc).astype(float).tolist()
    nodes += [
        Node(sid, "service", f"{st_.capitalize()} {i + 1}", area_code=codes[ar], lat=la, lon=lo,
             provider=ids[org0 + pv], service_type=st_, commissioner=cm,
             contract_end=_CONTRACT_ENDS[ce], annual_value=va, hours_per_week=hw)
        for i, (sid, ar, la, lo, pv, st_, cm, ce, va, hw) in enumerate(zip(
            ids[svc0:].tolist(), svc_area.tolist(), svc_lat.tolist(), svc_lon.tolist(), svc_provider.tolist(),
            svc_type, commissioner, contract_end, value, hours, strict=True))
    ]
    type_names = list(TIE_TYPES)
    ties = [
        Tie(ta, tb, type_names[tk], None if tc < 0 else ids[tc], None if ts == 0 else ts)
        for ta, tb, tk, tc, ts in zip(ids[a].tolist(), ids[b].tolist(), kind.tolist(), ctx.tolist(), st.tolist(), strict=True)
    ]
    return Project.build(areas, nodes, ties)


def _young_people(ids, area, codes, age, neet) -> list[Node]:
    names = FIRST_NAMES
    return [
        Node(pid, "young_person", names[k % len(names)], area_code=codes[ar], age=ag, neet=ne)
        for k, (pid, ar, ag, ne) in enumerate(zip(ids.tolist(), area.tolist(), age.tolist(), neet.tolist(), strict=True))
    ]


def _adults(ids, area, codes, roles) -> list[Node]:
    names = ADULT_FIRST_NAMES
    return [
        Node(aid, "adult", names[k % len(names)], area_code=codes[ar], role=ro)
        for k, (aid, ar, ro) in enumerate(zip(ids.tolist(), area.tolist(), roles.tolist(), strict=True))
    ]


# ------------------------------------------------------------------ stages
@dataclass
class BenchContext:
    """What the stages share: the city, a scratch folder, and what earlier stages made."""

    young_people: int
    folder: Path
    project: Project | None = None
    saved: Path | None = None
    saved_encrypted: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: CPU seconds (all threads of this process) of the last :meth:`time` call.
    last_cpu_seconds: float | None = None

    def time(self, run: Callable[[], Any]) -> tuple[float, Any]:
        """Run ``run()``; return its wall-clock seconds and its value (CPU seconds kept too)."""
        cpu = time.process_time()
        start = time.perf_counter()
        value = run()
        seconds = time.perf_counter() - start
        self.last_cpu_seconds = time.process_time() - cpu
        return seconds, value


def _lookup(module_name: str, attr: str) -> Any | None:
    """``module_name.attr`` when both exist, ``None`` when either is missing.

    Only the absence of that module (or a package above it) or that attribute
    counts as missing: an ImportError raised from inside an existing module is
    a real error and propagates.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise
    return getattr(module, attr, None)


def stage_generate(ctx: BenchContext) -> float:
    seconds, ctx.project = ctx.time(lambda: synthetic_city(ctx.young_people))
    set_aside_from_collection()  # as the window and the command line do with a city they opened
    return seconds


def stage_save(ctx: BenchContext) -> float:
    from socialmap.store import save_project

    ctx.saved = ctx.folder / "city.gpkg"
    seconds, _ = ctx.time(lambda: save_project(ctx.project, ctx.saved))
    return seconds


def _let_go(ctx: BenchContext) -> tuple[int, int]:
    """Let go of the city held so far (with the caches earlier stages left on it), keeping its
    counts: a stage that opens or imports a city then holds what a user's process opening that
    file would hold, not two cities at once (peak memory, issue 13). The stage puts what it
    opened in its place: the same records."""
    counts = (len(ctx.project.nodes), len(ctx.project.ties))
    ctx.project = None
    gc.collect()
    return counts


def stage_load(ctx: BenchContext) -> float:
    from socialmap.store import load_project

    nodes, ties = _let_go(ctx)
    seconds, loaded = ctx.time(lambda: _kept_apart(load_project, ctx.saved))
    if len(loaded.nodes) != nodes or len(loaded.ties) != ties:
        raise RuntimeError("the loaded city differs from the saved one")
    ctx.project = loaded  # later stages work on what a user would have opened
    return seconds


def _kept_apart(read: Callable[..., Any], *args: Any) -> Any:
    """``read(*args)`` with what it makes set aside from the collector as it ends, as the
    command line opens a file (:func:`socialmap.collection.kept_apart`)."""
    with kept_apart():
        return read(*args)


#: The passphrase of the bench's encrypted copy of the city (a throwaway file in a temporary folder).
BENCH_PASSPHRASE = "bench passphrase, not a secret"


def stage_save_encrypted(ctx: BenchContext) -> float:
    """The city saved as an encrypted ``.smx`` (GeoPackage built in memory, key derivation,
    AES-256-GCM, atomic replace): :func:`socialmap.store.save_project_file`."""
    from socialmap.store import save_project_file

    ctx.saved_encrypted = ctx.folder / "city.smx"
    seconds, _ = ctx.time(lambda: save_project_file(ctx.project, ctx.saved_encrypted, BENCH_PASSPHRASE))
    return seconds


def stage_load_encrypted(ctx: BenchContext) -> float:
    """The encrypted city opened again (decrypted and read in memory)."""
    from socialmap.store import open_project_file

    nodes, ties = _let_go(ctx)
    seconds, opened = ctx.time(lambda: _kept_apart(open_project_file, ctx.saved_encrypted, BENCH_PASSPHRASE))
    if len(opened.project.nodes) != nodes or len(opened.project.ties) != ties:
        raise RuntimeError("the decrypted city differs from the saved one")
    ctx.project = opened.project
    return seconds


def stage_analyse(ctx: BenchContext) -> float | str:
    analyse = _lookup("socialmap.analysis", "analyse")
    if analyse is None:
        return NOT_AVAILABLE
    seconds, _ = ctx.time(lambda: analyse(ctx.project))
    return seconds


def stage_hotspots(ctx: BenchContext) -> float | str:
    hotspots = _lookup("socialmap.analysis", "hotspots")
    if hotspots is None:
        return NOT_AVAILABLE
    seconds, _ = ctx.time(lambda: hotspots(ctx.project))
    return seconds


def _best_connected_service(project: Project) -> str:
    return max((n.id for n in project.nodes.values() if n.kind == "service"), key=project.degree)


def stage_scenario_setup(ctx: BenchContext) -> float | str:
    """The per-project-version preparation every scenario shares (cached on the project)."""
    scenario_base = _lookup("socialmap.scenarios", "scenario_base")
    if scenario_base is None:
        return NOT_AVAILABLE
    seconds, _ = ctx.time(lambda: scenario_base(ctx.project))
    return seconds


def stage_scenario(ctx: BenchContext) -> float | str:
    """One scenario: decommissioning the best-connected service."""
    evaluate = _lookup("socialmap.scenarios", "evaluate")
    decommission = _lookup("socialmap.scenarios", "Decommission")
    if evaluate is None or decommission is None:
        return NOT_AVAILABLE
    service = _best_connected_service(ctx.project)
    seconds, _ = ctx.time(lambda: evaluate(ctx.project, [decommission(service)]))
    return seconds


def _mixed_scenario(project: Project) -> list:
    """Decommission the best-connected service, re-tender the next one and move the third 1 km
    north under the decay model: every impact assumption but staff travel bears on it."""
    from socialmap.scenarios import Decommission, Relocate, Transfer

    services = sorted((n for n in project.nodes.values() if n.kind == "service"),
                      key=lambda n: (-project.degree(n.id), n.id))
    orgs = sorted(n.id for n in project.nodes.values() if n.kind == "organisation")
    changes: list = [Decommission(services[0].id)]
    if len(services) > 1 and orgs:
        target = next((o for o in orgs if o != services[1].provider), None)
        if target is not None:
            changes.append(Transfer(services[1].id, target, 0.5))
    if len(services) > 2 and services[2].lat is not None:
        changes.append(Relocate(services[2].id, services[2].lat + 0.009, services[2].lon, travel_model="decay"))
    return changes


def stage_scenario_ranges(ctx: BenchContext) -> float | str:
    """A scenario with its ranges (issue 17): the mixed scenario evaluated with every low/high case;
    ``ctx.extra["scenario_ranges_ratio"]`` its CPU time over the same scenario alone (best of 5 each)."""
    evaluate = _lookup("socialmap.scenarios", "evaluate")
    if evaluate is None or _lookup("socialmap.scenarios.sensitivity", "compute_sensitivity") is None:
        return NOT_AVAILABLE
    changes = _mixed_scenario(ctx.project)
    evaluate(ctx.project, changes)  # the shared setup is the scenario_setup stage's

    def best(sensitivity: bool) -> tuple[float, float]:  # (wall, CPU) seconds, best of 5 each
        runs = []
        for _ in range(5):
            wall, _ = ctx.time(lambda: evaluate(ctx.project, changes, sensitivity=sensitivity))
            runs.append((wall, ctx.last_cpu_seconds or wall))
        return min(r[0] for r in runs), min(r[1] for r in runs)

    _plain_wall, plain_cpu = best(False)
    wall, cpu = best(True)
    # CPU time: a busy machine inflates wall-clock times of a few milliseconds unevenly
    ctx.extra["scenario_ranges_ratio"] = cpu / plain_cpu if plain_cpu > 0 else 0.0
    ctx.last_cpu_seconds = cpu
    return wall


#: Runs of the rank stage; it reports the median (one run of 0.1 s at 100,000 moved by a third
#: from run to run on a shared machine, enough to move the growth exponent by 0.1).
RANK_RUNS = 3


def stage_rank(ctx: BenchContext) -> float | str:
    """The ranking after the scenario set-up (which it shares with the scenario stages): the
    median wall-clock and the median CPU time of :data:`RANK_RUNS` runs."""
    rank = _lookup("socialmap.scenarios", "rank")
    if rank is None:
        return NOT_AVAILABLE
    runs = []
    for _ in range(RANK_RUNS):
        wall, _ = ctx.time(lambda: rank(ctx.project))
        runs.append((wall, ctx.last_cpu_seconds if ctx.last_cpu_seconds is not None else wall))
    ctx.last_cpu_seconds = statistics.median(r[1] for r in runs)
    return statistics.median(r[0] for r in runs)


def stage_import(ctx: BenchContext) -> float | str:
    write = _lookup("socialmap.interchange.readers.csv_bundle", "write_csv_bundle")
    read = _lookup("socialmap.interchange.readers.csv_bundle", "read_csv_bundle")
    if write is None or read is None:
        return NOT_AVAILABLE
    bundle = ctx.folder / "csv"
    write(ctx.project, bundle)  # setting up: not timed
    _nodes, ties = _let_go(ctx)  # as `socialmap import` runs: a process holding what it reads
    seconds, (imported, _warnings) = ctx.time(
        lambda: read(bundle / "nodes.csv", bundle / "ties.csv", bundle / "areas.geojson")
    )
    if len(imported.ties) != ties:
        raise RuntimeError("the imported city differs from the exported one")
    ctx.project = imported  # the export stage writes the imported city (the same records)
    set_aside_from_collection()
    return seconds


def stage_export(ctx: BenchContext) -> float | str:
    write_graphml = _lookup("socialmap.interchange.writers.graph", "write_graphml")
    if write_graphml is None:
        return NOT_AVAILABLE
    seconds, _ = ctx.time(lambda: write_graphml(ctx.project, ctx.folder / "city.graphml"))
    return seconds


#: The stages in the order they run; each returns seconds or NOT_AVAILABLE.
STAGES: list[tuple[str, Callable[[BenchContext], float | str]]] = [
    ("generate", stage_generate),
    ("save", stage_save),
    ("load", stage_load),
    ("save_encrypted", stage_save_encrypted),
    ("load_encrypted", stage_load_encrypted),
    ("analyse", stage_analyse),
    ("hotspots", stage_hotspots),
    ("scenario_setup", stage_scenario_setup),
    ("scenario", stage_scenario),
    ("scenario_ranges", stage_scenario_ranges),
    ("rank", stage_rank),
    ("import", stage_import),
    ("export", stage_export),
]


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def peak_memory_budget_mb(young_people: int) -> float:
    """The peak memory budget for a city of ``young_people``: 2,048 MB up to SPEC 10's
    100,000, 8,192 MB above it up to 1,000,000 (issue 13: "<= 2 GB at 100k ..., and <= 8 GB
    at 1M"; no budget is stated between the two, so a bigger city is held to the 1M one)."""
    return PEAK_MEMORY_BUDGET_MB if young_people <= BUDGET_YOUNG_PEOPLE else PEAK_MEMORY_BUDGET_1M_MB


class StagePeaks:
    """Peak resident memory of each stage on its own, in MB.

    On Linux the kernel's high-water mark of resident memory (``VmHWM`` in
    ``/proc/self/status``) is reset before each stage by writing ``5`` to
    ``/proc/self/clear_refs`` (proc(5), "clear_refs"), so the mark read after the stage is
    the highest the process reached during it (what it held at the start included).
    Elsewhere, or where the file cannot be written, the figure after each stage is the
    running peak of the process so far (``ru_maxrss``) and :attr:`method` says so.
    Resetting the mark also lowers ``ru_maxrss``, so the process's peak is the highest of
    the stages' peaks (:meth:`overall_mb`).
    """

    STATUS = Path("/proc/self/status")
    CLEAR_REFS = Path("/proc/self/clear_refs")

    def __init__(self) -> None:
        self.by_stage: dict[str, float] = {}
        #: Resident memory just before each stage, in MB (what the stage's peak starts from).
        self.before_stage: dict[str, float] = {}
        self.method = "per stage (VmHWM reset)" if self._reset() else "running (ru_maxrss)"
        self._before = self._reading() if self.method.startswith("per") else peak_memory_mb()

    def _reset(self) -> bool:
        try:
            with self.CLEAR_REFS.open("w", encoding="ascii") as fh:
                fh.write("5")
            return self._reading() is not None
        except OSError:
            return False

    def _reading(self, field_name: str = "VmHWM") -> float | None:
        """``VmHWM`` (or another ``/proc/self/status`` field in kB) in MB, or None where there is none."""
        try:
            for line in self.STATUS.read_text(encoding="ascii").splitlines():
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            pass
        return None

    def start(self, name: str) -> None:
        """Called just before stage ``name``: notes what is resident (``VmRSS``) and resets the mark."""
        resident = self._reading("VmRSS")
        if resident is not None:
            self.before_stage[name] = round(resident, 1)
        if self.method.startswith("per"):
            self._reset()

    def stop(self, name: str) -> float:
        """Called just after stage ``name``; its peak in MB."""
        reading = self._reading() if self.method.startswith("per") else None
        self.by_stage[name] = round(peak_memory_mb() if reading is None else reading, 1)
        return self.by_stage[name]

    def overall_mb(self) -> float:
        """The process's peak over every stage (and what came before the first)."""
        return round(max([peak_memory_mb() if self.method.startswith("run") else 0.0,
                          self._before or 0.0, *self.by_stage.values()]), 1)


def machine() -> dict[str, Any]:
    """The machine a benchmark ran on: cores, CPU model, memory, Python."""
    cpu = platform.processor() or platform.machine()
    memory_gb = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_bench(young_people: int, *, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every stage on a synthetic city; the result document of ``socialmap bench --json``."""
    stages: dict[str, float | str] = {}
    cpu_seconds: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory(prefix="socialmap-bench-") as tmp:
        ctx = BenchContext(young_people, Path(tmp))
        peaks = StagePeaks()
        for name, stage in STAGES:
            if progress:
                progress(name)
            ctx.last_cpu_seconds = None
            peaks.start(name)
            result = stage(ctx)
            peaks.stop(name)
            stages[name] = result if isinstance(result, str) else round(result, 3)
            cpu = ctx.last_cpu_seconds
            cpu_seconds[name] = NOT_AVAILABLE if isinstance(result, str) or cpu is None else round(cpu, 3)
        counts = ctx.project.counts()
        ratios = {
            name: round(ctx.extra[f"{name}_ratio"], 2)
            for name in RATIO_BUDGETS
            if f"{name}_ratio" in ctx.extra
        }
    peak = peaks.overall_mb()
    memory_budget = peak_memory_budget_mb(young_people)
    verdicts = {
        name: (None if not isinstance(stages.get(name), float) else stages[name] <= budget)
        for name, budget in BUDGETS_S.items()
    }
    for name, budget in RATIO_BUDGETS.items():
        verdicts[name] = None if name not in ratios else ratios[name] <= budget
    verdicts["peak_memory_mb"] = peak <= memory_budget
    return {
        "young_people": young_people,
        "stages": stages,
        "cpu_seconds": cpu_seconds,
        "peak_memory_mb": peak,
        "peak_memory_mb_by_stage": dict(peaks.by_stage),
        "peak_memory_method": peaks.method,
        "resident_memory_mb_before_stage": dict(peaks.before_stage),
        "ratios": ratios,
        "ratio_budgets": dict(RATIO_BUDGETS),
        "budgets": {**BUDGETS_S, "peak_memory_mb": memory_budget, "at_young_people": BUDGET_YOUNG_PEOPLE},
        "within_budget": verdicts,
        "city": {
            "areas": counts["areas"],
            "nodes": counts["nodes_by_kind"],
            "ties": counts["ties"],
        },
        "machine": machine(),
    }


def print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """``rows`` of text under ``headers``, each column as wide as its widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def cmd_bench(args) -> int:
    """``socialmap bench [--young-people N] [--json] [--gui]`` (``--gui``: the window too,
    :mod:`socialmap.bench_window`)."""
    n = args.young_people
    if not MIN_YOUNG_PEOPLE <= n <= MAX_YOUNG_PEOPLE:
        raise InputError(
            Problem(f"--young-people {n} is out of range {MIN_YOUNG_PEOPLE:,}..{MAX_YOUNG_PEOPLE:,}", field="young-people")
        )
    gui = getattr(args, "gui", False)
    if args.json:
        doc = run_bench(n)
        if gui:
            from socialmap.bench_window import run_window_bench

            doc["window"] = run_window_bench(n)
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    doc = run_bench(n, progress=lambda name: print(f"  running {name}...", file=sys.stderr, flush=True))
    city = doc["city"]
    print(
        f"socialmap bench: {n:,} young people, {city['nodes']['adult']:,} adults, "
        f"{city['nodes']['organisation']:,} organisations, {city['nodes']['service']:,} services, "
        f"{city['areas']:,} areas, {city['ties']:,} ties"
    )
    print(f"time budgets are SPEC 10's (import and export: the bench's own), for {BUDGET_YOUNG_PEOPLE:,} young people")
    print()
    rows = []
    for name, value in doc["stages"].items():
        budget = BUDGETS_S.get(name)
        budget_text = "" if budget is None else f"{budget:g}"
        if isinstance(value, str):
            rows.append((name, value, "", "", budget_text, ""))
            continue
        cpu = doc["cpu_seconds"].get(name)
        verdict = "" if budget is None else ("OK" if value <= budget else "OVER")
        if name in RATIO_BUDGETS and name in doc["ratios"]:
            ratio = doc["ratios"][name]
            budget_text = f"{RATIO_BUDGETS[name]:g}x scenario (is {ratio:g}x)"
            verdict = "OK" if ratio <= RATIO_BUDGETS[name] else "OVER"
        stage_peak = doc["peak_memory_mb_by_stage"].get(name)
        rows.append((name, f"{value:.3f}", "" if isinstance(cpu, str) else f"{cpu:.3f}",
                     "" if stage_peak is None else f"{stage_peak:.0f}", budget_text, verdict))
    peak = doc["peak_memory_mb"]
    memory_budget = doc["budgets"]["peak_memory_mb"]
    rows.append(("peak memory (MB)", f"{peak:.0f}", "", "", f"{memory_budget:g}",
                 "OK" if peak <= memory_budget else "OVER"))
    print_table(("stage", "seconds", "cpu s", "peak MB", "budget", ""), rows)
    print()
    print("seconds: wall clock; cpu s: CPU time of this process (all its threads), which other")
    print("programs running on the machine do not inflate; peak MB: resident memory during the")
    print(f"stage, {doc['peak_memory_method']}; memory budget {memory_budget:g} MB for {n:,} young people")
    m = doc["machine"]
    print()
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB, Python {m['python']}")
    if gui:
        from socialmap.bench_window import print_window, run_window_bench

        print("  running the window (a real main window, offscreen)...", file=sys.stderr, flush=True)
        window = run_window_bench(n)
        print()
        print_window(window)
    return 0


__all__ = ["BUDGETS_S", "RATIO_BUDGETS", "STAGES", "cmd_bench", "run_bench", "synthetic_city"]
