"""The three PDF reports, read back as text with pypdf: headings, figures, suppressed counts,
escaped labels, and young people never named."""

from __future__ import annotations

import re

import pytest

from socialmap.cli import main
from socialmap.reports import (
    write_area_report,
    write_evidence_figures,
    write_evidence_pack,
    write_scenario_report,
)
from socialmap.scenarios import Close, Decommission


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def sample():
    from socialmap.sample import generate_sample_project

    return generate_sample_project()


def test_area_report_small(tmp_path, small_project):
    """3 young people (<5), 1 NEET (<5), 0 isolated: yp1 has a linking tie (attends s1), yp2 a
    bridging tie to yp3, yp3 a bridging and a worker tie."""
    text = flat(pdf_text(write_area_report(small_project, tmp_path / "a.pdf", source="small.gpkg")))
    for heading in ("Area and hotspot report", "Summary", "Where NEET young people are isolated", "Every area",
                    "Methods and sources", "Privacy"):
        assert heading in text
    # 2 + 1 young people: with the total known, either count gives the other back, so the totals
    # are withheld (secondary suppression, socialmap.disclosure)
    assert "covers 2 areas and a withheld number of young people, of whom a withheld number are not in" in text
    assert "0 young people are isolated" in text
    for name in ("Robin", "Sam", "Kai"):
        assert name not in text


def test_area_report_sample_names_its_hotspots(tmp_path, sample):
    from socialmap.analysis import public_hotspots

    hot = public_hotspots(sample).areas
    codes = [c for c, f in zip(hot.index, hot["hotspot"], strict=False) if f is True]
    text = flat(pdf_text(write_area_report(sample, tmp_path / "a.pdf")))
    assert f"{len(codes)} areas are NEET isolation hotspots (hot spot at 95% or 99% confidence" in text
    assert "Gi* z" not in text and "z-score" not in text
    for code in codes:
        assert code in text
    assert "999 conditional permutations with random seed 12345" in text
    assert "<5" in text
    young = [n.label for n in sample.nodes.values() if n.kind == "young_person"]
    assert not any(f" {label} " in text for label in young if len(label) > 3)


