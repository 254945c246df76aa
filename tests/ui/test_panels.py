"""Analysis, scenario and anchor panels; background work; autosave and
recovery; map speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from socialmap.model import Node, Project, Tie
from socialmap.store import save_project
from socialmap.ui import recovery, workers
from tests.ui.conftest import WAIT_MS, js, open_and_wait, wait_drawn
from tests.ui.test_mainwindow import state

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"




def test_scenario_run_marks_the_expected_areas(make_window, qtbot, three_area_file):
    """Decommission s1 (context survival 0.5).

    s1's attends tie from yp1 goes; ad1 is s1's staff (o1 employs ad1 with
    context s1) and loses the worker tie to yp3; the friend tie yp2-yp3 was
    made at s1 and survives with probability 0.5.
    A1: yp1 (NEET) loses its only linking tie and has no bridging tie:
    newly isolated NEET = 1.0 >= 0.5; its one bridging tie (yp2-yp3) is lost
    with expectation 0.5: 50% >= 10%. A2: the same bridging tie: 50%.
    A3 loses nothing and s2 stays its nearest service: not flagged.
    """
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    assert panel.change_model.stringList() == ["Decommission Youth club (s1)"]
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
    areas = blocker.args[0].areas
    assert panel.flagged_codes() == ["A1", "A2"]
    assert areas.loc["A1", "newly_isolated_neet"] == pytest.approx(1.0)
    assert areas.loc["A1", "bridging_loss_pct"] == pytest.approx(50.0)
    assert areas.loc["A2", "bridging_loss_pct"] == pytest.approx(50.0)
    assert not areas.loc["A3", "flagged"]
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.outlined()") == ["A1", "A2"], timeout=WAIT_MS)
    # the decommissioned service's ties are gone from the "after" map
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.counts().ties.linking") == 1, timeout=WAIT_MS)
    panel.before.setChecked(True)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.outlined()") == [], timeout=WAIT_MS)
    assert js(window, qtbot, "SM.counts().ties.linking") == 2  # yp1-s1 and yp4-s2 again


def test_scenarios_are_saved_in_the_project_and_reloaded(make_window, qtbot, three_area_file):
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    panel.org_pick.setCurrentIndex(panel.org_pick.findData("o1"))
    panel._add_close()
    panel.context_survival.setValue(0.25)
    assert panel.save_as("close the college")
    assert "close the college" in window.doc.project.scenarios
    assert "*" in window.windowTitle()
    panel.clear()
    panel.context_survival.setValue(0.5)
    assert panel.load("close the college")
    assert panel.change_model.stringList() == ["Close Northfield College (o1)"]
    assert panel.context_survival.value() == pytest.approx(0.25)
    window.doc.undo_stack.undo()
    assert "close the college" not in window.doc.project.scenarios


def test_criticality_ranking_fills_sortable_tables(make_window, qtbot, three_area_file):
    """Expected newly isolated young people when each service goes.

    s1: yp1 for certain (its one linking tie), yp2 and yp3 each with 0.5 (their
    bridging tie was made at s1; yp3 also loses its worker tie): 2.0.
    s2: yp4's only linking tie is s2 and its other tie is bonding: 1.0.
    So s1 ranks first.
    """
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    with qtbot.waitSignal(panel.rankDone, timeout=WAIT_MS):
        panel.run_rank()
    model = panel.rank_service_model
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "s1"
    col = model.columns.index("newly_isolated") + 1
    assert [float(model.raw(r, col)) for r in range(2)] == pytest.approx([2.0, 1.0])
    assert panel.rank_org_model.rowCount() == 1


def test_ranking_shows_first_then_whether_its_top_ten_keep_their_order(make_window, qtbot, three_area_file):
    """The tables come first, the status saying the top ten's order is being checked; then
    the check across context survival 0.35-0.65: s1 (2.0 at 0.5, 3 - 2 x 0.35 = 2.3 at 0.35 and
    1.7 at 0.65) stays above s2 (1.0 whatever the value), so both lists keep their order."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    shown: list[str] = []
    panel.rankDone.connect(lambda _r: shown.append(panel.status.text()))
    with qtbot.waitSignal(panel.rankStabilityDone, timeout=WAIT_MS) as blocker:
        panel.run_rank()
    assert "Checking whether the top ten keep their order" in shown[0]
    top = blocker.args[0]
    assert top.orders["services"] == {"central": ["s1", "s2"], "low": ["s1", "s2"], "high": ["s1", "s2"]}
    assert panel.rank_result.top_ten is top
    assert "Top 2 services: the same order for context survival 0.35 to 0.65." in panel.status.text()
    assert "Checking" not in panel.status.text()


