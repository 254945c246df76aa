"""``socialmap import csv`` (SPEC sections 7 and 9): the canonical bundle.

Every bad-input case exits 2, names the file, row (header = row 1) and field,
and writes nothing. The good bundle below is the ``small_project`` of
``tests/conftest.py`` written as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon, box, mapping

from socialmap.cli import main
from socialmap.errors import InputError
from socialmap.interchange.areas import read_areas
from socialmap.interchange.readers.csv_bundle import (
    NODE_COLUMNS,
    parse_bool,
    parse_date,
    read_csv_bundle,
    write_csv_bundle,
)
from socialmap.model import Area, Node, Project, Tie
from socialmap.store import load_project, save_project

GM_LADS = Path("/work/shared/data/gm_lads.geojson")

NODES = [
    {"id": "yp1", "kind": "young_person", "label": "Robin", "area_code": "A1", "age": "17", "neet": "yes"},
    {"id": "yp2", "kind": "young_person", "label": "Sam", "area_code": "A1", "age": "18", "neet": "no"},
    {"id": "yp3", "kind": "young_person", "label": "Kai", "area_code": "A2", "age": "16", "neet": "N"},
    {"id": "ad1", "kind": "adult", "label": "Jo", "area_code": "A2", "role": "youth worker"},
    {"id": "o1", "kind": "organisation", "label": "Northfield College", "org_type": "school_college",
     "sector": "public", "is_anchor": "TRUE", "employees_total": "100", "employees_local": "60",
     "spend_total": "1000", "spend_local": "400", "years_in_area": "30", "lat": "53.405", "lon": "-2.295"},
    {"id": "s1", "kind": "service", "label": "Youth club", "provider": "o1", "service_type": "youth club",
     "commissioner": "Council", "contract_end": "31/03/2027", "annual_value": "45000",
     "hours_per_week": "12", "lat": "53.405", "lon": "-2.285"},
]
TIES = [
    {"a": "yp1", "b": "yp2", "type": "friend"},
    {"a": "yp2", "b": "yp3", "type": "friend", "context": "s1"},
    {"a": "yp1", "b": "s1", "type": "attends"},
    {"a": "o1", "b": "ad1", "type": "employs", "context": "s1"},
    {"a": "ad1", "b": "yp3", "type": "worker", "strength": "2"},
]


def write_csv(path: Path, header: list[str], rows: list[dict], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for row in rows:
            w.writerow(row)
    return path


def write_areas(path: Path, features: list[tuple[dict, object]]) -> Path:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": None if geom is None else mapping(geom)}
        for props, geom in features]}
    path.write_text(json.dumps(doc))
    return path


SQUARES = [
    ({"code": "A1", "name": "West", "imd_decile": 3}, box(-2.30, 53.40, -2.29, 53.41)),
    ({"code": "A2", "name": "East", "imd_decile": None}, box(-2.29, 53.40, -2.28, 53.41)),
]


class Bundle:
    """A bundle in a temporary folder that a test can spoil before importing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.nodes = [dict(r) for r in NODES]
        self.ties = [dict(r) for r in TIES]
        self.node_header = list(NODE_COLUMNS)
        self.tie_header = ["a", "b", "type", "context", "strength"]
        self.areas_path = write_areas(folder / "areas.geojson", SQUARES)
        self.out = folder / "out.gpkg"

    @property
    def nodes_path(self) -> Path:
        return self.folder / "nodes.csv"

    @property
    def ties_path(self) -> Path:
        return self.folder / "ties.csv"

    def write(self) -> None:
        write_csv(self.nodes_path, self.node_header, self.nodes)
        write_csv(self.ties_path, self.tie_header, self.ties)

    def args(self, *extra: str, out: bool = True) -> list[str]:
        # a merge --into keeps the project's areas: --areas is for a new project only
        areas = [] if "--into" in extra else ["--areas", str(self.areas_path)]
        argv = ["import", "csv", "--nodes", str(self.nodes_path), "--ties", str(self.ties_path),
                *areas, *extra]
        return argv + ([str(self.out)] if out else [])

    def run(self, capsys, *extra: str, write: bool = True, out: bool = True) -> tuple[int, str]:
        if write:
            self.write()
        code = main(self.args(*extra, out=out))
        return code, capsys.readouterr().err


@pytest.fixture
def bundle(tmp_path) -> Bundle:
    return Bundle(tmp_path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(bundle: Bundle, capsys, *extra: str, write: bool = True) -> list[str]:
    """Import, expect exit 2 and no output file; the problem lines."""
    code, err = bundle.run(capsys, *extra, write=write)
    assert code == 2, err
    assert not bundle.out.exists()
    assert [f for f in os.listdir(bundle.folder) if f.endswith((".gpkg", ".saving.gpkg"))] == []
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("socialmap: ") for line in lines)
    return lines


def _one_line(lines: list[str], *fragments: str) -> str:
    hits = [line for line in lines if all(f in line for f in fragments)]
    assert hits, f"no line with {fragments} in:\n" + "\n".join(lines)
    return hits[0]


