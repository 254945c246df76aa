"""Brute-force reference for scenario impacts: enumerate every outcome.

Independent of ``socialmap.scenarios.impact``: it applies the changes to real
copies of the project with the model's edit API, branching on every random
event (each transferred member of staff stays or leaves; each young person's
``attends`` tie survives a decay-model relocation or not; each tie whose
context is removed survives or not), and sums the outcomes weighted by their
probabilities. Exponential: for small networks only.

Staff who come with a service by a transfer are staff of that service only
(issue 17): the reference keeps the set of ``(organisation, person)`` pairs
made by transfers and applies the rule to the project copy as it stands.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product

import numpy as np

from socialmap.analysis import classify_ties
from socialmap.model import Project, Tie, tie_key
from socialmap.scenarios import Close, Decommission, Relocate, Transfer, projected_sites

PROFESSIONAL = ("worker", "mentor")


def _staff(p: Project, service: str, names_context: set[str], moved: frozenset) -> list[str]:
    org = p.nodes[service].provider
    if org is None:
        return []
    out = set()
    for t in p.incident_ties(org):
        if t.type != "employs":
            continue
        person = t.other(org)
        if (org, person) in moved or org in names_context:
            if t.context == service:
                out.add(person)
        else:
            out.add(person)
    return sorted(out)


def _decay(extra_km: float, half_km: float) -> float:
    """The decay curve, written out again: 1 / (1 + (extra / half) ** 2), 1 for no extra."""
    extra = max(extra_km, 0.0)
    return 1.0 / (1.0 + (extra / half_km) ** 2)


def _drop_professional(p: Project, people: list[str]) -> None:
    for person in people:
        for t in list(p.incident_ties(person)):
            if t.type in PROFESSIONAL:
                p.remove_tie(t.a, t.b)


def _remove(p: Project, node_id: str, uncertain: dict, survival: float) -> None:
    for k, t in p.ties.items():
        if t.context == node_id:
            uncertain[k] = uncertain.get(k, 1.0) * survival
    p.remove_node(node_id)


def brute_force(project: Project, changes, context_survival: float) -> dict[str, dict[str, float]]:
    """Expected lost ties by class, newly isolated and newly isolated NEET per area.

    Branches on each transfer's staff at once (later changes depend on who
    moved); the fates of ties made at removed places and of attends ties
    under a decay-model move are drawn at the end, one branch per tie (no
    later change depends on them).
    """
    original = project
    classes = dict(
        zip(original.ties.keys(), classify_ties(original)["tie_class"].astype(str), strict=True)
    )
    young = {n.id: n for n in original.nodes.values() if n.kind == "young_person"}
    ties_of = {y: [t.key for t in original.incident_ties(y)] for y in young}
    bl_of = {y: {k for k in ties_of[y] if classes[k] in ("bridging", "linking")} for y in young}
    names_context = {
        o.id
        for o in original.nodes.values()
        if o.kind == "organisation"
        and any(t.type == "employs" and t.context for t in original.incident_ties(o.id))
    }
    sites = projected_sites(original)
    centroid = dict(zip(sites.area_codes, sites.centroid_xy, strict=True))
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def leaf(p: Project, weight: float, uncertain: dict) -> None:
        # each open tie's events (its context went; a decay-model move) are its own:
        # one branch per tie, surviving with the product of their chances
        open_ = [k for k in uncertain if k in p.ties]
        present = set(p.ties)
        for fates in product((True, False), repeat=len(open_)):
            w = weight
            gone = set()
            for k, survives in zip(open_, fates, strict=True):
                w *= uncertain[k] if survives else 1.0 - uncertain[k]
                if not survives:
                    gone.add(k)
            if w == 0:
                continue
            alive = present - gone
            for y, node in young.items():
                area = totals[node.area_code]
                for k in ties_of[y]:
                    if k not in alive and classes[k] in ("bonding", "bridging", "linking"):
                        area["lost_" + classes[k]] += w
                if bl_of[y] and not (bl_of[y] & alive):
                    area["newly_isolated"] += w
                    if node.neet:
                        area["newly_isolated_neet"] += w

    def site(node) -> np.ndarray | None:
        if node.lat is None or node.lon is None:
            return None
        return sites.project_point(node.lat, node.lon)

    def step(i: int, p: Project, weight: float, uncertain: dict, moved: frozenset) -> None:
        if i == len(changes):
            leaf(p, weight, uncertain)
            return
        c = changes[i]
        if isinstance(c, Decommission):
            q = p.copy()
            u = dict(uncertain)
            _drop_professional(q, _staff(q, c.service, names_context, moved))
            _remove(q, c.service, u, context_survival)
            step(i + 1, q, weight, u, moved)
        elif isinstance(c, Close):
            q = p.copy()
            u = dict(uncertain)
            staff = sorted({t.other(c.org) for t in q.incident_ties(c.org) if t.type == "employs"})
            _drop_professional(q, staff)
            for s in [n.id for n in q.nodes.values() if n.provider == c.org]:
                _remove(q, s, u, context_survival)
            _remove(q, c.org, u, context_survival)
            step(i + 1, q, weight, u, moved)
        elif isinstance(c, Relocate):
            q = p.copy()
            new_site = sites.project_point(c.lat, c.lon)
            old_site = site(q.nodes[c.service])
            q.update_node(c.service, lat=c.lat, lon=c.lon)
            u = dict(uncertain)
            for t in list(q.incident_ties(c.service)):
                person = t.other(c.service)
                if t.type == "attends" and person in young:
                    home = centroid[young[person].area_code]
                    after = np.hypot(*(home - new_site)) / 1000.0
                    if c.travel_model == "decay":
                        before = 0.0 if old_site is None else np.hypot(*(home - old_site)) / 1000.0
                        # the tie's fate is drawn at the leaf: nothing later depends on it
                        u[t.key] = u.get(t.key, 1.0) * _decay(after - before, c.half_km)
                    elif after > c.max_travel_km:
                        q.remove_tie(t.a, t.b)
            step(i + 1, q, weight, u, moved)
        elif isinstance(c, Transfer):
            old = p.nodes[c.service].provider
            staff = _staff(p, c.service, names_context, moved)
            retention = c.retention
            if c.staff_half_km is not None and old is not None:
                here, there = site(p.nodes[old]), site(p.nodes[c.org])
                if here is not None and there is not None:
                    retention *= _decay(np.hypot(*(there - here)) / 1000.0, c.staff_half_km)
            for stays in product((True, False), repeat=len(staff)):
                w = weight
                for s in stays:
                    w *= retention if s else 1.0 - retention
                if w == 0:
                    continue
                q = p.copy()
                now = set(moved)
                for person, s in zip(staff, stays, strict=True):
                    if old is not None and q.get_tie(old, person) is not None:
                        q.remove_tie(old, person)
                        now.discard((old, person))
                    if s:
                        existing = q.get_tie(c.org, person)
                        if existing is None:
                            q.add_tie(Tie(c.org, person, "employs", context=c.service))
                        else:
                            q.update_tie(c.org, person, context=c.service)
                        now.add((c.org, person))
                    else:
                        _drop_professional(q, [person])
                q.update_node(c.service, provider=c.org)
                step(i + 1, q, w, dict(uncertain), frozenset(now))
        else:
            raise TypeError(c)

    step(0, original, 1.0, {}, frozenset())
    return {code: dict(v) for code, v in totals.items()}


__all__ = ["brute_force", "tie_key"]