def test_analysis_panel_table_measures_and_hotspot_mode(make_window, qtbot, project_file):
    """yp1: ties to yp2 (friend, same area: bonding) and s1 (attends: linking)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    cols = ["code", *panel.model.columns]
    rows = {panel.model.index(r, 0).data(): [panel.model.index(r, c).data() for c in range(len(cols))]
            for r in range(panel.model.rowCount())}
    yp_col = cols.index("young_people")
    assert rows["A1"][yp_col] == "<5" and rows["A2"][yp_col] == "<5"
    window.doc.select("young_person", "yp1")
    insp = window.inspector
    found = {name: insp.measure_box.findChild(type(insp.title), f"measure_{name}") for name in ("bonding", "bridging", "linking")}
    assert {k: v.text() for k, v in found.items()} == {"bonding": "1", "bridging": "0", "linking": "1"}


@pytest.mark.skipif(not SAMPLE.exists(), reason="the bundled sample project is not generated")
def test_hotspot_mode_colours_the_areas_by_gi_class(make_window, qtbot):
    """Each area in the colour of its Gi bin (the public Gi*): the hot spots at 99% in dark red."""
    from socialmap.analysis import public_hotspots
    from socialmap.disclosure import GI_COLOURS

    window = make_window()
    open_and_wait(window, qtbot, SAMPLE)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    bins = public_hotspots(window.doc.project).areas["gi_bin"]
    hot99 = sorted(c for c, b in bins.items() if b == 3)
    assert hot99, "the sample has hot spots at 99% confidence"
    window._request_map_mode("hotspots")
    script = f"Object.keys(SM.areaStyle).filter(function(c){{return SM.areaStyle[c]==='{GI_COLOURS[3]}';}}).sort()"
    qtbot.waitUntil(lambda: js(window, qtbot, script) == hot99, timeout=WAIT_MS)
    legend = js(window, qtbot, "SM.legend.getContainer().textContent")
    assert "Hot spot, 99% confidence" in legend and "Not significant" in legend


@pytest.mark.skipif(not SAMPLE.exists(), reason="the bundled sample project is not generated")
def test_anchor_panel_shows_figures_and_draws_reach(make_window, qtbot):
    window = make_window()
    open_and_wait(window, qtbot, SAMPLE)
    panel = window.anchor_panel
    org = panel.org_pick.currentData()
    with qtbot.waitSignal(panel.anchorDone, timeout=WAIT_MS) as blocker:
        panel.run()
    figures = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert "Young people reached" in figures and "Local employment share" in figures
    reached = blocker.args[0]["reach"]
    assert blocker.args[0]["org"] == org
    n_points = js(window, qtbot, "SM.reachLayer ? SM.reachLayer.getLayers().length : 0")
    assert n_points > 1 and reached


def test_the_ui_thread_keeps_ticking_while_a_long_analysis_runs(make_window, qtbot, project_file):
    """A 10 ms timer on the UI thread keeps firing while the analysis runs in
    the background for at least a second; no gap between ticks reaches 100 ms.

    A real block of the UI thread shows in every run; a hiccup of a machine
    shared with other test runs does not, so one retry is allowed.
    """
    from socialmap.analysis import analyse

    window = make_window()
    open_and_wait(window, qtbot, SAMPLE if SAMPLE.exists() else project_file)
    project = window.doc.project.copy()

    def long_analysis(progress=None, cancelled=None):
        start = time.perf_counter()
        runs = 0
        while time.perf_counter() - start < 1.2 and not cancelled():
            project.touch()  # defeat the version cache: a full analysis each time
            analyse(project)
            runs += 1
        return runs

    for _attempt in range(2):
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        timer.start()
        worker = workers.Worker(long_analysis)
        with qtbot.waitSignal(worker.signals.finished, timeout=WAIT_MS) as blocker:
            workers.start(worker)
        timer.stop()
        assert blocker.args[0] >= 1
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert len(ticks) > 50
        print(f"{blocker.args[0]} analyses; {len(ticks)} ticks; longest gap {max(gaps) * 1000:.0f} ms")
        if max(gaps) < 0.1:
            break
    assert max(gaps) < 0.1, f"UI thread blocked for {max(gaps) * 1000:.0f} ms (twice)"


def test_cancel_stops_a_running_job(make_window, qtbot):
    make_window()

    def forever(progress=None, cancelled=None):
        while not cancelled():
            time.sleep(0.005)
        raise workers.Cancelled()

    worker = workers.Worker(forever)
    with qtbot.waitSignal(worker.signals.cancelled, timeout=WAIT_MS):
        workers.start(worker)
        QTimer.singleShot(50, worker.cancel)


def test_autosave_writes_a_recovery_copy_that_restores(make_window, qtbot, project_file, tmp_path, monkeypatch):
    folder = tmp_path / "recovery"
    folder.mkdir()
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.autosave() is None  # nothing unsaved: no copy
    window.add_person("adult", "Pat", "A1", role="mentor")
    edited = state(window.doc.project)
    assert window.autosave() is not None
    qtbot.waitUntil(lambda: window.autosave_worker is None and recovery.info_file().exists(), timeout=WAIT_MS)
    recovery.start_session()  # as if this session had crashed: the lock stays
    info = recovery.pending_recovery()
    assert info is not None and info["path"] == str(project_file)

    other = make_window()
    with qtbot.waitSignal(other.projectLoaded, timeout=WAIT_MS):
        other.restore_recovery(info)
    wait_drawn(other, qtbot)
    assert state(other.doc.project) == edited
    assert other.doc.dirty and other.doc.path == project_file
    recovery.end_session()
    assert recovery.pending_recovery() is None


def test_twenty_thousand_young_people_draw_within_two_seconds(make_window, qtbot, two_areas):
    people = [Node(f"yp{i}", "young_person", f"P{i}", area_code=("A1", "A2")[i % 2]) for i in range(20_000)]
    ties = [Tie(f"yp{i}", f"yp{i + 1}", "friend") for i in range(0, 20_000, 2)]
    project = Project.build(two_areas, people, ties)
    window = make_window()
    for _attempt in range(2):  # one retry: see the ticking test
        start = time.perf_counter()
        window.doc.set_project(project, None)
        counts = wait_drawn(window, qtbot)
        elapsed = time.perf_counter() - start
        assert counts["young_person"] == 20_000
        print(f"20k young people + 10k ties drawn in {elapsed:.2f} s")
        if elapsed < 2.0:
            break
        window.doc.set_project(Project(), None)
        wait_drawn(window, qtbot)
    assert elapsed < 2.0, f"20k nodes took {elapsed:.2f} s (twice)"


def test_edits_wait_while_a_job_copies_the_project(make_window, qtbot, project_file):
    """The copy a job works on is taken on the worker thread; until it is
    taken, edits are refused with a reason (and then allowed again)."""
    from socialmap.ui.commands import AddNode, ProjectBusy, push_edit

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    doc = window.doc
    seen = []
    worker = workers.Worker(lambda snapshot, progress=None, cancelled=None: seen.append(len(snapshot.nodes)))
    with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
        doc.run_on_snapshot(worker, "a test job")
        assert doc.locked_for == "a test job"
        assert not window.act_undo.isEnabled()
        with pytest.raises(ProjectBusy, match="a test job"):
            push_edit(doc, AddNode(doc, Node("ad9", "adult", "Pat")))
    qtbot.waitUntil(lambda: doc.locked_for is None, timeout=WAIT_MS)
    assert seen == [6]  # the job saw the project as it was: 6 nodes
    push_edit(doc, AddNode(doc, Node("ad9", "adult", "Pat")))
    assert "ad9" in doc.project.nodes


def test_change_list_from_lists_and_a_map_click(make_window, qtbot, three_area_file):
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    window.doc.select("service", "s2")  # choosing on the map or in a table picks it in the panel
    assert panel.service_pick.currentData() == "s2"
    # s2 is already provided by o1: o1 is not offered, and the transfer is refused when added
    assert panel.target_org.findData("o1") == -1
    from socialmap.scenarios import Transfer

    panel.add_change(Transfer("s2", "o1", retention=0.8))
    assert panel.changes == [] and "'s2' is already provided by 'o1'" in panel.status.text()
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel.add_relocate_button.click()
    assert window.add_mode == "relocate:s1"
    js(window, qtbot, "(SM.map.fire('click', {latlng: L.latLng(53.4051, -2.2751)}), 1)")
    qtbot.waitUntil(lambda: len(panel.changes) == 1, timeout=WAIT_MS)
    assert panel.change_model.stringList() == [
        "Relocate Youth club (s1) to 53.40510, -2.27510 (max travel 3 km)",
    ]
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    assert set(panel.result.areas.index) == {"A1", "A2", "A3"}


def test_evidence_pack_button_asks_for_the_chosen_organisations_pack(make_window, qtbot, project_file, monkeypatch):
    import socialmap.ui.interchange_dialogs as dialogs

    calls = []
    monkeypatch.setattr(dialogs, "report_with_dialog", lambda window, doc, fmt: calls.append((fmt, doc.selection)))
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.anchor_panel
    panel.org_pick.setCurrentIndex(panel.org_pick.findData("o1"))
    panel.pack_button.click()
    assert calls == [("evidence", ("organisation", "o1"))]


def test_scenario_panel_shows_ranges_robustness_and_sources(make_window, qtbot, three_area_file):
    """Issue 17: hovering a setting gives its default, range and source; the area table has
    each flag's robustness and the range of the figures; a relocation can use distance decay.
    Decommission s1 (test_scenario_run_marks_the_expected_areas): A1's NEET young person is
    lost for certain, so A1 is flagged in every case."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    assert "No published figure exists for the share of staff kept after a TUPE transfer" in (
        panel.retention.toolTip())
    assert "McMillan (2025)" in panel.context_survival.toolTip()
    assert "Default 0.5" in panel.thresholds_note.toolTip()
    panel.travel_model.setCurrentIndex(panel.travel_model.findData("decay"))
    assert panel.half_km.isVisibleTo(panel) and not panel.max_travel_km.isVisibleTo(panel)
    panel.half_km.setValue(1.5)
    panel.add_relocate("s2", 53.4051, -2.2751)
    assert panel.changes[-1].travel_model == "decay" and panel.changes[-1].half_km == 1.5
    assert "distance decay, half-distance 1.5 km" in panel.change_model.stringList()[-1]
    panel.clear()
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    model = panel.area_model
    cols = model.columns
    assert {"robustness", "newly_isolated_range", "newly_isolated_neet_range"} <= set(cols)
    row = [model.index(r, 0).data() for r in range(model.rowCount())].index("A1")
    assert model.index(row, cols.index("robustness") + 1).data() == "flagged in every case"
    # A1: yp1 lost for certain (1) plus yp2 with 1 - S: 1.35 to 1.65 over S = 0.35..0.65
    assert model.index(row, cols.index("newly_isolated_range") + 1).data() == "1.4–1.7"


