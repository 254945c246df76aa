"""The first stage of opening a file (issue 13): the map's parts made from the columns as they
are read (socialmap.mapview.binary.PartsPreview, told by socialmap.store.gpkg.read_records)
before the records are made and checked. The same parts, text for text, as those of the
project once built; a broken file refused with the same message as without a preview; a
preview that fails never stops a file from opening."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3

import numpy as np
import pytest

from socialmap.bench import synthetic_city
from socialmap.errors import ProjectNeedsRepair
from socialmap.mapview import binary
from socialmap.model import Tie
from socialmap.sample import generate_sample_project
from socialmap.store import load_project, open_project_file, save_project, save_project_file
from socialmap.store.foreign import gpkg_functions
from socialmap.ui.workers import json_in_chunks


def _opened_with_preview(path, passphrase=None):
    sent: list[dict] = []
    preview = binary.PartsPreview(sent.append)
    project, _ = open_project_file(path, passphrase, preview=preview)
    return project, preview, sent


def _texts(parts):
    return [json_in_chunks(p) for p in parts]


def _u(text: str, dtype: str) -> list:
    return np.frombuffer(base64.b64decode(text), np.dtype(dtype).newbyteorder("<")).tolist()


@pytest.mark.parametrize("make", [generate_sample_project, lambda: synthetic_city(300)], ids=["sample", "city"])
def test_the_preview_is_the_opened_projects_parts_text_for_text(tmp_path, make):
    path = tmp_path / "p.gpkg"
    save_project(make(), path)
    project, preview, sent = _opened_with_preview(path)
    parts, rows = binary.parts(project)
    assert preview.complete and [p["part"] for p in sent] == ["areas", "nodes", "ties"]
    assert _texts(sent) == _texts(parts)
    assert preview.rows == rows and preview.matches(project)
    assert load_project(path).nodes == project.nodes  # the preview changes nothing read


def test_an_encrypted_file_is_previewed_too(tmp_path):
    path = tmp_path / "p.smx"
    save_project_file(generate_sample_project(), path, "correct horse battery")
    project, preview, sent = _opened_with_preview(path, "correct horse battery")
    assert preview.complete and _texts(sent) == _texts(binary.parts(project)[0])


def _edit(path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    gpkg_functions(con)
    return con


def test_what_the_build_settles_is_settled_in_the_preview(tmp_path, small_project):
    """Hand-made: yp1's activity emptied in the file (NEET true: the build makes it NEET
    available), s1's label emptied (shown as its id), a tie ended yesterday (not drawn), the
    adult and its ties not drawn. Drawn: yp1, yp2, yp3, o1, s1 in file order; ties yp1-yp2,
    yp2-yp3 (context s1), yp1-s1; the build then derives o1's provides tie to s1 from s1's
    provider, which the preview cannot know: its ties part lacks it and the project's has it."""
    small_project.add_tie(Tie("yp3", "s1", "attends", until=dt.date.today() - dt.timedelta(days=1)))
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE nodes SET activity = NULL WHERE id = 'yp1'")
        con.execute("UPDATE nodes SET label = '' WHERE id = 's1'")
        con.execute("DELETE FROM ties WHERE type = 'provides'")
    con.close()
    project, preview, sent = _opened_with_preview(path)
    nodes = sent[1]["nodes"]
    assert nodes["ids"] == ["yp1", "yp2", "yp3", "o1", "s1"] and nodes["labels"][4] == "s1"
    assert _u(nodes["flags"], "u1") == [binary.FLAG_NEET, 0, 0, binary.FLAG_ANCHOR, 0]
    assert project.nodes["yp1"].activity == "neet_available"
    assert _texts(sent[:2]) == _texts(binary.parts(project)[0][:2])  # areas and nodes: the same
    ties = sent[2]["ties"]
    ends = [(nodes["ids"][a], nodes["ids"][b]) for a, b in zip(_u(ties["a"], "u4"), _u(ties["b"], "u4"), strict=True)]
    assert ends == [("yp1", "yp2"), ("yp2", "yp3"), ("s1", "yp1")]  # each in its key's order
    assert _u(ties["cls"], "u1") == [binary.CLASS_CODES["bonding"], binary.CLASS_CODES["bridging"],
                                     binary.CLASS_CODES["linking"]]
    final = binary.parts(project)[0][2]["ties"]
    assert final["n"] == 4 and _u(final["cls"], "u1")[3] == binary.CLASS_CODES["institutional"]
    assert not preview.matches(project)  # so the window draws the project's own parts


