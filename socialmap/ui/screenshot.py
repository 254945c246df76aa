"""``--screenshot``: open a project, set up one view, wait until the map has
drawn it, save a picture of the main window and quit."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from socialmap.model.kinds import ORGANISATION

#: The window is grabbed every POLL_MS after the last JavaScript call until two grabs in a
#: row are the same picture (the page has finished painting), at least MIN_POLLS times and
#: at most MAX_POLLS times: a fixed delay raced the compositor on a busy machine.
POLL_MS = 300
MIN_POLLS = 2
MAX_POLLS = 40
TIMEOUT_MS = 120_000


class ScreenshotDirector(QObject):
    """Drives the window to the chosen view, then grabs it."""

    def __init__(self, window, out: str, view: str) -> None:
        super().__init__(window)
        self.window = window
        self.out = out
        self.view = view
        self.exit_code = 1
        self._started = False
        window.map.layersDrawn.connect(self._on_drawn)
        window.loadFailed.connect(self._fail)
        QTimer.singleShot(TIMEOUT_MS, lambda: self._fail("timed out waiting for the map"))
        if view == "repair":  # a file that does not open as it is: its repair view
            self._wait_for_repair()

    def _fail(self, reason: str) -> None:
        if self.exit_code == 1:
            print(f"screenshot: {reason}", file=sys.stderr)
            self.exit_code = 2
            QApplication.instance().quit()

    def _on_drawn(self, counts: dict) -> None:
        if self._started or not counts.get("area") or self.window.map.previewing:
            return  # (a file's first stage drawn: its project is not shown yet)
        self._started = True
        getattr(self, f"_view_{self.view}")()

    # ---------------------------------------------------------------- views
    def _busiest(self, kind: str) -> str | None:
        project = self.window.doc.project
        nodes = [n for n in project.nodes.values() if n.kind == kind]
        if not nodes:
            return None
        return max(nodes, key=lambda n: (bool(n.is_anchor), project.degree(n.id))).id

    def _view_main(self) -> None:
        w = self.window
        org = self._busiest(ORGANISATION)
        if org:
            w.doc.select(ORGANISATION, org)
        w.inspector_dock.raise_()
        self._grab_later()

    def _view_analysis(self) -> None:
        w = self.window
        w.analysis_dock.raise_()
        # the area table's NEET columns and hotspot flag in the picture, as a user widens the panel
        w.resizeDocks([w.analysis_dock], [700], Qt.Orientation.Horizontal)
        if not w.analysis_panel.available():
            self._grab_later()
            return
        w.analysis_panel.analysisDone.connect(
            lambda _r: (w._request_map_mode("hotspots"), w.map.call("toggleKey"), w.map.call("fit"),
                        self._grab_later()))  # the key folded: the hotspots legend and map in view
        w.analysis_panel.run()

    def _view_scenario(self) -> None:
        w = self.window
        w.scenario_dock.raise_()
        panel = w.scenario_panel
        if not panel.available() or panel.service_pick.count() == 0:
            self._grab_later()
            return
        # Show the most damaging decommissioning: rank first, then run it.
        panel.rankDone.connect(self._scenario_ranked)
        panel.run_rank()

    def _view_ranking(self) -> None:
        """The criticality ranking drawn on the map (rings and the first ten numbered)."""
        w = self.window
        w.scenario_dock.raise_()
        panel = w.scenario_panel
        if not panel.available():
            self._grab_later()
            return
        panel.rankDone.connect(lambda _r: self._grab_later())
        panel.run_rank()

    def _scenario_ranked(self, result) -> None:
        panel = self.window.scenario_panel
        top = result.services.iloc[0]
        svc = top["id"] if "id" in result.services.columns else result.services.index[0]
        panel.service_pick.setCurrentIndex(panel.service_pick.findData(svc))
        panel._add_decommission()
        panel.tabs.setCurrentIndex(0)
        panel.scenarioDone.connect(lambda _r: self._grab_later())
        panel.run()

    def _view_anchor(self) -> None:
        w = self.window
        w.anchor_dock.raise_()
        panel = w.anchor_panel
        org = self._busiest(ORGANISATION)
        if not panel.available() or org is None:
            self._grab_later()
            return
        panel.org_pick.setCurrentIndex(panel.org_pick.findData(org))
        panel.anchorDone.connect(lambda _r: self._grab_later())
        panel.run()

    def _view_change(self) -> None:
        """The Change panel comparing the snapshot saved last with the project a year and a day
        after it (on the sample written with ``--with-history``: the re-tender and its scenario)."""
        import datetime as dt

        from PySide6.QtCore import QDate

        from socialmap.change.sides import latest_snapshot

        w = self.window
        w.change_dock.raise_()
        w.resizeDocks([w.change_dock], [720], Qt.Orientation.Horizontal)
        panel = w.change_panel
        project = w.doc.project
        last = latest_snapshot(project)
        if last is None:
            self._grab_later()
            return
        after = project.snapshots[last].as_of + dt.timedelta(days=366)
        panel.before_choice.setCurrentIndex(panel.before_choice.findData(f"#{last}"))
        panel.after_date.setDate(QDate(after.year, after.month, after.day))
        if project.scenarios:
            panel.scenario_choice.setCurrentIndex(1)
        shown = []

        def once(_style) -> None:
            if panel.result is not None and not shown:
                shown.append(1)
                self._grab_later()

        panel.mapStyleRequested.connect(once)
        panel.run()

    def _wait_for_repair(self) -> None:
        """The repair view of a file edited elsewhere (socialmap.ui.repair_view), grabbed once shown."""
        dialog = self.window.repair_dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(POLL_MS, self._wait_for_repair)
            return
        self._started = True
        QTimer.singleShot(POLL_MS, lambda: (self._save(dialog.grab().toImage()), dialog.reject()))

    # ---------------------------------------------------------------- grab
    def _grab_later(self) -> None:
        # A JavaScript round trip makes sure every queued call has run; then
        # give the canvas time to paint.
        self._polls = 0
        self._previous = None
        self.window.map.evaluate("1", lambda _r: QTimer.singleShot(POLL_MS, self._poll))

    def _poll(self) -> None:
        image = self.window.grab().toImage()
        self._polls += 1
        settled = self._previous is not None and image == self._previous
        if (settled and self._polls > MIN_POLLS) or self._polls >= MAX_POLLS:
            self._save(image)
            return
        self._previous = image
        QTimer.singleShot(POLL_MS, self._poll)

    def _save(self, image) -> None:
        if image.save(self.out):
            print(f"screenshot: wrote {self.out}", file=sys.stderr)
            self.exit_code = 0
        else:
            print(f"screenshot: could not write {self.out}", file=sys.stderr)
            self.exit_code = 2
        self.window.doc.undo_stack.setClean()
        self.window.close()
        QApplication.instance().quit()
