"""Area measures (SPEC section 3) on hand-made projects."""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer
from shapely.geometry import box

from socialmap.analysis import AREA_MEASURES, analyse, metric_crs_for_bounds
from socialmap.model import Area, Node, Tie
from tests.analysis.conftest import project_with


def test_counts_and_means_of_the_small_project(small_project):
    """A1: yp1 (NEET, not isolated: linking tie to s1), yp2 (bridging tie to yp3).
    young_people 2, neet 1, isolated 0, neet_isolated 0, rate 0/1 = 0.
    mean_bridging (0 + 1)/2 = 0.5, mean_linking (1 + 0)/2 = 0.5.
    A2: yp3 only (bridging 1, linking 1): young_people 1, neet 0, rate null (no NEET),
    mean_bridging 1, mean_linking 1."""
    areas = analyse(small_project).areas
    a1, a2 = areas.loc["A1"], areas.loc["A2"]
    assert (a1["young_people"], a1["neet"], a1["isolated"], a1["neet_isolated"]) == (2, 1, 0, 0)
    assert a1["neet_isolation_rate"] == 0.0
    assert (a1["mean_bridging"], a1["mean_linking"]) == (0.5, 0.5)
    assert (a2["young_people"], a2["neet"], a2["isolated"], a2["neet_isolated"]) == (1, 0, 0, 0)
    assert math.isnan(a2["neet_isolation_rate"])
    assert (a2["mean_bridging"], a2["mean_linking"]) == (1.0, 1.0)


def test_area_tie_counts_count_a_bridging_tie_for_both_areas(small_project):
    """yp2 (A1) - yp3 (A2) bridging: counted once in A1 and once in A2."""
    areas = analyse(small_project).areas
    assert areas["bridging_ties"].tolist() == [1, 1]
    assert areas["bonding_ties"].tolist() == [2, 0]  # yp1-yp2 counted for each of its two ends
    assert areas["linking_ties"].tolist() == [1, 1]


def test_neet_isolation_rate(two_areas):
    """A1 has four NEET young people, three with no ties (isolated) and one who attends a
    service (not isolated), and one EET young person with no ties (isolated).
    neet 4, isolated 4, neet_isolated 3, rate 3/4 = 0.75."""
    nodes = [Node(f"n{i}", "young_person", area_code="A1", neet=True) for i in range(4)]
    nodes += [Node("e", "young_person", area_code="A1", neet=False), Node("s", "service", lat=53.405, lon=-2.295)]
    p = project_with(two_areas, nodes, [Tie("n0", "s", "attends")])
    a1 = analyse(p).areas.loc["A1"]
    assert (a1["young_people"], a1["neet"], a1["isolated"], a1["neet_isolated"]) == (5, 4, 4, 3)
    assert a1["neet_isolation_rate"] == 0.75


def test_ei_index(two_areas):
    """A1: y1, y2, y3; A2: z1, z2.
    Ties: y1-y2 friend (inside A1), y2-y3 friend (inside A1), y3-z1 friend (A1-A2),
          z1-z2 peer (inside A2), y1-z2 family (A1-A2), y1-w worker (linking: not counted),
          y2-g family with g an adult with no area (unclassified: not counted).
    A1: E = 2 (y3-z1, y1-z2), I = 2 (y1-y2, y2-y3, each once): (2 - 2)/4 = 0.
    A2: E = 2, I = 1: (2 - 1)/3 = 1/3."""
    nodes = [Node(f"y{i}", "young_person", area_code="A1") for i in (1, 2, 3)]
    nodes += [Node(f"z{i}", "young_person", area_code="A2") for i in (1, 2)]
    nodes += [Node("w", "adult", area_code="A1"), Node("g", "adult")]
    ties = [Tie("y1", "y2", "friend"), Tie("y2", "y3", "friend"), Tie("y3", "z1", "friend"),
            Tie("z1", "z2", "peer"), Tie("y1", "z2", "family"), Tie("y1", "w", "worker"), Tie("y2", "g", "family")]
    areas = analyse(project_with(two_areas, nodes, ties)).areas
    assert areas.loc["A1", "ei_index"] == 0.0
    assert areas.loc["A2", "ei_index"] == pytest.approx(1 / 3)