def test_a_service_given_its_provider_by_the_build_is_not_what_the_preview_showed(tmp_path, small_project):
    """s1's provider emptied in the file: the build sets it from the o1-s1 provides tie, so the
    service's popup differs from the preview's (no tie added: the count alone would not tell)."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE nodes SET provider = NULL WHERE id = 's1'")
    con.close()
    project, preview, sent = _opened_with_preview(path)
    assert project.nodes["s1"].provider == "o1" and sent[1]["nodes"]["places"][1][1]["provider"] is None
    assert len(project.ties) == 6 and preview.complete and not preview.matches(project)
    assert _texts(sent) != _texts(binary.parts(project)[0])


def test_a_dangling_tie_is_refused_with_the_same_message_with_or_without_a_preview(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("DELETE FROM nodes WHERE id = 'yp2'")
    con.close()
    with pytest.raises(ProjectNeedsRepair) as plain:
        load_project(path)
    assert "tie 'yp1'-'yp2', field 'b': unknown node 'yp2'" in str(plain.value)
    sent: list[dict] = []
    with pytest.raises(ProjectNeedsRepair) as previewed:
        load_project(path, preview=binary.PartsPreview(sent.append))
    assert str(previewed.value) == str(plain.value)
    # the preview drew what it read: the ties between drawn nodes, yp1-s1 and o1-s1 (provides);
    # yp2's are not drawn, nor the adult's
    assert [p["part"] for p in sent] == ["areas", "nodes", "ties"] and sent[2]["ties"]["n"] == 2


def test_a_bad_opportunity_mark_is_refused_as_before_with_a_preview(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE ties SET opportunity = 'maybe' WHERE a = 'yp2' AND b = 'yp3'")
    con.close()
    from socialmap.errors import ProjectFileError

    for preview in (None, binary.PartsPreview(lambda part: None)):
        with pytest.raises(ProjectFileError, match=r"tie 'yp2'-'yp3', field 'opportunity': 'maybe' is not 0 or 1"):
            load_project(path, preview=preview)


def test_a_preview_that_fails_does_not_stop_the_open(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    told = []

    class Broken:
        def areas(self, areas, settings):
            told.append("areas")

        def nodes(self, columns):
            told.append("nodes")
            raise RuntimeError("a bug in a preview")

        def ties(self, columns):
            told.append("ties")

    project = load_project(path, preview=Broken())
    assert told == ["areas", "nodes"] and project.nodes == load_project(path).nodes


def test_two_nodes_with_one_id_end_the_preview_and_the_file_is_refused_as_before(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE nodes SET id = 'yp1' WHERE id = 'yp2'")
    con.close()
    sent: list[dict] = []
    with pytest.raises(ProjectNeedsRepair, match="duplicate id"):
        load_project(path, preview=binary.PartsPreview(sent.append))
    assert [p["part"] for p in sent] == ["areas"]


def test_a_later_column_not_as_socialmap_writes_it_reads_the_nodes_by_gdal_and_the_preview_is_stale(tmp_path,
                                                                                                   small_project):
    """ad1's in_work stored as the text 'true' (another program's boolean): not a column the
    preview reads first, and not as SocialMap writes it, so once the preview is drawn the nodes
    are read by GDAL, as they are without a preview; its parts are not taken for the project's."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE nodes SET in_work = 'true' WHERE id = 'ad1'")
    con.close()
    project, preview, sent = _opened_with_preview(path)
    assert project.nodes == load_project(path).nodes
    assert preview.complete and not preview.matches(project)
    assert _texts(sent) == _texts(binary.parts(project)[0])  # (the same here: in_work is not drawn)


@pytest.mark.parametrize("odd", ["", "a\x00b"], ids=["text", "with-nul"])
def test_each_ties_ends_are_in_the_order_of_its_key_whatever_the_ids(two_areas, odd):
    """Ids that sort differently by length, case and accent ('yp10' < 'yp9' < 'zed' < 'Ébé' as
    text, 'Zed' before them all), and one with a NUL (numpy pads text with NULs, so the preview
    compares those ids as Python does; a GeoPackage written by GDAL cannot hold one, so the
    preview is told the columns directly here): the preview's parts are the project's."""
    import numpy as np

    from socialmap.model import Node, Project
    from socialmap.model.project import NODE_FIELDS

    ids = ["yp9", "Zed", "yp10", "zed", "Ébé", *([odd] if odd else [])]
    nodes = [Node(i, "young_person", area_code="A1", lat=53.405, lon=-2.295) for i in ids]
    pairs = [("yp9", "yp10"), ("Zed", "zed"), ("Ébé", "yp9"), ("zed", "yp10"), ("Ébé", "Zed"),
             *([(odd, "yp9"), ("Zed", odd)] if odd else [])]
    ties = [Tie(x, y, "friend") for x, y in pairs]
    project = Project.build(two_areas, nodes, ties, place_young_people=False)
    sent: list[dict] = []
    preview = binary.PartsPreview(sent.append)
    preview.areas(two_areas, {})
    preview.nodes({name: [getattr(n, name) for n in nodes] for name in NODE_FIELDS})
    row = {i: n for n, i in enumerate(ids)}
    preview.ties({"a": [x for x, _ in pairs], "b": [y for _, y in pairs], "type": ["friend"] * len(pairs),
                  "since": [None] * len(pairs), "until": [None] * len(pairs),
                  "a_row": np.array([row[x] for x, _ in pairs]), "b_row": np.array([row[y] for _, y in pairs])})
    assert (preview._rank() is None) == bool(odd)
    assert _texts(sent) == _texts(binary.parts(project)[0])
    nodes_part, ties_part = sent[1]["nodes"], sent[2]["ties"]
    ends = [(nodes_part["ids"][a], nodes_part["ids"][b])
            for a, b in zip(_u(ties_part["a"], "u4"), _u(ties_part["b"], "u4"), strict=True)]
    assert ends[:5] == [("yp10", "yp9"), ("Zed", "zed"), ("yp9", "Ébé"), ("yp10", "zed"), ("Zed", "Ébé")]


