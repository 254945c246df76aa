"""The analysis panel: run the measures off the UI thread, show the area table
(with ``<5`` suppression), choose the group key, and colour the map by a
measure or by Getis-Ord Gi* hotspots."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.model.labels import FIELD_LABELS, GROUP_KEY_LABELS, group_key_label
from socialmap.ui import workers
from socialmap.ui.document import ProjectDocument
from socialmap.ui.frame_model import YOUNG_PEOPLE_COUNTS, FrameModel
from socialmap.ui.models import SearchProxy, fit_columns_to_text

#: Group keys offered for the bonding/bridging split (SPEC section 3).
GROUP_KEYS = tuple(GROUP_KEY_LABELS.items())
#: Area measures offered when socialmap.analysis does not list them itself.
DEFAULT_AREA_MEASURES = (
    "young_people", "neet", "isolated", "neet_isolated", "neet_isolation_rate", "mean_bridging",
    "mean_linking", "ei_index", "eet_connectedness", "services_in_area", "nearest_service_km",
    "anchors_in_area",
)
#: Measure names in words: the one mapping of socialmap.model.labels.
MEASURE_TITLES = FIELD_LABELS
NOT_AVAILABLE = "not available yet"
#: Column headers of the area table: two lines where one would make the column wider than
#: its figures (the side panel showed four columns).
TABLE_HEADERS = {
    **MEASURE_TITLES, "young_people": "Young\npeople", "not_known": "Not\nknown", "neet_isolated": "NEET\nisolated",
    "neet_isolation_rate": "NEET\nisolation rate", "mean_bridging": "Mean\nbridging", "mean_linking": "Mean\nlinking",
    "eet_connectedness": "EET\nconnectedness", "services_in_area": "Services\nin area",
    "nearest_service_km": "Nearest\nservice (km)", "anchors_in_area": "Anchors\nin area",
    "gi_class": "Hotspot\n(Gi*)", "bonding_ties": "Bonding\nties", "bridging_ties": "Bridging\nties",
    "linking_ties": "Linking\nties", "neet_with_opportunity": "NEET with\nopportunity",
    "neet_opportunity_share": "NEET opportunity\nshare",
}
#: The area table's first columns, in this order.
FIRST_COLUMNS = ("name", "neet_isolation_rate", "gi_class", "young_people", "neet", "isolated", "neet_isolated",
                 "not_known", "hotspot")


#: The services table's columns and headers; the counts of young people among them.
SERVICE_COUNTS = ("attendees", "neet_attendees")
SERVICE_HEADERS = {"id": "Service id", "name": "Service", "attendees": "Young people\nattending",
                   "neet_attendees": "NEET\nattending", "exposure": "Exposure", "friending_bias": "Friending\nbias",
                   "reason": "Note"}


def services_frame(project, services):
    """The services section as shown: counts of young people raw (the model shows ``<5``), exposure
    and friending bias as text, ``withheld`` where the NEET or EET attendees number 1 to 4."""
    import math

    import pandas as pd

    from socialmap.analysis.opportunity import service_figures_withheld

    if services is None or len(services) == 0:
        return None
    # column by column (``iterrows`` made a Series per row: 0.15-0.3 s for a city's 3,000)
    neet = [int(v) for v in services["neet_attendees"].tolist()]
    hidden = [service_figures_withheld(n, int(e)) for n, e in zip(neet, services["eet_attendees"].tolist(), strict=True)]

    def shown(values) -> list[str]:
        return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else "withheld" if h else f"{float(v):.2f}"
                for v, h in zip(values.tolist(), hidden, strict=True)]

    nodes = project.nodes
    ids = services.index.tolist()
    return pd.DataFrame({
        "id": ids,
        "name": [node.label if (node := nodes.get(sid)) is not None else "" for sid in ids],
        "attendees": [int(v) for v in services["attendees"].tolist()],
        "neet_attendees": neet,
        "exposure": shown(services["exposure"]),
        "friending_bias": shown(services["friending_bias"]),
        "reason": [r if isinstance(r, str) else "" for r in services["reason"].tolist()],
    }).set_index("id")


#: Ties put in the classes by key per C call (:func:`tie_classes_by_key`).
CLASSES_PIECE = 50_000


def tie_classes_by_key(project, codes, names) -> dict[tuple[str, str], str]:
    """``{tie key: class}`` from ``codes``, the class of each tie of ``project.ties`` in its
    order (an index into ``names``: ``tie_class_codes``), made :data:`CLASSES_PIECE` ties per C
    call with a turn for the UI thread between them. (From ``classify_ties``'s frame, a column
    per tie field and a Python loop over its rows, it took 0.4-0.45 s for a city's 391,000
    ties; this 0.1-0.15 s.)"""
    from socialmap.turns import let_others_run

    keys = list(project.ties)
    text = np.asarray(names, dtype=object)[np.asarray(codes, np.int64)].tolist()
    out: dict[tuple[str, str], str] = {}
    for start in range(0, len(keys), CLASSES_PIECE):
        out.update(zip(keys[start:start + CLASSES_PIECE], text[start:start + CLASSES_PIECE], strict=True))
        let_others_run()
    return out


def short_gi_label(bin_) -> str:
    """A Gi bin as the area table's narrow column shows it: 'Hot spot 99%', 'Not significant',
    'no Gi*' (the full words are in the cell's tooltip)."""
    from socialmap.disclosure import gi_label

    if bin_ is None or bin_ != bin_:
        return "no Gi*"
    return gi_label(int(bin_)).replace(", ", " ").replace(" confidence", "")


def hotspot_notes(areas, bins, disclosure) -> dict[str, str]:
    """Area code -> why a hot spot whose shown rate is 0% is one ("its neighbours' rates are
    high"), for the areas that need it; a withheld rate is not shown as 0 and gets none."""
    from socialmap.disclosure import hot_spot_reason

    out = {}
    rates = areas["neet_isolation_rate"] if "neet_isolation_rate" in areas.columns else None
    if rates is None:
        return out
    for code, b in bins.items():
        if disclosure is not None and disclosure.status(str(code), "neet_isolation_rate"):
            continue
        reason = hot_spot_reason(None if b is None or b != b else int(b), rates.get(code))
        if reason:
            out[str(code)] = reason
    return out


def cell_notes(areas, bins, notes: dict[str, str]) -> dict[tuple[str, str], str]:
    """Tooltips of the area table's hotspot cells: the Gi class in full words and its meaning,
    and, on a 0% hot spot's rate and class, why it is one."""
    from socialmap.disclosure import GI_BINS

    out: dict[tuple[str, str], str] = {}
    if bins is None:
        return out
    for code, b in bins.items():
        code = str(code)
        if b is not None and b == b:
            label, meaning = GI_BINS[int(b)]
            out[(code, "gi_class")] = f"{label}: {meaning}"
        if code in notes:
            why = f"Hot spot with a 0% rate: {notes[code]}"
            out[(code, "gi_class")] = out.get((code, "gi_class"), "") + f". {why}"
            out[(code, "neet_isolation_rate")] = "{shown}: " + why
    return out


def analysis_api(name: str):
    """``socialmap.analysis.<name>``, or None while it is not implemented."""
    try:
        module = importlib.import_module("socialmap.analysis")
    except ImportError:
        return None
    return getattr(module, name, None)


def area_measures() -> tuple[str, ...]:
    return tuple(analysis_api("AREA_MEASURES") or DEFAULT_AREA_MEASURES)


def _plain(value: Any) -> Any:
    """A frame's cell as a Python value (a missing one as None, as ``DataFrame.to_dict`` gives)."""
    if type(value).__name__ == "NAType":  # (pandas.NA, without importing pandas with the window)
        return None
    return value.item() if hasattr(value, "item") else value


class PeopleMeasures(Mapping):
    """Each person's measures (``{id: {measure: value}}``) over the analysis's frame of people,
    a person's row made into a dict when it is asked for (the inspector shows one at a time):
    a dict of every row, made in the job, was 1.4 s of a city's analysis."""

    def __init__(self, frame) -> None:
        self._frame = frame
        self._columns = [(str(c), frame[c].array) for c in frame.columns]  # (Int64 stays whole)

    def __getitem__(self, ident: str) -> dict[str, Any]:
        try:
            at = self._frame.index.get_loc(ident)
        except KeyError:
            raise KeyError(ident) from None
        if not isinstance(at, int):  # (an id given twice: its first row, as the dict kept)
            raise KeyError(ident)
        return {name: _plain(col[at]) for name, col in self._columns}

    def __contains__(self, ident: object) -> bool:
        return ident in self._frame.index

    def __iter__(self):
        return map(str, self._frame.index)

    def __len__(self) -> int:
        return len(self._frame)


def run_analysis(project, group_by: str, rows: dict[str, int] | None = None,
                 progress=None, cancelled=None) -> dict[str, Any]:
    """Analysis, hotspots and tie classes of ``project`` (a copy: runs in a worker).

    ``rows`` are the map page's rows of the drawn nodes (``MapWidget.node_rows``): the ties
    with their classes are then also made as the page's compact columns
    (``tie_block_json``, :func:`socialmap.mapview.binary.ties_block`)."""
    from socialmap.ui.mapwidget import RawJSON

    analyse = analysis_api("analyse")
    if analyse is None:
        raise RuntimeError("The analysis is not available yet in this build.")
    if progress:
        progress(0.05)
    result = analyse(project, group_by=group_by)
    if cancelled and cancelled():
        raise workers.Cancelled()
    if progress:
        progress(0.5)
    from socialmap.disclosure import protect_areas

    disclosure = protect_areas(result.areas)
    hot = None
    hotspots = analysis_api("public_hotspots")  # the Gi* people may see: on public rates (docs/privacy.md)
    if hotspots is not None and len(project.areas) > 1:
        hot = hotspots(project, result)
    if cancelled and cancelled():
        raise workers.Cancelled()
    if progress:
        progress(0.85)
    classes = codes = None
    class_codes, names = analysis_api("tie_class_codes"), analysis_api("TIE_CLASSES")
    if class_codes is not None and names is not None:
        codes = class_codes(project, group_by)  # (the analysis's, in the order of project.ties)
        classes = tie_classes_by_key(project, codes, names)
    tie_block_json = None
    if classes is not None and rows is not None:
        from socialmap.mapview.binary import CLASS_CODES, ties_block

        page_codes = np.array([CLASS_CODES[name] for name in names], np.uint8)[codes]
        # here, not on the UI thread; a few MB of base64, not 40 MB of tie records
        tie_block_json = RawJSON(workers.json_in_chunks(ties_block(project, rows, classes, group_by=group_by, on=project.as_of,
                                                                   codes=page_codes)))
    people = PeopleMeasures(result.people)
    services = services_frame(project, result.services)  # here, not on the UI thread (3,000 rows in a city)
    if progress:
        progress(1.0)
    return {"services_frame": services, "analysis": result, "hotspots": hot, "disclosure": disclosure, "classes": classes, "tie_block_json": tie_block_json,
            "people": people, "version": project.version, "group_by": group_by}


class AnalysisPanel(QWidget, workers.PanelJob):
    """Area table, group key, run/cancel, hotspot mode."""

    job_cancelled_text = "Analysis cancelled."
    job_failed_text = "The analysis could not run"

    #: Emitted with the result dict when an analysis run has finished.
    analysisDone = Signal(object)  # a dict; "object": Signal(dict) converted it to a QVariantMap, 1.2 s for a city
    #: The user asked for a map colouring ("measure:<name>" or "hotspots").
    mapModeRequested = Signal(str)

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.result: dict[str, Any] | None = None
        self.worker: workers.Worker | None = None
        self._version = -1
        #: Gives the map page's node rows (``MapWidget.node_rows``), so the job makes the tie
        #: columns the map draws; set by the main window.
        self.map_rows = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        self.group_key = QComboBox()
        for key, title in GROUP_KEYS:
            self.group_key.addItem(title, key)
        form.addRow("Group key", self.group_key)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.run_button = QPushButton("Run analysis")
        self.run_button.clicked.connect(self.run)
        self._make_job_controls()
        self.hotspot_button = QPushButton("Show hotspots on map")
        self.hotspot_button.clicked.connect(lambda: self.mapModeRequested.emit("hotspots"))
        self.hotspot_button.setEnabled(False)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.hotspot_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search areas…")
        lay.addWidget(self.search)
        self.model = FrameModel(self, suppressed=YOUNG_PEOPLE_COUNTS, headers=TABLE_HEADERS)
        self.model.index_name = "code"  # the empty table's one header reads Code, not id
        self.proxy = SearchProxy(self.model, self)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setResizeContentsPrecision(100)  # widths from 100 rows
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.clicked.connect(self._on_row)
        self.table.verticalHeader().hide()  # row numbers took room from the rate and hotspot columns
        lay.addWidget(self.table, 2)
        self.note = QLabel("Counts of 1 to 4 young people are shown as <5; a figure that would give one back "
                           "(a rate or mean made of it, a count the totals would give back) reads withheld. "
                           "Hotspot classes come from Gi* on the published rates.")
        self.note.setObjectName("noteLabel")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        # the services section: exposure and friending bias (after Chetty et al. 2022b)
        self.services_title = QLabel("Services: do NEET attendees meet, and befriend, young people in education or "
                                     "work there?")
        self.services_title.setWordWrap(True)
        lay.addWidget(self.services_title)
        self.services_model = FrameModel(self, suppressed=frozenset(SERVICE_COUNTS), headers=SERVICE_HEADERS)
        self.services_model.index_name = "id"
        self.services_table = QTableView()
        self.services_table.setModel(self.services_model)
        self.services_table.verticalHeader().hide()
        self.services_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        lay.addWidget(self.services_table, 1)
        self.services_note = QLabel("Exposure: share of EET young people among those a NEET attendee meets there. "
                                    "Friending bias: 0 when NEET attendees befriend EET young people as often as "
                                    "they meet them, 1 never. Withheld where the NEET or EET attendees are 1 to 4.")
        self.services_note.setObjectName("noteLabel")
        self.services_note.setWordWrap(True)
        lay.addWidget(self.services_note)

        doc.projectReplaced.connect(self._on_replaced)
        doc.nodesChanged.connect(lambda *_: self._mark_stale())
        doc.tiesChanged.connect(lambda *_: self._mark_stale())
        doc.asOfChanged.connect(self._on_as_of)
        if analysis_api("analyse") is None:
            self.status.setText("Analysis: " + NOT_AVAILABLE + ".")
        else:
            self.status.setText("Press Run analysis to compute the measures.")

    def available(self) -> bool:
        return analysis_api("analyse") is not None

    def _on_replaced(self) -> None:
        self.result = None
        self.model.set_frame(None, index_name="code")
        self.services_model.set_frame(None)
        self.hotspot_button.setEnabled(False)
        self.status.setText("Press Run analysis to compute the measures." if self.available() else "Analysis: " + NOT_AVAILABLE + ".")
        key = self.doc.project.setting("group_by") or "area_code"
        self.group_key.clear()
        for k, title in GROUP_KEYS:
            self.group_key.addItem(title, k)
        # imported attributes of people (e.g. a school or a club from a Kumu map)
        from socialmap.ui import indexes  # made by the job that opened the file

        extra = indexes.person_attrs(self.doc.project)
        for attr in extra[:30]:
            self.group_key.addItem(f"Imported attribute: {attr}", attr)
        idx = self.group_key.findData(key)
        if idx >= 0:
            self.group_key.setCurrentIndex(idx)

    def _on_as_of(self) -> None:
        """A new As of date: an analysis on the screen is of another day's ties, so it runs again."""
        if self.result is not None and self.worker is None:
            self.run()

    def _mark_stale(self) -> None:
        if self.result is not None and self.result["version"] != self.doc.project.version:
            self.status.setText("The project changed since this analysis: run it again to update.")

    def _on_row(self, index) -> None:
        code = self.proxy.index(index.row(), 0).data()
        if code in self.doc.project.areas:
            self.doc.select("area", code)

    # ----------------------------------------------------------------- run
    def run(self) -> workers.Worker | None:
        if not self.available():
            self.status.setText("Analysis: " + NOT_AVAILABLE + ".")
            return None
        if self.worker is not None:
            return self.worker
        group_by = self.group_key.currentData()
        self._source = self.doc.project
        rows = self.map_rows() if self.map_rows is not None else None
        worker = workers.Worker(run_analysis, group_by, rows)
        worker.preload = workers.ANALYSIS_MODULES  # imported before the job, then frozen (workers._loop)
        return self._start_job(worker, self._finished, "Analysing…", "the analysis")

    def _finished(self, result: dict[str, Any]) -> None:
        self._end()
        if self.doc.project is not getattr(self, "_source", None):
            return  # another project was opened meanwhile
        self.result = result
        areas = result["analysis"].areas.copy()
        hot = result.get("hotspots")
        notes: dict[tuple[str, str], str] = {}
        if hot is not None:
            # people see the Gi bin in words, never z and p (they would give withheld rates back)
            bins = hot.areas["gi_bin"].reindex(areas.index)
            reasons = hot.areas["reason"].reindex(areas.index)
            areas["hotspot"] = hot.areas["hotspot"].reindex(areas.index)
            areas["gi_class"] = [short_gi_label(b) for b in bins.tolist()]
            areas["hotspot_note"] = reasons  # why Gi* is undefined for an area, if it is
            notes = hotspot_notes(areas, bins, result.get("disclosure"))
            for code, note in notes.items():
                if note and not isinstance(areas.at[code, "hotspot_note"], str):
                    areas.at[code, "hotspot_note"] = note
        names = {c: a.name for c, a in self.doc.project.areas.items()}
        areas.insert(0, "name", [names.get(c, "") for c in areas.index])
        # what a youth service reads first, then the other measures (the hotspot columns were
        # last, off the side of the panel)
        first = [c for c in FIRST_COLUMNS if c in areas.columns]
        areas = areas[first + [c for c in areas.columns if c not in first]]
        self.model.set_frame(areas, index_name="code", withheld=result.get("disclosure"),
                             notes=cell_notes(areas, bins if hot is not None else None, notes))
        self.services_model.set_frame(result.get("services_frame"))
        self.hotspot_button.setEnabled(hot is not None)
        n_hot = int(sum(1 for v in hot.areas["hotspot"] if v is True or v == 1)) if hot is not None else 0
        stale = result["version"] != self.doc.project.version
        self.status.setText(
            f"{len(areas)} areas analysed (group key: {group_key_label(result['group_by'])}); "
            + (f"{n_hot} hotspot area(s)." if hot is not None else "hotspots not available yet.")
            + (" The project changed meanwhile: run again to update." if stale else "")
        )
        # the column widths, then the map and the inspector, follow in later turns of the event
        # loop: the table and the map updates in one go held the UI thread for about 100 ms on
        # the sample, and fitting the columns with the rest of this took 80 ms on a city
        source = self.doc.project

        def then_map() -> None:  # a timer each (not 0 ms, a posted call: run in the same pass)
            QTimer.singleShot(1, lambda: self.doc.project is source and self.analysisDone.emit(result))

        QTimer.singleShot(1, lambda: self.doc.project is source and (self._fit_columns(), then_map()))

    def _fit_columns(self) -> None:
        # from the text of 100 rows; none wider than 170 px (a long hotspot note pushed the
        # figures out of the panel)
        fit_columns_to_text(self.table, rows=100, widest=170)

    def people_measures(self) -> Mapping[str, dict[str, Any]]:
        if self.result is None:
            return {}
        return self.result["people"]

    def area_values(self, measure: str) -> dict[str, Any] | None:
        if self.result is None:
            return None
        areas = self.result["analysis"].areas
        if measure not in areas.columns:
            return None
        # a figure that the table shows as <5 or withheld is left out of the map's colours too:
        # its colour class (and a rate's denominator) would give the count back (socialmap.disclosure)
        disclosure = self.result.get("disclosure")
        hidden = set(disclosure.hidden_cells().get(measure, ())) if disclosure is not None else set()
        return {str(c): (None if v is None or v != v or str(c) in hidden else float(v))
                for c, v in areas[measure].items()}

    def hotspot_bins(self) -> dict[str, Any] | None:
        """Area code -> Gi bin (-3..3, None without Gi*) of the public Gi*, or None before an analysis."""
        if self.result is None or self.result.get("hotspots") is None:
            return None
        return {str(c): (None if v is None or v != v else int(v)) for c, v in self.result["hotspots"].areas["gi_bin"].items()}