def test_ei_index_is_null_without_informal_ties(small_project):
    small_project.remove_tie("yp1", "yp2")
    small_project.remove_tie("yp2", "yp3")
    assert analyse(small_project).areas["ei_index"].isna().all()


def test_eet_connectedness(two_areas):
    """A1: n1, n2 NEET; e1, e2 EET. A2: n3 NEET, e3 EET.
    n1: friends e1 (EET), e2 (EET), n2 (NEET) -> 2/3; n2: peer n1 (NEET) -> 0/1;
    n1-a family with an adult and n2-e3 family are not friend/peer ties: ignored.
    A1 = 2 x (2/3 + 0)/2 = 2/3.
    A2: n3's only friend/peer tie is with e1 (EET, in A1): share 1 -> 2 x 1 = 2."""
    nodes = [Node("n1", "young_person", area_code="A1", neet=True), Node("n2", "young_person", area_code="A1", neet=True),
             Node("e1", "young_person", area_code="A1", neet=False), Node("e2", "young_person", area_code="A1", neet=False),
             Node("n3", "young_person", area_code="A2", neet=True), Node("e3", "young_person", area_code="A2", neet=False),
             Node("a", "adult", area_code="A1")]
    ties = [Tie("n1", "e1", "friend"), Tie("n1", "e2", "friend"), Tie("n1", "n2", "friend"), Tie("n2", "n1", "peer")]
    ties = ties[:3] + [Tie("n1", "a", "family"), Tie("n2", "e3", "family"), Tie("n3", "e1", "peer")]
    areas = analyse(project_with(two_areas, nodes, ties)).areas
    # n2's only friend/peer tie is the friend tie with n1 (NEET): share 0
    assert areas.loc["A1", "eet_connectedness"] == pytest.approx(2 * (2 / 3 + 0) / 2)
    assert areas.loc["A2", "eet_connectedness"] == 2.0


def test_eet_connectedness_null_when_no_neet_has_friends(small_project):
    """A2 has no NEET young person: null."""
    assert math.isnan(analyse(small_project).areas.loc["A2", "eet_connectedness"])


def test_services_and_anchors_in_area(small_project):
    """s1 at lon -2.285 lies in A2 (-2.29..-2.28); o1 (an anchor) at -2.295 in A1."""
    areas = analyse(small_project).areas
    assert areas["services_in_area"].tolist() == [0, 1]
    assert areas["anchors_in_area"].tolist() == [1, 0]


def test_point_on_a_shared_border_counts_once(two_areas):
    """A service on the border lon -2.29 between A1 and A2 counts for one area only."""
    p = project_with(two_areas, [Node("s", "service", lat=53.405, lon=-2.29)])
    assert analyse(p).areas["services_in_area"].sum() == 1


def test_anchor_by_org_type_counts(two_areas):
    """An organisation of org_type 'anchor' counts as an anchor even without is_anchor."""
    p = project_with(two_areas, [Node("o", "organisation", lat=53.405, lon=-2.285, org_type="anchor"),
                                 Node("q", "organisation", lat=53.405, lon=-2.285, is_anchor=False)])
    assert analyse(p).areas["anchors_in_area"].tolist() == [0, 1]


def test_nearest_service_km_in_the_small_project(small_project):
    """s1 sits at A2's centre: 0 km. A1's centre is 0.01 degrees of longitude west of it at
    latitude 53.405: on the WGS 84 ellipsoid (a = 6378137 m, e^2 = 0.00669438)
    pi/180 x 0.01 x a cos(phi) / sqrt(1 - e^2 sin^2 phi) = 1113.195 x 0.596293 / 0.997841
    = 665.2 m; the grid scale factor there is 0.9996, so about 0.665 km."""
    km = analyse(small_project).areas["nearest_service_km"]
    assert km["A2"] == pytest.approx(0.0, abs=0.002)
    assert km["A1"] == pytest.approx(0.665, abs=0.002)


def _square_in(crs: str, x0: float, y0: float, side: float) -> box:
    """A square drawn in a metric CRS, returned in lon/lat (its corners transform exactly)."""
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    from shapely.geometry import Polygon

    corners = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]
    return Polygon([back.transform(x, y) for x, y in corners])


def _lonlat(crs: str, x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)