def test_evidence_pack_small(tmp_path, small_project):
    """o1 employs 100, 60 local (60%); spend 400 of 1000 (40%); 30 years; reaches yp1 (via s1) and yp3
    (via its worker ad1): 2 young people -> <5, in 2 areas; sole link for both -> <5."""
    small_project.update_node("o1", label="<b>Northfield</b> & Co")
    text = flat(pdf_text(write_evidence_pack(small_project, "o1", tmp_path / "e.pdf")))
    for heading in ("Anchor evidence pack", "Summary", "Statements for a bid", "Where the young people it reaches live",
                    "Local Multiplier 3", "Social value: your measures", "Key figures", "Methods and sources"):
        assert heading in text
    assert "<b>Northfield</b> & Co employs 100 people, of whom 60 (60%) live locally" in text
    assert "£400 of <b>Northfield</b> & Co's £1,000 spend (40%) goes to local suppliers" in text
    # 2 young people in 2 areas: the number of areas, at most the '<5', is <5 too and not stated; a
    # suppressed count reads as words in a sentence (issue 19)
    assert "its services and its staff, <b>Northfield</b> & Co reaches fewer than five young people." in text
    assert "For fewer than five young people, <b>Northfield</b> & Co is the only link" in text
    assert "neighbourhood(s)" not in text and "For <5" not in text
    csv_text = write_evidence_figures(small_project, "o1", tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "o1,<b>Northfield</b> & Co,young_people_reached,Young people reached,<5," in csv_text
    assert "local_employment_share,Share of employees who live locally,0.6000,100.0,1" in csv_text


def test_scenario_report_small(tmp_path, small_project):
    """Decommissioning s1 (its staff: ad1, employed by o1 with context s1).

    yp1 loses attends s1 and keeps only a bonding tie: newly isolated, NEET (1.0). The yp2-yp3
    friendship was made at s1 and survives with p 0.5; ad1 loses the worker tie to yp3. So yp2
    (bonding + that bridging tie) and yp3 (only that bridging tie) are each isolated with p 0.5:
    newly isolated 1 + 0.5 + 0.5 = 2.0, of whom NEET 1.0. Bridging lost 0.5, counted for both
    areas = 1.0 (50% of the 2 area bridging counts); linking lost: attends + worker = 2.0."""
    path = write_scenario_report(small_project, [Decommission("s1")], tmp_path / "s.pdf")
    text = flat(pdf_text(path))
    for heading in ("Scenario impact report", "The change", "What it would do", "Flagged areas",
                    "Before and after", "Every affected area", "Which services and organisations matter most",
                    "Methods and assumptions"):
        assert heading in text
    assert "Decommission Youth club (s1)" in text
    assert "2.0 young people expected to become isolated" in text and "of whom 1.0 are NEET" in text
    assert "1.0 bridging ties expected to be lost (50.0% of all), 2.0 linking and 0.0 bonding ties" in text
    assert "2 of 2 areas flagged" in text
    assert "Robin" not in text and "Sam" not in text


def test_scenario_report_sample(tmp_path, sample):
    text = flat(pdf_text(write_scenario_report(sample, [Close("org05")], tmp_path / "s.pdf", context_survival=0.25)))
    assert "Close Cloughside Community Enterprise (org05)" in text
    assert "survive with probability 0.25" in text


def test_cli_reports_and_bad_input(tmp_path, saved_small, capsys):
    out = tmp_path / "r.pdf"
    assert main(["export", "report", str(saved_small), str(out)]) == 0 and out.stat().st_size > 1000
    assert main(["export", "evidence", str(saved_small), str(tmp_path / "e.pdf"), "--org", "o1"]) == 0
    assert (tmp_path / "e.csv").exists()
    assert main(["export", "scenario-report", str(saved_small), str(tmp_path / "s.pdf"), "--decommission", "s1",
                 "--context-survival", "0.3"]) == 0
    capsys.readouterr()
    bad = [
        (["export", "evidence", str(saved_small), str(tmp_path / "x.pdf")], "needs --org"),
        (["export", "evidence", str(saved_small), str(tmp_path / "x.pdf"), "--org", "s1"], "not an organisation"),
        (["export", "scenario-report", str(saved_small), str(tmp_path / "x.pdf")], "needs at least one change"),
        (["export", "scenario-report", str(saved_small), str(tmp_path / "x.pdf"), "--decommission", "nope"], "nope"),
        (["export", "scenario-report", str(saved_small), str(tmp_path / "x.pdf"), "--decommission", "s1",
          "--context-survival", "2"], "outside 0..1"),
        (["export", "report", str(saved_small), str(tmp_path / "x.pdf"), "--decommission", "s1"], "only for"),
        (["export", "report", str(tmp_path / "missing.gpkg"), str(tmp_path / "x.pdf")], "no such file"),
    ]
    for argv, reason in bad:
        assert main(argv) == 2, argv
        assert reason in capsys.readouterr().err
        assert not (tmp_path / "x.pdf").exists()


def test_reach_bands(small_project):
    """o1 reaches yp1 (home A1, via s1) and yp3 (home A2, via its worker ad1): one each, both '<5'.
    Bands: 1-4 '<5', 5-9, 10-19, 20+."""
    from socialmap.analysis import reach
    from socialmap.reports.evidence import reach_bands

    assert reach_bands(small_project, reach(small_project, "o1")["young_people"]) == {
        "A1": "<5 young people", "A2": "<5 young people"}
    many = {f"y{i}": None for i in range(25)}
    from socialmap.model import Node

    for i, yp in enumerate(many):
        small_project.add_node(Node(yp, "young_person", area_code="A1" if i < 5 else "A2"))
    bands = reach_bands(small_project, list(many) + ["yp1"])
    assert bands == {"A1": "5–9", "A2": "20 or more"}  # A1: 5 + yp1 = 6; A2: 20


def test_scenario_report_rounds_halves_up_like_the_cli(tmp_path, small_project, saved_small, capsys):
    """Decommission s1 with context survival 0.875: yp1 loses its only linking tie (isolated, 1);
    the yp2-yp3 tie made at s1 goes with p 0.125, and it is the last bridging/linking tie of yp2
    and (after ad1's worker tie goes) of yp3: newly isolated 1 + 0.125 + 0.125 = 1.25; bridging
    lost 0.125 counted for both areas = 0.25. One decimal, halves up (docs/scenarios.md): 1.3 and
    0.3, as ``socialmap scenario`` prints them (Python's ``:.1f`` would give 1.2 and 0.2)."""
    text = flat(pdf_text(write_scenario_report(small_project, [Decommission("s1")], tmp_path / "s.pdf",
                                               context_survival=0.875)))
    assert "1.3 young people expected to become isolated" in text
    assert "0.3 bridging ties expected to be lost" in text
    assert main(["scenario", str(saved_small), "--decommission", "s1", "--context-survival", "0.875"]) == 0
    assert "Total: 1.3 young people expected to become isolated" in capsys.readouterr().out


def test_table_columns_are_wide_enough_for_their_words():
    """A word is never split across lines inside a cell ("Bridgin / g lost", "X010000 / 16" in the
    scenario report): each column gets at least its widest word, taken from columns with room to spare,
    within the same total width."""
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from socialmap.reports.pdf import FONT, FONT_BOLD, table

    headers = ["Code", "Area", "Bridging lost", "Flagged"]
    rows = [["X01000016", "Bankfield", "2.5", "yes"]]
    widths = [1.6 * cm, 6.0 * cm, 1.2 * cm, 1.0 * cm]
    t = table(headers, rows, widths)
    got = t._colWidths
    assert sum(got) == pytest.approx(sum(widths))
    for j, h in enumerate(headers):
        words = [(w, FONT_BOLD) for w in h.split()] + [(w, FONT) for w in str(rows[0][j]).split()]
        assert max(stringWidth(w, f, 8.0) for w, f in words) + 6 <= got[j] + 1e-6, (h, got[j])



def test_scenario_report_bridging_fall_reads_as_in_the_reasons(tmp_path, sample):
    """Decommissioning svc14 in the sample: Ashby Clough's reason says "bridging ties fall 10.5%", so its
    row in the table of affected areas must not say 11% (nor Bankfield's 7.8125% read 8%)."""
    text = flat(pdf_text(write_scenario_report(sample, [Decommission("svc14")], tmp_path / "s.pdf")))
    assert "bridging ties fall 10.5%" in text
    assert " 11% " not in text and " 8% " not in text
    assert " 7.8% " in text


def test_map_key_never_covers_the_map(small_project):
    """The key of a report map (flagged outline, services kept, what goes) sat over the lower-left of
    the map and hid a flagged area there; it now sits in a strip below the map."""
    from socialmap.reports.maps import PointLayer, area_map_figure

    fig = area_map_figure(small_project, {"A1": 1.0, "A2": 2.0}, title="After", outline={"A1"},
                          outline_label="flagged area",
                          layers=[PointLayer([(-2.295, 53.405)], "service kept"),
                                  PointLayer([(-2.285, 53.405)], "service or organisation that goes")])
    renderer = fig.canvas.get_renderer()
    key = fig.legends[0].get_window_extent(renderer)
    area_map = fig.axes[0].get_window_extent(renderer)
    assert key.y1 <= area_map.y0 + 1e-6


def test_scenario_report_uses_the_projects_retention_like_the_scenario_command(tmp_path, small_project, capsys):
    """The project's own setting retention = 0.9 applies when --retention is not given, to
    ``socialmap scenario`` and to ``export scenario-report`` alike (the report used 0.5)."""
    from socialmap.model import Node
    from socialmap.store import save_project

    small_project.add_node(Node("o2", "organisation", "Eastside Trust", lat=53.405, lon=-2.285))
    small_project.settings["retention"] = 0.9
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    assert main(["scenario", str(path), "--transfer", "s1:o2"]) == 0
    assert "transfer s1 to o2 (retention 0.9)" in capsys.readouterr().out
    out = tmp_path / "s.pdf"
    assert main(["export", "scenario-report", str(path), str(out), "--transfer", "s1:o2"]) == 0
    assert "each of its staff stays with probability 0.9" in flat(pdf_text(out))


def test_after_map_draws_a_relocated_service_once_at_its_new_site(small_project):
    """s1 moved (twice) is drawn only at its last new site, not also as "kept" at the old one; a service
    relocated and then decommissioned is drawn only as going."""
    from socialmap.reports.scenario_report import site_points
    from socialmap.scenarios import Relocate

    moves = [Relocate("s1", 53.40, -2.29), Relocate("s1", 53.41, -2.28)]
    kept, gone, new = site_points(small_project, moves, set())
    assert kept == [] and gone == [] and new == [(-2.28, 53.41)]
    kept, gone, new = site_points(small_project, [moves[0], Decommission("s1")], {"s1"})
    assert kept == [] and gone == [(-2.285, 53.405)] and new == []


def test_area_report_says_what_bridging_crosses_under_another_group_key(tmp_path, small_project):
    """With the group key set to ``community`` a bridging tie crosses communities, not areas: the
    summary must not tell the reader it means "someone outside their own area"."""
    small_project.settings["group_by"] = "community"
    text = flat(pdf_text(write_area_report(small_project, tmp_path / "a.pdf")))
    assert "outside their own area" not in text
    assert "outside their own community" in text


def test_scenario_report_says_what_bridging_crosses_under_another_group_key(tmp_path, small_project):
    small_project.settings["group_by"] = "community"
    text = flat(pdf_text(write_scenario_report(small_project, [Decommission("s1")], tmp_path / "s.pdf")))
    assert "young people from different areas" not in text
    assert "young people from different communities" in text


def test_scenario_report_has_the_tornado_ranges_and_every_source(tmp_path, sample):
    """Issue 17: the sensitivity section (a tornado chart image), each flag's
    robustness, the ranges, and the source of every default, saying plainly
    where none exists."""
    from socialmap.scenarios import Transfer

    path = write_scenario_report(sample, [Decommission("svc30"), Transfer("svc14", "org09", 0.5)],
                                 tmp_path / "s.pdf")
    text = flat(pdf_text(path))
    assert "How much the answer depends on the assumptions" in text
    assert "Across the plausible range of every assumption" in text
    assert "flagged in every case" in text and "How sure" in text
    assert "No published figure exists for the share of staff kept after a TUPE transfer" in text
    assert "McMillan (2025)" in text and "not used here" in text  # the decay half-distance
    assert path.read_bytes().count(b"/Subtype /Image") >= 3  # two maps and the tornado chart


@pytest.fixture
def square_and_sliver():
    """'$x$ Park', a 0.1 x 0.1 degree square west of the Greenwich-of-the-grid meridian (2 W), and a
    0.001-degree sliver beside it whose long name cannot fit inside it on the page."""
    from shapely.geometry import box

    from socialmap.model import Area, Project

    p = Project()
    p.add_area(Area("A1", "$x$ Park", box(-2.10, 53.0, -2.00, 53.1)))
    p.add_area(Area("A2", "Long Name Of A Tiny Corner", box(-2.00, 53.0, -1.999, 53.001)))
    return p


def _by_gid(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_print_map_has_title_labels_that_fit_north_arrow_and_a_true_scale_bar(square_and_sliver):
    """Issue 14 item 5. The map spans 2.103 W to 1.996 W (0.101 degrees of areas plus 3% either side =
    0.10706 degrees) at its middle latitude 53.05 N. On the British National Grid (Airy 1830,
    a = 6377563.396 m, e^2 = 0.0066705397616, scale 0.9996012717 on its central meridian 2 W) one degree
    of longitude there is pi/180 * a cos(phi) / sqrt(1 - e^2 sin^2 phi) * F0 = 67.03 km, so the map is
    7.18 km wide and the bar, at most a quarter of it (1.79 km), is 1 km: 1 / 67.03 degrees long."""
    import math

    from socialmap.reports.maps import area_map_figure, map_width_km, scale_bar_km

    fig = area_map_figure(square_and_sliver, None, categories={"A1": "reached"}, palette={"reached": "#6baed6"},
                          title="Reach of $x$ Org")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert (x1 - x0) == pytest.approx(0.101 * 1.06)
    phi = math.radians(53.05)
    a, e2, f0 = 6377563.396, 0.0066705397616, 0.9996012717
    km_per_degree = math.pi / 180 * a * math.cos(phi) / math.sqrt(1 - e2 * math.sin(phi) ** 2) * f0 / 1000
    assert km_per_degree == pytest.approx(67.03, abs=0.01)
    assert map_width_km(x0, x1, 53.05) == pytest.approx(0.10706 * km_per_degree, rel=1e-3)
    assert scale_bar_km(7.18) == 1.0 and scale_bar_km(9.0) == 2.0 and scale_bar_km(0.5) == 0.1
    # the drawn bar (two halves) is 1 km long on the map's own scale
    halves = _by_gid(fig, "scale-bar") + _by_gid(fig, "scale-bar-half")
    bar_px = sum(h.get_window_extent(renderer).width for h in halves)
    px_per_degree = ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]
    assert bar_px == pytest.approx(1.0 / km_per_degree * px_per_degree, rel=2e-3)
    assert [t.get_text() for t in _by_gid(fig, "scale-bar-label")] == ["1 km"]
    # north arrow pointing up, with its N above it
    (arrow,) = _by_gid(fig, "north-arrow")
    (north,) = _by_gid(fig, "north-label")
    assert north.get_text() == "N"
    assert north.get_window_extent(renderer).y0 >= arrow.get_window_extent(renderer).y1 - 1
    # the title, drawn as typed
    (title,) = _by_gid(fig, "map-title")
    assert title.get_text() == "Reach of $x$ Org" and not title.get_parse_math()
    # the square is labelled inside itself; the sliver's name would overflow, so it is left out
    (label,) = _by_gid(fig, "area-label:A1")
    assert _by_gid(fig, "area-label:A2") == []
    box = label.get_window_extent(renderer)
    (sx0, sy0), (sx1, sy1) = ax.transData.transform([(-2.10, 53.0), (-2.00, 53.1)])
    assert sx0 < box.x0 and box.x1 < sx1 and sy0 < box.y0 and box.y1 < sy1
    assert label.get_fontsize() == 8


def test_map_text_from_data_is_drawn_literally(square_and_sliver):
    """'$x$ Park' is an area name, not TeX: it is drawn with its dollar signs, so it is wider than
    matplotlib's mathtext rendering of the same string (an italic x and no dollars)."""
    from matplotlib.text import Text

    from socialmap.reports.maps import PointLayer, area_map_figure

    fig = area_map_figure(square_and_sliver, {"A1": 1.0}, legend="rate",
                          layers=[PointLayer([(-2.05, 53.05)], "$x$ Park services")])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (label,) = _by_gid(fig, "area-label:A1")
    assert label.get_text() == "$x$ Park" and not label.get_parse_math()
    maths = Text(0, 0, "$x$ Park", fontsize=label.get_fontsize(), figure=fig)
    assert label.get_window_extent(renderer).width > maths.get_window_extent(renderer).width + 3
    texts = [t for t in fig.legends[0].get_texts() if t.get_text() == "$x$ Park services"]
    assert texts and not texts[0].get_parse_math()
