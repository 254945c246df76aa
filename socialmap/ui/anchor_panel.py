"""The anchor evidence panel: pick an organisation, see its anchor presence
figures with their percentiles among all organisations, and draw its reach."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.model.kinds import ORGANISATION
from socialmap.ui import indexes, workers
from socialmap.ui.analysis_panel import NOT_AVAILABLE, analysis_api
from socialmap.ui.document import ProjectDocument
from socialmap.ui.frame_model import FrameModel
from socialmap.ui.models import suppress_count
from socialmap.ui.pickers import choice_combo, set_choices

FIGURES = (
    ("local_employment_share", "Local employment share"),
    ("local_spend_share", "Local spend share"),
    ("years_in_area", "Years in the area"),
    ("young_people_reached", "Young people reached"),
    ("areas_reached", "Areas reached"),
    ("sole_link_young_people", "Young people for whom it is the only institutional link"),
)


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


def figure_text(name: str, value: Any) -> str:
    """A figure as shown: shares as percentages, counts of young people with
    1..4 shown as "<5" (SPEC section 8)."""
    if value is None:
        return "not known"
    if name.endswith("_share"):
        return f"{100 * float(value):.0f}%"
    if name in ("young_people_reached", "sole_link_young_people"):
        return suppress_count(int(value))
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.1f}"


def compute_anchor(project, org_id: str, progress=None, cancelled=None) -> dict[str, Any]:
    """Anchor presence of every organisation and the reach of ``org_id`` (in a worker)."""
    presence = analysis_api("anchor_presence")
    if presence is None:
        raise RuntimeError("Anchor presence is not available yet in this build.")
    result = presence(project)
    if cancelled and cancelled():
        raise workers.Cancelled()
    reach_fn = analysis_api("reach")
    reach = reach_fn(project, org_id) if reach_fn is not None else None
    return {"result": result, "reach": reach, "org": org_id}


class AnchorPanel(QWidget):
    """Figures and percentiles of one organisation; its reach on the map."""

    anchorDone = Signal(object)  # a dict, passed as it is (not converted to a QVariantMap)
    #: (origin [lat, lon] or None, reached points, reached area codes)
    reachRequested = Signal(object, object, object)
    #: The user asked for the PDF evidence pack of this organisation.
    evidenceRequested = Signal(str)

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.worker: workers.Worker | None = None
        self.last: dict[str, Any] | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.org_pick = choice_combo()
        self.show_button = QPushButton("Show evidence")
        self.show_button.clicked.connect(self.run)
        self.clear_button = QPushButton("Clear map")
        self.clear_button.clicked.connect(lambda: self.reachRequested.emit(None, [], []))
        # the organisation's whole name on its own row ("Millbrook College (c" was all a
        # 430 px panel showed beside the buttons); the buttons below it
        row.addWidget(QLabel("Organisation"))
        row.addWidget(self.org_pick, 1)
        lay.addLayout(row)
        self.pack_button = QPushButton("Evidence pack (PDF + CSV)…")
        self.pack_button.clicked.connect(lambda: self.org_pick.currentData()
                                         and self.evidenceRequested.emit(self.org_pick.currentData()))
        pack_row = QHBoxLayout()
        pack_row.addWidget(self.show_button)
        pack_row.addWidget(self.clear_button)
        pack_row.addStretch(1)
        pack_row.addWidget(self.pack_button)
        lay.addLayout(pack_row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.status)
        self.model = FrameModel(self, headers={"figure": "Figure", "value": "Value", "percentile": "Percentile"})
        self.table = QTableView()
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        lay.addWidget(self.table, 1)
        self.note = QLabel("Percentile: share of the project's organisations with this figure or lower. "
                           "Counts of 1 to 4 young people are shown as <5, without their percentile.")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        # the Local Multiplier 3 saved for the organisation (socialmap lm3 ... --save); data text, plain
        self.lm3 = QLabel("")
        self.lm3.setObjectName("lm3")
        self.lm3.setWordWrap(True)
        self.lm3.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.lm3)
        self.org_pick.currentIndexChanged.connect(lambda *_: self._show_lm3())
        doc.projectReplaced.connect(lambda: self._fill())
        doc.nodesChanged.connect(self._on_nodes)
        doc.selectionChanged.connect(self._follow)
        self._fill()

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        """Refill the picker only when an organisation was added, changed or removed (every
        edit refilled it with a city's 2,000 organisations)."""
        nodes = self.doc.project.nodes
        if any(i in nodes and nodes[i].kind == ORGANISATION for i in [*added, *changed]) or any(
                self.org_pick.findData(i) >= 0 for i in removed):
            self._fill([*added, *changed, *removed])

    def available(self) -> bool:
        return analysis_api("anchor_presence") is not None

    def _fill(self, touched: list | None = None) -> None:
        """Fill the picker; after an edit, from what it held and the ``touched`` ids."""
        project = self.doc.project
        ids = indexes.by_label_after_edit(project, ORGANISATION, self.org_pick.model().ids(), touched,
                                          anchors_first=True)
        nodes = project.nodes
        texts = [f"{n.label} ({n.id})" + (" — anchor" if n.is_anchor else "") for n in map(nodes.__getitem__, ids)]
        # one model reset, not an addItem per organisation (2,000 of a city's)
        set_choices(self.org_pick, texts, ids, keep=self.org_pick.currentData())
        self._show_lm3()
        if not self.available():
            self.status.setText("Anchor presence: " + NOT_AVAILABLE + ".")

    def _show_lm3(self) -> None:
        """The saved LM3 of the picked organisation, or how to make one."""
        from socialmap.analysis.lm3 import lm3_summary

        org_id = self.org_pick.currentData()
        if not org_id:
            self.lm3.setText("")
            return
        saved = (self.doc.project.settings.get("lm3") or {}).get(org_id)
        if saved:
            self.lm3.setText(lm3_summary(saved))
        else:
            self.lm3.setText("Local Multiplier 3: none saved for this organisation. Fill the templates of "
                             "'socialmap lm3 template DIR', then run 'socialmap lm3 PROJECT --org "
                             f"{org_id} --spend spend.csv --save'.")

    def _follow(self, kind: str, ident: str) -> None:
        if kind == ORGANISATION:
            idx = self.org_pick.findData(ident)
            if idx >= 0:
                self.org_pick.setCurrentIndex(idx)

    def run(self) -> workers.Worker | None:
        org_id = self.org_pick.currentData()
        if not self.available():
            self.status.setText("Anchor presence: " + NOT_AVAILABLE + ".")
            return None
        if not org_id or self.worker is not None:
            return self.worker
        self._source = self.doc.project
        self.worker = workers.Worker(compute_anchor, org_id)
        self.worker.signals.finished.connect(self._finished)
        self.worker.signals.failed.connect(workers.owned(self, lambda e: self._end(f"Anchor presence could not be computed: {e}")))
        self.worker.signals.cancelled.connect(workers.owned(self, lambda: self._end("Cancelled.")))
        self.show_button.setEnabled(False)
        self.status.setText("Computing anchor presence…")
        self.worker.reuse_snapshot = True  # reads the project only
        return self.doc.run_on_snapshot(self.worker, "anchor presence", as_of=True)

    def _end(self, message: str) -> None:
        self.worker = None
        self.show_button.setEnabled(True)
        self.status.setText(message)

    def _finished(self, out: dict[str, Any]) -> None:
        import pandas as pd

        if self.doc.project is not getattr(self, "_source", None):
            self._end("")
            return  # another project was opened meanwhile
        org_id = out["org"]
        frame = out["result"].organisations
        node = self.doc.project.nodes.get(org_id)
        if org_id not in frame.index:
            self._end(f"No anchor figures for {org_id}.")
            return
        row = frame.loc[org_id]
        records = []
        from socialmap.disclosure import reach_figures

        reach_text = reach_figures(_plain(row.get("young_people_reached")), _plain(row.get("areas_reached")))
        for name, title in FIGURES:
            if name in row.index:
                pct = _plain(row.get(f"{name}_percentile"))
                value = figure_text(name, _plain(row[name]))
                if name == "areas_reached" and reach_text[1] == "<5":
                    value = "<5"  # at most the '<5' young people: 4 areas would give 4 back
                shown = "withheld" if value == "<5" else "" if pct is None else f"{float(pct):.0f}"
                records.append({"figure": title, "value": value, "percentile": shown})
        df = pd.DataFrame(records).set_index("figure")
        self.model.suppressed = frozenset()
        self.model.set_frame(df[["value", "percentile"]], index_name="figure")
        self.last = out
        self._end(f"Anchor presence of {node.label if node else org_id}.")
        self._draw_reach(out)
        self.anchorDone.emit(out)

    def _draw_reach(self, out: dict[str, Any]) -> None:
        reach = out.get("reach") or {}
        project = self.doc.project
        org = project.nodes.get(out["org"])
        if org is None or org.lat is None:
            return
        ids: list[str] = []
        codes: list[str] = []
        for key, value in reach.items():
            if not isinstance(value, (list, tuple, set)):
                continue
            if "area" in key:
                codes += [str(v) for v in value]
            else:
                ids += [str(v) for v in value]
        points = []
        for i in ids:
            n = project.nodes.get(i)
            if n is not None and n.lat is not None and n.lon is not None:
                points.append([n.lat, n.lon])
        self.reachRequested.emit([org.lat, org.lon], points, sorted(set(codes)))
