"""Open Referral UK import: CSV tables (organization, service, location,
service_at_location, physical_address) and the API's JSON, with the standard's
field names."""

from __future__ import annotations

import hashlib
import json

from socialmap.cli import main
from socialmap.store import load_project

TABLES = {
    "organization.csv": "id,name,description,email,url\n"
                        "org-1,Northside Trust,Youth charity,hello@example.org,https://example.org\n"
                        "org-2,Online Help Ltd,Phone advice only,,\n",
    "service.csv": "id,organization_id,name,description,status,minimum_age,maximum_age\n"
                   "svc-1,org-1,Youth club,Evenings,active,11,19\n"
                   "svc-2,org-1,Careers advice,,active,16,24\n"
                   "svc-3,org-2,Helpline,,active,,\n",
    "location.csv": "id,name,description,latitude,longitude\n"
                    "loc-1,Civic Centre,,53.405,-2.295\n"
                    "loc-2,East Hall,,,\n",
    "service_at_location.csv": "id,service_id,location_id\n"
                               "sal-1,svc-1,loc-1\n"
                               "sal-2,svc-2,loc-1\n"
                               "sal-3,svc-2,loc-2\n",
    "physical_address.csv": "id,location_id,address_1,city,postal_code,country\n"
                            "addr-1,loc-2,1 East St,Manchester,M1 2BB,GB\n",
}


def write_tables(folder, tables=TABLES):
    folder.mkdir()
    for name, text in tables.items():
        (folder / name).write_text(text)
    return folder


def test_folder_of_tables(tmp_path, areas_geojson, lookup_csv, capsys):
    """org-1 -> organisation; svc-1 at loc-1, svc-2 at loc-1 and loc-2 -> three service nodes
    (one per service_at_location) provided by org-1, each with its provides tie. loc-2 has no
    coordinates and is placed by its postcode M1 2BB (53.405, -2.285, area A2). org-2's only
    service has no location: both are skipped and counted in a note."""
    folder = write_tables(tmp_path / "oruk")
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--postcodes", str(lookup_csv),
                 "--areas", str(areas_geojson), str(out)]) == 0
    err = capsys.readouterr().err
    assert "1 service(s) with no physical location were skipped" in err
    p = load_project(out)
    assert sorted(p.nodes) == ["org-1", "sal-1", "sal-2", "sal-3"]
    org = p.nodes["org-1"]
    assert (org.kind, org.label, org.lat, org.lon) == ("organisation", "Northside Trust", 53.405, -2.295)
    assert org.attrs["email"] == "hello@example.org"
    s3 = p.nodes["sal-3"]
    assert (s3.kind, s3.provider, s3.lat, s3.lon, s3.area_code) == ("service", "org-1", 53.405, -2.285, "A2")
    assert s3.label == "Careers advice (East Hall)"
    assert p.nodes["sal-1"].label == "Youth club" and p.nodes["sal-1"].area_code == "A1"
    assert sorted((t.a, t.b, t.type) for t in p.ties.values()) == [
        ("org-1", "sal-1", "provides"), ("org-1", "sal-2", "provides"), ("org-1", "sal-3", "provides")]


def test_location_without_coordinates_needs_postcodes(tmp_path, areas_geojson, capsys):
    folder = write_tables(tmp_path / "oruk")
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(out)]) == 2
    err = capsys.readouterr().err
    assert "location.csv, row 3" in err and "give --postcodes" in err
    assert not out.exists()