def test_analysis_panel_services_section(make_window, qtbot, project_file):
    """small_project: s1 has one young attendee (yp1, NEET): counts <5, and exposure and friending
    bias null with the reason (fewer than 5 young people attend)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    model = panel.services_model
    cols = ["id", *model.columns]
    assert model.rowCount() == 1 and model.index(0, 0).data() == "s1"
    row = {c: model.index(0, i).data() for i, c in enumerate(cols)}
    assert row["name"] == "Youth club" and row["attendees"] == "<5" and row["neet_attendees"] == "<5"
    assert row["exposure"] == "" and row["reason"] == "fewer than 5 young people attend"


def test_anchor_panel_shows_the_saved_lm3(make_window, qtbot, tmp_path, small_project):
    """LM3 saved for o1 (income 1,000; local supplier 500; no surveys): (1,000 + 500) / 1,000 = 1.50."""
    from socialmap.cli import main

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    spend = tmp_path / "spend.csv"
    spend.write_text("category,name,amount_gbp,area_code\nincome,Contract,1000,\nsupplier,Bakery,500,A1\n",
                     encoding="utf-8")
    assert main(["lm3", str(path), "--org", "o1", "--spend", str(spend), "--save"]) == 0
    window = make_window()
    open_and_wait(window, qtbot, path)
    panel = window.anchor_panel
    panel.org_pick.setCurrentIndex(panel.org_pick.findData("o1"))
    assert panel.lm3.text().startswith("LM3 1.50: every £1 of income is worth £1.50 locally")
    assert "round 2 £500 spent locally" in panel.lm3.text()


def test_inspector_shows_a_young_persons_opportunity_measures(make_window, qtbot, project_file):
    """small_project: yp1 -> yp2 -> yp3 -> ad1 (employed by o1: in work): no opportunity within two
    steps, three steps to the nearest; adults have neither measure."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    insp = window.inspector
    window.doc.select("young_person", "yp1")
    found = {name: insp.measure_box.findChild(type(insp.title), f"measure_{name}")
             for name in ("opportunity_ties", "hops_to_opportunity")}
    assert {k: v.text() for k, v in found.items()} == {"opportunity_ties": "0", "hops_to_opportunity": "3"}
    window.doc.select("adult", "ad1")
    assert insp.measure_box.findChild(type(insp.title), "measure_opportunity_ties") is None


def test_range_texts_read_as_one_decimal_does():
    """0.25-0.25 reads 0.3 (halves up); 1.21-1.54 reads 1.2–1.5; 2.0-2.04 reads 2.0 (both ends
    round to it); 3.75-3.85 reads 3.8–3.9; each end as socialmap.scenarios.impact.one_decimal."""
    from socialmap.scenarios.impact import one_decimal
    from socialmap.ui.scenario_panel import range_texts

    low, high = [0.25, 1.21, 2.0, 3.75], [0.25, 1.54, 2.04, 3.85]
    assert range_texts(low, high) == ["0.3", "1.2–1.5", "2.0", "3.8–3.9"]
    assert [t.split("–")[0] for t in range_texts(low, high)] == [one_decimal(x) for x in low]
