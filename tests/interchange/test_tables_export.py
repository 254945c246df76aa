"""GeoJSON layers and CSV tables: suppressed counts, pseudonymous people, a bundle that reads back."""

from __future__ import annotations

import csv
import json
import os

import pytest

from socialmap.cli import main
from socialmap.interchange.writers.csv_tables import write_csv_tables
from socialmap.interchange.writers.geojson import write_geojson_layers
from socialmap.privacy import public_area_table, suppress
from socialmap.store import load_project


def test_suppress():
    assert [suppress(n) for n in (0, 1, 2, 3, 4, 5, 17, None)] == ["0", "<5", "<5", "<5", "<5", "5", "17", ""]


def test_rate_withheld_when_its_count_is_suppressed():
    """Area X: 3 of 6 NEET isolated -> rate 0.5 withheld (3 could be worked back); Y: 0 of 3 -> 0 shown;
    Z: 5 of 10 -> 0.5 shown.

    Secondary suppression (the column totals are public): NEET 6 + 3 + 10 = 19, so with only Y
    (3) suppressed, 19 - 6 - 10 gives it back; X (6, the smallest shown) is withheld too: Y + X = 9
    with X >= 5 leaves Y anywhere in 1..4. NEET isolated 3 + 0 + 5 = 8: X alone is pinned, and with
    Z (5, at most 8) withheld X could only be 1..3, so the column's total is withheld instead.
    Isolated 4 + 0 + 9: Z withheld (X + Z = 13, Z in 5..13, X any of 1..4). Young people
    20 + 3 + 30: X withheld, and the means of X and Y with their number of young people.
    """
    import pandas as pd

    from socialmap.disclosure import protect_areas, public_totals

    frame = pd.DataFrame({"neet": [6, 3, 10], "neet_isolated": [3, 0, 5], "neet_isolation_rate": [0.5, 0.0, 0.5],
                          "young_people": [20, 3, 30], "isolated": [4, 0, 9],
                          "mean_bridging": [1.5, 2.0, 1.0]}, index=["X", "Y", "Z"])
    out = public_area_table(frame)
    assert out["neet"].tolist() == ["withheld", "<5", "10"]
    assert out["neet_isolated"].tolist() == ["<5", "0", "5"]
    assert out["neet_isolation_rate"].isna().tolist() == [True, False, False]
    assert out["isolated"].tolist() == ["<5", "0", "withheld"]
    assert out["young_people"].tolist() == ["withheld", "<5", "30"]
    assert out["mean_bridging"].isna().tolist() == [True, True, False]
    assert public_totals(frame, protect_areas(frame)) == {
        "young_people": "53", "neet": "19", "isolated": "13", "neet_isolated": "withheld"}


