"""Hand-computed expected impacts on the town of ``conftest.py`` (SPEC section 4).

Notation: ``S`` context survival, ``R`` retention. A tie's expected loss is
1 - (product of its survival factors); a young person's chance of becoming
isolated is the product of the losses of their bridging + linking ties.
"""

from __future__ import annotations

import pytest
from pyproj import Geod

from socialmap.errors import InputError
from socialmap.scenarios import Close, Decommission, Relocate, Transfer, apply_changes, evaluate

GEOD = Geod(ellps="WGS84")


def km(lat1, lon1, lat2, lon2) -> float:
    """Geodesic distance, an independent check of the projected distances (within 1%)."""
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def row(result, code):
    return result.areas.loc[code]


def assert_area(result, code, **expected):
    r = row(result, code)
    for name, value in expected.items():
        assert r[name] == pytest.approx(value, abs=1e-12), f"{code}.{name}"


def test_decommission_removes_service_ties_staff_ties_and_context_ties(town):
    """Decommission s1, S = 0.5.

    Certain: yp1-s1 attends goes; s1's staff is ad1 (o1 employs ad1 at s1), so
    ad1's worker ties to yp3, yp4, yp6 go. Uncertain: yp2-yp3 (context s1)
    survives with 0.5.

    yp1: only bridging/linking tie lost -> isolated with 1 (NEET).
    yp2: only one, lost with 0.5 -> 0.5.  yp3 keeps member o3 -> 0.
    yp4 keeps peer yp5 -> 0.  yp6: only tie lost -> 1 (NEET).

    A1: lost bridging 0.5 (yp2), linking 1 (yp1); newly 1.5, NEET 1;
        bridging 0.5 of 1 = 50 %.
    A2: lost bridging 0.5 (yp3), linking 3 (yp3, yp4, yp6); newly 1, NEET 1;
        bridging 0.5 of 2 = 25 %.
    A3: untouched.
    """
    r = evaluate(town, [Decommission("s1")], context_survival=0.5)
    assert_area(
        r,
        "A1",
        lost_bonding=0,
        lost_bridging=0.5,
        lost_linking=1,
        newly_isolated=1.5,
        newly_isolated_neet=1,
        bridging_loss_pct=50,
    )
    assert_area(
        r,
        "A2",
        lost_bonding=0,
        lost_bridging=0.5,
        lost_linking=3,
        newly_isolated=1,
        newly_isolated_neet=1,
        bridging_loss_pct=25,
    )
    assert_area(
        r,
        "A3",
        lost_bonding=0,
        lost_bridging=0,
        lost_linking=0,
        newly_isolated=0,
        newly_isolated_neet=0,
        bridging_loss_pct=0,
    )
    assert r.summary["newly_isolated"] == pytest.approx(2.5)
    assert r.summary["removed"] == ["s1"]
    assert r.summary["young_people_affected"] == 5  # yp1, yp2, yp3, yp4, yp6


def test_decommission_moves_nearest_service_and_flags_with_reasons(town):
    """Decommission s1: A1's nearest service was s1 at its centre (0 km); now
    s2, 0.02 degrees of longitude east (about 1.33 km), under the 2 km flag.
    A1 and A2 are flagged for NEET isolation and bridging loss; A3 is not."""
    r = evaluate(town, [Decommission("s1")], context_survival=0.5)
    a1 = row(r, "A1")
    assert a1["nearest_service_km_before"] == pytest.approx(0.0, abs=0.01)
    assert a1["nearest_service_km_after"] == pytest.approx(
        km(53.405, -2.295, 53.405, -2.275), rel=0.01
    )
    assert a1["flagged"] and list(a1["reasons"]) == [
        "1.0 NEET young person expected to become isolated (no bridging or linking tie left)",
        "bridging ties fall 50% (0.5 of 1 expected to be lost)",
    ]
    assert list(row(r, "A2")["reasons"]) == [
        "1.0 NEET young person expected to become isolated (no bridging or linking tie left)",
        "bridging ties fall 25% (0.5 of 2 expected to be lost)",
    ]
    assert not row(r, "A3")["flagged"] and list(row(r, "A3")["reasons"]) == []
    assert r.summary["flagged_areas"] == ["A1", "A2"]


