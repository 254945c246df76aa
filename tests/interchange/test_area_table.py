"""``socialmap areas join`` (issue 15): a published table keyed by area code joined to the areas,
with the codes not in the project and the areas left without a value reported."""

from __future__ import annotations

import csv
import hashlib

import pytest

from socialmap.cli import main
from socialmap.errors import InputError
from socialmap.interchange.area_table import (
    join_area_table,
    numeric_area_attributes,
    source_columns,
)
from socialmap.store import load_project, save_project

IMD = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def project(two_areas):
    from socialmap.model import Project

    return Project.build(two_areas, [], [])


def test_an_iod_style_table_joins_deciles_and_reports_what_did_not_match(project, tmp_path):
    """A1 and a code of another authority are in the table; A2 is not: 1 code outside, 1 area without."""
    table = _write(tmp_path / "iod.csv", ["LSOA code (2021)", "LSOA name (2021)", RANK, IMD],
                   [["A1", "North", "1200", "1"], ["E01999999", "Elsewhere", "30000", "10"]])
    new, report = join_area_table(project, table, fields={"imd_decile": IMD, "imd_rank": RANK})
    assert new.areas["A1"].imd_decile == 1 and new.areas["A1"].attrs == {"imd_rank": 1200}
    assert new.areas["A2"].imd_decile is None and new.areas["A2"].attrs == {}
    assert report.not_in_project == ["E01999999"]
    assert report.without_value == {"imd_decile": ["A2"], "imd_rank": ["A2"]}
    assert project.areas["A1"].imd_decile is None  # the project given is not changed
    assert numeric_area_attributes(new) == ["imd_rank"]


def test_population_16_24_adds_single_years_of_age_up(project, tmp_path):
    """ONS mid-year estimates by single year: F16..F24 + M16..M24. A1: 9 x 10 + 9 x 11 = 189."""
    header = ["LSOA 2021 Code", "Total", *[f"F{a}" for a in range(0, 91)], *[f"M{a}" for a in range(0, 91)]]
    rows = [["A1", "2000", *(["10"] * 91), *(["11"] * 91)], ["A2", "1500", *(["1"] * 91), *(["2"] * 91)]]
    table = _write(tmp_path / "pop.csv", header, rows)
    new, _ = join_area_table(project, table, fields={"population_16_24": "F16..F24+M16..M24"})
    assert (new.areas["A1"].population_16_24, new.areas["A2"].population_16_24) == (189, 27)


def test_source_columns_reads_sums_and_ranges():
    assert source_columns("a+b", ["code", "a", "b"]) == ["a", "b"]
    assert source_columns("Aged 16+", ["Aged 16+"]) == ["Aged 16+"]  # a header with + in it
    with pytest.raises(InputError, match="has no column 'F25'"):
        source_columns("F24..F25", ["F24"])


def test_bad_values_are_refused_by_row_and_nothing_changes(project, tmp_path):
    table = _write(tmp_path / "bad.csv", ["code", "decile"], [["A1", "11"], ["A2", "two"], ["A1", "3"]])
    with pytest.raises(InputError) as err:
        join_area_table(project, table, fields={"imd_decile": "decile"})
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "decile"), (3, "decile"), (4, "code")]
    assert "IMD decile 11 is not 1..10" in str(err.value.problems[0])


def test_a_table_of_another_geography_is_refused_with_the_reason(project, tmp_path):
    table = _write(tmp_path / "other.csv", ["LSOA code (2011)", "decile"], [["E01000001", "3"]])
    with pytest.raises(InputError, match="none of its 1 area codes is an area of this project"):
        join_area_table(project, table, fields={"imd_decile": "decile"})


def test_the_cli_joins_in_place_and_the_attributes_survive_save_and_open(project, tmp_path, capsys):
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    table = _write(tmp_path / "t.csv", ["code", "decile", "claimants", "ward"],
                   [["A1", "2", "12.5", "Hill"], ["A2", "9", "3", "Dale"], ["Z9", "1", "1", "X"]])
    assert main(["areas", "join", str(path), str(table), "--code-field", "code", "--field", "imd_decile=decile",
                 "--field", "claimant_rate=claimants", "--field", "ward=ward"]) == 0
    err = capsys.readouterr().err
    assert "1 codes of the table are not areas of this project (Z9)" in err
    back = load_project(path)
    assert back.areas["A1"].imd_decile == 2 and back.areas["A1"].attrs == {"claimant_rate": 12.5, "ward": "Hill"}
    assert back.areas["A2"].attrs == {"claimant_rate": 3, "ward": "Dale"}
    assert numeric_area_attributes(back) == ["claimant_rate"]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["areas", "join", str(path), str(table), "--field", "imd_decile=nosuch"]) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