def test_geojson_layers(tmp_path, small_project):
    files = write_geojson_layers(small_project, tmp_path / "layers")
    assert sorted(f.name for f in files) == ["areas.geojson", "organisations.geojson", "services.geojson"]
    areas = json.loads((tmp_path / "layers" / "areas.geojson").read_text())
    props = {f["properties"]["code"]: f["properties"] for f in areas["features"]}
    # numbers stay numbers (SPEC 11): a suppressed count is null with its _suppressed flag
    assert props["A1"]["young_people"] is None and props["A1"]["young_people_suppressed"] is True
    assert props["A1"]["neet"] is None and props["A1"]["neet_suppressed"] is True
    assert props["A1"]["isolated"] == 0 and props["A1"]["isolated_suppressed"] is False
    assert "<5" not in (tmp_path / "layers" / "areas.geojson").read_text()
    assert areas["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    orgs = json.loads((tmp_path / "layers" / "organisations.geojson").read_text())
    o1 = orgs["features"][0]
    assert o1["geometry"]["coordinates"] == [-2.295, 53.405]
    assert o1["properties"]["local_employment_share"] == 0.6 and o1["properties"]["young_people_reached"] is None
    assert o1["properties"]["young_people_reached_suppressed"] is True
    text = "".join(f.read_text() for f in files)
    assert "Robin" not in text and "yp1" not in text


def test_geojson_people_only_when_asked(tmp_path, small_project):
    write_geojson_layers(small_project, tmp_path / "l", include_people=True)
    people = json.loads((tmp_path / "l" / "young_people.geojson").read_text())
    assert sorted(f["properties"]["label"] for f in people["features"]) == ["Kai", "Robin", "Sam"]


def test_csv_tables_read_back_as_a_project(tmp_path, small_project, areas_geojson):
    folder = tmp_path / "tables"
    write_csv_tables(small_project, folder)
    with open(folder / "area_measures.csv", encoding="utf-8-sig") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert rows["A1"]["young_people"] == "" and rows["A1"]["young_people_suppressed"] == "True"
    assert rows["A2"]["neet"] == "0" and rows["A2"]["neet_suppressed"] == "False"
    nodes_text = (folder / "nodes.csv").read_text(encoding="utf-8")
    assert "Robin" not in nodes_text and "yp00001" in nodes_text
    out = tmp_path / "back.gpkg"
    assert main(["import", "csv", "--nodes", str(folder / "nodes.csv"), "--ties", str(folder / "ties.csv"),
                 "--areas", str(folder / "areas.geojson"), str(out)]) == 0
    back = load_project(out)
    assert len(back.nodes) == len(small_project.nodes) and len(back.ties) == len(small_project.ties)
    assert sorted(n.id for n in back.nodes.values() if n.kind == "young_person") == ["yp00001", "yp00002", "yp00003"]


def test_cli_folder_exports(tmp_path, saved_small):
    for fmt in ("geojson", "csv"):
        out = tmp_path / fmt
        assert main(["export", fmt, str(saved_small), str(out)]) == 0
        assert out.is_dir() and any(out.iterdir())
        assert main(["export", fmt, str(saved_small), str(out)]) == 2
        assert main(["export", fmt, str(saved_small), str(out), "--force"]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_every_format_on_a_project_without_people(tmp_path):
    """One area, one organisation and its service, no people: every export still writes (Gi* cannot run
    on one area; the report says so)."""
    from shapely.geometry import box

    from socialmap.interchange.exporting import FORMATS, export_project
    from socialmap.model import Area, Node, Project
    from socialmap.scenarios import Decommission

    p = Project()
    p.add_area(Area("A", "Only", box(-2.3, 53.4, -2.29, 53.41)))
    p.add_node(Node("o", "organisation", "Lonely org", lat=53.405, lon=-2.295))
    p.add_node(Node("s", "service", "Club", lat=53.405, lon=-2.295, provider="o"))
    for fmt in FORMATS:
        out = tmp_path / f"out-{fmt}"
        written = export_project(p, fmt, out, org="o" if fmt == "evidence" else None,
                                 changes=[Decommission("s")] if fmt == "scenario-report" else None,
                                 before="@2025-01-01" if fmt == "change-report" else None)
        assert all(path.exists() for path in written), fmt
    from tests.reports.test_reports import pdf_text

    assert "Hotspots were not computed: the project has fewer than two areas." in pdf_text(tmp_path / "out-report")


def test_csv_tables_keep_money_and_coordinates_exact(tmp_path, small_project):
    """A spend of £12,345,678 and a site at 53.401786, -2.295123 must come out as written, not as
    1.23457e+07 and 53.4018 (six significant figures lose £22 and ~20 m)."""
    small_project.update_node("o1", spend_total=12345678, lat=53.401786, lon=-2.295123)
    write_csv_tables(small_project, tmp_path / "t")
    with open(tmp_path / "t" / "organisations.csv", encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert (row["spend_total"], row["lat"], row["lon"]) == ("12345678", "53.401786", "-2.295123")


def test_exports_get_the_usual_file_permissions(tmp_path, small_project):
    """Exports are made in a private temporary file (0600) and moved into place; the result must
    then have the permissions any new file gets (0666 less the umask), or a report saved to a shared
    folder cannot be opened by colleagues."""
    import os
    import stat

    from socialmap.interchange.exporting import export_project

    mask = os.umask(0o022)
    try:
        export_project(small_project, "graphml", tmp_path / "g.graphml")
        export_project(small_project, "geojson", tmp_path / "layers")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "g.graphml").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "layers").stat().st_mode) == 0o755


def test_evidence_pack_named_csv_does_not_overwrite_itself(tmp_path, small_project):
    """The figures go beside the pack with the suffix .csv: a pack named ``pack.csv`` would be
    overwritten by its own figures, so that name is refused and nothing is written."""
    import pytest

    from socialmap.errors import InputError
    from socialmap.interchange.exporting import export_project

    with pytest.raises(InputError, match="the same file"):
        export_project(small_project, "evidence", tmp_path / "pack.csv", org="o1")
    assert list(tmp_path.iterdir()) == []