# ------------------------------------------------------------------ good imports
def test_good_bundle_imports(bundle, capsys, small_project):
    code, err = bundle.run(capsys)
    assert code == 0, err
    p = load_project(bundle.out)
    assert p.counts()["nodes_by_kind"] == small_project.counts()["nodes_by_kind"]
    assert set(p.ties) == set(small_project.ties)  # incl. the provides tie derived from s1.provider
    for node_id, node in small_project.nodes.items():
        got = p.nodes[node_id]
        assert (got.kind, got.label, got.area_code, got.age, got.neet) == (
            node.kind, node.label, node.area_code, node.age, node.neet)
    assert p.nodes["yp3"].neet is False and p.nodes["o1"].is_anchor is True
    assert p.nodes["s1"].contract_end == dt.date(2027, 3, 31)
    assert p.nodes["s1"].annual_value == 45000.0 and p.nodes["o1"].employees_local == 60.0
    assert p.get_tie("ad1", "yp3").strength == 2 and p.get_tie("yp2", "yp3").context == "s1"
    assert p.areas["A1"].imd_decile == 3 and p.areas["A2"].imd_decile is None
    # young people stand at their deterministic point inside their home area
    assert (p.nodes["yp1"].lon, p.nodes["yp1"].lat) == (small_project.nodes["yp1"].lon, small_project.nodes["yp1"].lat)
    assert "wrote" in err


def test_spreadsheet_habits_are_accepted(bundle, capsys):
    """BOM, header in any case with spaces, 'Young person', Y/n booleans, ISO dates
    with a time, £ and thousands commas, source/target, semicolon-free blank rows."""
    bundle.node_header = [" ID", "Kind ", "Label", "Area_Code", "NEET", "Is_Anchor", "Spend_Total",
                          "Contract_End", "Provider", "Latitude", "Longitude"]
    bundle.nodes = [
        {" ID": "yp1", "Kind ": "Young person", "Area_Code": "A1", "NEET": "Y"},
        {" ID": "o1", "Kind ": "Organisation", "Label": "Café <b>", "Is_Anchor": "no", "Spend_Total": "£1,200.50",
         "Latitude": "53.405", "Longitude": "-2.295"},
        {" ID": "s1", "Kind ": "SERVICE", "Contract_End": "2027-03-31 00:00:00", "Provider": "o1",
         "Latitude": "53.405", "Longitude": "-2.285"},
    ]
    bundle.tie_header = ["Source", "Target", "Type"]
    bundle.ties = [{"Source": "yp1", "Target": "s1", "Type": "Attends"}]
    bundle.write()
    text = bundle.nodes_path.read_bytes().decode("utf-8")
    assert text.count("\r\n") == 4
    bundle.nodes_path.write_bytes("\ufeff".encode() + text.replace("\r\n", "\r\n\r\n", 1).encode("utf-8"))
    code, err = bundle.run(capsys, write=False)
    assert code == 0, err
    p = load_project(bundle.out)
    assert p.nodes["yp1"].neet is True and p.nodes["o1"].is_anchor is False
    assert p.nodes["o1"].spend_total == 1200.5 and p.nodes["o1"].label == "Café <b>"
    assert p.nodes["s1"].contract_end == dt.date(2027, 3, 31)
    assert p.get_tie("s1", "yp1").type == "attends"


def test_extra_columns_become_attributes(bundle, capsys):
    bundle.node_header.append("School")
    bundle.nodes[0]["School"] = "Oak High"
    code, err = bundle.run(capsys)
    assert code == 0, err
    p = load_project(bundle.out)
    assert p.nodes["yp1"].attrs == {"School": "Oak High"}
    assert p.nodes["yp2"].attrs == {}  # empty cells are not attributes


def test_young_person_location_is_dropped_with_a_warning(bundle, capsys):
    """Two young people arrive with exact points (one far outside their area):
    both are dropped, counted in one warning, and each is placed inside their area."""
    bundle.nodes[0].update(lat="51.5", lon="-0.12")
    bundle.nodes[1].update(lat="53.405", lon="-2.295")
    code, err = bundle.run(capsys)
    assert code == 0, err
    assert _one_line(err.splitlines(), "warning", "dropped the exact location", "2 young people")
    p = load_project(bundle.out)
    for node_id in ("yp1", "yp2"):
        node = p.nodes[node_id]
        assert box(-2.30, 53.40, -2.29, 53.41).contains(Point(node.lon, node.lat))
        assert (node.lat, node.lon) not in ((51.5, -0.12), (53.405, -2.295))


def test_young_person_postcode_is_not_kept_without_lookup(bundle, capsys):
    bundle.node_header.append("postcode")
    bundle.nodes[0]["postcode"] = "M1 1AA"
    bundle.nodes[4]["postcode"] = "M1 2BB"
    code, err = bundle.run(capsys)
    assert code == 0, err
    assert "did not keep the postcode of 1 young person" in err
    p = load_project(bundle.out)
    assert p.nodes["yp1"].attrs == {} and p.nodes["o1"].attrs == {"postcode": "M1 2BB"}


