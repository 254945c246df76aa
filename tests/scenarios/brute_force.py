"""Brute-force reference for scenario impacts: enumerate every outcome.

Independent of ``socialmap.scenarios.impact``: it applies the changes to real
copies of the project with the model's edit API, branching on every random
event (each transferred member of staff stays or leaves; each tie whose
context is removed survives or not), and sums the outcomes weighted by their
probabilities. Exponential: for small networks only.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product

import numpy as np

from socialmap.analysis import classify_ties
from socialmap.model import Project, Tie, tie_key
from socialmap.scenarios import Close, Decommission, Relocate, Transfer, projected_sites

PROFESSIONAL = ("worker", "mentor")


def _staff(p: Project, service: str, names_context: set[str]) -> list[str]:
    org = p.nodes[service].provider
    if org is None:
        return []
    emp = [t for t in p.incident_ties(org) if t.type == "employs"]
    if org in names_context:
        return sorted({t.other(org) for t in emp if t.context == service})
    return sorted({t.other(org) for t in emp})


def _drop_professional(p: Project, people: list[str]) -> None:
    for person in people:
        for t in list(p.incident_ties(person)):
            if t.type in PROFESSIONAL:
                p.remove_tie(t.a, t.b)


def _remove(p: Project, node_id: str, uncertain: set) -> None:
    for k, t in p.ties.items():
        if t.context == node_id:
            uncertain.add(k)
    p.remove_node(node_id)


def brute_force(project: Project, changes, context_survival: float) -> dict[str, dict[str, float]]:
    """Expected lost ties by class, newly isolated and newly isolated NEET per area."""
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

    def leaf(p: Project, weight: float, uncertain: set) -> None:
        open_ = [k for k in uncertain if k in p.ties]
        present = set(p.ties)
        for fates in product((True, False), repeat=len(open_)):
            w = weight
            gone = set()
            for k, survives in zip(open_, fates, strict=True):
                w *= context_survival if survives else 1.0 - context_survival
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

    def step(i: int, p: Project, weight: float, uncertain: set) -> None:
        if i == len(changes):
            leaf(p, weight, uncertain)
            return
        c = changes[i]
        if isinstance(c, Decommission):
            q = p.copy()
            u = set(uncertain)
            _drop_professional(q, _staff(q, c.service, names_context))
            _remove(q, c.service, u)
            step(i + 1, q, weight, u)
        elif isinstance(c, Close):
            q = p.copy()
            u = set(uncertain)
            staff = sorted({t.other(c.org) for t in q.incident_ties(c.org) if t.type == "employs"})
            _drop_professional(q, staff)
            for s in [n.id for n in q.nodes.values() if n.provider == c.org]:
                _remove(q, s, u)
            _remove(q, c.org, u)
            step(i + 1, q, weight, u)
        elif isinstance(c, Relocate):
            q = p.copy()
            site = sites.project_point(c.lat, c.lon)
            q.update_node(c.service, lat=c.lat, lon=c.lon)
            for t in list(q.incident_ties(c.service)):
                person = t.other(c.service)
                if t.type == "attends" and person in young:
                    home = centroid[young[person].area_code]
                    if np.hypot(*(home - site)) / 1000.0 > c.max_travel_km:
                        q.remove_tie(t.a, t.b)
            step(i + 1, q, weight, set(uncertain))
        elif isinstance(c, Transfer):
            old = p.nodes[c.service].provider
            staff = _staff(p, c.service, names_context)
            for stays in product((True, False), repeat=len(staff)):
                w = weight
                for s in stays:
                    w *= c.retention if s else 1.0 - c.retention
                if w == 0:
                    continue
                q = p.copy()
                for person, s in zip(staff, stays, strict=True):
                    if old is not None and q.get_tie(old, person) is not None:
                        q.remove_tie(old, person)
                    if s:
                        existing = q.get_tie(c.org, person)
                        if existing is None:
                            q.add_tie(Tie(c.org, person, "employs", context=c.service))
                        else:
                            q.update_tie(c.org, person, context=c.service)
                    else:
                        _drop_professional(q, [person])
                q.update_node(c.service, provider=c.org)
                step(i + 1, q, w, set(uncertain))
        else:
            raise TypeError(c)

    step(0, original, 1.0, set())
    return {code: dict(v) for code, v in totals.items()}


__all__ = ["brute_force", "tie_key"]
