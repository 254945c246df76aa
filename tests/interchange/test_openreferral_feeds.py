"""Open Referral UK as feeds are served (issue 12). Payloads are shaped as the ORUK 1 API
reference describes them (``GET /services`` pages: ``content`` with ``totalElements``,
``totalPages``, ``number``; each service with its nested ``organization``, ``service_at_locations``
with the nested ``location`` and its ``physical_addresses``, ``service_taxonomys`` and
``eligibilitys``) and as the HSDS 3 UK profile's service list (``contents``, ``locations`` with
``location_type`` and ``addresses`` with ``address_type``)."""

from __future__ import annotations

import json

from socialmap.cli import main
from socialmap.store import load_project

ORG = {"id": "org-1", "name": "Northfield Youth Trust", "description": "youth work", "url": "https://example.org"}


def service(sid, name, lat, lon, *, status="active", loc_type=None, org=ORG, taxonomy=("Youth club",),
            ages=(11, 19)):
    loc = {"id": f"loc-{sid}", "name": f"{name} hall", "latitude": lat, "longitude": lon,
           "physical_addresses": [{"id": f"adr-{sid}", "address_1": "1 High St", "postal_code": "M1 1AA"}]}
    if loc_type:
        loc["location_type"] = loc_type
    return {"id": sid, "name": name, "status": status, "organization": org,
            "service_at_locations": [{"id": f"sal-{sid}", "location": loc}],
            "service_taxonomys": [{"id": f"st-{sid}-{i}", "taxonomy": {"id": f"t{i}", "name": t, "vocabulary": "esd"}}
                                  for i, t in enumerate(taxonomy)],
            "eligibilitys": [{"id": f"el-{sid}", "eligibility": "young people", "minimum_age": ages[0],
                              "maximum_age": ages[1]}]}


def page(services, number, total_pages):
    return {"totalElements": 4, "totalPages": total_pages, "number": number, "size": 2, "first": number == 1,
            "last": number == total_pages, "content": services}


PAGE1 = page([service("svc-1", "Youth club", 53.405, -2.295),
              service("svc-2", "Homework club", 53.405, -2.285, status="temporarily closed")], 1, 2)
PAGE2 = page([service("svc-3", "Online advice", 53.405, -2.295, loc_type="virtual"),
              service("svc-4", "Boxing", 53.406, -2.284, taxonomy=("Sport", "Youth club"), ages=(14, 25))], 2, 2)


def write(path, doc):
    path.write_text(json.dumps(doc))
    return path


def test_an_api_page_with_nested_organisations_imports(tmp_path, areas_geojson, capsys):
    src = write(tmp_path / "page1.json", PAGE1)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert p.nodes["org-1"].kind == "organisation"
    svc = p.nodes["sal-svc-1"]
    assert svc.kind == "service" and svc.provider == "org-1" and svc.service_type == "youth club"
    assert svc.attrs["minimum_age"] == "11" and svc.attrs["maximum_age"] == "19"
    assert svc.attrs["eligibility"] == "young people" and svc.attrs["taxonomy"] == "Youth club"
    assert "temporarily closed" in capsys.readouterr().err and p.nodes["sal-svc-2"].attrs["status"] == \
        "temporarily closed"


def test_a_folder_of_pages_is_one_directory_and_virtual_is_skipped_with_a_note(tmp_path, areas_geojson, capsys):
    folder = tmp_path / "feed"
    folder.mkdir()
    write(folder / "page1.json", PAGE1)
    write(folder / "page2.json", PAGE2)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert sorted(n for n in p.nodes if p.nodes[n].kind == "service") == ["sal-svc-1", "sal-svc-2", "sal-svc-4"]
    assert p.nodes["sal-svc-4"].service_type == "sport" and p.nodes["sal-svc-4"].attrs["taxonomy"] == "Sport; Youth club"
    assert "1 virtual and 0 postal location(s) skipped" in capsys.readouterr().err


def test_page_two_into_page_one_updates_instead_of_refusing(tmp_path, areas_geojson, capsys):
    """Page 2 repeats org-1: it updates it. Then page 1 again, with svc-1 renamed: 1 updated."""
    p1, p2 = write(tmp_path / "p1.json", PAGE1), write(tmp_path / "p2.json", PAGE2)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(p1), "--areas", str(areas_geojson), str(out)]) == 0
    capsys.readouterr()
    assert main(["import", "openreferral", str(p2), "--into", str(out)]) == 0
    assert "1 added, 0 updated, 1 unchanged" in capsys.readouterr().err
    changed = json.loads(json.dumps(PAGE1))
    changed["content"][0]["name"] = "Youth club (Tuesdays)"
    write(p1, changed)
    assert main(["import", "openreferral", str(p1), "--into", str(out)]) == 0
    assert "0 added, 1 updated, 2 unchanged" in capsys.readouterr().err
    assert load_project(out).nodes["sal-svc-1"].label == "Youth club (Tuesdays)"


