"""``socialmap import ccis`` (issue 15): a CCIS client extract of made-up young people, placed by
postcode in LSOA-like areas, with NCCIS activity codes, the currency rule and keyed-hash ids."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re

import pytest

from socialmap.cli import main
from socialmap.errors import InputError
from socialmap.interchange.readers.ccis import ACTIVITY_GROUPS, import_ccis, person_id
from socialmap.store import load_project
from tests.interchange import ccis_data as data

AS_OF = dt.date(2026, 12, 1)


@pytest.fixture
def files(tmp_path):
    return {"areas": data.write_areas(tmp_path / "areas.geojson"),
            "lookup": data.write_lookup(tmp_path / "lookup.csv", 400, terminated=(3, 9)),
            "extract": data.write_extract(tmp_path / "extract.csv", data.people(300)),
            "dir": tmp_path}


def _new(files, extract=None, **options):
    return import_ccis(extract or files["extract"], areas_path=files["areas"], postcodes=files["lookup"],
                       as_of=options.pop("as_of", AS_OF), **options)


def test_the_default_groups_are_those_of_the_specification():
    assert [c for c, g in ACTIVITY_GROUPS.items() if g == "neet_available"] == [540, 610, 615, 616, 619]
    assert [c for c, g in ACTIVITY_GROUPS.items() if g == "neet_not_available"] == list(range(620, 690, 10))
    assert [c for c, g in ACTIVITY_GROUPS.items() if g == "not_known"] == [810, 820, 830]
    assert 530 not in ACTIVITY_GROUPS and 710 not in ACTIVITY_GROUPS
    assert all(ACTIVITY_GROUPS[c] == "eet" for c in (210, 250, 290, 310, 381, 410, 460, 550))


def test_codes_become_activities_and_the_summary_counts_them(files):
    """people(300) give out the 12 codes of data.CODES in turn: 5 EET (210 230 310 330 410), 3 NEET
    available (619 610 540), 2 NEET not available (630 620), 2 not known (810 820): of 300, 125 EET,
    75 + 50 = 125 NEET, 50 not known; person i lives in area i % 6."""
    result = _new(files)
    assert {k: result.totals[k] for k in ("tracked", "eet", "neet", "not_known", "added")} == {
        "tracked": 300, "eet": 125, "neet": 125, "not_known": 50, "added": 300}
    activities = [n.activity for n in result.project.nodes.values()]
    assert activities.count("neet_available") == 75 and activities.count("neet_not_available") == 50
    # area 0 holds persons 0, 6, 12...: codes CODES[i % 12] for i = 0, 6 -> 210 and 619 in turn
    assert result.areas[data.LSOA21[0]] == {"tracked": 50, "eet": 25, "neet": 25, "not_known": 0}
    assert result.totals["terminated_postcodes"] == 2
    assert any("2 postcodes are terminated" in n for n in result.notes)


def test_age_is_taken_at_the_reference_date_and_characteristics_kept(files):
    rows = data.people(2)
    rows[0]["Date of Birth"] = "02/12/2008"  # 18 on 2 Dec 2026: 17 on 1 Dec
    rows[1]["Date of Birth"] = "2008-12-01"
    rows[0]["Care Leaver"], rows[0]["SEND"] = "Y", "N"
    result = _new(files, data.write_extract(files["dir"] / "two.csv", rows))
    young = sorted(result.project.nodes.values(), key=lambda n: n.age)
    assert [n.age for n in young] == [17, 18]
    assert young[0].attrs["care_leaver"] is True and young[0].attrs["send"] is False


def test_an_unknown_code_and_an_ungrouped_one_are_reported_by_row_and_mapped_on_request(files):
    rows = data.people(4)
    rows[1]["Current Activity Code"] = "999"
    rows[3]["Current Activity Code"] = "530"
    extract = data.write_extract(files["dir"] / "codes.csv", rows)
    with pytest.raises(InputError) as err:
        _new(files, extract)
    lines = [str(p) for p in err.value.problems]
    assert [(p.row, p.field) for p in err.value.problems] == [(3, "Current Activity Code"), (5, "Current Activity Code")]
    assert "unknown activity code 999" in lines[0]
    assert "activity code 530 (Re-engagement provision) is in none of the four groups" in lines[1]
    result = _new(files, extract, activity_map={999: "not_known", 530: "eet"})
    # codes 210, 999 -> not known, 310, 530 -> EET
    assert sorted(n.activity for n in result.project.nodes.values()) == ["eet", "eet", "eet", "not_known"]


def test_an_activity_not_confirmed_within_the_window_counts_as_not_known(files):
    """Window 92 days (default). As of 1 Dec 2026: reviewed 1 Sep (91 days) is current; started
    1 Aug and reviewed 31 Aug (92 days) is current; reviewed 30 Aug (93 days) lapses; a not-known
    code is not counted again."""
    rows = data.people(4)
    rows[0].update({"Activity Start Date": "01/06/2026", "Activity Review Date": "01/09/2026"})
    rows[1].update({"Activity Start Date": "01/08/2026", "Activity Review Date": "31/08/2026"})
    rows[2].update({"Activity Start Date": "01/06/2026", "Activity Review Date": "30/08/2026"})
    rows[3].update({"Current Activity Code": "810", "Activity Start Date": "01/01/2025", "Activity Review Date": ""})
    result = _new(files, data.write_extract(files["dir"] / "stale.csv", rows))
    by_row = [result.project.nodes[person_id(r["Person ID"], result.project.settings["ccis_id_key"])].activity
              for r in rows]
    assert by_row == ["eet", "eet", "not_known", "not_known"]
    assert result.totals["lapsed_to_not_known"] == 1
    assert any("1 young people's activity had not been confirmed within 92 days" in n for n in result.notes)


def test_the_window_is_a_project_setting(files):
    rows = data.people(1)
    rows[0].update({"Activity Start Date": "01/06/2026", "Activity Review Date": "30/08/2026"})
    extract = data.write_extract(files["dir"] / "one.csv", rows)
    base = _new(files, extract).project
    base.settings["activity_currency_days"] = 120
    result = import_ccis(extract, base=base, postcodes=files["lookup"], as_of=AS_OF)
    assert [n.activity for n in result.project.nodes.values()] == ["eet"]


def test_a_later_extract_updates_the_same_people(files, tmp_path):
    """A month later: the same 300 CCIS ids, 30 of them with another activity, and 10 newcomers."""
    assert main(["import", "ccis", str(files["extract"]), "--postcodes", str(files["lookup"]), "--areas",
                 str(files["areas"]), str(tmp_path / "p.gpkg"), "--as-of", "2026-12-01"]) == 0
    first = load_project(tmp_path / "p.gpkg")
    first.update_node(next(iter(first.nodes)), label="Sky")  # a worker's own pseudonym stays
    from socialmap.store import save_project

    save_project(first, tmp_path / "p.gpkg")
    later = data.people(310)
    for row in later[:30]:
        row["Current Activity Code"] = "619" if ACTIVITY_GROUPS[int(row["Current Activity Code"])] == "eet" else "310"
        row["Activity Review Date"] = "20/12/2026"
    extract2 = data.write_extract(tmp_path / "january.csv", later)
    assert main(["import", "ccis", str(extract2), "--postcodes", str(files["lookup"]), "--into",
                 str(tmp_path / "p.gpkg"), "--as-of", "2027-01-01"]) == 0
    second = load_project(tmp_path / "p.gpkg")
    assert len(second.nodes) == 310
    assert set(first.nodes) <= set(second.nodes)
    changed = [i for i in first.nodes if first.nodes[i].activity != second.nodes[i].activity]
    assert len(changed) == 30
    assert second.nodes[next(iter(first.nodes))].label == "Sky"
    assert second.settings["ccis_id_key"] == first.settings["ccis_id_key"]


def test_ids_differ_between_projects_and_are_not_the_ccis_ids(files):
    one, two = _new(files).project, _new(files).project
    assert one.settings["ccis_id_key"] != two.settings["ccis_id_key"]
    assert set(one.nodes).isdisjoint(two.nodes)
    assert all(re.fullmatch(r"ccis-[0-9a-f]{20}", i) for i in one.nodes)


def test_the_saved_file_holds_no_name_date_of_birth_postcode_or_ccis_id(files, tmp_path):
    out = tmp_path / "p.gpkg"
    assert main(["import", "ccis", str(files["extract"]), "--postcodes", str(files["lookup"]), "--areas",
                 str(files["areas"]), str(out), "--as-of", "2026-12-01"]) == 0
    blob = out.read_bytes()
    for row in data.people(300):
        born = dt.datetime.strptime(row["Date of Birth"], "%d/%m/%Y").date()
        for secret in (row["Forename"], row["Surname"], row["Address Line 1"], row["Person ID"], row["Postcode"],
                       row["Postcode"].replace(" ", ""), row["Date of Birth"], born.isoformat()):
            assert secret.encode() not in blob, secret
    assert b"Zorvanel" not in blob and b"Wrenfold" not in blob


def test_a_total_that_is_not_the_expected_one_refuses_the_extract(files, tmp_path, capsys):
    out = tmp_path / "p.gpkg"
    code = main(["import", "ccis", str(files["extract"]), "--postcodes", str(files["lookup"]), "--areas",
                 str(files["areas"]), str(out), "--as-of", "2026-12-01", "--expect-total", "320"])
    assert code == 2 and not out.exists()
    assert "the extract has 300 young people but --expect-total is 320" in capsys.readouterr().err
    assert main(["import", "ccis", str(files["extract"]), "--postcodes", str(files["lookup"]), "--areas",
                 str(files["areas"]), str(out), "--as-of", "2026-12-01", "--expect-total", "300"]) == 0


def test_every_bad_row_is_reported_without_a_name_date_or_postcode(files, tmp_path, capsys):
    rows = data.people(6)
    rows[0]["Date of Birth"] = "31/02/2008"
    rows[1]["Postcode"] = "ZZ9 9ZZ"
    rows[2]["Postcode"] = "not a postcode"
    rows[3]["Person ID"] = rows[4]["Person ID"]
    rows[5]["Care Leaver"] = "maybe"
    extract = data.write_extract(tmp_path / "bad.csv", rows)
    into = tmp_path / "p.gpkg"
    assert main(["import", "ccis", str(files["extract"]), "--postcodes", str(files["lookup"]), "--areas",
                 str(files["areas"]), str(into), "--as-of", "2026-12-01"]) == 0
    before = hashlib.sha256(into.read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["import", "ccis", str(extract), "--postcodes", str(files["lookup"]), "--into", str(into)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [re.sub(r"^socialmap: .*?bad\.csv, ", "", line).split(":")[0] for line in err] == [
        "row 2, field 'Date of Birth'", "row 3, field 'Postcode'", "row 4, field 'Postcode'",
        "row 6, field 'Person ID'", "row 7, field 'Care Leaver'"]
    text = "\n".join(err)
    for secret in ("31/02/2008", "ZZ9 9ZZ", "not a postcode", "Zorvanel", "Quistrow"):
        assert secret not in text
    assert hashlib.sha256(into.read_bytes()).hexdigest() == before  # all or nothing


def test_a_lookup_of_the_other_census_is_explained_with_the_option_to_give(files):
    with pytest.raises(InputError) as err:
        _new(files, postcode_fields={"lsoa_field": "lsoa11"})
    first = str(err.value.problems[0])
    assert "300 postcodes lie in LSOAs that are not areas of this project, by the lookup's lsoa11 column" in first
    assert "give --lsoa-field lsoa21" in first


def test_local_column_names_are_given_with_field(files, tmp_path):
    rows = [{**r, "Client Ref": r["Person ID"], "Home PC": r["Postcode"]} for r in data.people(12)]
    header = ["Client Ref", "Date of Birth", "Home PC", "Current Activity Code"]
    extract = data.write_extract(tmp_path / "local.csv", rows, header)
    with pytest.raises(InputError, match="has no person id column"):
        _new(files, extract)
    result = _new(files, extract, fields={"person_id": "Client Ref", "postcode": "Home PC"})
    assert result.totals["tracked"] == 12


def test_the_cli_summary_suppresses_small_counts_and_json_is_exact(files, tmp_path, capsys):
    rows = data.people(14)  # area 0: persons 0, 6, 12 -> 3 tracked
    extract = data.write_extract(tmp_path / "few.csv", rows)
    assert main(["import", "ccis", str(extract), "--postcodes", str(files["lookup"]), "--areas", str(files["areas"]),
                 str(tmp_path / "p.gpkg"), "--as-of", "2026-12-01"]) == 0
    err = capsys.readouterr().err
    area0 = next(line for line in err.splitlines() if line.startswith(data.LSOA21[0]))
    assert area0.split()[1] == "<5"
    assert main(["import", "ccis", str(extract), "--postcodes", str(files["lookup"]), "--areas", str(files["areas"]),
                 str(tmp_path / "q.gpkg"), "--as-of", "2026-12-01", "--json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    assert doc["areas"][data.LSOA21[0]]["tracked"] == 3 and doc["totals"]["tracked"] == 14


def test_names_and_addresses_are_never_read_into_attributes(files):
    result = _new(files)
    keys = {k for n in result.project.nodes.values() for k in n.attrs}
    assert keys == {"care_leaver", "teenage_parent", "send", "youth_offending"}
    with open(files["extract"], newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh))[1:3] == ["Forename", "Surname"]
