"""One set of cell parsers for every importer (socialmap.interchange.cells).

The CSV bundle, Kumu and Open Referral UK read the same spellings of numbers,
yes/no and dates; an areas file's whole numbers follow the same rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from shapely.geometry import box, mapping

from socialmap.errors import InputError
from socialmap.interchange import tabular
from socialmap.interchange.areas import read_areas
from socialmap.interchange.cells import BadValue, parse_bool, parse_date, parse_int, parse_number
from socialmap.interchange.readers import csv_bundle

YES = ["true", "TRUE", "yes", "Y", "t", "1", "x", " X "]
NO = ["false", "No", "n", "F", "0"]
DATES = [("2027-03-31", dt.date(2027, 3, 31)), ("31/03/2027", dt.date(2027, 3, 31)),
         ("1/4/2027", dt.date(2027, 4, 1)), ("31-03-2027", dt.date(2027, 3, 31)),
         ("1-4-2027", dt.date(2027, 4, 1)), ("2027-03-31T12:00:00", dt.date(2027, 3, 31))]
NUMBERS = [("1200", 1200.0), ("£1,200", 1200.0), ("1,200.50", 1200.5), ("-3.5", -3.5), ("£ 45,000", 45000.0)]


@pytest.mark.parametrize("text", YES)
def test_yes_is_the_same_for_every_importer(text):
    assert parse_bool(text) is True
    assert csv_bundle.parse_bool(text) is True
    assert tabular.as_bool(text) is True


@pytest.mark.parametrize("text", NO)
def test_no_is_the_same_for_every_importer(text):
    assert csv_bundle.parse_bool(text) is False
    assert tabular.as_bool(text) is False


@pytest.mark.parametrize(("text", "date"), DATES)
def test_dates_are_the_same_for_every_importer(text, date):
    assert csv_bundle.parse_date(text) == date
    assert tabular.as_date(text) == date


@pytest.mark.parametrize(("text", "number"), NUMBERS)
def test_numbers_are_the_same_for_every_importer(text, number):
    assert parse_number(text) == number
    assert tabular.as_float(text) == number


@pytest.mark.parametrize("text", ["2,5", "12,50"])
def test_a_decimal_comma_is_refused_everywhere(text):
    """"2,5" could be 2.5 or 25: refused, with the hint to use a point."""
    with pytest.raises(BadValue, match=r"is not a number: write decimals with a point"):
        parse_number(text)
    with pytest.raises(BadValue, match="is not a number"):
        tabular.as_float(text)
    with pytest.raises(BadValue, match="is not a whole number"):
        parse_int(text)


@pytest.mark.parametrize("text", ["maybe", "", "2"])
def test_not_yes_or_no(text):
    with pytest.raises(BadValue, match="is not yes/no"):
        parse_bool(text)


@pytest.mark.parametrize("text", ["inf", "nan", "1e999"])
def test_not_finite(text):
    with pytest.raises(BadValue, match="not a finite number"):
        parse_number(text)


def test_a_date_that_does_not_exist():
    with pytest.raises(BadValue, match="not a real date"):
        parse_date("31-02-2027")


def test_typed_cells_from_a_workbook():
    assert parse_number(3) == 3.0 and parse_int(17.0) == 17
    assert parse_bool(1) is True and parse_bool(False) is False
    assert parse_date(dt.datetime(2027, 3, 31, 9, 0)) == dt.date(2027, 3, 31)
    with pytest.raises(BadValue):
        parse_number(True)


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_csv_bundle_reads_kumu_spellings(tmp_path, areas_geojson):
    """``import csv`` takes what Kumu took: a day-month-year date with hyphens and ``x``/``t`` for yes."""
    nodes = _write(tmp_path / "nodes.csv", ["id", "kind", "area_code", "neet", "is_anchor", "contract_end",
                                            "provider", "lat", "lon", "spend_total"], [
        ["yp1", "young_person", "A1", "x", "", "", "", "", "", ""],
        ["o1", "organisation", "", "", "t", "", "", "53.405", "-2.295", "£1,200"],
        ["s1", "service", "", "", "", "31-03-2027", "o1", "53.405", "-2.285", ""],
    ])
    ties = _write(tmp_path / "ties.csv", ["a", "b", "type"], [["yp1", "s1", "attends"]])
    project, _ = csv_bundle.read_csv_bundle(nodes, ties, areas_geojson)
    assert project.nodes["yp1"].neet is True
    assert project.nodes["o1"].is_anchor is True and project.nodes["o1"].spend_total == 1200.0
    assert project.nodes["s1"].contract_end == dt.date(2027, 3, 31)


def test_areas_file_population_with_a_decimal_comma_is_refused(tmp_path):
    """An areas file's ``population_16_24`` of "2,5" was read as 25; it is refused like any other cell."""
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A1", "name": "West", "population_16_24": "2,5"},
         "geometry": mapping(box(-2.30, 53.40, -2.29, 53.41))},
        {"type": "Feature", "properties": {"code": "A2", "name": "East", "population_16_24": "1,200"},
         "geometry": mapping(box(-2.29, 53.40, -2.28, 53.41))}]}))
    with pytest.raises(InputError) as caught:
        read_areas(path)
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "population_16_24")]
    assert "'2,5' is not a whole number" in caught.value.problems[0].reason
