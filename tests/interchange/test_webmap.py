"""The standalone HTML map: offline, escaped, young people only as area counts."""

from __future__ import annotations

import json
import re

from socialmap.interchange.writers.webmap import build_webmap

XSS = "<img src=x onerror=alert(1)>"


def data_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="socialmap-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_no_remote_resources(small_project):
    page = build_webmap(small_project)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", page, re.I)
    assert "@import" not in page and "fetch(" not in page
    assert "L.tileLayer" not in page
    assert "default-src 'none'" in page  # the page may not load anything even if asked


def test_labels_are_text_never_markup(small_project):
    small_project.update_node("o1", label=XSS)
    small_project.update_node("s1", label="</script><script>alert(2)</script>")
    page = build_webmap(small_project)
    assert XSS not in page
    assert "<script>alert(2)" not in page
    data = data_of(page)
    assert data["organisations"][0]["label"] == XSS
    assert data["services"][0]["label"] == "</script><script>alert(2)</script>"
    script = page.split('id="socialmap-data">')[1]
    assert ".innerHTML" not in script.split("</script>", 2)[-1]  # our own script uses textContent only


def test_young_people_only_as_suppressed_area_counts(small_project):
    """A1 has 2 young people (yp1, yp2), A2 has 1: both shown as <5; no pseudonym, no point."""
    page = build_webmap(small_project)
    data = data_of(page)
    counts = {f["properties"]["code"]: f["properties"]["young_people"] for f in data["areas"]["features"]}
    assert counts == {"A1": "<5", "A2": "<5"}
    assert data["people"] == [] and data["people_shown"] is False
    blob = page.split('id="socialmap-data">')[1].split("</script>")[0]
    for secret in ("Robin", "Sam", "Kai", "yp1", "yp2", "yp3"):
        assert secret not in blob  # (the library's base64 images may spell anything)


def test_include_people_shows_pseudonyms_at_placed_points_without_ids(small_project):
    data = data_of(build_webmap(small_project, include_people=True))
    assert sorted(p["label"] for p in data["people"]) == ["Kai", "Robin", "Sam"]
    robin = next(p for p in data["people"] if p["label"] == "Robin")
    node = small_project.nodes["yp1"]
    assert (robin["lat"], robin["lon"]) == (round(node.lat, 6), round(node.lon, 6))
    assert all("id" not in p for p in data["people"])
    assert "yp1" not in json.dumps(data)


def test_cli_export_html(tmp_path, saved_small):
    from socialmap.cli import main

    out = tmp_path / "map.html"
    assert main(["export", "html", str(saved_small), str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_basemap_is_embedded_as_data_with_no_remote_link(small_project, tmp_path):
    """The small project's areas (lon -2.30..-2.28, lat 53.40..53.41) in a file of zooms 12-14: every
    tile the file holds over them (with a 10% margin) is in the page, keyed z/x/y, as a data: URI
    of the PNG itself, and the page links no script, style sheet or image from anywhere."""
    import base64

    from socialmap.mapview import basemap as bm
    from tests.tilefiles import make_mbtiles, tile_png

    tiles = make_mbtiles(tmp_path / "t.mbtiles", bounds=(-2.31, 53.395, -2.27, 53.415), zooms=(12, 13, 14))
    small_project.settings[bm.SETTING] = bm.basemap_entry(tiles, tmp_path / "p.gpkg")
    page = build_webmap(small_project, project_path=tmp_path / "p.gpkg")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page, re.I)  # no script or style sheet link
    embedded = data_of(page)["basemap"]
    with bm.open_archive(tiles) as archive:
        taken = bm.tiles_for_extent(archive, (-2.30, 53.40, -2.28, 53.41))
    assert set(embedded["tiles"]) == {f"{z}/{x}/{y}" for z, x, y in taken.tiles}
    assert {k.split("/")[0] for k in embedded["tiles"]} >= {"14"}
    z, x, y = next(iter(taken.tiles))
    assert embedded["tiles"][f"{z}/{x}/{y}"] == "data:image/png;base64," + base64.b64encode(tile_png(z, x, y)).decode()
    assert embedded["attribution"] == "Test tiles © Example"
    # switched off in the Layers panel: not in the export either
    small_project.settings[bm.SETTING]["visible"] = False
    assert data_of(build_webmap(small_project))["basemap"] is None


def test_a_missing_basemap_leaves_the_export_without_one(small_project, tmp_path):
    from socialmap.mapview import basemap as bm

    small_project.settings[bm.SETTING] = bm.basemap_entry(tmp_path / "gone.mbtiles", None)
    assert data_of(build_webmap(small_project))["basemap"] is None