def test_postcode_lookup_sets_home_area(bundle, capsys, tmp_path):
    """yp1 has no area_code but postcode M1 2BB, which the lookup puts in A2."""
    lookup = tmp_path / "nspl.csv"
    lookup.write_text("pcds,lat,long,lsoa21\nM1 1AA,53.405,-2.295,A1\nM1 2BB,53.405,-2.285,A2\n")
    bundle.node_header.append("postcode")
    bundle.nodes[0].update(area_code="", postcode="m12bb")
    code, err = bundle.run(capsys, "--postcodes", str(lookup))
    assert code == 0, err
    p = load_project(bundle.out)
    assert p.nodes["yp1"].area_code == "A2" and "postcode" not in p.nodes["yp1"].attrs


def test_existing_output_needs_force(bundle, capsys):
    bundle.out.write_bytes(b"precious")
    code, err = bundle.run(capsys)
    assert code == 2 and "already exists" in err and "--force" in err
    assert bundle.out.read_bytes() == b"precious"
    code, err = bundle.run(capsys, "--force")
    assert code == 0, err
    assert len(load_project(bundle.out).nodes) == 6


# ------------------------------------------------------------------ bad rows
def _spoil_node(i, **changes):
    def spoil(b: Bundle) -> None:
        b.nodes[i].update(changes)
    return spoil


def _add_node(**row):
    def spoil(b: Bundle) -> None:
        b.nodes.append(row)
    return spoil


def _add_tie(**row):
    def spoil(b: Bundle) -> None:
        b.ties.append(row)
    return spoil


def _spoil_tie(i, **changes):
    def spoil(b: Bundle) -> None:
        b.ties[i].update(changes)
    return spoil


CASES = [
    # (spoil, file, row, field, words in the reason)
    (_add_tie(a="yp1", b="ghost", type="friend"), "ties.csv", 7, "b", "unknown node 'ghost'"),
    (_add_node(id="yp2", kind="adult"), "nodes.csv", 8, "id", "duplicate id 'yp2' (first at row 3)"),
    (_spoil_node(1, area_code="Z9"), "nodes.csv", 3, "area_code", "unknown area code 'Z9'"),
    (_spoil_node(3, kind="robot"), "nodes.csv", 5, "kind", "unknown kind 'robot'"),
    (_spoil_tie(0, type="hugs"), "ties.csv", 2, "type", "unknown tie type 'hugs'"),
    (_add_tie(a="yp1", b="o1", type="friend"), "ties.csv", 7, "type", "a friend tie joins"),
    (_add_tie(a="yp2", b="yp1", type="peer"), "ties.csv", 7, "b", "already tied at row 2"),
    (_add_tie(a="yp3", b="yp3", type="friend"), "ties.csv", 7, "b", "cannot join 'yp3' to itself"),
    (_spoil_node(4, lat="95"), "nodes.csv", 6, "lat", "latitude 95.0 is out of range"),
    (_spoil_node(5, lon="-200"), "nodes.csv", 7, "lon", "longitude -200.0 is out of range"),
    (_spoil_node(4, lat="north"), "nodes.csv", 6, "lat", "'north' is not a number"),
    (_spoil_node(4, employees_total="lots"), "nodes.csv", 6, "employees_total", "'lots' is not a number"),
    (_spoil_node(0, age="seventeen"), "nodes.csv", 2, "age", "'seventeen' is not a whole number"),
    (_spoil_node(0, age="17.5"), "nodes.csv", 2, "age", "'17.5' is not a whole number"),
    (_spoil_node(0, neet="maybe"), "nodes.csv", 2, "neet", "'maybe' is not yes/no"),
    (_spoil_node(4, is_anchor="sometimes"), "nodes.csv", 6, "is_anchor", "is not yes/no"),
    (_spoil_node(5, contract_end="31/02/2027"), "nodes.csv", 7, "contract_end", "is not a real date"),
    (_spoil_node(5, contract_end="next year"), "nodes.csv", 7, "contract_end", "is not a date"),
    (_spoil_node(5, contract_end="03/31/2027"), "nodes.csv", 7, "contract_end", "is not a real date"),
    (_spoil_tie(4, strength="strong"), "ties.csv", 6, "strength", "'strong' is not a whole number"),
    (_spoil_tie(4, strength="5"), "ties.csv", 6, "strength", "strength 5 is not 1, 2 or 3"),
    (_spoil_node(5, provider="yp1"), "nodes.csv", 7, "provider", "is a young_person, not an organisation"),
    (_spoil_node(0, org_type="charity"), "nodes.csv", 2, "org_type", "does not apply to a young_person"),
    (_spoil_node(4, sector="mystery"), "nodes.csv", 6, "sector", "unknown sector 'mystery'"),
    (_spoil_node(0, area_code=""), "nodes.csv", 2, "area_code", "needs a home area"),
    (_spoil_node(4, employees_local="500"), "nodes.csv", 6, "employees_local", "exceeds employees_total"),
    (_spoil_tie(1, context="yp1"), "ties.csv", 3, "context", "not a service or organisation"),
    (_spoil_tie(0, a=""), "ties.csv", 2, "a", "is empty"),
    (_spoil_node(2, id=""), "nodes.csv", 4, "id", "is empty"),
]


