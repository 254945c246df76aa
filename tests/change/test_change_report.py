"""socialmap export change-report (issue 18): a PDF with before/after and difference maps."""

from __future__ import annotations

import pytest

from socialmap.cli import main
from socialmap.scenarios import Scenario, Transfer
from socialmap.store import save_project
from tests.change.conftest import DAY, EVE
from tests.reports.test_reports import pdf_text


@pytest.fixture
def retender_file(retender, tmp_path):
    """The retender network with ad2's ties ended on DAY, the saved scenario and a snapshot of EVE."""
    from socialmap.store.snapshots import make_snapshot

    p = retender
    Scenario("re-tender s1", [Transfer("s1", "o2", 0.5)], 0.5).save(p)
    p.snapshots["before"] = make_snapshot(p, "before", as_of=EVE)
    p.update_tie("ad2", "yp5", until=DAY)
    p.update_tie("o1", "ad2", until=DAY)
    p.update_tie("yp1", "s1", until=DAY)
    p.update_tie("yp2", "yp3", until=DAY)
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    return path


def test_the_change_report_renders_the_change_and_the_check(retender_file, tmp_path, capsys):
    out = tmp_path / "change.pdf"
    assert main(["export", "change-report", str(retender_file), str(out), "--before", "#before",
                 "--after", f"@{DAY}", "--scenario", "re-tender s1"]) == 0
    from pypdf import PdfReader

    text = " ".join(pdf_text(out).split())
    assert "Change report" in text and "What happened after" in text
    assert "Difference" in text and "Change in mean linking and mean bridging ties per young person" in text
    images = sum(len(page.images) for page in PdfReader(str(out)).pages)
    assert images == 4  # before, after, and the two difference maps
    assert "Predicted against observed" in text and "Retention" in text
    assert "1 of 2 staff" in text  # ad1 stayed, ad2 left
    # yp2 (A1) loses its bridging friend yp3 and is isolated: a count of 1, shown suppressed
    assert "<5 young people became isolated (of them NEET: 0)" in text
    assert "A1 West bridging ties fell 50% (1 of 2 lost)" in text  # yp2-yp3 of A1's yp2-yp3 and yp5-yp1
    for name in ("Robin", "Sam", "Kai", "Lee", "Ash"):
        assert name not in text


def test_the_change_report_defaults_to_the_last_snapshot_and_needs_one(retender_file, small_project, tmp_path, capsys):
    out = tmp_path / "default.pdf"
    assert main(["export", "change-report", str(retender_file), str(out)]) == 0
    assert "p.gpkg#before@" in pdf_text(out).replace("\n", "")
    bare = tmp_path / "bare.gpkg"
    plain = small_project.copy()  # the same project as retender_file's: without its snapshot
    plain.snapshots = {}
    save_project(plain, bare)
    assert main(["export", "change-report", str(bare), str(tmp_path / "x.pdf")]) == 2
    assert "save a snapshot first" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["export", "report", str(bare), str(tmp_path / "y.pdf"), "--before", "@2025-01-01"]) == 2
