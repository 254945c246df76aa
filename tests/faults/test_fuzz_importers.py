"""Fuzzing every importer with mutated fixtures (issue 11, deliverable 6): byte flips, cuts and
insertions, cells swapped for hostile values, JSON values of the wrong type and nested thousands
deep, ``.xlsx`` parts with entity bombs, undefined entities, unbound prefixes and junk after the
root. Every case must end in a project or in one-line reasons (``InputError``), never in another
exception; through the command line, exit 0 or 2, no traceback, and on refusal nothing written
and the project merged into byte for byte as it was.

``make test`` runs a few hundred cases (seeded, so a failure names the seed that reproduces it);
``make fuzz`` runs thousands (SOCIALMAP_FUZZ_CASES per importer).
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from shapely.geometry import box, mapping

from socialmap.cli import main
from socialmap.errors import InputError
from socialmap.interchange.merge import import_project
from tests.faults.conftest import digest

CASES = int(os.environ.get("SOCIALMAP_FUZZ_CASES", "0") or 0) or 70

NODES = ("id,kind,label,area_code,age,neet,org_type,is_anchor,employees_total,lat,lon,provider,contract_end\n"
         "yp1,young_person,Robin,A1,17,true,,,,,,,\n"
         "yp2,young_person,Sam,A2,18,no,,,,,,,\n"
         "ad1,adult,Jo,A2,,,,,,,,,\n"
         "o1,organisation,Northfield College,,,,school_college,yes,100,53.405,-2.295,,\n"
         "s1,service,Youth club,,,,,,,53.405,-2.285,o1,2027-03-31\n")
TIES = "a,b,type,context,strength\nyp1,yp2,friend,s1,3\nyp1,s1,attends,,\no1,ad1,employs,s1,\nad1,yp2,worker,,\n"
KUMU_ELEMENTS = [["Label", "Type", "Area Code", "Latitude", "Longitude", "NEET", "Age", "Provider"],
                 ["Robin", "Young person", "A1", None, None, "yes", 17, None],
                 ["Sam", "young_person", "A2", None, None, "no", 18, None],
                 ["Jo", "Youth worker", "A2", None, None, None, None, None],
                 ["Northfield College", "College", None, 53.405, -2.295, None, None, None],
                 ["Youth club", "Service", None, 53.405, -2.285, None, None, "Northfield College"]]
KUMU_CONNECTIONS = [["From", "To", "Type", "Strength"], ["Robin", "Sam", "Friends", "strong"],
                    ["Robin", "Youth club", "Attends", None], ["Northfield College", "Jo", "Works at", None],
                    ["Jo", "Sam|Robin", "Youth worker", 2]]
ORG = {"id": "org-1", "name": "Northside Trust", "url": "https://example.org"}
ORUK = {"totalElements": 2, "content": [
    {"id": "svc-1", "name": "Youth club", "organization": ORG, "service_at_locations": [
        {"id": "sal-1", "location": {"id": "loc-1", "name": "Civic Centre", "latitude": 53.405,
                                     "longitude": -2.295, "physical_addresses": [{"postal_code": "M1 1AA"}]}}]},
    {"id": "svc-2", "name": "Drop-in", "organization": ORG, "service_at_locations": [
        {"id": "sal-2", "location": {"id": "loc-2", "name": "East Hall", "latitude": "53.405",
                                     "longitude": "-2.285"}}]}]}
ORUK_TABLES = {
    "organization.csv": "id,name,description\norg-1,Northside Trust,Youth charity\n",
    "service.csv": "id,organization_id,name,status\nsvc-1,org-1,Youth club,active\n",
    "location.csv": "id,name,latitude,longitude\nloc-1,Civic Centre,53.405,-2.295\n",
    "service_at_location.csv": "id,service_id,location_id\nsal-1,svc-1,loc-1\n",
}
HOSTILE = ["", " ", "=cmd|'/C calc'!A0", "'=x", "-", "+44", "@SUM(A1)", "\t=1", "x" * 5000, "y " * 40_000,
           "\x00", "\ufeff", "é\u202e", "nan", "inf", "-1e309", "1e308", "99999999999999999999", "-0", "0x10",
           "31/02/2027", "2027-13-45", "yes", "no", "true", "A1", "A3", "yp1", "o1", "s1", '"', "\n", ";", ",",
           "<b>x</b>", "&amp;", "]]>", "\r\n"]
def _with_dtd(xml: bytes, dtd: bytes) -> bytes:
    """``xml`` with a document type declaration after its XML declaration (or at its start)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + dtd + xml[end:]
    return dtd + xml