def test_context_survival_scales_context_ties(town):
    """Decommission s1 with S = 0.2: yp2-yp3 is lost with 0.8, so A1 loses
    0.8 bridging, yp2 becomes isolated with 0.8 (A1 newly = 1 + 0.8 = 1.8),
    and A2 loses 0.8 bridging (yp3's end). With S = 1 it is never lost."""
    r = evaluate(town, [Decommission("s1")], context_survival=0.2)
    assert_area(r, "A1", lost_bridging=0.8, newly_isolated=1.8)
    assert_area(r, "A2", lost_bridging=0.8)
    r = evaluate(town, [Decommission("s1")], context_survival=1.0)
    assert_area(r, "A1", lost_bridging=0, newly_isolated=1.0)


def test_context_survival_defaults_to_the_project_setting(town):
    """With no S given, the project's ``context_survival`` setting (here 0.25) applies: A1 loses 0.75 bridging."""
    town.settings["context_survival"] = 0.25
    assert_area(evaluate(town, [Decommission("s1")]), "A1", lost_bridging=0.75)


def test_transfer_each_staff_member_stays_with_retention(town):
    """Transfer s1 to o2, R = 0.5: s1 stays open; ad1 stays with 0.5, and if
    they leave all three worker ties go together. Expected lost linking in
    A2: 3 x 0.5 = 1.5. yp6's only tie is to ad1: isolated with 0.5 (NEET).
    yp3 and yp4 keep other ties. No context is removed."""
    r = evaluate(town, [Transfer("s1", "o2", retention=0.5)])
    assert_area(
        r, "A2", lost_linking=1.5, lost_bridging=0, newly_isolated=0.5, newly_isolated_neet=0.5
    )
    assert_area(r, "A1", lost_linking=0, newly_isolated=0)
    assert r.summary["removed"] == []
    r = evaluate(town, [Transfer("s1", "o2", retention=0.8)])
    assert_area(r, "A2", lost_linking=pytest.approx(0.6), newly_isolated=pytest.approx(0.2))


def test_staff_rule_without_any_context_counts_all_the_providers_staff(town):
    """When none of o1's employs ties names a context, all o1's staff (ad1 and
    ad2) are s1's staff. Decommission s1 then also loses ad2-yp5 (A3 lost
    linking 1; yp5 keeps peer yp4 and attends s2, so no isolation). With the
    contexts named, ad2 (at s2) keeps the tie (A3 lost linking 0)."""
    assert_area(evaluate(town, [Decommission("s1")]), "A3", lost_linking=0)
    town.update_tie("o1", "ad1", context=None)
    town.update_tie("o1", "ad2", context=None)
    assert_area(evaluate(town, [Decommission("s1")]), "A3", lost_linking=1, newly_isolated=0)


def test_staff_rule_with_some_contexts_counts_only_the_named_staff(town):
    """o1 names s1 on ad1's employs tie only: ad2 (no context) is not staff
    of s2, so decommissioning s2 loses yp5's attends tie (A3 linking 1) but
    not the mentor tie; yp4-yp5 (context s2) loses 0.5 bridging at each end."""
    town.update_tie("o1", "ad2", context=None)
    r = evaluate(town, [Decommission("s2")], context_survival=0.5)
    assert_area(r, "A3", lost_linking=1, lost_bridging=0.5, newly_isolated=0)
    assert_area(r, "A2", lost_bridging=0.5, lost_linking=0)


def test_close_removes_the_organisation_its_services_and_all_staff_ties(town):
    """Close o1, S = 0.5: o1, s1 and s2 go; staff ad1 and ad2 lose every
    worker/mentor tie; yp2-yp3 (@s1) and yp4-yp5 (@s2) survive with 0.5.

    yp1 1 (NEET); yp2 0.5; yp3 keeps member o3 -> 0; yp4: worker lost, peer
    0.5 -> 0.5 (NEET); yp5: peer 0.5, mentor and attends lost -> 0.5 (NEET);
    yp6 1 (NEET).
    A1: bridging 0.5, linking 1, newly 1.5, NEET 1.
    A2: bridging 0.5 + 0.5 = 1, linking 3, newly 1.5, NEET 1.5.
    A3: bridging 0.5, linking 2, newly 0.5, NEET 0.5.
    Only s3 is left, 0.04 degrees north of A2's centre: about 4.45 km.
    """
    r = evaluate(town, [Close("o1")], context_survival=0.5)
    assert_area(
        r, "A1", lost_bridging=0.5, lost_linking=1, newly_isolated=1.5, newly_isolated_neet=1
    )
    assert_area(
        r,
        "A2",
        lost_bridging=1,
        lost_linking=3,
        newly_isolated=1.5,
        newly_isolated_neet=1.5,
        bridging_loss_pct=50,
    )
    assert_area(
        r, "A3", lost_bridging=0.5, lost_linking=2, newly_isolated=0.5, newly_isolated_neet=0.5
    )
    assert sorted(r.summary["removed"]) == ["o1", "s1", "s2"]
    a2 = row(r, "A2")
    assert a2["nearest_service_km_after"] == pytest.approx(
        km(53.405, -2.285, 53.445, -2.285), rel=0.01
    )
    reason = a2["reasons"][-1]
    assert reason.startswith("nearest service moves from 0.7 km to 4.4 km") or reason.startswith(
        "nearest service moves from 0.7 km to 4.5 km"
    )