def test_spreadsheet_tables_never_start_a_cell_with_a_formula(tmp_path, small_project):
    """A label typed (or imported) as '=HYPERLINK("http://evil","Click")' must not become a live formula
    when organisations.csv, services.csv or the evidence figures are opened in Excel (CSV injection,
    OWASP): text cells starting with = + - @ get a leading apostrophe. Numbers (-2.295) stay numbers."""
    from socialmap.reports import write_evidence_figures

    small_project.update_node("o1", label='=HYPERLINK("http://evil","Click")')
    small_project.update_node("s1", label="@SUM(A1)", commissioner="+Council")
    write_csv_tables(small_project, tmp_path / "t")
    with open(tmp_path / "t" / "organisations.csv", encoding="utf-8-sig") as fh:
        org = next(csv.DictReader(fh))
    assert org["label"] == "'=HYPERLINK(\"http://evil\",\"Click\")" and org["lon"] == "-2.295"
    with open(tmp_path / "t" / "services.csv", encoding="utf-8-sig") as fh:
        svc = next(csv.DictReader(fh))
    assert (svc["label"], svc["commissioner"]) == ("'@SUM(A1)", "'+Council")
    path = write_evidence_figures(small_project, "o1", tmp_path / "e.csv")
    with open(path, encoding="utf-8-sig") as fh:
        assert {r["organisation"] for r in csv.DictReader(fh)} == {"'=HYPERLINK(\"http://evil\",\"Click\")"}


def test_a_suppressed_count_is_exported_without_its_percentile(tmp_path, small_project):
    """o1 reaches 2 young people and is the sole link of 2: both read "<5", and their percentiles are
    left empty too; across all organisations the percentiles would give the counts back (the anchors
    table showed p40/p47/p63/p70 for '<5' read as 1, 2, 3, 4). Same in the GeoJSON layer, the
    evidence figures and the default GraphML."""
    import networkx as nx

    from socialmap.interchange.writers.graph import write_graphml
    from socialmap.reports import write_evidence_figures

    write_csv_tables(small_project, tmp_path / "t")
    with open(tmp_path / "t" / "organisations.csv", encoding="utf-8-sig") as fh:
        org = next(csv.DictReader(fh))
    assert org["young_people_reached"] == "" and org["young_people_reached_suppressed"] == "True"
    assert org["young_people_reached_percentile"] == ""
    assert org["sole_link_young_people"] == "" and org["sole_link_young_people_percentile"] == ""
    assert org["local_employment_share_percentile"] == "100"
    write_geojson_layers(small_project, tmp_path / "l")
    props = json.loads((tmp_path / "l" / "organisations.geojson").read_text())["features"][0]["properties"]
    assert props["young_people_reached_percentile"] is None
    with open(write_evidence_figures(small_project, "o1", tmp_path / "e.csv"), encoding="utf-8-sig") as fh:
        rows = {r["figure"]: r for r in csv.DictReader(fh)}
    assert rows["young_people_reached"]["percentile"] == "" and rows["years_in_area"]["percentile"] == "100.0"
    g = nx.read_graphml(write_graphml(small_project, tmp_path / "g.graphml"))
    assert "young_people_reached_percentile" not in g.nodes["o1"]


# ------------------------------------------------------------------ evidence: the pack and its figures together
def _fake_pack(project, org, path, source=None, measures=None):
    path.write_bytes(b"%PDF new pack")
    return path


def _failing_figures(project, org, path):
    path.write_text("half a table")
    raise OSError(28, "No space left on device")


def test_evidence_figures_failing_leaves_no_pack(tmp_path, small_project, monkeypatch):
    """The figures CSV fails after the PDF was made: neither file is left (the PDF used to stay),
    and no temporary file either."""
    import socialmap.reports as reports
    from socialmap.interchange.exporting import export_project

    monkeypatch.setattr(reports, "write_evidence_pack", _fake_pack)
    monkeypatch.setattr(reports, "write_evidence_figures", _failing_figures)
    from socialmap.errors import ProjectFileError

    with pytest.raises(ProjectFileError, match=r"e\.pdf: cannot be written: the disk is full.*nothing was written"):
        export_project(small_project, "evidence", tmp_path / "e.pdf", org="o1")
    assert sorted(os.listdir(tmp_path)) == []


def test_evidence_figures_failing_keeps_the_previous_pair(tmp_path, small_project, monkeypatch):
    """With --force over an earlier pack and figures, a failure leaves both earlier files as they were."""
    import socialmap.reports as reports
    from socialmap.interchange.exporting import export_project

    (tmp_path / "e.pdf").write_bytes(b"%PDF old pack")
    (tmp_path / "e.csv").write_text("old figures")
    monkeypatch.setattr(reports, "write_evidence_pack", _fake_pack)
    monkeypatch.setattr(reports, "write_evidence_figures", _failing_figures)
    from socialmap.errors import ProjectFileError

    with pytest.raises(ProjectFileError, match="the previous output is unchanged"):
        export_project(small_project, "evidence", tmp_path / "e.pdf", org="o1", overwrite=True)
    assert (tmp_path / "e.pdf").read_bytes() == b"%PDF old pack"
    assert (tmp_path / "e.csv").read_text() == "old figures"
    assert sorted(os.listdir(tmp_path)) == ["e.csv", "e.pdf"]