@pytest.mark.parametrize(("spoil", "file", "row", "field", "words"), CASES,
                         ids=[f"{c[1]}:{c[3]}:{c[4][:24]}" for c in CASES])
def test_bad_row_is_refused_naming_file_row_and_field(bundle, capsys, spoil, file, row, field, words):
    spoil(bundle)
    lines = _refused(bundle, capsys)
    _one_line(lines, file, f"row {row}", f"field {field!r}", words)


def test_provider_and_provides_tie_that_disagree(bundle, capsys):
    bundle.nodes.append({"id": "o2", "kind": "organisation", "lat": "53.40", "lon": "-2.28"})
    bundle.ties.append({"a": "o2", "b": "s1", "type": "provides"})
    lines = _refused(bundle, capsys)
    _one_line(lines, "ties.csv", "row 7", "field 'type'", "provided by 'o1', not 'o2'")


def test_every_bad_row_is_reported_at_once(bundle, capsys):
    """Three bad cells in two files: three lines, in file then row order."""
    bundle.nodes[0]["age"] = "x"
    bundle.nodes[4]["lat"] = "999"
    bundle.ties.append({"a": "yp1", "b": "nobody", "type": "friend"})
    lines = _refused(bundle, capsys)
    assert len(lines) == 3
    assert "nodes.csv, row 2" in lines[0] and "nodes.csv, row 6" in lines[1] and "ties.csv, row 7" in lines[2]


def test_row_numbers_count_blank_and_multiline_rows(bundle, capsys):
    """A label spanning two lines is still one row; a blank line is a row too:
    header (1), yp1 over two lines (2), blank (3), yp2 (4), yp3 with the bad age (5)."""
    bundle.nodes[0]["label"] = "Robin\nsecond line"
    bundle.nodes[2]["age"] = "old"
    bundle.write()
    lines = bundle.nodes_path.read_bytes().decode("utf-8").split("\r\n")
    assert len(lines) == 8  # header, 6 records, and the empty rest after the last line end
    lines.insert(2, "")  # a blank row between the first and second records
    bundle.nodes_path.write_bytes("\r\n".join(lines).encode("utf-8"))
    problems = _refused(bundle, capsys, write=False)
    _one_line(problems, "nodes.csv", "row 5", "field 'age'")


def test_a_row_with_too_many_cells(bundle, capsys):
    bundle.write()
    with open(bundle.ties_path, "a", encoding="utf-8") as fh:
        fh.write("yp1,yp3,friend,,,surprise\n")
    lines = _refused(bundle, capsys, write=False)
    _one_line(lines, "ties.csv", "row 7", "has 6 cells but the header has 5 columns")


# ------------------------------------------------------------------ bad files
def test_missing_required_columns(bundle, capsys):
    bundle.node_header.remove("kind")
    for row in bundle.nodes:
        row.pop("kind")
    bundle.tie_header = ["a", "b", "context", "strength"]
    for row in bundle.ties:
        row.pop("type")
    lines = _refused(bundle, capsys)
    _one_line(lines, "nodes.csv", "row 1", "field 'kind'", "missing required column(s): kind")
    _one_line(lines, "ties.csv", "row 1", "field 'type'", "missing required column(s): type")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "is empty"),
        ("\ufeff".encode(), "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not CSV"),
        (b"PK\x03\x04" + bytes(200), "spreadsheet workbook"),
        ("id,kind\nyp1,young_person\n".encode("utf-16"), "UTF-16"),
        ("id,kind,label\no9,organisation,Caf\u00e9\n".encode("cp1252"), "not UTF-8"),
    ],
    ids=["empty", "blank", "bom-only", "png", "xlsx", "utf16", "cp1252"],
)
def test_unusable_nodes_file(bundle, capsys, content, words):
    bundle.write()
    bundle.nodes_path.write_bytes(content)
    lines = _refused(bundle, capsys, write=False)
    _one_line(lines, "nodes.csv", words)


def test_unusable_ties_file(bundle, capsys):
    bundle.write()
    bundle.ties_path.write_bytes(b"")
    lines = _refused(bundle, capsys, write=False)
    _one_line(lines, "ties.csv", "is empty")


def test_missing_input_file(bundle, capsys):
    bundle.write()
    bundle.ties_path.unlink()
    lines = _refused(bundle, capsys, write=False)
    _one_line(lines, "ties.csv", "no such file")