def test_relocation_loses_attends_ties_beyond_the_travel_limit(town):
    """Relocate s2 from A3's centre to 0.04 degrees north (about 4.45 km from
    A3's centroid). With a 3 km limit yp5's attends tie is lost (A3 linking
    1; yp5 keeps peer and mentor, so no isolation); with a 5 km limit it is
    kept. A3's nearest service becomes s1 at about 1.33 km: under 2 km, no flag."""
    r = evaluate(town, [Relocate("s2", 53.445, -2.275, max_travel_km=3.0)])
    assert_area(r, "A3", lost_linking=1, newly_isolated=0)
    assert row(r, "A3")["nearest_service_km_after"] == pytest.approx(
        km(53.405, -2.275, 53.405, -2.295), rel=0.01
    )
    assert not row(r, "A3")["flagged"]
    r = evaluate(town, [Relocate("s2", 53.445, -2.275, max_travel_km=5.0)])
    assert_area(r, "A3", lost_linking=0)


def test_evaluate_leaves_the_project_unchanged(town):
    before = (
        town.version,
        len(town.nodes),
        len(town.ties),
        {k: t.context for k, t in town.ties.items()},
    )
    evaluate(town, [Close("o1"), Relocate("s3", 53.40, -2.30)])
    assert (
        town.version,
        len(town.nodes),
        len(town.ties),
        {k: t.context for k, t in town.ties.items()},
    ) == before


# ---------------------------------------------------------------- order
def test_transfer_then_close_old_provider_keeps_the_transferred_service(town):
    """Transfer s1 to o2 (R = 0.5), then close o1 (S = 0.5).

    s1 now belongs to o2, so it survives the closure; ad1 moved with it
    (stays with 0.5). o1's staff is now ad2 only (keeps 0); o1 and s2 go;
    yp4-yp5 (@s2) survives with 0.5.
    yp1, yp2, yp3: untouched or keep a tie -> 0.
    yp4: ad1 0.5 x peer 0.5 -> 0.25 (NEET); yp5: peer 0.5, mentor and
    attends lost -> 0.5 (NEET); yp6: ad1 -> 0.5 (NEET).
    A2: newly 0.75 (NEET 0.75), bridging 0.5, linking 1.5; A3: newly 0.5,
    bridging 0.5, linking 2; A1: nothing.
    """
    r = evaluate(town, [Transfer("s1", "o2", 0.5), Close("o1")], context_survival=0.5)
    assert_area(r, "A1", lost_bridging=0, lost_linking=0, newly_isolated=0)
    assert_area(
        r, "A2", newly_isolated=0.75, newly_isolated_neet=0.75, lost_bridging=0.5, lost_linking=1.5
    )
    assert_area(r, "A3", newly_isolated=0.5, lost_bridging=0.5, lost_linking=2)
    assert sorted(r.summary["removed"]) == ["o1", "s2"]


def test_close_then_transfer_of_its_service_is_refused(town):
    """Closing o1 removes s1, so a later transfer of s1 names a service that is gone."""
    with pytest.raises(
        InputError, match=r"service 's1' is already gone: change 1 \(close o1\) removed it"
    ):
        evaluate(town, [Close("o1"), Transfer("s1", "o2")])


def test_transfer_then_close_new_provider_takes_the_service_and_moved_staff(town):
    """Transfer s1 to o2, then close o2 (S = 0.5): o2 now provides s1 and s3,
    both go; ad1 (moved to o2) keeps with 0.5 x 0 = 0; yp2-yp3 (@s1) 0.5.
    yp1 1 (NEET), yp2 0.5, yp3 keeps member -> 0, yp4 keeps peer -> 0,
    yp6 1 (NEET): A1 newly 1.5 (NEET 1), A2 newly 1 (NEET 1).
    Closing o2 alone touches no young person."""
    r = evaluate(town, [Transfer("s1", "o2", 0.5), Close("o2")], context_survival=0.5)
    assert_area(r, "A1", newly_isolated=1.5, newly_isolated_neet=1)
    assert_area(r, "A2", newly_isolated=1, newly_isolated_neet=1, lost_linking=3)
    assert sorted(r.summary["removed"]) == ["o2", "s1", "s3"]
    alone = evaluate(town, [Close("o2")])
    assert alone.summary["newly_isolated"] == 0 and alone.summary["lost_linking"] == 0