def test_bad_references_are_each_reported(tmp_path, areas_geojson, capsys):
    tables = dict(TABLES)
    tables["service.csv"] += "svc-4,org-9,Ghost service,,,,\n"
    tables["service_at_location.csv"] += "sal-4,svc-9,loc-1\nsal-5,svc-1,loc-9\n"
    tables["location.csv"] = tables["location.csv"].replace("53.405,-2.295", "north,-2.295")
    folder = write_tables(tmp_path / "oruk", tables)
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson),
                 str(tmp_path / "o.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "service.csv, row 5, field 'organization_id': organization_id 'org-9'" in err
    assert "service_at_location.csv, row 5, field 'service_id'" in err
    assert "service_at_location.csv, row 6, field 'location_id'" in err
    assert "location.csv, row 2, field 'latitude'" in err and "'north' is not a number" in err


def test_json_export_of_the_api(tmp_path, areas_geojson):
    """A page of two services (ORUK 1 API shape) sharing one organisation: nested repeats of the
    organisation are one node."""
    org = {"id": "org-1", "name": "Northside Trust", "url": "https://example.org"}
    doc = {"totalElements": 2, "content": [
        {"id": "svc-1", "name": "Youth club", "organization": org, "service_at_locations": [
            {"id": "sal-1", "location": {"id": "loc-1", "name": "Civic Centre", "latitude": 53.405,
                                         "longitude": -2.295, "physical_addresses": [{"postal_code": "M1 1AA"}]}}]},
        {"id": "svc-2", "name": "Drop-in", "organization": org, "service_at_locations": [
            {"id": "sal-2", "location": {"id": "loc-2", "name": "East Hall", "latitude": "53.405",
                                         "longitude": "-2.285"}}]},
    ]}
    path = tmp_path / "services.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(path), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert sorted(p.nodes) == ["org-1", "sal-1", "sal-2"]
    assert p.nodes["sal-2"].lon == -2.285 and p.nodes["sal-1"].attrs["postcode"] == "M1 1AA"
    assert len(p.ties) == 2


def test_broken_json_is_refused(tmp_path, saved_small, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"content": [')
    before = hashlib.sha256(saved_small.read_bytes()).digest()
    assert main(["import", "openreferral", str(path), "--into", str(saved_small)]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
    assert hashlib.sha256(saved_small.read_bytes()).digest() == before


def test_merge_into_project(tmp_path, saved_small):
    tables_no_loc2 = tmp_path / "oruk2"
    t = dict(TABLES)
    t["service_at_location.csv"] = "id,service_id,location_id\nsal-1,svc-1,loc-1\n"
    write_tables(tables_no_loc2, t)
    assert main(["import", "openreferral", str(tables_no_loc2), "--into", str(saved_small)]) == 0
    p = load_project(saved_small)
    assert "sal-1" in p.nodes and "o1" in p.nodes and p.nodes["sal-1"].provider == "org-1"


def test_hsds3_page_of_organisations_with_services(tmp_path, areas_geojson):
    """HSDS 3 pages use ``contents``; here each item is an organisation with nested services, and one
    location (HSDS 3 ``addresses``) is placed by postcode: M1 2BB -> (53.405, -2.285), area A2."""
    doc = {"total_items": 1, "contents": [
        {"id": "org-1", "name": "Northside Trust", "services": [
            {"id": "svc-1", "name": "Youth club", "service_at_locations": [
                {"id": "sal-1", "location": {"id": "loc-1", "name": "Hall", "addresses": [
                    {"address_1": "1 East St", "postal_code": "m1 2bb"}]}}]}]}]}
    path = tmp_path / "hsds3.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out.gpkg"
    lookup = tmp_path / "pc.csv"
    lookup.write_text("pcds,lat,long,lsoa21\nM1 2BB,53.405,-2.285,A2\n")
    assert main(["import", "openreferral", str(path), "--postcodes", str(lookup), "--areas", str(areas_geojson),
                 str(out)]) == 0
    p = load_project(out)
    assert (p.nodes["sal-1"].lat, p.nodes["sal-1"].lon, p.nodes["sal-1"].area_code) == (53.405, -2.285, "A2")
    assert p.nodes["sal-1"].provider == "org-1" and p.nodes["org-1"].lat == 53.405


def test_link_rows_without_an_id(tmp_path, areas_geojson):
    tables = dict(TABLES)
    tables["service_at_location.csv"] = "service_id,location_id\nsvc-1,loc-1\n"
    folder = write_tables(tmp_path / "oruk", tables)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(out)]) == 0
    assert "svc-1@loc-1" in load_project(out).nodes


def test_out_of_range_coordinates_are_reported_at_the_location_row(tmp_path, areas_geojson, capsys):
    """loc-1's latitude 95 is wrong in location.csv row 2; the user must be sent there, not to
    service_at_location.csv or organization.csv, which have no latitude column."""
    tables = dict(TABLES)
    tables["location.csv"] = TABLES["location.csv"].replace("loc-1,Civic Centre,,53.405", "loc-1,Civic Centre,,95")
    folder = write_tables(tmp_path / "oruk", tables)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(out)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if "out of range" in line]
    assert lines and all("location.csv, row 2" in line and "'latitude'" in line for line in lines), lines
    assert not [line for line in lines if "service_at_location.csv" in line or "organization.csv" in line]
    assert not out.exists()


def test_an_unreadable_longitude_is_reported_in_its_own_column(tmp_path, areas_geojson, capsys):
    tables = dict(TABLES)
    tables["location.csv"] = TABLES["location.csv"].replace("53.405,-2.295", "53.405,west")
    folder = write_tables(tmp_path / "oruk", tables)
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(tmp_path / "o.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "location.csv, row 2, field 'longitude': location 'loc-1': 'west' is not a number" in err, err


def test_the_summary_counts_the_ties_the_project_gained(tmp_path, areas_geojson, lookup_csv, capsys):
    """The folder of TABLES gives org-1 and three services, each with a derived ``provides`` tie:
    4 nodes and 3 ties, not "0 ties" (the batch itself holds no tie rows)."""
    folder = write_tables(tmp_path / "oruk")
    assert main(["import", "openreferral", str(folder), "--postcodes", str(lookup_csv),
                 "--areas", str(areas_geojson), str(tmp_path / "out.gpkg")]) == 0
    assert "imported 4 nodes and 3 ties" in capsys.readouterr().err


def test_inactive_and_defunct_services_are_skipped_with_a_note(tmp_path, areas_geojson, capsys):
    """svc-1 (at loc-1) is 'inactive' and svc-2 (at loc-1 and loc-2) 'Defunct': neither runs any
    more, so of org-1's services none is left: no service node, org-1 has no located service and is
    skipped too; the note counts the 2 closed services. svc-4 (active, at loc-1) stays."""
    tables = dict(TABLES)
    tables["service.csv"] = ("id,organization_id,name,description,status,minimum_age,maximum_age\n"
                             "svc-1,org-1,Youth club,Evenings,inactive,11,19\n"
                             "svc-2,org-1,Careers advice,,Defunct,16,24\n"
                             "svc-3,org-2,Helpline,,active,,\n"
                             "svc-4,org-2,Drop-in,,active,,\n")
    tables["service_at_location.csv"] += "sal-4,svc-4,loc-1\n"
    tables.pop("physical_address.csv")
    tables["location.csv"] = "id,name,description,latitude,longitude\nloc-1,Civic Centre,,53.405,-2.295\n" \
                             "loc-2,East Hall,,53.405,-2.285\n"
    folder = write_tables(tmp_path / "oruk", tables)
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson), str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 service(s) whose status is inactive or defunct were skipped" in err
    p = load_project(out)
    assert sorted(p.nodes) == ["org-2", "sal-4"]


def test_an_inactive_service_in_a_json_export_is_skipped(tmp_path, areas_geojson, capsys):
    org = {"id": "org-1", "name": "Northside Trust"}
    loc = {"id": "loc-1", "name": "Civic Centre", "latitude": 53.405, "longitude": -2.295}
    doc = [{"id": "svc-1", "name": "Youth club", "status": "active", "organization": org,
            "service_at_locations": [{"id": "sal-1", "location": loc}]},
           {"id": "svc-2", "name": "Old club", "status": "inactive", "organization": org,
            "service_at_locations": [{"id": "sal-2", "location": loc}]}]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out.gpkg"
    assert main(["import", "openreferral", str(path), "--areas", str(areas_geojson), str(out)]) == 0
    assert "1 service(s) whose status is inactive or defunct were skipped" in capsys.readouterr().err
    assert sorted(load_project(out).nodes) == ["org-1", "sal-1"]


def test_an_empty_json_list_is_refused(tmp_path, areas_geojson, saved_small, capsys):
    """[] (or a page with no content) has nothing to import: refused with the reason, no project
    made and none changed."""
    out = tmp_path / "out.gpkg"
    for i, document in enumerate(([], {"content": []})):
        path = tmp_path / f"empty{i}.json"
        path.write_text(json.dumps(document))
        assert main(["import", "openreferral", str(path), "--areas", str(areas_geojson), str(out)]) == 2
        assert capsys.readouterr().err == (f"socialmap: {path}: has no organisations or services to import "
                                           "(the export's list is empty)\n")
        assert not out.exists()
    before = hashlib.sha256(saved_small.read_bytes()).digest()
    assert main(["import", "openreferral", str(tmp_path / "empty0.json"), "--into", str(saved_small)]) == 2
    assert hashlib.sha256(saved_small.read_bytes()).digest() == before


def test_tables_with_no_rows_are_refused(tmp_path, areas_geojson, capsys):
    folder = write_tables(tmp_path / "oruk", {"organization.csv": "id,name\n",
                                              "service.csv": "id,organization_id,name\n",
                                              "service_at_location.csv": "id,service_id,location_id\n"})
    assert main(["import", "openreferral", str(folder), "--areas", str(areas_geojson),
                 str(tmp_path / "out.gpkg")]) == 2
    assert "has no organisations or services to import (its organization and service tables have no rows)" \
        in capsys.readouterr().err