def test_the_nodes_sparse_fields_are_read_as_gdal_reads_them_wherever_they_are(tmp_path, small_project):
    """The fields most nodes lack (an adult's, an organisation's, a service's own, the imported
    attributes) are fetched only for the rows that have one: here also a young person with a
    sector and an imported attribute, a row deleted (a gap in the fids) and a node appended
    after it; every node as GDAL reads the layer, field for field, and each node's attrs a dict
    of its own."""
    from pathlib import Path

    from socialmap.model import Node
    from socialmap.store import gpkg

    small_project.add_node(Node("yp4", "young_person", "Ash", area_code="A2", age=19, neet=False,
                                attrs={"school": "North"}))
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:
        con.execute("UPDATE nodes SET sector = 'voluntary', hours_per_week = 2.5 WHERE id = 'yp2'")
        con.execute("DELETE FROM nodes WHERE id = 'yp3'")
        con.execute("INSERT INTO nodes (id, kind, label, area_code, age, neet, activity, geom)"
                    " SELECT 'yp5', kind, 'Lee', area_code, 20, 0, 'eet', geom FROM nodes WHERE id = 'yp1'")
    con.close()
    con = gpkg._connect_read_only(Path(path))
    direct = gpkg._read_nodes_direct(con)
    con.close()
    assert direct == gpkg._read_nodes(Path(path))
    by_id = {n.id: n for n in direct}
    assert [n.id for n in direct] == ["yp1", "yp2", "ad1", "o1", "s1", "yp4", "yp5"]
    assert (by_id["yp2"].sector, by_id["yp2"].hours_per_week, by_id["yp2"].org_type) == ("voluntary", 2.5, None)
    assert by_id["ad1"].role == "youth worker" and by_id["o1"].years_in_area == 30.0
    assert by_id["yp4"].attrs == {"school": "North"} and by_id["yp1"].attrs == {}
    assert by_id["yp1"].attrs is not by_id["yp2"].attrs


def test_the_places_popups_are_read_apart_and_each_found_by_its_id(tmp_path, small_project):
    """The preview reads the popup fields of the services and organisations only (not of
    every node), each found by its id: with a second organisation first in the file and the
    service listed before the first organisation, the parts are still the project's, text for
    text."""
    from socialmap.model import Node

    small_project.add_node(Node("o2", "organisation", "Faith group", lat=53.406, lon=-2.296, org_type="charity",
                                sector="voluntary"))
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = _edit(path)
    with con:  # o2 first, s1 before o1 in file order
        con.execute("UPDATE nodes SET fid = 100 WHERE id = 'o1'")
        con.execute("UPDATE nodes SET fid = 0 WHERE id = 'o2'")
    con.close()
    project, preview, sent = _opened_with_preview(path)
    places = sent[1]["nodes"]["places"]
    ids = sent[1]["nodes"]["ids"]
    assert [ids[row] for row, _ in places] == ["o2", "s1", "o1"]
    assert places[0][1] == {"org_type": "charity", "sector": "voluntary", "is_anchor": None,
                            "years_in_area": None}
    assert places[1][1] == {"provider": "o1", "service_type": "youth club", "commissioner": None,
                            "contract_end": None}
    assert places[2][1] == {"org_type": "school_college", "sector": "public", "is_anchor": True,
                            "years_in_area": 30.0}
    assert preview.place_fields[0] == "id" and "org_type" not in preview.fields
    assert _texts(sent) == _texts(binary.parts(project)[0]) and preview.matches(project)


def test_a_damaged_file_is_refused_as_damaged_and_its_nodes_are_never_previewed(tmp_path):
    """SQLite's integrity checks run while the file is read (gpkg.IntegrityCheck): random bytes
    over the nodes table's first page are still refused with the checks' message, not with what
    the reading met, and the preview is told nothing read straight from SQLite (at most the
    areas, which GDAL read meanwhile and the window withdraws with the rest)."""
    import random

    from socialmap.errors import ProjectFileError

    path = tmp_path / "p.gpkg"
    save_project(synthetic_city(300), path)
    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'nodes'").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(1)
    for i in range((page - 1) * size + 8, page * size, 5):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))
    sent: list[dict] = []
    with pytest.raises(ProjectFileError, match=r"the file is damaged \(SQLite's integrity check: "):
        load_project(path, preview=binary.PartsPreview(sent.append))
    assert [p["part"] for p in sent] in ([], ["areas"])