def test_relocate_then_decommission_equals_decommission(town):
    """Relocating s2 first changes nothing a decommission of s2 does not already do;
    the reverse order names a removed service and is refused."""
    both = evaluate(town, [Relocate("s2", 53.445, -2.275), Decommission("s2")])
    alone = evaluate(town, [Decommission("s2")])
    cols = [
        "lost_bonding",
        "lost_bridging",
        "lost_linking",
        "newly_isolated",
        "nearest_service_km_after",
    ]
    assert both.areas[cols].equals(alone.areas[cols])
    with pytest.raises(InputError, match="already gone"):
        evaluate(town, [Decommission("s2"), Relocate("s2", 53.445, -2.275)])


def test_two_relocations_keep_the_last_site_and_every_loss(town):
    """Far then back: yp5's attends tie is lost at the first move (4.45 km > 3)
    and stays lost; s2 ends at A3's centre (nearest ~0 km). Back then far:
    the same tie is lost, but s2 ends far away, so A3's nearest is s1 (~1.33 km)."""
    far = Relocate("s2", 53.445, -2.275, 3.0)
    back = Relocate("s2", 53.405, -2.275, 3.0)
    r1 = evaluate(town, [far, back])
    r2 = evaluate(town, [back, far])
    assert row(r1, "A3")["lost_linking"] == row(r2, "A3")["lost_linking"] == 1
    assert row(r1, "A3")["nearest_service_km_after"] == pytest.approx(0.0, abs=0.01)
    assert row(r2, "A3")["nearest_service_km_after"] == pytest.approx(1.33, rel=0.02)


