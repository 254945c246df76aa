"""The sample project with a recorded re-tender: change over time to try (issue 18).

Millbrook's youth club (``svc01``, run by Millbrook Youth Trust) was re-tendered to
Pathway Training Ltd (``org23``) from 1 September 2025. Before the change the youth
service saved the scenario it had run ("Re-tender Millbrook Youth Club": transfer with
retention 0.5, context survival 0.5) and a snapshot of the network ("before re-tender",
as of 31 August 2025). What then happened is recorded as dated ties, as a worker would
record it: of the club's three staff one moved with the service (a new ``employs`` tie to
the new provider from that day), two left (their ``employs`` and every ``worker``/``mentor``
tie ended on 1 September 2025); and three young people stopped attending the club in the
following months. Nothing is deleted: every ended tie is kept with its end date.

Try::

    socialmap sample --with-history S.gpkg
    socialmap compare S.gpkg@2025-08-31 S.gpkg@2026-09-01 --scenario "Re-tender Millbrook Youth Club"
    socialmap compare "S.gpkg#before re-tender" S.gpkg
    socialmap export change-report S.gpkg OUT.pdf --before S.gpkg@2025-08-31 --after S.gpkg@2026-09-01
"""

from __future__ import annotations

import datetime as dt

from socialmap.model import Project, Tie
from socialmap.model.project import tie_key

RETENDERED_SERVICE = "svc03"
NEW_PROVIDER = "org23"
RETENDER_DAY = dt.date(2025, 9, 1)
SNAPSHOT_NAME = "before re-tender"
SCENARIO_NAME = "Re-tender Cloughside Detached Youth Work"
RECORDED_DAY = dt.date(2024, 9, 2)  # when the project was first entered


def add_retender_history(project: Project) -> Project:
    """Record the re-tender of the youth club in ``project`` (the generated sample), in place.

    Deterministic: the same sample gives the same history. Returns ``project``.
    """
    from socialmap.scenarios import Scenario, Transfer
    from socialmap.store.snapshots import make_snapshot

    for node in project.nodes.values():
        node.recorded = node.updated = RECORDED_DAY
    Scenario(SCENARIO_NAME, [Transfer(RETENDERED_SERVICE, NEW_PROVIDER, 0.5)], 0.5).save(project)
    project.touch()
    snap = make_snapshot(project, SNAPSHOT_NAME, as_of=RETENDER_DAY - dt.timedelta(days=1),
                         note="the network the day before the youth club passed to its new provider")
    project.snapshots[snap.name] = snap

    old = project.nodes[RETENDERED_SERVICE].provider
    staff = sorted(t.other(old) for t in project.incident_ties(old)
                   if t.type == "employs" and t.context == RETENDERED_SERVICE)
    stays, leaving = staff[0], staff[1:]
    project.update_tie(old, stays, until=RETENDER_DAY)
    project.update_node(RETENDERED_SERVICE, provider=NEW_PROVIDER, updated=RETENDER_DAY)
    project.add_tie(Tie(NEW_PROVIDER, stays, "employs", context=RETENDERED_SERVICE, since=RETENDER_DAY))
    for adult in leaving:
        for tie in project.incident_ties(adult):
            if tie.type in ("employs", "worker", "mentor") and tie.until is None:
                project.update_tie(tie.a, tie.b, until=RETENDER_DAY)
        project.update_node(adult, updated=RETENDER_DAY)
    attendees = sorted(t.other(RETENDERED_SERVICE) for t in project.incident_ties(RETENDERED_SERVICE)
                       if t.type == "attends")
    for months, person in zip((2, 4, 7), attendees[::7][:3], strict=False):
        project.update_tie(*tie_key(person, RETENDERED_SERVICE), until=dt.date(2025, 9 + months, 1)
                           if 9 + months <= 12 else dt.date(2026, 9 + months - 12, 1))
    return project