def test_header_only_ties_file_is_a_project_without_ties(bundle, capsys):
    bundle.ties = []
    code, err = bundle.run(capsys)
    assert code == 0, err
    assert set(load_project(bundle.out).ties) == {("o1", "s1")}  # only the derived provides tie


# ------------------------------------------------------------------ areas
def test_unreadable_areas_file(bundle, capsys):
    bundle.areas_path.write_text('{"type": "FeatureColl')
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.geojson", "cannot be read as GeoJSON, GeoPackage or shapefile")


def test_missing_areas_file(bundle, capsys):
    bundle.areas_path.unlink()
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.geojson", "no such areas file")


def test_areas_file_that_is_not_a_map(bundle, capsys):
    bundle.areas_path = bundle.folder / "areas.csv"
    bundle.areas_path.write_text("code,name\nA1,West\n")
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.csv", "no geometry")


def test_invalid_area_geometry_is_repaired_when_sound(bundle, capsys):
    """A bow-tie (self-intersecting ring) over A1's square: make_valid splits it into
    two triangles with the same 0.5-of-the-square area; the import goes ahead with a warning."""
    bow = Polygon([(-2.30, 53.40), (-2.29, 53.41), (-2.29, 53.40), (-2.30, 53.41), (-2.30, 53.40)])
    assert not bow.is_valid
    write_areas(bundle.areas_path, [({"code": "A1", "name": "West"}, bow), SQUARES[1]])
    code, err = bundle.run(capsys)
    assert code == 0, err
    assert "repaired invalid geometry of 1 area(s) (A1)" in err
    geom = load_project(bundle.out).areas["A1"].geometry
    assert geom.is_valid and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert geom.area == pytest.approx(0.5 * 0.01 * 0.01, rel=1e-6)  # two triangles, each a quarter


def test_invalid_area_geometry_without_area_is_refused(bundle, capsys):
    flat = Polygon([(-2.30, 53.40), (-2.29, 53.40), (-2.28, 53.40), (-2.30, 53.40)])  # collinear: no area
    assert not flat.is_valid and flat.area == 0
    write_areas(bundle.areas_path, [SQUARES[0], ({"code": "A2", "name": "East"}, flat)])
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.geojson", "feature 2", "area 'A2'", "field 'geometry'", "cannot be repaired")


@pytest.mark.parametrize(
    ("features", "row", "field", "words"),
    [
        ([SQUARES[0], ({"code": "A1", "name": "Again"}, box(0, 0, 1, 1))], 2, "code", "duplicate area code"),
        ([SQUARES[0], ({"code": "", "name": "Nameless"}, box(0, 0, 1, 1))], 2, "code", "area code is empty"),
        ([SQUARES[0], ({"code": "A2", "name": "Dot"}, Point(-2.285, 53.405))], 2, "geometry", "not a polygon"),
        ([SQUARES[0], ({"code": "A2", "name": "None"}, None)], 2, "geometry", "has no geometry"),
        ([({"code": "A1", "name": "W", "imd_decile": 11}, box(0, 0, 1, 1))], 1, "imd_decile", "not 1..10"),
        ([({"code": "A1", "name": "W", "population_16_24": "many"}, box(0, 0, 1, 1))], 1,
         "population_16_24", "not a whole number"),
    ],
    ids=["duplicate", "empty-code", "point", "no-geometry", "imd", "population"],
)
def test_bad_area_feature(bundle, capsys, features, row, field, words):
    write_areas(bundle.areas_path, features)
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.geojson", f"feature {row}", f"field {field!r}", words)


def test_real_boundaries_as_areas_file(tmp_path, capsys):
    """The four Greater Manchester districts (lad19cd/lad19nm found without flags)."""
    b = Bundle(tmp_path)
    b.areas_path = GM_LADS
    codes = {"A1": "E08000004", "A2": "E08000003"}  # Oldham, Manchester
    for row in b.nodes:
        if row.get("area_code"):
            row["area_code"] = codes[row["area_code"]]
    code, err = b.run(capsys)
    assert code == 0, err
    p = load_project(b.out)
    assert {a.name for a in p.areas.values()} == {"Oldham", "Rochdale", "Manchester", "Tameside"}
    oldham = p.areas["E08000004"].geometry
    assert oldham.contains(Point(p.nodes["yp1"].lon, p.nodes["yp1"].lat))
    # the same with the fields named explicitly, and a wrong name reported
    b.out.unlink()
    code, err = b.run(capsys, "--area-code-field", "lad19cd", "--area-name-field", "lad19nm")
    assert code == 0, err
    b.out.unlink()
    lines = _refused(b, capsys, "--area-code-field", "LSOA21CD")
    _one_line(lines, "gm_lads.geojson", "no column 'LSOA21CD'", "lad19cd")


