"""Postcode lookup: ONS column names, normalisation, and placing records."""

from __future__ import annotations

import pytest

from socialmap.errors import InputError
from socialmap.interchange.postcodes import (
    apply_postcodes,
    load_postcode_lookup,
    normalise_postcode,
)


@pytest.mark.parametrize("raw, norm", [("m1 1ae", "M1 1AE"), (" M1  1AE ", "M1 1AE"), ("SW1A1AA", "SW1A 1AA"),
                                       ("ec1a 1bb", "EC1A 1BB"), ("B33 8TH", "B33 8TH")])
def test_normalise(raw, norm):
    assert normalise_postcode(raw) == norm


@pytest.mark.parametrize("raw", ["", "hello", "M1", "12345", "M1 1A"])
def test_not_postcodes(raw):
    assert normalise_postcode(raw) is None


def test_ons_columns_are_found(lookup_csv):
    """pcds is preferred over pcd/pcd2; lat, long, lsoa21 by their ONS names. ZZ9 9ZZ has
    the ONS 'no grid reference' latitude 99.999999, so it has no point."""
    lookup = load_postcode_lookup(lookup_csv)
    assert lookup.fields == {"postcode": "pcds", "lat": "lat", "lon": "long", "lsoa": "lsoa21", "doterm": None}
    assert lookup.get("m11aa") == (53.405, -2.295, "A1")
    assert lookup.get("ZZ9 9ZZ") == (None, None, None)


def test_fields_chosen_by_flags(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("Postcode,Y,X,LSOA11CD\nM1 1AA,53.4,-2.3,E01000001\n")
    lookup = load_postcode_lookup(path, postcode_field="Postcode", lat_field="y", lon_field="X")
    assert lookup.get("M1 1AA") == (53.4, -2.3, "E01000001")
    with pytest.raises(InputError) as err:
        load_postcode_lookup(path, lat_field="northing")
    assert "no column 'northing'" in str(err.value)


def test_bad_lookup_rows_are_reported(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("pcds,lat,long\nM1 1AA,53.4,-2.3\nnot a postcode,53.4,-2.3\nM1 2BB,north,-2.3\n")
    with pytest.raises(InputError) as err:
        load_postcode_lookup(path)
    lines = err.value.lines()
    assert any("row 3" in line and "is not a UK postcode" in line for line in lines)
    assert any("row 4" in line and "'north' is not a number" in line for line in lines)


def test_apply_keeps_people_to_areas(lookup_csv):
    lookup = load_postcode_lookup(lookup_csv)
    records = [
        {"kind": "young_person", "postcode": "M1 2BB", "_row": 2},
        {"kind": "service", "postcode": "m1 1aa", "_row": 3},
        {"kind": "organisation", "postcode": "M1 2BB", "lat": 53.0, "lon": -2.0, "_row": 4},
        {"kind": "young_person", "postcode": "M1 1AA", "area_code": "A2", "_row": 5},
    ]
    problems = apply_postcodes(records, lookup, area_codes={"A1", "A2"}, file="nodes.csv")
    assert records[0] == {"kind": "young_person", "area_code": "A2", "_row": 2}
    assert (records[1]["lat"], records[1]["lon"], records[1]["area_code"], records[1]["postcode"]) == (
        53.405, -2.295, "A1", "M1 1AA")
    assert (records[2]["lat"], records[2]["lon"]) == (53.0, -2.0)  # own coordinates win
    assert [(p.row, p.field) for p in problems] == [(5, "postcode")]
    assert "lies in LSOA A1 but area_code says 'A2'" in problems[0].reason
    assert "M1 1AA" not in problems[0].reason  # a person's postcode is never echoed
