"""The Change panel (issue 18): the project's snapshots, and a comparison of two states of
the network (a snapshot or the project on a date, against the project on a date), with its
table per area, the map coloured by any change, and a saved scenario's predicted losses
against the observed ones.

The comparison runs in a worker on a copy of the project (:mod:`socialmap.change`); counts
of young people between 1 and 4 read ``<5`` in the table and are left uncoloured on the map.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.ui import workers
from socialmap.ui.commands import _Edit, push_edit
from socialmap.ui.document import ProjectDocument
from socialmap.ui.frame_model import FrameModel

#: Columns of the comparison table, in order, with their headers.
TABLE_COLUMNS = {
    "name": "Area",
    "young_people_before": "Young people before", "young_people_after": "after",
    "isolated_before": "Isolated before", "isolated_after": "after",
    "newly_isolated": "Newly isolated", "newly_isolated_neet": "of them NEET",
    "no_longer_isolated": "No longer isolated",
    "lost_bridging": "Bridging lost", "gained_bridging": "gained",
    "lost_linking": "Linking lost", "gained_linking": "gained",
    "lost_bonding": "Bonding lost", "gained_bonding": "gained",
    "bridging_loss_pct": "Bridging loss %",
    "mean_bridging_change": "Mean bridging change", "mean_linking_change": "Mean linking change",
    "ei_index_change": "E-I index change", "eet_connectedness_change": "EET connectedness change",
    "nearest_service_km_change": "Nearest service km change",
    "flagged": "Passes a threshold", "reasons": "Why",
    "predicted_lost_linking": "Linking lost: predicted", "ratio_lost_linking": "ratio",
    "predicted_lost_bridging": "Bridging lost: predicted", "ratio_lost_bridging": "ratio",
}
#: Count columns of young people that a map must not colour when 1..4 (nor their changes).
_COUNT_BASES = ("young_people", "neet", "isolated", "neet_isolated")


def change_title(name: str) -> str:
    """A change column in words, for the colour choice and the legend."""
    base = name.removesuffix("_change").replace("_", " ")
    if name.endswith("_change"):
        return f"Change in {base}"
    return name.replace("_", " ").capitalize()


def run_compare_job(project, before: str, after: str, scenario: str | None, name: str = "this project",
                    progress=None, cancelled=None) -> dict[str, Any]:
    """The comparison of two sides of ``project`` (a copy; runs in a worker)."""
    from socialmap.change import compare_projects, predicted_against_observed
    from socialmap.change.sides import project_side
    from socialmap.scenarios import Scenario

    if progress:
        progress(0.1)
    b = project_side(project, before, name)
    a = project_side(project, after, name)
    if cancelled and cancelled():
        raise workers.Cancelled()
    change = compare_projects(b.project, a.project, before_label=b.label, after_label=a.label)
    check = None
    if scenario:
        check = predicted_against_observed(b.project, a.project, Scenario.load(project, scenario), change)
    if progress:
        progress(1.0)
    return {"change": change, "check": check, "before": before, "after": after, "scenario": scenario}


def map_values(change, name: str) -> dict[str, float | None]:
    """Per area values of ``name`` for the map, with counts of 1..4 young people (and changes made
    from them) left out, as the table shows them as <5."""
    areas = change.areas
    out: dict[str, float | None] = {}
    base = next((b for b in _COUNT_BASES if name in (f"{b}_before", f"{b}_after", f"{b}_change")), None)
    for code in areas.index:
        value = areas.at[code, name]
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        if name in ("newly_isolated", "newly_isolated_neet", "no_longer_isolated") and value is not None \
                and 1 <= value <= 4:
            value = None
        if base is not None:
            sides = (areas.at[code, f"{base}_before"], areas.at[code, f"{base}_after"])
            if any(not (isinstance(v, float) and math.isnan(v)) and 1 <= v <= 4 for v in sides):
                value = None
        out[str(code)] = value
    return out


class AddSnapshot(_Edit):
    """Keep a snapshot in the project (undo takes it out again)."""

    def __init__(self, doc: ProjectDocument, snapshot) -> None:
        super().__init__(doc, f"Save snapshot {snapshot.name}")
        self.snapshot = snapshot
        self.replaced = None

    def apply(self) -> None:
        self.replaced = self.doc.project.snapshots.get(self.snapshot.name)
        self.doc.project.snapshots[self.snapshot.name] = self.snapshot
        self.doc.snapshotsChanged.emit()

    def undo(self) -> None:
        if self.replaced is None:
            self.doc.project.snapshots.pop(self.snapshot.name, None)
        else:
            self.doc.project.snapshots[self.snapshot.name] = self.replaced
        self.doc.snapshotsChanged.emit()


class DeleteSnapshot(_Edit):
    """Delete a snapshot (undoable until the project is closed)."""

    def __init__(self, doc: ProjectDocument, name: str) -> None:
        super().__init__(doc, f"Delete snapshot {name}")
        self.name = name
        self.snapshot = None

    def apply(self) -> None:
        self.snapshot = self.doc.project.snapshots.pop(self.name)
        self.doc.snapshotsChanged.emit()

    def undo(self) -> None:
        self.doc.project.snapshots[self.name] = self.snapshot
        self.doc.snapshotsChanged.emit()


class SetSettings(_Edit):
    """Change project settings (the scenario defaults); undo gives the old values back."""

    def __init__(self, doc: ProjectDocument, values: dict[str, Any], text: str) -> None:
        super().__init__(doc, text)
        self.values = dict(values)
        self.old: dict[str, Any] = {}

    def apply(self) -> None:
        settings = self.doc.project.settings
        self.old = {k: settings.get(k) for k in self.values}
        settings.update(self.values)
        self.doc.settingsChanged.emit()

    def undo(self) -> None:
        settings = self.doc.project.settings
        for key, value in self.old.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        self.doc.settingsChanged.emit()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ChangePanel(QWidget, workers.PanelJob):
    """Snapshots, and what changed between two states of the network."""

    job_cancelled_text = "Comparison cancelled."
    job_failed_text = "The comparison could not run"

    #: A colouring of the areas (a payloads.choropleth dict), or None to give the map back.
    mapStyleRequested = Signal(object)
    #: The user asked for the change report of the comparison shown.
    reportRequested = Signal()

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.worker: workers.Worker | None = None
        self.result: dict[str, Any] | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)

        snaps = QGroupBox("Snapshots in this project")
        sl = QVBoxLayout(snaps)
        self.snapshot_model = QStringListModel(self)
        self.snapshot_names: list[str] = []
        #: other project files chosen as BEFORE (``Another project file…``)
        self.other_files: list[str] = []
        self.snapshot_view = QListView()
        self.snapshot_view.setObjectName("snapshotList")
        self.snapshot_view.setModel(self.snapshot_model)
        self.snapshot_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.snapshot_view.setMaximumHeight(90)
        sl.addWidget(self.snapshot_view)
        self.delete_snapshot_button = QPushButton("Delete snapshot")
        self.delete_snapshot_button.clicked.connect(self.delete_selected_snapshot)
        row = QHBoxLayout()
        row.addWidget(self.delete_snapshot_button)
        row.addStretch(1)
        sl.addLayout(row)
        privacy = QLabel("A snapshot holds the same personal data as the project: delete the ones you no longer "
                         "need, and include them when a person's data is erased.")
        privacy.setWordWrap(True)
        privacy.setObjectName("noteLabel")
        sl.addWidget(privacy)
        lay.addWidget(snaps)

        form = QFormLayout()
        self.before_choice = QComboBox()
        self.before_choice.setObjectName("compareBefore")
        self.before_date = QDateEdit()
        self.before_date.setCalendarPopup(True)
        self.before_date.setDisplayFormat("yyyy-MM-dd")
        self.before_date.setObjectName("compareBeforeDate")
        self.before_date.setDate(_qdate(dt.date.today() - dt.timedelta(days=365)))
        self.after_date = QDateEdit()
        self.after_date.setCalendarPopup(True)
        self.after_date.setDisplayFormat("yyyy-MM-dd")
        self.after_date.setObjectName("compareAfterDate")
        self.after_date.setDate(_qdate(dt.date.today()))
        self.scenario_choice = QComboBox()
        self.scenario_choice.setObjectName("compareScenario")
        form.addRow("Before", self.before_choice)
        form.addRow("  on", self.before_date)
        form.addRow("After: this project on", self.after_date)
        form.addRow("Set against scenario", self.scenario_choice)
        lay.addLayout(form)
        self.before_choice.currentIndexChanged.connect(self._before_changed)

        row = QHBoxLayout()
        self.run_button = QPushButton("Compare")
        self.run_button.clicked.connect(self.run)
        self._make_job_controls("Choose a snapshot or a date to compare with, then press Compare.")
        self.report_button = QPushButton("Change report…")
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.reportRequested.emit)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.report_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        colour = QHBoxLayout()
        colour.addWidget(QLabel("Colour the map by"))
        self.colour_choice = QComboBox()
        self.colour_choice.setObjectName("changeColour")
        self.colour_choice.setEnabled(False)
        self.colour_choice.currentIndexChanged.connect(lambda _i: self.colour_map())
        colour.addWidget(self.colour_choice, 1)
        lay.addLayout(colour)
        self.model = FrameModel(self, headers=TABLE_COLUMNS,
                                suppressed=frozenset({"young_people_before", "young_people_after", "isolated_before",
                                                      "isolated_after", "newly_isolated", "newly_isolated_neet",
                                                      "no_longer_isolated"}),
                                one_decimal_columns=frozenset({"predicted_lost_linking", "predicted_lost_bridging"}))
        self.model.index_name = "code"
        self.table = QTableView()
        self.table.setObjectName("changeTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        lay.addWidget(self.table, 1)
        self.calibration = QLabel("")
        self.calibration.setWordWrap(True)
        self.calibration.setTextFormat(Qt.TextFormat.PlainText)
        self.calibration.setObjectName("calibrationLabel")
        lay.addWidget(self.calibration)
        self.use_estimates_button = QPushButton("Use these estimates as the project's defaults")
        self.use_estimates_button.setToolTip("Set the project's retention and context survival (the scenario "
                                             "defaults) to the values estimated from what happened; undoable")
        self.use_estimates_button.setEnabled(False)
        self.use_estimates_button.clicked.connect(self.use_estimates)
        lay.addWidget(self.use_estimates_button)
        note = QLabel("Counts of 1 to 4 young people are shown as <5 and left uncoloured on the map.")
        note.setWordWrap(True)
        note.setObjectName("noteLabel")
        lay.addWidget(note)

        doc.projectReplaced.connect(self._on_replaced)
        doc.snapshotsChanged.connect(self._refresh_choices)
        self._refresh_choices()

    # ------------------------------------------------------------------ choices
    def _on_replaced(self) -> None:
        self.result = None
        self.model.set_frame(None, index_name="code")
        self.colour_choice.clear()
        self.colour_choice.setEnabled(False)
        self.report_button.setEnabled(False)
        self.use_estimates_button.setEnabled(False)
        self.calibration.setText("")
        self._refresh_choices()

    def _refresh_choices(self) -> None:
        project = self.doc.project
        snaps = sorted(project.snapshots.values(), key=lambda s: (s.taken, s.name))
        added = [s.name for s in snaps if s.name not in self.snapshot_names]
        self.snapshot_names = [s.name for s in snaps]
        self.snapshot_model.setStringList([f"{s.name} — as of {s.as_of.isoformat()} (saved {s.taken[:10]}, "
                                           f"{s.size_bytes / 1024:.0f} kB)" for s in snaps])
        self.delete_snapshot_button.setEnabled(bool(snaps))
        current = self.before_choice.currentData()
        self.before_choice.blockSignals(True)
        self.before_choice.clear()
        self.before_choice.addItem("This project on the date below", "@")
        for s in reversed(snaps):
            self.before_choice.addItem(f"Snapshot: {s.name} (as of {s.as_of.isoformat()})", f"#{s.name}")
        for path in self.other_files:
            self.before_choice.addItem(f"File: {path}", f"file:{path}")
        self.before_choice.addItem("Another project file…", "file?")
        idx = self.before_choice.findData(f"#{added[-1]}" if added else current)  # a new snapshot is chosen
        self.before_choice.setCurrentIndex(idx if idx >= 0 else (1 if snaps else 0))
        self.before_choice.blockSignals(False)
        self._before_changed()
        current = self.scenario_choice.currentData()
        self.scenario_choice.clear()
        self.scenario_choice.addItem("(none)", "")
        for name in sorted(project.scenarios):
            self.scenario_choice.addItem(name, name)
        idx = self.scenario_choice.findData(current)
        self.scenario_choice.setCurrentIndex(max(idx, 0))

    def choose_other_file(self, path: str | None = None) -> bool:
        """Compare with another project file (asked for when ``path`` is None)."""
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getOpenFileName(self, "Compare with a project file", "",
                                                  "SocialMap projects (*.gpkg)")
        if not path:
            return False
        if path not in self.other_files:
            self.other_files.append(path)
        self._refresh_choices()
        self.before_choice.setCurrentIndex(self.before_choice.findData(f"file:{path}"))
        return True

    def _before_changed(self) -> None:
        word = self.before_choice.currentData() or "@"
        if word == "file?":
            self.before_choice.blockSignals(True)
            self.before_choice.setCurrentIndex(0)
            self.before_choice.blockSignals(False)
            self.choose_other_file()
            return
        snap = self.doc.project.snapshots.get(word[1:]) if word.startswith("#") else None
        if snap is not None:
            self.before_date.setDate(_qdate(snap.as_of))

    def sides(self) -> tuple[str, str, str | None]:
        """The comparison chosen: (before, after, scenario) as side words of this project."""
        word = self.before_choice.currentData() or "@"
        before_day = self.before_date.date().toPython()
        if word == "@":
            before = f"@{before_day.isoformat()}"
        elif word.startswith("file:"):
            before = f"{word[5:]}@{before_day.isoformat()}"
        else:
            snap = self.doc.project.snapshots.get(word[1:])
            before = word if snap is None or snap.as_of == before_day else f"{word}@{before_day.isoformat()}"
        after = f"@{self.after_date.date().toPython().isoformat()}"
        return before, after, (self.scenario_choice.currentData() or None)

    def report_sides(self) -> dict[str, Any]:
        """The change report's options for the comparison chosen."""
        before, after, scenario = self.sides()
        return {"before": before, "after": after, "scenario": scenario}

    # ------------------------------------------------------------------ snapshots
    def delete_selected_snapshot(self) -> bool:
        index = self.snapshot_view.currentIndex()
        row = index.row() if index.isValid() else (len(self.snapshot_names) - 1)
        if not 0 <= row < len(self.snapshot_names):
            return False
        push_edit(self.doc, DeleteSnapshot(self.doc, self.snapshot_names[row]))
        return True

    # ------------------------------------------------------------------ run
    def run(self) -> workers.Worker | None:
        if self.worker is not None:
            return None
        before, after, scenario = self.sides()
        name = self.doc.path.name if self.doc.path else "this project"
        worker = workers.Worker(run_compare_job, before, after, scenario, name)
        worker.preload = ("socialmap.change", "socialmap.analysis", "socialmap.scenarios")
        return self._start_job(worker, self._finished, "Comparing…", "the comparison")

    def _finished(self, result: dict[str, Any]) -> None:
        self._end()
        self.result = result
        change, check = result["change"], result["check"]
        frame = change.areas.copy()
        frame.insert(0, "name", [change.area_names.get(c, c) for c in frame.index])
        from socialmap.change.compare import reasons_for

        frame["reasons"] = [reasons_for(frame.loc[c], change.thresholds, suppressed=True) for c in frame.index]
        columns = [c for c in TABLE_COLUMNS if c in frame.columns]
        if check is not None:
            for name in ("predicted_lost_linking", "ratio_lost_linking", "predicted_lost_bridging",
                         "ratio_lost_bridging"):
                frame[name] = check.areas[name].reindex(frame.index)
            columns += ["predicted_lost_linking", "ratio_lost_linking", "predicted_lost_bridging",
                        "ratio_lost_bridging"]
        frame = frame.sort_values(["flagged", "lost_linking", "lost_bridging"], ascending=False, kind="stable")
        self.model.set_frame(frame, index_name="code", columns=columns)
        s = change.summary
        self.status.setText(
            f"{change.before_label} → {change.after_label}: {s['ties_lost']} ties lost "
            f"({s['ties_lost_by_class']['bridging']} bridging, {s['ties_lost_by_class']['linking']} linking), "
            f"{s['ties_gained']} gained; {s['flagged_areas']} area(s) pass a scenario threshold.")
        self.calibration.setText(self._calibration_text(check))
        self.use_estimates_button.setEnabled(bool(self.estimates()))
        current = self.colour_choice.currentData()
        from socialmap.change import CHANGE_MEASURES

        self.colour_choice.blockSignals(True)
        self.colour_choice.clear()
        self.colour_choice.addItem("(the map's own colours)", "")
        for name in CHANGE_MEASURES:
            self.colour_choice.addItem(change_title(name), name)
        idx = self.colour_choice.findData(current or "mean_linking_change")
        self.colour_choice.setCurrentIndex(max(idx, 0))
        self.colour_choice.blockSignals(False)
        self.colour_choice.setEnabled(True)
        self.report_button.setEnabled(True)
        self.colour_map()

    def estimates(self) -> dict[str, float]:
        """The settings the last comparison estimated (those resting on at least one case)."""
        check = (self.result or {}).get("check")
        if check is None:
            return {}
        return {key: e["estimate"] for key, e in check.calibration.items() if e["cases"]}

    def use_estimates(self) -> bool:
        values = self.estimates()
        if not values:
            return False
        push_edit(self.doc, SetSettings(self.doc, values, "Use estimated scenario defaults"))
        self.status.setText("Project defaults now: " + ", ".join(f"{k.replace('_', ' ')} {v:.2f}"
                                                                 for k, v in values.items()) + " (undo to go back).")
        return True

    @staticmethod
    def _calibration_text(check) -> str:
        if check is None:
            return ""
        lines = [f"Scenario {check.scenario.name!r}: linking ties lost {check.summary['predicted_lost_linking']:.1f} "
                 f"predicted, {check.summary['observed_lost_linking']:g} observed."]
        for key in ("retention", "context_survival"):
            e = check.calibration[key]
            assumed = "" if e["assumed"] is None else f", assumed {e['assumed']:g}"
            if e["cases"]:
                lines.append(f"Estimated {key.replace('_', ' ')}: {e['estimate']:.2f} from {e['cases']} cases "
                             f"({e['successes']} kept; s.e. {e['standard_error']:.2f}{assumed}).")
            else:
                lines.append(f"Estimated {key.replace('_', ' ')}: no cases in this change{assumed}.")
        return "\n".join(lines)

    def colour_map(self) -> None:
        """Colour the areas by the chosen change (or give the map back its own colours)."""
        name = self.colour_choice.currentData()
        if not name or self.result is None:
            self.mapStyleRequested.emit(None)
            return
        from socialmap.mapview import change_style

        values = map_values(self.result["change"], name)
        loss = name.startswith("lost_") or name in ("newly_isolated", "newly_isolated_neet", "bridging_loss_pct",
                                                     "isolated_change", "neet_isolated_change",
                                                     "neet_isolation_rate_change", "nearest_service_km_change")
        self.mapStyleRequested.emit(change_style(values, change_title(name), positive_is_loss=loss,
                                                 missing_label="no data, or withheld (<5)"))