def test_two_transfers_multiply_retention(town):
    """s1 to o2 (R 0.5) then to o3 (R 0.4): ad1 moves twice and keeps the
    worker ties with 0.5 x 0.4 = 0.2; yp6 isolated with 0.8; A2 lost linking 3 x 0.8."""
    r = evaluate(town, [Transfer("s1", "o2", 0.5), Transfer("s1", "o3", 0.4)])
    assert_area(r, "A2", newly_isolated=pytest.approx(0.8), lost_linking=pytest.approx(2.4))


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "changes, message",
    [
        ([Decommission("nope")], "unknown service 'nope'"),
        ([Decommission("o1")], "'o1' is an organisation, not a service"),
        ([Close("s1")], "'s1' is a service, not an organisation"),
        ([Transfer("s1", "yp1")], "'yp1' is a young person, not an organisation"),
        ([Transfer("s1", "o1")], "'s1' is already provided by 'o1'"),
        ([Transfer("s1", "o2", 1.5)], "retention 1.5 is outside 0..1"),
        ([Relocate("s1", 91, 0)], "latitude 91 is out of range"),
        ([Relocate("s1", 53, 181)], "longitude 181 is out of range"),
        ([Relocate("s1", 53, -2, -1)], "max_travel_km -1 is negative"),
        ([Decommission("s1"), Decommission("s1")], "already gone"),
    ],
)
def test_bad_changes_are_refused_with_the_reason(town, changes, message):
    with pytest.raises(
        InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        evaluate(town, changes)


def test_context_survival_out_of_range_is_refused(town):
    with pytest.raises(InputError, match="context_survival 1.2 is outside 0..1"):
        evaluate(town, [Decommission("s1")], context_survival=1.2)


def test_every_problem_is_listed_at_once(town):
    with pytest.raises(InputError) as info:
        evaluate(town, [Decommission("x1"), Close("x2"), Relocate("s1", 95, 0)])
    assert len(info.value.problems) == 3


def test_evaluate_reports_progress_and_can_be_cancelled(town):
    from socialmap.scenarios import Cancelled

    seen = []
    evaluate(town, [Decommission("s1")], progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        evaluate(town, [Decommission("s1")], cancelled=lambda: True)


def test_a_project_without_areas_or_people():
    """Nothing to damage: no area rows; the change is still checked and applied."""
    from socialmap.model import Node, Project

    p = Project()
    p.add_node(Node("o", "organisation", lat=53.4, lon=-2.3))
    p.add_node(Node("s", "service", lat=53.4, lon=-2.3, provider="o"))
    r = evaluate(p, [Close("o")])
    assert r.areas.empty and sorted(r.summary["removed"]) == ["o", "s"]
    assert r.summary["newly_isolated"] == 0


_UNKNOWN = "change 1 (decommission nope), field 'service': unknown service 'nope'"
#: Change lists on the town and what validate_changes says of each, by hand from the town's
#: records (conftest: o1 provides s1 and s2, o2 provides s3; o3 provides nothing).
_CHANGE_LISTS = [
    ([Decommission("nope")], [_UNKNOWN]),
    ([Decommission("o1")], ["change 1 (decommission o1), field 'service': 'o1' is an organisation, not a service"]),
    ([Close("s1")], ["change 1 (close s1), field 'org': 's1' is a service, not an organisation"]),
    ([Transfer("s1", "yp1")],
     ["change 1 (transfer s1 to yp1 (retention 0.5)), field 'org': 'yp1' is a young person, not an organisation"]),
    ([Transfer("s1", "o1")], ["change 1 (transfer s1 to o1 (retention 0.5)), field 'org': 's1' is already provided by 'o1'"]),
    ([Transfer("s1", "o2", 1.5)],
     ["change 1 (transfer s1 to o2 (retention 1.5)), field 'retention': retention 1.5 is outside 0..1"]),
    ([Relocate("s1", 91, 0)],
     ["change 1 (relocate s1 to 91,0 (travel limit 3 km)), field 'lat': latitude 91 is out of range -90..90"]),
    ([Relocate("s1", 53, -2, -1)],
     ["change 1 (relocate s1 to 53,-2 (travel limit -1 km)), field 'max_travel_km': max_travel_km -1 is negative"]),
    ([Decommission("s1"), Decommission("s1")],
     ["change 2 (decommission s1), field 'service': service 's1' is already gone: change 1 (decommission s1) removed it"]),
    ([Close("o1"), Decommission("s2")],  # s2 went with its provider
     ["change 2 (decommission s2), field 'service': service 's2' is already gone: change 1 (close o1) removed it"]),
    ([Close("o1"), Relocate("s1", 53.41, -2.28)],
     ["change 2 (relocate s1 to 53.41,-2.28 (travel limit 3 km)), field 'service': service 's1' is already gone: "
      "change 1 (close o1) removed it"]),
    ([Transfer("s1", "o2"), Close("o1"), Decommission("s1")], []),  # s1 moved to o2 first: still there
    ([Transfer("s1", "o2"), Close("o2"), Decommission("s1")],  # and went with o2
     ["change 3 (decommission s1), field 'service': service 's1' is already gone: change 2 (close o2) removed it"]),
    ([Transfer("s1", "o2"), Transfer("s1", "o2")],  # provided by o2 after the first
     ["change 2 (transfer s1 to o2 (retention 0.5)), field 'org': 's1' is already provided by 'o2'"]),
    ([Transfer("s1", "o2"), Transfer("s1", "o1")], []),  # back to o1: fine
    ([Decommission("x1"), Close("x2"), Relocate("s1", 95, 0), Transfer("s3", "o2"), Close("o2"), Close("o2")],
     ["change 1 (decommission x1), field 'service': unknown service 'x1'",
      "change 2 (close x2), field 'org': unknown organisation 'x2'",
      "change 3 (relocate s1 to 95,0 (travel limit 3 km)), field 'lat': latitude 95 is out of range -90..90",
      "change 4 (transfer s3 to o2 (retention 0.5)), field 'org': 's3' is already provided by 'o2'",
      "change 6 (close o2), field 'org': organisation 'o2' is already gone: change 5 (close o2) removed it"]),
    ([Decommission("s1"), Transfer("s2", "o3", 0.5), Relocate("s3", 53.44, -2.29), Close("o2")], []),  # all fine
]


@pytest.mark.parametrize(("changes", "expected"), _CHANGE_LISTS)
def test_changes_are_checked_from_the_records_as_applying_them_checks_them(town, changes, expected):
    """validate_changes (the CLI's, the reports' and the window's check of a change list) reads
    the node records and builds no scenario set-up; it refuses exactly these problems, in this
    order, or none, and so does applying the changes on the set-up (the same steps)."""
    from socialmap.errors import InputError as Refused
    from socialmap.scenarios import validate_changes

    def problems(check):
        try:
            check(town, changes)
        except Refused as exc:
            return [str(p) for p in exc.problems]
        return []

    assert problems(validate_changes) == expected
    assert not any(key.startswith(("scenario_base", "graph_arrays")) for key in town._cache)
    assert problems(apply_changes) == expected
