"""The map's basemap and reference layers in the window: File ▸ Basemap…, Layers ▸ Add reference
layer…, and their rows in the Layers panel (on/off, opacity or colour, remove).

Both are kept in the project's settings (``basemap``, ``reference_layers``: see
:mod:`socialmap.mapview.basemap` and :mod:`socialmap.mapview.reference`), changed by undoable
:class:`~socialmap.ui.change_panel.SetSettings` commands, so they are saved with the project,
undone like any edit, and follow it when another project is opened. The page is brought in step
with the settings whenever they change (:meth:`MapLayers.sync`). Tiles reach the page through
the ``smtiles:`` scheme (:mod:`socialmap.ui.tilescheme`), never a network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from socialmap.mapview import basemap as bm
from socialmap.mapview import reference as ref
from socialmap.ui import workers
from socialmap.ui.tilescheme import handler_for

TILE_FILTER = "Tile files (*.mbtiles *.pmtiles);;All files (*)"
VECTOR_FILTER = "Vector layers (*.gpkg *.geojson *.json *.shp);;All files (*)"


def _read_layer(path: str, layer: str | None, ident: str, name: str, colour: str, visible: bool) -> str:
    """A reference layer read, simplified and serialised for the page (a job: off the UI thread)."""
    geometry = ref.read_reference(path, layer)
    return json.dumps(ref.layer_payload(ident, name, colour, visible, geometry))


class MapLayers(QObject):
    """Basemap and reference layers of one main window."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        self.map = window.map
        self.handler = handler_for(self.map.page().profile())
        self.basemap_key: str | None = None
        #: the basemap entry (setting) the page shows now, and its file
        self.shown_basemap: dict[str, Any] | None = None
        self.basemap_info: bm.TileInfo | None = None
        #: reference layers drawn on the page: id -> the entry drawn
        self.shown_layers: dict[str, dict[str, Any]] = {}
        self.reading: set[str] = set()
        #: the last message about a file that could not be used (tests read it)
        self.last_problem = ""
        self._project_path: tuple[Any, str] | None = None
        self._build_panel()
        self._build_actions()
        self.doc.projectReplaced.connect(lambda: QTimer.singleShot(0, self._on_replaced))
        self.doc.settingsChanged.connect(self.sync)
        window.projectLoaded.connect(lambda path: setattr(self, "_project_path", (self.doc.project, path)))
        self.map.destroyed.connect(lambda *_: self.handler.remove(self.basemap_key))

    # ---------------------------------------------------------------- building
    def _build_panel(self) -> None:
        layout = self.window.layers_dock.widget().layout()
        box = QGroupBox("Basemap")
        box.setObjectName("basemapBox")
        bl = QVBoxLayout(box)
        self.basemap_check = QCheckBox("Show the basemap")
        self.basemap_check.setObjectName("basemapShown")
        self.basemap_check.toggled.connect(self._toggle_basemap)
        self.basemap_label = QLabel("None: File > Basemap… to choose an MBTiles or PMTiles file")
        self.basemap_label.setTextFormat(Qt.TextFormat.PlainText)
        self.basemap_label.setWordWrap(True)
        self.basemap_label.setObjectName("basemapLabel")
        row = QHBoxLayout()
        row.addWidget(QLabel("Opacity"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("basemapOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.opacity.valueChanged.connect(self._opacity_moved)
        row.addWidget(self.opacity)
        self._opacity_timer = QTimer(self)
        self._opacity_timer.setSingleShot(True)
        self._opacity_timer.setInterval(400)
        self._opacity_timer.timeout.connect(self._keep_opacity)
        buttons = QHBoxLayout()
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.basemap_dialog)
        self.remove_basemap_button = QPushButton("Remove")
        self.remove_basemap_button.clicked.connect(lambda: self.set_basemap(None))
        buttons.addWidget(choose)
        buttons.addWidget(self.remove_basemap_button)
        for w in (self.basemap_check, self.basemap_label):
            bl.addWidget(w)
        bl.addLayout(row)
        bl.addLayout(buttons)
        self.reference_box = QGroupBox("Reference layers")
        self.reference_box.setObjectName("referenceBox")
        self.reference_rows = QVBoxLayout(self.reference_box)
        add = QPushButton("Add reference layer…")
        add.setObjectName("addReference")
        add.clicked.connect(self.reference_dialog)
        self.reference_rows.addWidget(add)
        self.row_widgets: dict[str, QWidget] = {}
        at = max(0, layout.count() - 1)  # above the stretch at the end
        layout.insertWidget(at, box)
        layout.insertWidget(at + 1, self.reference_box)
        self._show_basemap_state()

    def _build_actions(self) -> None:
        w = self.window
        self.act_basemap = QAction("&Basemap…", w)
        self.act_basemap.setStatusTip("Draw an MBTiles or PMTiles file of raster tiles under the map (offline)")
        self.act_basemap.triggered.connect(self.basemap_dialog)
        self.act_add_reference = QAction("Add &reference layer…", w)
        self.act_add_reference.setStatusTip("Draw a GeoPackage, GeoJSON or shapefile layer under the network, read only")
        self.act_add_reference.triggered.connect(self.reference_dialog)
        menu = w.file_menu
        quit_action = getattr(w, "act_quit", None)
        actions = menu.actions()
        before = actions[actions.index(quit_action) - 1] if quit_action in actions and actions.index(quit_action) > 0 else None
        if before is not None:
            menu.insertAction(before, self.act_basemap)
        else:
            menu.addAction(self.act_basemap)
        bar = w.menuBar()
        self.layers_menu = bar.addMenu("&Layers")
        analyse = next((a for a in bar.actions() if a.text().replace("&", "") == "Analyse"), None)
        if analyse is not None:
            bar.insertMenu(analyse, self.layers_menu)
        self.layers_menu.addAction(self.act_add_reference)
        self.layers_menu.addAction(self.act_basemap)

    # ---------------------------------------------------------------- the project's file
    def project_path(self) -> str | None:
        """The project's file (also for the sample opened without remembering it)."""
        if self._project_path and self._project_path[0] is self.doc.project:
            return self._project_path[1]
        return str(self.doc.path) if self.doc.path else None

    def _on_replaced(self) -> None:
        self.last_problem = ""
        self.sync(announce=True)

    # ---------------------------------------------------------------- settings -> page
    def sync(self, announce: bool = False) -> None:
        """Bring the page in step with the project's ``basemap`` and ``reference_layers``."""
        self._sync_basemap(announce)
        self._sync_reference(announce)

    def _sync_basemap(self, announce: bool) -> None:
        entry = self.doc.project.settings.get(bm.SETTING)
        if entry is not None and (not isinstance(entry, dict) or bm.entry_problems(entry)):
            self._problem("The basemap setting of this project cannot be used "
                          f"({'; '.join(bm.entry_problems(entry)) or 'not a record'}); the map is drawn without it.")
            entry = None
        same_file = (entry is not None and self.shown_basemap is not None
                     and (entry.get("path"), entry.get("absolute")) == (self.shown_basemap.get("path"),
                                                                         self.shown_basemap.get("absolute")))
        if same_file and self.basemap_key is not None:
            self.map.call("setBasemapOpacity", float(entry.get("opacity", bm.DEFAULT_OPACITY)))
            self.map.call("setBasemapVisible", bool(entry.get("visible", True)))
            self.shown_basemap = dict(entry)
            self._show_basemap_state()
            return
        if same_file and not announce:  # the same missing file: said once already
            self.shown_basemap = dict(entry)
            self._show_basemap_state()
            return
        self.handler.remove(self.basemap_key)
        self.basemap_key, self.basemap_info = None, None
        self.shown_basemap = dict(entry) if entry else None
        if entry is None:
            self.map.call("setBasemap", None)
            self._show_basemap_state()
            return
        path = bm.resolve_path(entry, self.project_path())
        try:
            archive = bm.open_archive(path)
        except bm.BasemapError as exc:
            self.map.call("setBasemap", None)
            self._problem(f"The basemap could not be drawn: {exc}")
            self._show_basemap_state(missing=str(path))
            return
        self.basemap_key = self.handler.add(archive)
        self.basemap_info = info = archive.info
        self.map.call("setBasemap", {
            "url": f"smtiles:{self.basemap_key}/{{z}}/{{x}}/{{y}}", "minzoom": info.min_zoom,
            "maxzoom": info.max_zoom, "bounds": list(info.bounds) if info.bounds else None,
            "attribution": info.attribution, "opacity": float(entry.get("opacity", bm.DEFAULT_OPACITY)),
            "visible": bool(entry.get("visible", True))})
        self._show_basemap_state()

    def _show_basemap_state(self, missing: str | None = None) -> None:
        entry = self.shown_basemap
        for w in (self.basemap_check, self.opacity):
            w.blockSignals(True)
        if entry is None:
            self.basemap_label.setText("None: File > Basemap… to choose an MBTiles or PMTiles file")
        elif missing:
            self.basemap_label.setText(f"Not found or unreadable: {missing}")
        else:
            info = self.basemap_info
            self.basemap_label.setText(f"{info.name} ({Path(info.path).name}, zoom {info.min_zoom}-{info.max_zoom})"
                                       if info else str(entry.get("path")))
        self.basemap_label.setToolTip(str(entry.get("absolute") or entry.get("path")) if entry else "")
        self.basemap_check.setChecked(bool(entry and entry.get("visible", True)))
        self.opacity.setValue(round(100 * float(entry.get("opacity", 1.0))) if entry else 100)
        for w in (self.basemap_check, self.opacity):
            w.setEnabled(self.basemap_key is not None)
            w.blockSignals(False)
        self.remove_basemap_button.setEnabled(entry is not None)

    def _sync_reference(self, announce: bool) -> None:
        wanted = {e["id"]: e for e in ref.entries(self.doc.project)}
        for ident in list(self.shown_layers):
            if ident not in wanted:
                self.map.call("removeReference", ident)
                del self.shown_layers[ident]
        for ident, entry in wanted.items():
            shown = self.shown_layers.get(ident)
            if shown is not None and (shown.get("path"), shown.get("layer")) == (entry.get("path"), entry.get("layer")):
                if (shown.get("colour"), shown.get("visible")) != (entry.get("colour"), entry.get("visible")):
                    self.map.call("setReferenceStyle", ident, entry.get("colour"), bool(entry.get("visible", True)))
                self.shown_layers[ident] = dict(entry)
                continue
            self._read(entry, announce or shown is None)
        self._rebuild_rows(wanted)

    def _read(self, entry: dict[str, Any], announce: bool) -> None:
        ident = entry["id"]
        path = bm.resolve_path(entry, self.project_path())
        self.shown_layers[ident] = dict(entry, drawn=False)
        self.reading.add(ident)
        worker = workers.Worker(_read_layer, str(path), entry.get("layer"), ident, str(entry.get("name") or path.stem),
                                str(entry.get("colour") or ref.COLOURS[0]), bool(entry.get("visible", True)),
                                with_callbacks=False)
        project = self.doc.project

        def done(text: str) -> None:
            self.reading.discard(ident)
            if self.doc.project is not project or ident not in self.shown_layers:
                return
            from socialmap.ui.mapwidget import RawJSON

            self.shown_layers[ident]["drawn"] = True
            self.map.call("setReference", RawJSON(text))
            self.window.statusBar().showMessage(f"Reference layer {entry.get('name')} drawn.", 3000)

        def failed(exc: BaseException) -> None:
            self.reading.discard(ident)
            if self.doc.project is project and announce:
                self._problem(f"The reference layer {entry.get('name') or ''} could not be drawn: {exc}")
            self._rebuild_rows({e["id"]: e for e in ref.entries(self.doc.project)})

        worker.signals.finished.connect(workers.owned(self, done))
        worker.signals.failed.connect(workers.owned(self, failed))
        workers.start(worker)

    def _rebuild_rows(self, wanted: dict[str, dict[str, Any]]) -> None:
        for ident in list(self.row_widgets):
            self.row_widgets.pop(ident).deleteLater()
        for ident, entry in wanted.items():
            row = QWidget()
            row.setObjectName(f"reference_{ident}")
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            check = QCheckBox(str(entry.get("name") or Path(entry["path"]).stem))
            check.setObjectName(f"referenceShown_{ident}")
            check.setChecked(bool(entry.get("visible", True)))
            check.setToolTip(str(entry.get("absolute") or entry["path"]) + (f" (layer {entry['layer']})" if entry.get("layer") else ""))
            check.toggled.connect(lambda on, i=ident: self.update_reference(i, visible=on))
            colour = QToolButton()
            colour.setObjectName(f"referenceColour_{ident}")
            colour.setToolTip("Colour of the layer")
            colour.setStyleSheet(f"background: {QColor(str(entry.get('colour') or '#666666')).name()}; min-width: 14px;")
            colour.clicked.connect(lambda _c=False, i=ident: self._choose_colour(i))
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip("Remove the layer from the map (the file is not changed)")
            remove.setObjectName(f"referenceRemove_{ident}")
            remove.clicked.connect(lambda _c=False, i=ident: self.remove_reference(i))
            rl.addWidget(colour)
            rl.addWidget(check, 1)
            rl.addWidget(remove)
            self.reference_rows.insertWidget(self.reference_rows.count() - 1, row)
            self.row_widgets[ident] = row

    def _problem(self, text: str) -> None:
        self.last_problem = text
        self.window.statusBar().showMessage(text, 10000)
        self.window.show_error("Map layer not drawn", text)

    # ---------------------------------------------------------------- edits (undoable settings)
    def _set(self, values: dict[str, Any], text: str) -> bool:
        from socialmap.ui.change_panel import SetSettings

        return self.window.push(SetSettings(self.doc, values, text))

    def set_basemap(self, path: str | Path | None, *, opacity: float | None = None) -> bool:
        """Use the tile file ``path`` as the project's basemap (None: no basemap). A file that
        cannot be read is refused with a message and the setting is left as it was."""
        if path is None:
            if self.doc.project.settings.get(bm.SETTING) is None:
                return False
            return self._set({bm.SETTING: None}, "Remove the basemap")
        try:
            bm.open_archive(path).close()
        except bm.BasemapError as exc:
            self._problem(str(exc))
            return False
        old = self.doc.project.settings.get(bm.SETTING)
        keep = float(old.get("opacity", bm.DEFAULT_OPACITY)) if isinstance(old, dict) and not bm.entry_problems(old) else bm.DEFAULT_OPACITY
        entry = bm.basemap_entry(path, self.project_path(), opacity=keep if opacity is None else opacity)
        return self._set({bm.SETTING: entry}, f"Basemap {Path(path).name}")

    def basemap_dialog(self) -> None:
        start = str(Path(self.project_path()).parent) if self.project_path() else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Basemap: an MBTiles or PMTiles file of raster tiles",
                                              start, TILE_FILTER)
        if path:
            self.set_basemap(path)

    def _toggle_basemap(self, on: bool) -> None:
        entry = self.doc.project.settings.get(bm.SETTING)
        if isinstance(entry, dict) and bool(entry.get("visible", True)) != on:
            self._set({bm.SETTING: dict(entry, visible=bool(on))}, "Show the basemap" if on else "Hide the basemap")

    def _opacity_moved(self, value: int) -> None:
        self.map.call("setBasemapOpacity", value / 100.0)  # at once on the map; kept when the slider rests
        self._opacity_timer.start()

    def _keep_opacity(self) -> None:
        entry = self.doc.project.settings.get(bm.SETTING)
        value = self.opacity.value() / 100.0
        if isinstance(entry, dict) and abs(float(entry.get("opacity", 1.0)) - value) > 1e-9:
            self._set({bm.SETTING: dict(entry, opacity=value)}, f"Basemap opacity {self.opacity.value()}%")

    def add_reference(self, path: str | Path, layer: str | None = None, *, colour: str | None = None,
                      name: str | None = None) -> str | None:
        """Add ``layer`` of ``path`` as a reference layer; its id, or None when it is refused."""
        try:
            names = ref.layer_names(path)
        except ref.ReferenceLayerError as exc:
            self._problem(str(exc))
            return None
        if not names:
            self._problem(f"{path}: has no layer with geometry to draw")
            return None
        if layer is not None and layer not in names:
            self._problem(f"{path}: has no layer {layer!r} (it has {', '.join(names)})")
            return None
        layer = layer if layer is not None else (names[0] if len(names) > 1 else None)
        current = ref.entries(self.doc.project)
        used = {e["id"] for e in current}
        ident = next(f"ref{i}" for i in range(1, len(used) + 2) if f"ref{i}" not in used)
        colour = colour or ref.COLOURS[len(current) % len(ref.COLOURS)]
        shown_name = name or (layer if layer else Path(path).stem)
        entry = ref.layer_entry(path, self.project_path(), layer=layer, name=shown_name, colour=colour, ident=ident)
        if not self._set({ref.SETTING: [*current, entry]}, f"Add reference layer {shown_name}"):
            return None
        return ident

    def reference_dialog(self) -> None:
        start = str(Path(self.project_path()).parent) if self.project_path() else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Reference layer: a GeoPackage, GeoJSON or shapefile",
                                              start, VECTOR_FILTER)
        if not path:
            return
        try:
            names = ref.layer_names(path)
        except ref.ReferenceLayerError as exc:
            self._problem(str(exc))
            return
        layer = None
        if len(names) > 1:
            layer, ok = QInputDialog.getItem(self.window, "Reference layer", f"Which layer of {Path(path).name}?",
                                             names, 0, False)
            if not ok:
                return
        self.add_reference(path, layer)

    def update_reference(self, ident: str, *, colour: str | None = None, visible: bool | None = None) -> bool:
        current = ref.entries(self.doc.project)
        changed = []
        for e in current:
            if e["id"] == ident:
                e = dict(e)
                if colour is not None:
                    e["colour"] = colour
                if visible is not None:
                    e["visible"] = bool(visible)
            changed.append(e)
        if changed == current:
            return False
        what = "Colour of" if colour is not None else ("Show" if visible else "Hide")
        name = next((e.get("name") for e in current if e["id"] == ident), ident)
        return self._set({ref.SETTING: changed}, f"{what} reference layer {name}")

    def _choose_colour(self, ident: str) -> None:
        entry = next((e for e in ref.entries(self.doc.project) if e["id"] == ident), None)
        if entry is None:
            return
        chosen = QColorDialog.getColor(QColor(str(entry.get("colour") or "#666666")), self.window, "Layer colour")
        if chosen.isValid():
            self.update_reference(ident, colour=chosen.name())

    def remove_reference(self, ident: str) -> bool:
        current = ref.entries(self.doc.project)
        kept = [e for e in current if e["id"] != ident]
        if len(kept) == len(current):
            return False
        name = next((e.get("name") for e in current if e["id"] == ident), ident)
        return self._set({ref.SETTING: kept or None}, f"Remove reference layer {name}")
