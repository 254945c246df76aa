"""The postcode lookup's SQLite index (socialmap.interchange.postcode_index)."""

from __future__ import annotations

import os

import pytest

from socialmap.errors import InputError
from socialmap.interchange import postcode_index as pi

#: NSPL columns as ONS publishes them (a few of its 40): pcd, pcd2, pcds, dointr, doterm,
#: usertype, oseast1m, osnrth1m, osgrdind, oa21, cty, laua, ward, lsoa21, msoa21, lat, long.
HEADER = "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,laua,lsoa21,msoa21,lat,long\n"


def nspl(path, rows):
    lines = [HEADER]
    for pcds, lsoa, lat, lon in rows:
        out, inw = pcds.split()
        lines.append(f"{out:<4}{inw},{out:<5}{inw},{pcds},202001,,0,383000,398000,1,E00000001,E08000003,"
                     f"{lsoa},E02000001,{lat},{lon}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALMAP_CACHE_DIR", str(tmp_path / "cache"))


def test_built_once_then_found_instantly_any_spelling(tmp_path):
    src = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.4808, -2.2426), ("M1 1AF", "A1", 53.4810, -2.2430),
                                        ("M13 9PL", "A2", 53.4668, -2.2339), ("SW1A 1AA", "", 99.999999, 0.0)])
    assert not pi.is_current(src)
    index = pi.open_index(src)
    assert pi.is_current(src) and index.rows == 4
    assert index.path.parent == tmp_path / "cache" / "postcodes"
    assert index.get("m11ae") == pi.PostcodePoint("M1 1AE", 53.4808, -2.2426, "A1")
    assert index.get("SW1A 1AA") == pi.PostcodePoint("SW1A 1AA", None, None, None)  # no grid reference
    assert index.get("M2 2ZZ") is None and index.get("hello") is None
    # an outward code is M1 1.., not M13 ...
    assert [p.postcode for p in index.complete("M1")] == ["M1 1AE", "M1 1AF"]
    assert [p.postcode for p in index.complete("m1 1a")] == ["M1 1AE", "M1 1AF"]
    assert [p.postcode for p in index.complete("M13 9PL")] == ["M13 9PL"]
    assert index.complete("Sam") == []
    index.close()


def test_a_postcode_listed_twice_keeps_its_last_row(tmp_path):
    src = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.48, -2.24), ("M1 1AE", "A2", 53.49, -2.25)])
    index = pi.open_index(src)
    assert index.rows == 1 and index.get("M1 1AE") == pi.PostcodePoint("M1 1AE", 53.49, -2.25, "A2")
    index.close()


def test_rebuilt_when_the_file_changes(tmp_path):
    src = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.48, -2.24)])
    pi.open_index(src).close()
    nspl(src, [("M1 1AE", "A1", 53.48, -2.24), ("M1 2AB", "A1", 53.47, -2.23)])
    os.utime(src, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert not pi.is_current(src)
    index = pi.open_index(src)
    assert index.rows == 2 and index.get("M1 2AB").lat == 53.47
    index.close()


def test_a_bad_row_refuses_the_file_and_keeps_the_old_index(tmp_path):
    src = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.48, -2.24)])
    pi.open_index(src).close()
    built = pi.index_path(src).read_bytes()
    text = src.read_text().replace("53.48", "north")
    src.write_text(text)
    with pytest.raises(InputError) as err:
        pi.build_index(src)
    assert "row 2" in str(err.value) and "'north' is not a number" in str(err.value)
    assert pi.index_path(src).read_bytes() == built  # never half an index
    assert not [p for p in pi.index_path(src).parent.iterdir() if p.name.startswith(".")]


def test_missing_file_and_missing_columns_are_one_line_each(tmp_path):
    with pytest.raises(InputError, match="no such postcode lookup file"):
        pi.open_index(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,x\nM1 1AE,1\n")
    with pytest.raises(InputError, match="no postcode column"):
        pi.build_index(bad)