def test_evidence_move_failing_takes_the_pack_back(tmp_path, small_project, monkeypatch):
    """Both written, but moving the figures into place fails: the pack already moved is taken back
    and the earlier pack restored."""
    import socialmap.interchange.exporting as exporting
    import socialmap.reports as reports

    (tmp_path / "e.pdf").write_bytes(b"%PDF old pack")
    monkeypatch.setattr(reports, "write_evidence_pack", _fake_pack)
    monkeypatch.setattr(reports, "write_evidence_figures", lambda project, org, path: path.write_text("figures"))
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("e.csv"):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(exporting.os, "replace", replace)
    from socialmap.errors import ProjectFileError

    with pytest.raises(ProjectFileError, match="e.pdf: cannot be written: permission denied"):
        exporting.export_project(small_project, "evidence", tmp_path / "e.pdf", org="o1", overwrite=True)
    monkeypatch.setattr(exporting.os, "replace", real_replace)
    assert (tmp_path / "e.pdf").read_bytes() == b"%PDF old pack"
    assert sorted(os.listdir(tmp_path)) == ["e.pdf"]


def test_evidence_pair_written_together(tmp_path, small_project, monkeypatch):
    import socialmap.reports as reports
    from socialmap.interchange.exporting import export_project

    monkeypatch.setattr(reports, "write_evidence_pack", _fake_pack)
    monkeypatch.setattr(reports, "write_evidence_figures", lambda project, org, path: path.write_text("figures"))
    written = export_project(small_project, "evidence", tmp_path / "e.pdf", org="o1")
    assert written == [tmp_path / "e.pdf", tmp_path / "e.csv"]
    assert (tmp_path / "e.pdf").read_bytes() == b"%PDF new pack" and (tmp_path / "e.csv").read_text() == "figures"
    assert sorted(os.listdir(tmp_path)) == ["e.csv", "e.pdf"]


def test_withheld_derived_figures_have_their_suppressed_flag_in_every_machine_export(tmp_path, small_project):
    """A figure withheld because a count it is made of is suppressed is an empty cell, as a
    figure that does not exist is: the companion flag tells them apart (SPEC 11).

    Area A1 has 2 young people (yp1, yp2: '<5'), so its mean_bridging, mean_linking and ei_index
    are withheld: empty, flag true. A2 has no NEET young person, so it has no NEET isolation rate:
    empty, flag empty (missing, not withheld). A1's rate is 0 of its '<5' NEET (0 isolated), which
    gives nothing away: 0.0, flag false. o1 reaches 2 young people ('<5') in 2 areas: its
    percentiles of both counts and its areas reached are withheld, flag true; its share of local
    employment (60 of 100, the only organisation: percentile 100) is given.
    """
    import networkx as nx

    from socialmap.interchange.writers.graph import write_gexf, write_graphml

    write_geojson_layers(small_project, tmp_path / "l")
    areas = {f["properties"]["code"]: f["properties"]
             for f in json.loads((tmp_path / "l" / "areas.geojson").read_text())["features"]}
    for name in ("mean_bridging", "mean_linking", "ei_index"):
        assert areas["A1"][name] is None and areas["A1"][f"{name}_suppressed"] is True
    assert areas["A2"]["neet_isolation_rate"] is None and areas["A2"]["neet_isolation_rate_suppressed"] is None
    assert areas["A1"]["neet_isolation_rate"] == 0.0 and areas["A1"]["neet_isolation_rate_suppressed"] is False
    org = json.loads((tmp_path / "l" / "organisations.geojson").read_text())["features"][0]["properties"]
    for name in ("young_people_reached_percentile", "sole_link_young_people_percentile", "areas_reached_percentile"):
        assert org[name] is None and org[f"{name}_suppressed"] is True
    assert org["local_employment_share_percentile"] == 100.0

    write_csv_tables(small_project, tmp_path / "t")
    with open(tmp_path / "t" / "area_measures.csv", encoding="utf-8-sig") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert rows["A1"]["mean_bridging"] == "" and rows["A1"]["mean_bridging_suppressed"] == "True"
    assert rows["A2"]["neet_isolation_rate"] == "" and rows["A2"]["neet_isolation_rate_suppressed"] == ""
    with open(tmp_path / "t" / "organisations.csv", encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["young_people_reached_percentile"] == "" and row["young_people_reached_percentile_suppressed"] == "True"

    for write, read in ((write_graphml, nx.read_graphml), (write_gexf, nx.read_gexf)):
        o1 = read(write(small_project, tmp_path / f"g.{write.__name__}")).nodes["o1"]
        for name in ("young_people_reached_percentile", "areas_reached_percentile", "areas_reached"):
            assert name not in o1 and o1[f"{name}_suppressed"] is True
