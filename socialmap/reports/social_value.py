"""The user's own social value measures, multiplied by what the project evidences (issue 19).

No proxy values are bundled: the National TOMs values are licensed for non-commercial use
without derivatives, so the user brings their own table (``social_value_measures.csv``:
code, description, unit, proxy value in £, source, evidence). SocialMap supplies only the
quantities it can evidence for an organisation (:data:`EVIDENCE`) and multiplies; the result
is labelled as the user's values.
"""

from __future__ import annotations

from typing import Any

from socialmap.model.project import Project
from socialmap.privacy import suppress

#: The quantities the project can evidence: key -> (what it is, in words; counts young people).
EVIDENCE: dict[str, tuple[str, bool]] = {
    "local_staff_fte": ("local staff (the organisation's recorded local employees)", False),
    "local_spend_gbp": ("local spend in £ (LM3 round 2's local supplier spend when saved, else the recorded "
                        "local spend)", False),
    "neet_young_people_reached": ("NEET young people it reaches", True),
    "apprenticeships": ("young people on its apprenticeship services", True),
}


def evidenced_quantities(project: Project, org_id: str) -> dict[str, float | None]:
    """The quantity behind each :data:`EVIDENCE` key for ``org_id``; None where not recorded.

    ``apprenticeships`` counts the distinct young people attending the organisation's services
    whose ``service_type`` mentions apprenticeships; None when it provides no such service.
    """
    from socialmap.analysis import reach

    node = project.nodes[org_id]
    reached = reach(project, org_id)
    saved = (project.settings.get("lm3") or {}).get(org_id)
    if saved:
        local_spend = float(saved["round2"]["suppliers_local_gbp"])
    else:
        local_spend = node.spend_local
    apprentice_services = [s for s in reached["services"]
                           if "apprentice" in (project.nodes[s].service_type or "").lower()]
    apprentices = None
    if apprentice_services:
        apprentices = len({y for s in apprentice_services for y in project.neighbours(s)
                           if project.nodes[y].kind == "young_person"
                           and project.get_tie(s, y).type == "attends"})
    return {
        "local_staff_fte": node.employees_local,
        "local_spend_gbp": local_spend,
        "neet_young_people_reached": float(sum(1 for y in reached["young_people"] if project.nodes[y].neet)),
        "apprenticeships": None if apprentices is None else float(apprentices),
    }


def social_value_rows(project: Project, org_id: str, measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of the user's measures with ``quantity`` (as shown: ``<5`` for 1..4 young people),
    ``value_gbp`` (quantity x the user's proxy value; None when not evidenced or withheld) and
    ``note``.

    Examples
    --------
    >>> from socialmap.model import Node, Project
    >>> p = Project()
    >>> p.add_node(Node("o", "organisation", lat=53.5, lon=-2.2, employees_total=10, employees_local=6))
    >>> rows = social_value_rows(p, "o", [
    ...     {"code": "J1", "description": "Local staff", "unit": "FTE", "proxy_value_gbp": 1000.0,
    ...      "source": "our framework", "evidence": "local_staff_fte"},
    ...     {"code": "X9", "description": "Volunteering hours", "unit": "hour", "proxy_value_gbp": 15.0,
    ...      "source": "our framework", "evidence": None}])
    >>> [(r["code"], r["quantity"], r["value_gbp"]) for r in rows]
    [('J1', '6', 6000.0), ('X9', '', None)]
    """
    quantities = evidenced_quantities(project, org_id)
    out = []
    for m in measures:
        key = m.get("evidence")
        quantity = quantities.get(key) if key else None
        row = dict(m)
        if key is None:
            row.update(quantity="", value_gbp=None, note="not evidenced by the project")
        elif quantity is None:
            row.update(quantity="", value_gbp=None, note="not recorded for this organisation")
        elif EVIDENCE[key][1] and 1 <= quantity <= 4:
            row.update(quantity=suppress(quantity), value_gbp=None,
                       note="fewer than 5 young people: withheld, as the value would give the count back")
        else:
            shown = f"{quantity:,.0f}" if key == "local_spend_gbp" else f"{quantity:g}"
            row.update(quantity=shown, value_gbp=quantity * float(m["proxy_value_gbp"]), note="")
        out.append(row)
    return out
