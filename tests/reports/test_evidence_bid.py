"""The evidence pack as a bid panel reads it (issue 19): a one-page summary first with absolute
figures beside shares and percentiles in exact words, a labelled reach map, LM3 and the user's own
social value measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialmap.cli import main
from socialmap.reports.evidence import percentile_words, write_evidence_pack
from socialmap.reports.social_value import evidenced_quantities, social_value_rows
from socialmap.store import load_project

from .test_reports import flat, pdf_text


def pdf_pages(path) -> list[str]:
    from pypdf import PdfReader

    return [flat(page.extract_text()) for page in PdfReader(str(path)).pages]

SAMPLE_LM3 = Path(__file__).resolve().parents[2] / "sample_data" / "lm3"


@pytest.mark.parametrize("pct, words", [
    (50.0, "50th percentile among the 30 organisations in this project: the middle"),
    (51.0, "51st percentile among the 30 organisations in this project: as high as or higher than 51% of them"),
    (72.5, "72nd percentile"),  # rounded down: never made to look better
    (99.7, "99th percentile"),
    (100.0, "the highest among the 30 organisations in this project"),
    (3.3, "3rd percentile"),
])
def test_percentiles_are_worded_exactly(pct, words):
    assert words in percentile_words(pct, 30, 30)


def test_a_percentile_among_fewer_than_all_names_the_group():
    assert percentile_words(40.0, 28, 30).startswith("40th percentile among the 28 organisations in this project "
                                                     "that record it")
    assert percentile_words(40.0, 1, 30) == ""  # nothing to compare with


@pytest.fixture(scope="module")
def pack_text(tmp_path_factory):
    """The sample, with the LM3 of sample_data/lm3 saved for org05 and a measures table."""
    folder = tmp_path_factory.mktemp("pack")
    project = folder / "sample.gpkg"
    assert main(["sample", str(project)]) == 0
    assert main(["lm3", str(project), "--org", "org05", "--spend", str(SAMPLE_LM3 / "spend.csv"),
                 "--supplier-survey", str(SAMPLE_LM3 / "supplier_survey.csv"),
                 "--staff-survey", str(SAMPLE_LM3 / "staff_survey.csv"), "--save"]) == 0
    measures = folder / "measures.csv"
    measures.write_text(
        "code,description,unit,proxy_value_gbp,source,evidence\n"
        "LOC1,Local people employed,FTE,1000,Our framework 2026,local_staff_fte\n"
        "LOC2,Local spend,£,0.1,Our framework 2026,local_spend_gbp\n"
        "NEET1,NEET young people supported,person,500,Our framework 2026,neet_young_people_reached\n"
        "VOL1,Volunteering,hour,16,Our framework 2026,\n", encoding="utf-8")
    out = folder / "pack.pdf"
    assert main(["export", "evidence", str(project), str(out), "--org", "org05", "--measures", str(measures)]) == 0
    return pdf_pages(out), load_project(project)


def test_summary_comes_first_with_absolute_figures_beside_shares(pack_text):
    """org05: 69 of 85 staff local (81%); £2,048,000 of £3,200,000 spend (64%); LM3 1.92."""
    pages, _ = pack_text
    first = pages[0]
    assert "Summary" in first and "Statements for a bid" in first
    assert "69 of 85 staff live locally (81%)" in first
    assert "£2,048,000 of £3,200,000 (64%)" in first
    assert "among the 30 organisations in this project" in first
    assert "1.92 (£400,000 in, £766,200 over three rounds)" in first
    assert "Every £1 of Cloughside Community Enterprise's income is worth £1.92 to the local economy" in first


def test_reach_map_is_labelled_with_area_names_and_a_table(pack_text):
    pages, project = pack_text
    from socialmap.analysis import reach

    areas = reach(project, "org05")["areas"]
    reach_page = next(p for p in pages if "Where the young people it reaches live" in p)
    assert "Home areas reached" in reach_page
    for code in areas:
        assert project.areas[code].name in reach_page and code in reach_page


def test_lm3_and_social_value_sections(pack_text):
    """Social value by hand: local staff 69 x £1,000 = £69,000; local spend (LM3 round 2 suppliers)
    £65,000 x 0.1 = £6,500; NEET young people reached: <5 -> withheld; volunteering: not evidenced.
    Total £75,500."""
    pages, _ = pack_text
    text = " ".join(pages)
    assert "LM3 = 1.92" in text and "Gross flows" in text and "(2 of 3 surveyed)" in text
    assert "the user's own" in text
    assert "£69,000" in text and "£6,500" in text and "Total of the measures valued: £75,500" in text
    assert "not evidenced by the project" in text and "withheld" in text


def test_quantities_and_values_by_hand(small_project):
    """o1: 60 local employees; spend_local 400 (no LM3 saved); NEET reached: yp1 only (1: <5);
    no apprenticeship service: not recorded."""
    q = evidenced_quantities(small_project, "o1")
    assert q == {"local_staff_fte": 60, "local_spend_gbp": 400, "neet_young_people_reached": 1.0,
                 "apprenticeships": None}
    rows = social_value_rows(small_project, "o1", [
        {"code": "S", "description": "", "unit": "", "proxy_value_gbp": 2.5, "source": "", "evidence": "local_spend_gbp"},
        {"code": "N", "description": "", "unit": "", "proxy_value_gbp": 9.0, "source": "",
         "evidence": "neet_young_people_reached"},
        {"code": "A", "description": "", "unit": "", "proxy_value_gbp": 9.0, "source": "", "evidence": "apprenticeships"},
    ])
    assert [(r["quantity"], r["value_gbp"]) for r in rows] == [("400", 1000.0), ("<5", None), ("", None)]


def test_bad_measures_file_exits_2(tmp_path, small_project, capsys):
    from socialmap.store import save_project

    save_project(small_project, tmp_path / "p.gpkg")
    bad = tmp_path / "m.csv"
    bad.write_text("code,description,proxy_value_gbp,evidence\nA,x,ten,\nB,y,5,jobs\n", encoding="utf-8")
    assert main(["export", "evidence", str(tmp_path / "p.gpkg"), str(tmp_path / "e.pdf"), "--org", "o1",
                 "--measures", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "m.csv, row 2, field 'proxy_value_gbp': 'ten' is not a number" in err
    assert "m.csv, row 3, field 'evidence': 'jobs' is not a figure the project evidences" in err
    assert not (tmp_path / "e.pdf").exists()


def test_pack_without_lm3_or_measures_says_how_to_add_them(tmp_path, small_project):
    text = flat(pdf_text(write_evidence_pack(small_project, "o1", tmp_path / "e.pdf")))
    assert "No LM3 is recorded for this organisation" in text
    assert "No social value measures were given" in text