BOMB = (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
XML_ATTACKS = {
    "entity bomb": lambda x: _with_dtd(x, BOMB).replace(b"<v>", b"<v>&c;", 1),
    "undefined entity": lambda x: x.replace(b"<v>", b"<v>&undefined;", 1).replace(b"<t>", b"<t>&nope;", 1),
    "unbound prefix": lambda x: x.replace(b"<sheetData>", b"<sheetData><zz:row/>", 1),
    "junk after root": lambda x: x + b"<junk/>trailing",
    "cut short": lambda x: x[: len(x) // 2],
    "external entity": lambda x: _with_dtd(x, b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    "not xml": lambda x: b"\x00\xff" * 50,
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    import openpyxl

    folder = tmp_path_factory.mktemp("fuzz-corpus")
    areas = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": mapping(g)}
        for c, n, g in (("A1", "West", box(-2.30, 53.40, -2.29, 53.41)),
                        ("A2", "East", box(-2.29, 53.40, -2.28, 53.41)))]}
    (folder / "areas.geojson").write_text(json.dumps(areas))
    book = openpyxl.Workbook()
    book.active.title = "Elements"
    for row in KUMU_ELEMENTS:
        book.active.append(row)
    sheet = book.create_sheet("Connections")
    for row in KUMU_CONNECTIONS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    from socialmap.interchange.writers.graph import write_graphml
    from socialmap.model import Area, Node, Project, Tie

    network = Project()
    network.add_area(Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)))
    network.add_area(Area("A2", "East", box(-2.29, 53.40, -2.28, 53.41)))
    network.add_node(Node("yp1", "young_person", "Robin", area_code="A1", neet=True))
    network.add_node(Node("yp2", "young_person", "Sam", area_code="A2"))
    network.add_node(Node("o1", "organisation", "College", lat=53.405, lon=-2.295, org_type="school_college"))
    network.add_tie(Tie("yp1", "yp2", "friend"))
    network.add_tie(Tie("yp1", "o1", "member"))
    write_graphml(network, folder / "base.graphml", include_people=True)
    from socialmap.interchange.writers.graph import write_gexf

    write_gexf(network, folder / "base.gexf", include_people=True)
    return {"folder": folder, "areas": folder / "areas.geojson", "xlsx": buffer.getvalue(),
            "graphml": (folder / "base.graphml").read_bytes(), "gexf": (folder / "base.gexf").read_bytes()}


# ------------------------------------------------------------------ mutations
def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if not data:
            data += bytes([rng.randrange(256)])
        elif choice < 0.35:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.5:
            del data[rng.randrange(len(data)):]
        elif choice < 0.7:
            at = rng.randrange(len(data))
            data[at:at] = rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
        elif choice < 0.85:
            a = rng.randrange(len(data))
            data[a:a] = data[a: a + rng.randint(1, 200)] * rng.randint(1, 3)
        else:
            at = rng.randrange(len(data))
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def _mutate_csv(text: str, rng: random.Random) -> bytes:
    if rng.random() < 0.4:
        return _mutate_bytes(text.encode(), rng)
    lines = [line.split(",") for line in text.splitlines()]
    for _ in range(rng.randint(1, 5)):
        row = rng.randrange(len(lines))
        col = rng.randrange(len(lines[row]))
        lines[row][col] = rng.choice(HOSTILE).replace("\n", " ")
    if rng.random() < 0.2:
        lines.insert(rng.randrange(1, len(lines) + 1), list(rng.choice(lines)))
    return ("\n".join(",".join(cells) for cells in lines) + "\n").encode("utf-8", "surrogatepass")


def _mutate_json(document, rng: random.Random):
    document = json.loads(json.dumps(document))
    for _ in range(rng.randint(1, 4)):
        parents = []
        stack = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                parents += [(node, k) for k in node]
                stack += list(node.values())
            elif isinstance(node, list):
                parents += [(node, i) for i in range(len(node))]
                stack += node
        if not parents:
            return document
        parent, key = rng.choice(parents)
        deep = f"__DEEP_{rng.choice((3, 100, 5000))}__"  # made deep in the text (json.dumps would recurse)
        parent[key] = rng.choice([None, 0, -1, 1e308, True, "", [], {}, [1, 2], {"id": 5}, "x" * 3000, deep,
                                  rng.choice(HOSTILE), {"id": None, "services": 7}, [[["deep"]]]])
    return document