def test_a_single_organisation_object(tmp_path, areas_geojson):
    """What GET /organizations/{id} returns: the organisation with its services."""
    org = {**ORG, "services": [{k: v for k, v in service("svc-1", "Youth club", 53.405, -2.295).items()
                                if k != "organization"}]}
    src = write(tmp_path / "org.json", org)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert p.nodes["org-1"].label == "Northfield Youth Trust" and p.nodes["sal-svc-1"].provider == "org-1"


def test_hsds3_uk_profile_list_with_postal_addresses_not_used_as_sites(tmp_path, areas_geojson, capsys):
    doc = {"total_items": 2, "total_pages": 1, "page_number": 1, "contents": [
        {"id": "s1", "name": "Drop-in", "status": "active", "organization": ORG,
         "minimum_age": 13, "maximum_age": 18,
         "attributes": [{"id": "a1", "taxonomy_term": {"id": "tt1", "name": "Advice"}}],
         "service_at_locations": [{"id": "sal1", "location": {
             "id": "l1", "location_type": "physical", "latitude": 53.405, "longitude": -2.295,
             "addresses": [{"id": "ad1", "address_type": "physical", "postcode": "M1 1AA"}]}}]},
        {"id": "s2", "name": "Post only", "status": "active", "organization": ORG,
         "service_at_locations": [{"id": "sal2", "location": {"id": "l2", "location_type": "postal",
                                                              "latitude": 53.405, "longitude": -2.285}}]}]}
    src = write(tmp_path / "hsds3.json", doc)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert set(p.nodes) == {"org-1", "sal1"} and p.nodes["sal1"].service_type == "advice"
    assert p.nodes["sal1"].attrs["minimum_age"] == "13"
    assert "0 virtual and 1 postal location(s) skipped" in capsys.readouterr().err


def test_a_feed_that_gives_nothing_exits_2_with_the_reason(tmp_path, areas_geojson, capsys):
    src = write(tmp_path / "p.json", page([service("svc-3", "Online advice", 53.4, -2.29, loc_type="virtual")], 1, 1))
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 2
    err = capsys.readouterr().err
    assert "would import no organisation and no service" in err and not out.exists()


# --------------------------------------------------------------------------- the UK profile's own example

def _uk_profile_page():
    """tests/fixtures/openreferral_uk/services_page.json: a ``GET /services`` page of the HSDS 3
    UK profile (header total_items, total_pages, page_number, size, first_page, last_page, empty;
    then ``contents``) holding the profile's example service, 'Community Counselling' of 'Example
    Organization Inc.' (the ids, ages 12-100, organisation identifier and the 'MyCity Civic Center'
    location with its UPRN and postal address as the profile's examples give them). The
    examples' latitude 100 and longitude 101 are placeholders outside the globe, so the fixture
    puts the centre at 53.405 N, 2.295 W, inside test area A1; the tests below also try the
    published values."""
    from pathlib import Path

    return json.loads((Path(__file__).parents[1] / "fixtures" / "openreferral_uk" / "services_page.json").read_text())


def test_the_uk_profile_example_services_page_imports_its_organisation_and_service(tmp_path, areas_geojson, capsys):
    src = write(tmp_path / "services.json", _uk_profile_page())
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 0
    assert "imported 2 nodes and 1 ties" in capsys.readouterr().err
    p = load_project(out)
    org = p.nodes["d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"]
    assert org.kind == "organisation" and org.label == "Example Organization Inc."
    svc = p.nodes["e94c9f38-1e8f-4564-91d4-d53501ab1765"]  # a service at a location: the service_at_location's id
    assert svc.kind == "service" and svc.label == "Community Counselling" and svc.provider == org.id
    assert (svc.lat, svc.lon, svc.area_code) == (53.405, -2.295, "A1")
    assert svc.attrs["openreferral_service_id"] == "ac148810-d857-441c-9679-408f346de14b"
    assert (svc.attrs["minimum_age"], svc.attrs["maximum_age"]) == ("12", "100")
    assert svc.attrs["location_name"] == "MyCity Civic Center"
    assert p.get_tie(org.id, svc.id).type == "provides"


def test_the_uk_profile_example_with_its_placeholder_coordinates_is_refused_at_the_location(tmp_path, areas_geojson,
                                                                                           capsys):
    doc = _uk_profile_page()
    location = doc["contents"][0]["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 100, 101  # as published
    src = write(tmp_path / "services.json", doc)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(out)]) == 2
    assert ("item 1 service_at_locations[0] location, field 'latitude': location "
            "'3a19ff88-4620-4d17-9830-ac1d859eb5d5': latitude 100 is out of range -90..90") in capsys.readouterr().err
    assert not out.exists()


def test_a_service_at_location_given_by_id_only_says_the_service_has_no_site(tmp_path, areas_geojson, capsys):
    """The profile's service example lists its service_at_locations as ``{"id": ...}`` only."""
    doc = _uk_profile_page()
    doc["contents"][0]["service_at_locations"] = [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765"}]
    src = write(tmp_path / "services.json", doc)
    assert main(["import", "openreferral", str(src), "--areas", str(areas_geojson), str(tmp_path / "o.gpkg")]) == 2
    assert ("service_at_location 'e94c9f38-1e8f-4564-91d4-d53501ab1765' gives no location (neither a nested "
            "location nor a location_id), so the service has no site") in capsys.readouterr().err