def test_nearest_service_km_in_british_national_grid():
    """A 1 km square with corners (400000, 400000)-(401000, 401000) on the British National
    Grid has its centroid at (400500, 400500). Services at (403500, 404500) and
    (410000, 400500): distances sqrt(3000^2 + 4000^2) = 5000 m and 9500 m; nearest 5.0 km."""
    p = project_with([Area("G", "Grid", _square_in("EPSG:27700", 400000, 400000, 1000))])
    for sid, (x, y) in {"s1": (403500, 404500), "s2": (410000, 400500)}.items():
        lon, lat = _lonlat("EPSG:27700", x, y)
        p.add_node(Node(sid, "service", lat=lat, lon=lon))
    result = analyse(p)
    assert result.metric_crs == "EPSG:27700"
    assert result.areas.loc["G", "nearest_service_km"] == pytest.approx(5.0, abs=1e-6)


def test_nearest_service_km_outside_britain_uses_utm():
    """Paris lies in UTM zone 31 north (EPSG:32631). A 1 km square at (450000, 5410000) has its
    centroid at (450500, 5410500); a service at (450500 + 1200, 5410500 + 500) is
    sqrt(1200^2 + 500^2) = 1300 m away: 1.3 km."""
    p = project_with([Area("P", "Paris", _square_in("EPSG:32631", 450000, 5410000, 1000))])
    lon, lat = _lonlat("EPSG:32631", 451700, 5411000)
    p.add_node(Node("s", "service", lat=lat, lon=lon))
    result = analyse(p)
    assert result.metric_crs == "EPSG:32631"
    assert result.areas.loc["P", "nearest_service_km"] == pytest.approx(1.3, abs=1e-6)


def test_metric_crs_choice():
    """Inside GB's bounds: BNG. From Galway (-10.0) to Manchester (-2.24): west of the grid's
    area of use, so UTM of the centre lon (-10.0 - 2.24)/2 = -6.12: zone
    floor((-6.12 + 180)/6) + 1 = 29 -> EPSG:32629. Belfast alone (inside the grid's box but on
    the island of Ireland): centre -5.93 -> zone 30 -> EPSG:32630. Belfast to Glasgow: BNG."""
    assert metric_crs_for_bounds(-3.0, 51.0, 0.0, 52.0) == "EPSG:27700"
    assert metric_crs_for_bounds(-10.0, 53.3, -2.24, 53.5) == "EPSG:32629"
    assert metric_crs_for_bounds(-6.0, 54.55, -5.85, 54.65) == "EPSG:32630"
    assert metric_crs_for_bounds(-6.0, 54.55, -4.2, 55.9) == "EPSG:27700"


def test_no_services_gives_null_distance(two_areas):
    p = project_with(two_areas, [Node("y", "young_person", area_code="A1")])
    areas = analyse(p).areas
    assert areas["nearest_service_km"].isna().all()
    assert areas["services_in_area"].tolist() == [0, 0]
    doc = analyse(p).to_json()["areas"]["A1"]
    assert doc["nearest_service_km"] is None


def test_area_with_no_young_people(small_project):
    """A third area with nobody in it: counts 0, rates and means null, never a crash."""
    small_project.add_area(Area("A3", "Empty", box(-2.28, 53.40, -2.27, 53.41)))
    a3 = analyse(small_project).areas.loc["A3"]
    assert (a3["young_people"], a3["neet"], a3["isolated"], a3["neet_isolated"]) == (0, 0, 0, 0)
    for measure in ("neet_isolation_rate", "mean_bridging", "mean_linking", "ei_index", "eet_connectedness"):
        assert math.isnan(a3[measure]), measure


def test_json_document_has_every_field_of_spec_9(small_project):
    doc = analyse(small_project).to_json()
    # SPEC 9's keys, then those issue 19 adds (access to opportunity; the services section)
    assert list(doc) == ["people", "areas", "summary", "services"]
    assert tuple(doc["areas"]["A1"]) == AREA_MEASURES
    assert list(AREA_MEASURES) == [
        "young_people", "neet", "isolated", "neet_isolated", "neet_isolation_rate", "mean_bridging",
        "mean_linking", "ei_index", "eet_connectedness", "services_in_area", "nearest_service_km",
        "anchors_in_area", "neet_with_opportunity", "neet_opportunity_share",
        "not_known",  # issue 15: NCCIS reports "not known" as a headline figure beside NEET
    ]
    assert doc["areas"]["A2"]["young_people"] == 1  # exact in JSON, never "<5"
    assert doc["areas"]["A2"]["neet_isolation_rate"] is None
    assert doc["summary"]["young_people"] == 3 and doc["summary"]["neet"] == 1