def _mutate_xlsx(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.25:
        return _mutate_bytes(data, rng)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in source.namelist() if n.endswith(".xml")]
    target = rng.choice([n for n in names if "sheet" in n or "sharedStrings" in n] or names)
    attack = rng.choice(list(XML_ATTACKS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for name in source.namelist():
            content = source.read(name)
            if name == target:
                content = XML_ATTACKS[attack](content)
                if rng.random() < 0.3:
                    content = content.replace(b"Robin", rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
                                              .replace(b"<", b"&lt;").replace(b"&", b"&amp;"))
            dest.writestr(name, content)
    return out.getvalue()


# ------------------------------------------------------------------ one case
LOOKUP = ("pcd,pcds,lat,long,lsoa21\nM1  1AA,M1 1AA,53.4050,-2.2950,A1\nM1  2BB,M1 2BB,53.4050,-2.2850,A2\n"
          "ZZ9 9ZZ,ZZ9 9ZZ,99.999999,0.000000,\n")
POSTCODE_NODES = "id,kind,label,postcode\nyp1,young_person,Robin,M1 1AA\no1,organisation,College,M1 2BB\n"


def _import(fmt: str, case: Path, areas: Path):
    """The importer's whole flow short of saving: a project, or InputError. Anything else fails."""
    postcodes = None
    if fmt == "areas":  # the CSV bundle over a mutated areas file
        areas = case / "areas.geojson"
    if fmt == "postcodes":  # nodes placed by a mutated postcode lookup
        postcodes = case / "lookup.csv"
    if fmt in ("csv", "areas", "postcodes"):
        from socialmap.interchange.readers.csv_bundle import read_csv_batch

        def read(**kw):
            return read_csv_batch(case / "nodes.csv", case / "ties.csv", **kw)
    elif fmt in ("kumu", "kumu-csv"):
        from socialmap.interchange.readers.kumu import read_kumu

        def read(**kw):
            if fmt == "kumu":
                return read_kumu(case / "map.xlsx", **kw)
            return read_kumu(case / "elements.csv", connections=case / "connections.csv", **kw)
    elif fmt in ("graphml", "gexf"):
        from socialmap.interchange.readers.graph import read_gexf_import, read_graphml_import

        def read(**kw):
            if fmt == "gexf":
                return read_gexf_import(case / "network.gexf", **kw)
            return read_graphml_import(case / "network.graphml", **kw)
    else:
        from socialmap.interchange.readers.openreferral import read_openreferral

        def read(**kw):
            return read_openreferral(case / "services.json" if fmt == "oruk-json" else case / "oruk", **kw)
    try:
        return import_project(read, areas_path=areas, assign_areas=fmt not in ("csv", "areas"), postcodes=postcodes)
    except InputError as exc:
        assert exc.lines() and all(line.strip() and "\n" not in line for line in exc.lines())
        return None


def _write_case(fmt: str, folder: Path, corpus, rng: random.Random) -> None:
    folder.mkdir()
    if fmt == "areas":
        (folder / "nodes.csv").write_text(NODES)
        (folder / "ties.csv").write_text(TIES)
        document = json.loads(corpus["areas"].read_text())
        if rng.random() < 0.4:
            (folder / "areas.geojson").write_bytes(_mutate_bytes(json.dumps(document).encode(), rng))
        else:
            text = json.dumps(_mutate_json(document, rng))
            for n in (3, 100, 5000):
                text = text.replace(f'"__DEEP_{n}__"', "[" * n + "]" * n)
            (folder / "areas.geojson").write_text(text)
    elif fmt == "postcodes":
        (folder / "nodes.csv").write_text(POSTCODE_NODES)
        (folder / "ties.csv").write_text("a,b,type\n")
        (folder / "lookup.csv").write_bytes(_mutate_csv(LOOKUP, rng))
    elif fmt == "csv":
        (folder / "nodes.csv").write_bytes(_mutate_csv(NODES, rng) if rng.random() < 0.7 else NODES.encode())
        (folder / "ties.csv").write_bytes(_mutate_csv(TIES, rng) if rng.random() < 0.5 else TIES.encode())
    elif fmt in ("graphml", "gexf"):
        base = corpus[fmt]
        if rng.random() < 0.5:
            data = _mutate_bytes(base, rng)
        else:
            data = XML_ATTACKS[rng.choice(list(XML_ATTACKS))](base)
            if rng.random() < 0.5:
                data = data.replace(b"Robin", rng.choice(HOSTILE).encode("utf-8", "surrogatepass")
                                    .replace(b"&", b"&amp;").replace(b"<", b"&lt;"))
        (folder / f"network.{fmt}").write_bytes(data)
    elif fmt == "kumu":
        (folder / "map.xlsx").write_bytes(_mutate_xlsx(corpus["xlsx"], rng))
    elif fmt == "kumu-csv":
        rows = ["\n".join(",".join("" if c is None else str(c) for c in r) for r in t) + "\n"
                for t in (KUMU_ELEMENTS, KUMU_CONNECTIONS)]
        (folder / "elements.csv").write_bytes(_mutate_csv(rows[0], rng))
        (folder / "connections.csv").write_bytes(_mutate_csv(rows[1], rng) if rng.random() < 0.5
                                                 else rows[1].encode())
    elif fmt == "oruk-json":
        if rng.random() < 0.3:
            (folder / "services.json").write_bytes(_mutate_bytes(json.dumps(ORUK).encode(), rng))
        else:
            text = json.dumps(_mutate_json(ORUK, rng))
            for n in (3, 100, 5000):
                text = text.replace(f'"__DEEP_{n}__"', "[" * n + "]" * n)
            (folder / "services.json").write_text(text)
    else:
        (folder / "oruk").mkdir()
        victim = rng.choice(list(ORUK_TABLES))
        for name, text in ORUK_TABLES.items():
            (folder / "oruk" / name).write_bytes(_mutate_csv(text, rng) if name == victim else text.encode())


FORMATS = ("csv", "kumu", "kumu-csv", "oruk-json", "oruk-folder", "areas", "postcodes", "graphml", "gexf")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # GDAL and GEOS on mangled geometry: noted, not failed
@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_inputs_give_a_project_or_reasons_never_an_exception(tmp_path, corpus, fmt):
    accepted = 0
    per_format = max(CASES // 2, 20) if fmt in ("kumu-csv", "oruk-folder", "areas", "postcodes", "graphml", "gexf") else CASES
    for seed in range(per_format):
        rng = random.Random(f"{fmt}-{seed}")
        case = tmp_path / f"case{seed}"
        _write_case(fmt, case, corpus, rng)
        try:
            project = _import(fmt, case, corpus["areas"])
        except Exception as exc:  # noqa: BLE001 - the failure the fuzzing is for
            raise AssertionError(f"{fmt} seed {seed}: {type(exc).__name__}: {exc}") from exc
        accepted += project is not None
        shutil.rmtree(case)
    assert accepted < per_format  # the mutations do reach the readers' refusals


@pytest.mark.parametrize("fmt", ("csv", "kumu", "oruk-json"))
def test_mutated_inputs_through_the_command_line_leave_the_project_alone(tmp_path, corpus, small_project,
                                                                         capsys, fmt):
    """``import --into`` with hostile files: exit 0 or 2, one reason per line and no traceback,
    and on refusal the project byte for byte as it was and no file left beside it."""
    from socialmap.store import load_project, save_project

    into = tmp_path / "p.gpkg"
    save_project(small_project, into)
    pristine = into.read_bytes()
    for seed in range(max(CASES // 7, 6)):
        rng = random.Random(f"cli-{fmt}-{seed}")
        case = tmp_path / f"case{seed}"
        _write_case(fmt, case, corpus, rng)
        into.write_bytes(pristine)
        source = {"csv": ["--nodes", str(case / "nodes.csv"), "--ties", str(case / "ties.csv")],
                  "kumu": [str(case / "map.xlsx")], "oruk-json": [str(case / "services.json")]}[fmt]
        name = {"oruk-json": "openreferral"}.get(fmt, fmt)
        code = main(["import", name, *source, "--into", str(into)])
        err = capsys.readouterr().err
        assert code in (0, 2), (fmt, seed, err)
        assert "Traceback" not in err and "internal error" not in err, (fmt, seed, err)
        if code == 2:
            assert into.read_bytes() == pristine, (fmt, seed)
        else:
            load_project(into)
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["p.gpkg"], (fmt, seed)
        shutil.rmtree(case)
    assert digest(into) is not None


def test_mutated_ccis_extracts_give_a_project_or_reasons(tmp_path, capsys):
    """The CCIS client extract (issue 15) through ``import ccis``: mutated cells, bytes and rows give
    exit 0 or 2 with one-line reasons, no traceback, and on refusal no output file; a reason never
    echoes a name, date of birth or postcode of the extract."""
    from tests.interchange import ccis_data as data

    areas = data.write_areas(tmp_path / "areas.geojson")
    lookup = data.write_lookup(tmp_path / "lookup.csv", 40)
    rows = data.people(12)
    clean = data.write_extract(tmp_path / "clean.csv", rows).read_text(encoding="utf-8")
    secrets = {r[k] for r in rows for k in ("Forename", "Surname", "Postcode") if len(r[k]) > 3}
    for seed in range(max(CASES // 2, 20)):
        rng = random.Random(f"ccis-{seed}")
        case = tmp_path / f"ccis{seed}.csv"
        case.write_bytes(_mutate_bytes(clean.encode(), rng) if rng.random() < 0.3 else _mutate_csv(clean, rng))
        out = tmp_path / f"out{seed}.gpkg"
        code = main(["import", "ccis", str(case), "--postcodes", str(lookup), "--areas", str(areas), str(out),
                     "--as-of", "2026-12-01"])
        err = capsys.readouterr().err
        assert code in (0, 2), (seed, err)
        assert "Traceback" not in err and "internal error" not in err, (seed, err)
        if code == 2:
            assert not out.exists(), seed
            assert not any(s in err for s in secrets), (seed, err)