def test_area_columns_found_by_ons_names(tmp_path):
    path = write_areas(tmp_path / "lsoa.geojson", [
        ({"LSOA21CD": "E01000001", "LSOA21NM": "City 001A", "LAD22CD": "E09000001", "LAD22NM": "City",
          "IMD_Decile": 4, "population_16_24": 210}, box(0, 51, 0.01, 51.01)),
    ])
    with pytest.raises(InputError) as err:
        read_areas(path)  # two ONS code columns: which one is the area?
    assert "LSOA21CD" in str(err.value) and "--area-code-field" in str(err.value)
    [area] = read_areas(path, "LSOA21CD")
    assert (area.code, area.name, area.imd_decile, area.population_16_24) == ("E01000001", "City 001A", 4, 210)
    [area] = read_areas(path, "lad22cd", "LAD22NM")  # any letter case
    assert (area.code, area.name) == ("E09000001", "City")


def test_areas_from_geopackage_and_reprojected_shapefile(tmp_path):
    """The same two squares written as a GeoPackage in EPSG:4326 and as a shapefile
    in British National Grid (EPSG:27700) read back as the same lon/lat polygons."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"code": ["A1", "A2"], "name": ["West", "East"]},
                             geometry=[g for _, g in SQUARES], crs=4326)
    frame.to_file(tmp_path / "areas.gpkg", layer="wards", driver="GPKG")
    frame.to_crs(27700).to_file(tmp_path / "areas.shp")
    from_gpkg = read_areas(tmp_path / "areas.gpkg")
    from_shp = read_areas(tmp_path / "areas.shp")
    for areas in (from_gpkg, from_shp):
        assert [a.code for a in areas] == ["A1", "A2"] and [a.name for a in areas] == ["West", "East"]
        for area, (_, square) in zip(areas, SQUARES, strict=True):
            # BNG and back moves corners by ~1e-8 degrees (about a millimetre)
            assert area.geometry.symmetric_difference(square).area < 1e-5 * square.area
            assert area.geometry.bounds == pytest.approx(square.bounds, abs=1e-7)


def test_shapefile_without_crs_in_metres_is_refused(tmp_path):
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"code": ["A1"]}, geometry=[box(380000, 400000, 381000, 401000)])
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(tmp_path / "nocrs.shp")
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_areas(tmp_path / "nocrs.shp")


# ------------------------------------------------------------------ --into
def test_into_merges_in_one_transaction(bundle, capsys, two_areas, tmp_path):
    """A project with one organisation gets the whole bundle merged in."""
    target = tmp_path / "existing.gpkg"
    existing = Project.build(two_areas, [Node("o9", "organisation", "Trust", lat=53.40, lon=-2.28)], [])
    existing.settings["group_by"] = "community"
    existing.scenarios["keep me"] = {"changes": [["close", "o9"]]}
    save_project(existing, target)
    bundle.ties.append({"a": "o9", "b": "o1", "type": "partner"})
    code, err = bundle.run(capsys, "--into", str(target), out=False)
    assert code == 0, err
    merged = load_project(target)
    assert len(merged.nodes) == 7 and merged.get_tie("o1", "o9").type == "partner"
    assert merged.settings["group_by"] == "community" and "keep me" in merged.scenarios
    assert set(merged.areas) == {"A1", "A2"}


def test_into_with_a_bad_row_changes_nothing(bundle, capsys, two_areas, tmp_path):
    target = tmp_path / "existing.gpkg"
    save_project(Project.build(two_areas, [Node("yp1", "young_person", area_code="A1")], []), target)
    digest = _sha(target)
    code, err = bundle.run(capsys, "--into", str(target), out=False)
    assert code == 2
    _one_line(err.splitlines(), "nodes.csv", "row 2", "field 'id'", "'yp1' is already in the project")
    assert _sha(target) == digest
    assert sorted(os.listdir(tmp_path)) == sorted(["areas.geojson", "existing.gpkg", "nodes.csv", "ties.csv"])


def test_into_without_areas_uses_the_projects_areas(bundle, capsys, two_areas, tmp_path):
    target = tmp_path / "existing.gpkg"
    save_project(Project.build(two_areas, [], []), target)
    bundle.write()
    code = main(["import", "csv", "--nodes", str(bundle.nodes_path), "--ties", str(bundle.ties_path),
                 "--into", str(target)])
    assert code == 0, capsys.readouterr().err
    assert len(load_project(target).nodes) == 6


def test_into_a_damaged_project_is_refused(bundle, capsys, tmp_path):
    target = tmp_path / "broken.gpkg"
    target.write_bytes(b"not a project")
    code, err = bundle.run(capsys, "--into", str(target), out=False)
    assert code == 2 and "not a GeoPackage" in err
    assert target.read_bytes() == b"not a project"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--into", "x.gpkg", "out.gpkg"], "not both"),
        ([], "no output file"),
    ],
)
def test_into_and_output_arguments(bundle, capsys, argv, words):
    bundle.write()
    code = main(["import", "csv", "--nodes", str(bundle.nodes_path), "--ties", str(bundle.ties_path), *argv])
    assert code == 2 and words in capsys.readouterr().err


def test_new_project_needs_areas(bundle, capsys):
    bundle.write()
    code = main(["import", "csv", "--nodes", str(bundle.nodes_path), "--ties", str(bundle.ties_path),
                 str(bundle.out)])
    assert code == 2 and "--areas is needed" in capsys.readouterr().err
    assert not bundle.out.exists()


# ------------------------------------------------------------------ round trip
def test_bundle_round_trip(tmp_path, small_project):
    """write_csv_bundle then read_csv_bundle gives back the same project."""
    p = small_project
    p.update_node("s1", contract_end=dt.date(2027, 3, 31), annual_value=45000.75, commissioner="Council, North")
    p.update_node("yp1", attrs={"school": "Oak \"High\"", "kind": "clash with a column name"})
    p.update_node("o1", spend_total=1234.5678)
    p.update_node("yp2", activity="neet_not_available")  # issue 15: the activity, not only NEET
    p.update_node("yp3", activity="not_known")
    p.update_area("A1", imd_decile=2, population_16_24=250)
    p.add_tie(Tie("yp1", "yp3", "peer", context="o1", strength=1))
    folder = tmp_path / "bundle"
    write_csv_bundle(p, folder)
    back, warnings = read_csv_bundle(folder / "nodes.csv", folder / "ties.csv", folder / "areas.geojson")
    assert warnings == []
    assert back.nodes == p.nodes
    assert back.ties == p.ties
    for code, area in p.areas.items():
        got = back.areas[code]
        assert (got.name, got.imd_decile, got.population_16_24) == (area.name, area.imd_decile, area.population_16_24)
        assert got.geometry.equals_exact(area.geometry, 1e-12)


def test_written_bundle_has_no_young_person_points(tmp_path, small_project):
    write_csv_bundle(small_project, tmp_path)
    with open(tmp_path / "nodes.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["yp1"]["lat"] == "" and rows["yp1"]["lon"] == ""
    assert rows["o1"]["lat"] == "53.405"


# ------------------------------------------------------------------ cell parsers
@pytest.mark.parametrize("text", ["true", "YES", "y", "1", " Y "])
def test_true_spellings(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["false", "No", "n", "0"])
def test_false_spellings(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize(
    ("text", "date"),
    [("2027-03-31", dt.date(2027, 3, 31)), ("31/03/2027", dt.date(2027, 3, 31)), ("1/4/2027", dt.date(2027, 4, 1)),
     ("2027-03-31T12:00:00", dt.date(2027, 3, 31))],
)
def test_date_spellings(text, date):
    assert parse_date(text) == date


def test_read_csv_bundle_is_pure(bundle):
    """Reading does not write anything next to the input files."""
    bundle.write()
    before = sorted(os.listdir(bundle.folder))
    project, warnings = read_csv_bundle(bundle.nodes_path, bundle.ties_path, bundle.areas_path)
    assert isinstance(project, Project) and len(project.nodes) == 6 and warnings == []
    assert sorted(os.listdir(bundle.folder)) == before
    assert isinstance(project.areas["A1"], Area)


def test_ids_with_quotes_and_hyphens_map_back_to_their_rows(bundle, capsys):
    """Problems found by Project.build name records as repr() text; ids with quotes,
    hyphens and accents still find their way back to their row."""
    bundle.nodes += [
        {"id": "o'brien", "kind": "young_person", "area_code": "A1"},
        {"id": 'say "hi"-x', "kind": "young_person", "area_code": "A1"},
        {"id": "été-1", "kind": "young_person", "area_code": "nowhere"},
    ]
    bundle.ties += [
        {"a": "o'brien", "b": 'say "hi"-x', "type": "friend"},
        {"a": "été-1", "b": "o'brien", "type": "attends"},
    ]
    lines = _refused(bundle, capsys)
    assert len(lines) == 2
    _one_line(lines, "nodes.csv", "row 10", "field 'area_code'", "unknown area code 'nowhere'")
    _one_line(lines, "ties.csv", "row 8", "field 'type'", "a attends tie joins")


def test_areas_and_rows_problems_reported_together(bundle, capsys):
    write_areas(bundle.areas_path, [SQUARES[0], ({"code": "A2", "name": "Dot"}, Point(-2.285, 53.405))])
    bundle.nodes[0]["age"] = "old"
    lines = _refused(bundle, capsys)
    _one_line(lines, "areas.geojson", "feature 2", "field 'geometry'")
    _one_line(lines, "nodes.csv", "row 2", "field 'age'")


def test_output_in_a_missing_folder(bundle, capsys):
    bundle.out = bundle.folder / "no" / "such" / "out.gpkg"
    code, err = bundle.run(capsys)
    assert code == 2 and "does not exist" in err
    assert not (bundle.folder / "no").exists()


def test_a_refused_provider_is_reported_once_not_again_at_its_services(bundle, capsys):
    """o1's row (4th node, row 6) has an unknown kind, so o1 is refused there. Its service s1
    (row 7) names o1 as provider: that is not a second mistake, so s1's row is not reported as
    'unknown provider', just as ties to o1 are not."""
    bundle.nodes[4]["kind"] = "organization"
    lines = _refused(bundle, capsys)
    _one_line(lines, "nodes.csv", "row 6", "field 'kind'", "unknown kind 'organization'")
    assert not [line for line in lines if "unknown provider" in line], lines
    assert len(lines) == 1, lines


def test_a_bad_postcode_lookup_is_the_one_problem_not_every_record_it_would_place(bundle, capsys, tmp_path):
    """The lookup's row 3 has latitude 'abc', so the lookup is refused there. yp1, which has only a
    postcode, is not also told it "needs a home area": that follows from the lookup, not from nodes.csv."""
    lookup = tmp_path / "nspl.csv"
    lookup.write_text("pcds,lat,long,lsoa21\nM1 1AA,53.405,-2.295,A1\nM1 2BB,abc,-2.285,A2\n")
    bundle.node_header.append("postcode")
    bundle.nodes[0].update(area_code="", postcode="m12bb")
    lines = _refused(bundle, capsys, "--postcodes", str(lookup))
    _one_line(lines, "nspl.csv", "row 3", "'abc' is not a number")
    assert len(lines) == 1, lines


def test_bundle_tables_carry_a_byte_order_mark_and_keep_accents(tmp_path, small_project):
    """nodes.csv and ties.csv start with the UTF-8 byte-order mark (EF BB BF), as the other CSV
    tables do, so Excel reads 'Zoë' as Zoë and not as ZoÃ«; reading the bundle back gives 'Zoë'."""
    small_project.update_node("ad1", label="Zoë")
    write_csv_bundle(small_project, tmp_path)
    for name in ("nodes.csv", "ties.csv"):
        raw = (tmp_path / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), name
    assert "Zoë".encode() in (tmp_path / "nodes.csv").read_bytes()
    back, _ = read_csv_bundle(tmp_path / "nodes.csv", tmp_path / "ties.csv", tmp_path / "areas.geojson")
    assert back.nodes["ad1"].label == "Zoë"
    assert back.nodes == small_project.nodes


def test_dates_of_records_round_trip_through_the_bundle(small_project, tmp_path):
    """ties.csv carries since/until and nodes.csv recorded/updated (issue 18); a bad date is named."""
    import datetime as dt

    small_project.update_tie("yp1", "yp2", since=dt.date(2024, 9, 1), until=dt.date(2025, 7, 31))
    small_project.update_node("yp1", recorded=dt.date(2024, 2, 3), updated=dt.date(2025, 6, 7))
    folder = tmp_path / "bundle"
    write_csv_bundle(small_project, folder)
    back, _ = read_csv_bundle(folder / "nodes.csv", folder / "ties.csv", folder / "areas.geojson")
    tie = back.get_tie("yp1", "yp2")
    assert (tie.since, tie.until) == (dt.date(2024, 9, 1), dt.date(2025, 7, 31))
    assert (back.nodes["yp1"].recorded, back.nodes["yp1"].updated) == (dt.date(2024, 2, 3), dt.date(2025, 6, 7))
    text = (folder / "ties.csv").read_text(encoding="utf-8-sig").replace("2025-07-31", "someday")
    (folder / "ties.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_csv_bundle(folder / "nodes.csv", folder / "ties.csv", folder / "areas.geojson")
    assert any(p.field == "until" and "'someday' is not a date" in p.reason for p in err.value.problems)


def test_activity_column_reads_spellings_people_write_and_refuses_others(tmp_path, two_areas):
    """``NEET, not available`` and ``Not known`` are read; ``working`` is refused at its row."""
    (tmp_path / "nodes.csv").write_text("id,kind,area_code,activity\n"
                                        "y1,young_person,A1,\"NEET, not available\"\n"
                                        "y2,young_person,A1,Not known\n"
                                        "y3,young_person,A1,working\n", encoding="utf-8")
    (tmp_path / "ties.csv").write_text("a,b,type\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_csv_batch_project(tmp_path, two_areas)
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "activity")]
    (tmp_path / "nodes.csv").write_text("id,kind,area_code,activity\ny1,young_person,A1,\"NEET, not available\"\n"
                                        "y2,young_person,A1,Not known\n", encoding="utf-8")
    p = read_csv_batch_project(tmp_path, two_areas)
    assert [(n.activity, n.neet) for n in p.nodes.values()] == [("neet_not_available", True), ("not_known", False)]


def read_csv_batch_project(folder, areas):
    from socialmap.interchange.merge import build_import
    from socialmap.interchange.readers.csv_bundle import read_csv_batch

    batch = read_csv_batch(folder / "nodes.csv", folder / "ties.csv", lookup=None, areas={a.code: a for a in areas},
                           existing=None)
    return build_import(batch, areas=list(areas), assign_areas=False)