def test_empty_project(empty_project):
    result = analyse(empty_project)
    assert len(result.people) == 0 and len(result.areas) == 0
    assert list(result.areas.columns[: len(AREA_MEASURES)]) == list(AREA_MEASURES)
    doc = result.to_json()
    assert doc["people"] == {} and doc["areas"] == {}
    assert doc["summary"]["young_people"] == 0 and doc["summary"]["metric_crs"] is None


def test_one_area_only():
    p = project_with([Area("Z", "Only", box(-2.30, 53.40, -2.29, 53.41))],
                     [Node("y", "young_person", area_code="Z", neet=True)])
    z = analyse(p).areas.loc["Z"]
    assert (z["young_people"], z["neet"], z["neet_isolated"], z["neet_isolation_rate"]) == (1, 1, 1, 1.0)


def test_ei_index_is_about_areas_whatever_the_group_key(two_areas):
    """E and I are defined by home areas, so the group key chosen for bonding/bridging must
    not change them. y1 (A1, school X), y2 (A1, no school recorded), z1 (A2, school X);
    friends y1-y2 and y1-z1.
    By area: A1: I = 1 (y1-y2), E = 1 (y1-z1): 0; A2: E = 1: +1.
    Grouped by school, y1-y2 is unclassified (y2's school unknown) and y1-z1 bonding; the
    E-I index was computed over bonding/bridging ties under that key, so A1 lost its
    internal tie and read +1. It must still read 0."""
    nodes = [Node("y1", "young_person", area_code="A1", attrs={"school": "X"}),
             Node("y2", "young_person", area_code="A1"),
             Node("z1", "young_person", area_code="A2", attrs={"school": "X"})]
    p = project_with(two_areas, nodes, [Tie("y1", "y2", "friend"), Tie("y1", "z1", "friend")])
    assert analyse(p).areas["ei_index"].tolist() == [0.0, 1.0]
    assert analyse(p, "school").areas["ei_index"].tolist() == [0.0, 1.0]


def test_southern_kintyre_is_british():
    """Campbeltown (5.61 W, 55.42 N) lies in Scotland but inside the box drawn around the
    island of Ireland (10.7 W-5.4 W, 51.4 N-55.45 N): it was measured in UTM zone 30 instead
    of the British National Grid. Belfast to Ballycastle (6.24 W-5.93 W, 54.6 N-55.2 N) is
    Northern Ireland and stays UTM (zone 29: its centre, 6.09 W, is west of 6 W)."""
    assert metric_crs_for_bounds(-5.65, 55.40, -5.58, 55.44) == "EPSG:27700"
    assert metric_crs_for_bounds(-6.24, 54.60, -5.93, 55.20) == "EPSG:32629"
    assert metric_crs_for_bounds(-6.3, 55.27, -6.15, 55.30) == "EPSG:32629"  # Rathlin Island


def test_not_known_is_counted_per_area_and_suppressed_in_the_public_table():
    """Issue 15: A1 has 6 young people, 2 of them with activity not known (counted, not NEET) and 1
    NEET not available; A2 has 5 not known. Public table: 2 -> '<5', 5 -> '5'."""
    from shapely.geometry import box

    from socialmap.interchange.privacy import public_area_table
    from socialmap.model import Area, Node, Project

    acts = {"A1": ["eet", "eet", "eet", "not_known", "not_known", "neet_not_available"], "A2": ["not_known"] * 5}
    nodes = [Node(f"{code}-{i}", "young_person", area_code=code, activity=a)
             for code, lst in acts.items() for i, a in enumerate(lst)]
    p = Project.build([Area("A1", "a", box(0, 0, 1, 1)), Area("A2", "b", box(1, 0, 2, 1))], nodes, [])
    result = analyse(p)
    assert result.areas["not_known"].to_dict() == {"A1": 2, "A2": 5}
    assert result.areas["neet"].to_dict() == {"A1": 1, "A2": 0}
    assert result.summary["not_known"] == 7
    public = public_area_table(result.areas)
    assert public["not_known"].to_dict() == {"A1": "<5", "A2": "5"}
