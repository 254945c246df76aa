"""Finding your way on the map: the search box, the postcode lookup, labels, the ranking on
the map and the map's image export and printing (issue 14).

- :class:`MapSearchBox`: one box in the toolbar that finds areas, organisations, services
  and people by name or id (:class:`socialmap.mapview.search.SearchIndex`) and UK postcodes
  through the postcode lookup set for the project
  (:mod:`socialmap.interchange.postcode_index`); choosing a result selects it and shows it on
  the map, a postcode is marked on the map and never stored.
- :class:`PlacePostcode`: while adding an organisation or a service, a postcode places it.
- The criticality ranking (Scenarios panel) is drawn on the map until another view is chosen.
- :class:`ExportDialog`, :func:`export_map_image` and :func:`print_map`: the current view as a
  PNG or PDF file of a chosen size, or on a printer, with title, key and scale bar.

:func:`install` hooks all of it into the main window with a few lines there.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QModelIndex,
    QObject,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.mapview.search import SearchHit, SearchIndex
from socialmap.model.kinds import ORGANISATION, SERVICE
from socialmap.ui import workers

#: The project setting naming the user's ONSPD/NSPL extract (a path to a CSV file).
POSTCODE_SETTING = "postcode_lookup"
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Results shown under the search box.
RESULTS = 12
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Paper sizes offered by the export dialog, in millimetres (ISO 216), landscape first.
PAPER_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}


def paper_pixels(paper: str, landscape: bool, dpi: int) -> tuple[int, int]:
    """The pixel size of a sheet at ``dpi``: A4 landscape at 300 dpi is 3508 x 2480 px
    (297 mm / 25.4 mm per inch x 300 = 3507.9)."""
    w, h = PAPER_MM[paper]
    if not landscape:
        w, h = h, w
    return round(w / 25.4 * dpi), round(h / 25.4 * dpi)


# ===================================================================== search


class MapSearchBox(QLineEdit):
    """The map's search box (see the module text)."""

    #: A result was chosen (a :class:`SearchHit`).
    chosen = Signal(object)
    #: The postcode index is open (its row count) or failed (-1).
    postcodesReady = Signal(int)
    #: The search index of the project is made.
    indexReady = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        self.setObjectName("mapSearch")
        self.setPlaceholderText("Find on the map: name, id or postcode")
        self.setToolTip("Areas, organisations, services and people by name or id, and postcodes "
                        "(File \u25b8 Postcode lookup\u2026). Enter shows the first result.")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(240)
        self.setMaximumWidth(380)
        self.index: SearchIndex | None = None
        self.index_job: workers.Worker | None = None
        self.postcodes = None  # a postcode_index.PostcodeIndex when the lookup is set and indexed
        self._postcodes_for: str | None = None
        self.index_worker: workers.Worker | None = None
        self.hits: list[SearchHit] = []
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(RESULTS)
        self.completer.setWidget(self)
        self.completer.activated[QModelIndex].connect(self._activated)
        self.textEdited.connect(self.search_now)
        self.returnPressed.connect(self._choose_first)
        self.doc.projectReplaced.connect(self._on_replaced)
        self.doc.settingsChanged.connect(self.refresh_postcodes)

    # ------------------------------------------------------------ searching
    def ensure_index(self) -> workers.Worker | None:
        """Start making the search index of the project as it is now, unless it is current or
        being made (a job: 0.2 s for a city of 100,000 on a quiet machine, seconds on a busy
        one, too long for the UI thread); edits wait for it. Returns the job, if any."""
        if self.index is not None and self.index.current(self.doc.project):
            return None
        if self.index_job is not None:
            return self.index_job
        worker = workers.Worker(make_search_index, self.doc.project, with_callbacks=False)
        self.index_job = worker
        worker.signals.finished.connect(workers.owned(self, lambda index: self._indexed(worker, index)))
        worker.signals.done.connect(workers.owned(self, lambda: self._index_done(worker)))
        return self.doc.run_locked(worker, "the map search")

    def _indexed(self, worker, index: SearchIndex) -> None:
        if self.index_job is not worker:
            return
        self.index_job = None
        self.index = index
        if self.text().strip():
            self.search_now()  # the results of what was typed meanwhile
        self.indexReady.emit()

    def _index_done(self, worker) -> None:
        if self.index_job is worker:  # failed or cancelled
            self.index_job = None

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.ensure_index()  # made before the first keystroke

    def results(self, text: str) -> list[SearchHit]:
        """The results for ``text``: postcodes first when it is shaped like one, then the
        project's areas, places and people."""
        hits: list[SearchHit] = []
        if self.postcodes is not None and text.strip():
            try:
                hits = [SearchHit("postcode", p.postcode, p.postcode, "", p.lat, p.lon)
                        for p in self.postcodes.complete(text, limit=4) if p.lat is not None]
            except Exception as exc:  # noqa: BLE001 - a damaged index must not stop the search
                self.window.statusBar().showMessage(f"Postcode lookup: {exc}", 5000)
        self.ensure_index()
        # until the new index is made, the last one answers (a record just added is found a
        # moment later); before the first, only postcodes
        found = self.index.search(text, limit=RESULTS - len(hits)) if self.index is not None else []
        return hits + found

    def search_now(self, text: str | None = None) -> list[SearchHit]:
        """Fill the results list for ``text`` (default: the box's text) and show it."""
        text = self.text() if text is None else text
        self.hits = self.results(text)
        self.model.clear()
        for hit in self.hits:
            item = QStandardItem(hit.text())  # shown as plain text by the completer's list
            item.setData(hit, HIT_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        if self.hits and self.hasFocus():
            self.completer.complete()
        elif not self.hits:
            self.completer.popup().hide()
        return self.hits

    def _activated(self, index: QModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if isinstance(hit, SearchHit):
            self.choose(hit)

    def _choose_first(self) -> None:
        hits = self.search_now()
        if hits:
            self.choose(hits[0])
        else:
            self.window.statusBar().showMessage(f"Nothing found for {self.text().strip()!r}.", 5000)

    def choose(self, hit: SearchHit) -> None:
        """Show ``hit``: a postcode marked on the map (nothing stored); an area or node
        selected (tables, inspector) and brought into view."""
        self.completer.popup().hide()
        if hit.kind == "postcode":
            self.window.map.call("markPoint", hit.lat, hit.lon, hit.label)
            self.window.statusBar().showMessage(f"Postcode {hit.label}", 5000)
        else:
            self.window.map.call("clearMark")
            self.doc.select(hit.kind, hit.ident)
            self.window.map.call("focus", hit.kind, hit.ident)
        self.chosen.emit(hit)

    def _on_replaced(self) -> None:
        self.index = None
        self.index_job = None  # a job still making the old project's index is ignored
        self.hits = []
        self.model.clear()
        self.refresh_postcodes()

    # ------------------------------------------------------------ postcode lookup
    def lookup_path(self) -> str | None:
        value = self.doc.project.setting(POSTCODE_SETTING)
        return str(value) if value else None

    def refresh_postcodes(self) -> workers.Worker | None:
        """Open the postcode index of the project's lookup, building it first (a job) when the
        file is new or has changed."""
        path = self.lookup_path()
        if path == self._postcodes_for and (self.postcodes is not None or self.index_worker is not None):
            return self.index_worker
        if self.postcodes is not None:
            self.postcodes.close()
        self.postcodes, self._postcodes_for = None, path
        if not path:
            return None
        # imported only for a project with a lookup (17 ms of the UI thread while opening any)
        from socialmap.interchange import postcode_index

        if not Path(path).is_file():
            self.window.statusBar().showMessage(f"The postcode lookup {path} is missing: postcodes are not searched.", 8000)
            self.postcodesReady.emit(-1)
            return None
        if postcode_index.is_current(path):
            self._opened(path)
            return None
        worker = workers.Worker(postcode_index.build_index, path)
        self.index_worker = worker
        self.window.statusBar().showMessage(f"Indexing the postcode lookup {Path(path).name} (once)\u2026")
        worker.signals.finished.connect(workers.owned(self, lambda _p: self._built(worker, path)))
        worker.signals.failed.connect(workers.owned(self, lambda exc: self._build_failed(worker, path, exc)))
        worker.signals.cancelled.connect(workers.owned(self, lambda: self._build_failed(worker, path, None)))
        return workers.start(worker)

    def _opened(self, path: str) -> None:
        from socialmap.interchange import postcode_index

        try:
            self.postcodes = postcode_index.PostcodeIndex(path)
        except Exception as exc:  # noqa: BLE001 - sqlite3 or OS errors, said in one line
            self.window.show_error("Postcode lookup", f"The index of {path} cannot be read: {exc}")
            self.postcodesReady.emit(-1)
            return
        self.window.statusBar().showMessage(f"Postcode lookup: {self.postcodes.rows:,} postcodes.", 5000)
        self.postcodesReady.emit(self.postcodes.rows)

    def _built(self, worker, path: str) -> None:
        if self.index_worker is worker:
            self.index_worker = None
            if path == self._postcodes_for:
                self._opened(path)

    def _build_failed(self, worker, path: str, exc: BaseException | None) -> None:
        if self.index_worker is not worker:
            return
        self.index_worker = None
        self._postcodes_for = None
        if exc is not None:
            from socialmap.ui.mainwindow import error_text

            self.window.show_error("Postcode lookup", error_text(exc) if isinstance(exc, InputError) else str(exc))
        self.postcodesReady.emit(-1)

    def set_lookup(self, path: str | None) -> bool:
        """Make ``path`` (an ONSPD/NSPL extract) the project's postcode lookup: an undoable
        change of the project's settings; the index is built when needed."""
        from socialmap.ui import commands
        from socialmap.ui.change_panel import SetSettings

        value = str(Path(path).resolve()) if path else None
        command = SetSettings(self.doc, {POSTCODE_SETTING: value}, "Set the postcode lookup")
        try:
            commands.push_edit(self.doc, command)
        except InputError as exc:
            self.window.show_error("Postcode lookup", str(exc))
            return False
        return True

    def lookup_dialog(self) -> None:
        start = self.lookup_path() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Postcode lookup (ONS Postcode Directory or NSPL extract)",
                                              start, "CSV files (*.csv);;All files (*)")
        if path:
            self.set_lookup(path)

    def postcode_point(self, text: str):
        """The lookup's point of the postcode ``text``, or ``None`` (with the reason in the
        status bar)."""
        from socialmap.interchange.postcodes import normalise_postcode

        if self.postcodes is None:
            reason = ("the postcode lookup is still being indexed" if self.index_worker is not None
                      else "no postcode lookup is set (File \u25b8 Postcode lookup\u2026)")
            self.window.statusBar().showMessage(f"Cannot place by postcode: {reason}.", 8000)
            return None
        if normalise_postcode(text) is None:
            self.window.statusBar().showMessage(f"{text.strip()!r} is not a UK postcode.", 8000)
            return None
        point = self.postcodes.get(text)
        if point is None or point.lat is None:
            why = "is not in the postcode lookup" if point is None else "has no grid reference in the lookup"
            self.window.statusBar().showMessage(f"{normalise_postcode(text)} {why}.", 8000)
            return None
        return point


def make_search_index(project) -> SearchIndex:
    """The project's :class:`SearchIndex` (a job), made with Python's cyclic collector paused:
    a quarter of a million new strings and lists made it walk the whole open project several
    times meanwhile (a project holds no cycles)."""
    from socialmap.collection import collection_paused

    with collection_paused():
        return SearchIndex(project)


class PlacePostcode(QWidget):
    """In the status bar while an organisation or a service is being added: its postcode
    places it, as a click on the map would."""

    def __init__(self, window, search: MapSearchBox) -> None:
        super().__init__(window)
        self.window = window
        self.search = search
        self.kind: str | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setObjectName("placePostcode")
        self.edit.setPlaceholderText("or its postcode")
        self.edit.setMaximumWidth(120)
        self.button = QPushButton("Place")
        lay.addWidget(self.edit)
        lay.addWidget(self.button)
        self.edit.returnPressed.connect(self.place)
        self.button.clicked.connect(self.place)
        self.hide()

    def start(self, kind: str) -> None:
        self.kind = kind if kind in (ORGANISATION, SERVICE) else None
        self.edit.clear()
        self.setVisible(self.kind is not None)

    def stop(self) -> None:
        self.kind = None
        self.hide()

    def place(self, label: str | None = None) -> str | None:
        """Add the organisation or service at the postcode typed; returns its id."""
        kind = self.kind
        if kind is None:
            return None
        point = self.search.postcode_point(self.edit.text())
        if point is None:
            return None
        if not isinstance(label, str):
            label, ok = self.window.ask_label(kind)
            if not ok or not label:
                return None
        self.window.cancel_modes()
        node_id = self.window.add_place_at(kind, point.lat, point.lon, label, attrs={"postcode": point.postcode})
        if node_id is not None:
            self.window.map.call("focus", kind, node_id)
        return node_id


# ===================================================================== ranking on the map


def ranking_items(result) -> list[dict[str, Any]]:
    """The page's items of a criticality ranking: each service and organisation with its rank
    in its own list (1 = most damaging) and its expected newly isolated young people."""
    items: list[dict[str, Any]] = []
    for kind, frame in ((SERVICE, result.services), (ORGANISATION, result.organisations)):
        if frame is None or frame.empty:
            continue
        ids = frame["id"].astype(str).tolist() if "id" in frame.columns else [str(i) for i in frame.index]
        isolated = frame["newly_isolated"].astype(float).tolist()
        for rank, (ident, value) in enumerate(zip(ids, isolated, strict=True), start=1):
            items.append({"id": ident, "kind": kind, "rank": rank,
                          "isolated": 0.0 if value != value else round(float(value), 6)})
    return items


# ===================================================================== export and print


class MapExporter(QObject):
    """Makes the map image in the page (``SM.exportImage``) and writes it (see
    :func:`export_map_image`)."""

    #: The file was written (its path).
    written = Signal(str)
    #: It could not be made or written (the one-line reason).
    failed = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        #: Whether the last export left out the basemap shown on the map.
        self.basemap_left_out = False

    def _ask_page(self, width: int, height: int, title: str, key: bool, scale: bool, dpi: int, got) -> None:
        options = {"width": int(width), "height": int(height), "title": title, "key": bool(key),
                   "scale": bool(scale), "dpi": int(dpi)}
        # as JSON text: the page's object itself came back as an empty string
        self.window.map.evaluate(f"JSON.stringify(SM.exportImage({json.dumps(options)}))", got)

    def render(self, width: int, height: int, *, title: str = "", key: bool = True, scale: bool = True,
               dpi: int = 96, then) -> None:
        """Ask the page for the view as a ``width`` x ``height`` image; ``then(QImage | None, reason)``
        (the page's PNG decoded in a job: an A4 page at 300 dpi held the UI thread a second)."""

        def got(text) -> None:
            worker = workers.Worker(decode_page_image, text, with_callbacks=False)
            worker.signals.finished.connect(workers.owned(self, lambda image: then(image, "")))
            worker.signals.failed.connect(workers.owned(self, lambda exc: then(None, str(exc))))
            workers.start(worker)

        self._ask_page(width, height, title, key, scale, dpi, got)

    def export(self, path: str | Path, width: int, height: int, *, title: str = "", key: bool = True,
               scale: bool = True, dpi: int = 300, page: tuple[str, bool] | None = None) -> workers.Worker | None:
        """Write the view to ``path``: PNG (``.png``, ``dpi`` recorded in the file) or PDF
        (``.pdf``: one page of ``page`` = (paper, landscape) or of the image's size at
        ``dpi``). Decoding, encoding and writing are a job; the file is replaced atomically:
        a failure leaves it as it was. :attr:`written` or :attr:`failed` says how it went."""
        path = Path(path)
        fmt = path.suffix.lower()
        if fmt not in (".png", ".pdf"):
            self.failed.emit(f"{path.name}: choose a .png or .pdf file name")
            return None

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                self.failed.emit(f"Cannot write {path}: {exc.strerror or exc}.")
            else:
                self.failed.emit(f"The map image could not be made: {exc}.")

        def got(text) -> None:
            # the basemap's tiles cannot be drawn into the image (another origin): say so
            self.basemap_left_out = isinstance(text, str) and '"basemapLeftOut":true' in text
            worker = workers.Worker(write_page_image, text, path, dpi, page, with_callbacks=False)
            worker.signals.finished.connect(workers.owned(self, lambda _p: self.written.emit(str(path))))
            worker.signals.failed.connect(workers.owned(self, failed))
            workers.start(worker)

        self._ask_page(width, height, title, key, scale, dpi, got)
        return None


def page_png(text: Any) -> bytes:
    """The PNG bytes of ``SM.exportImage``'s JSON answer; ``ValueError`` with the reason when it
    holds none."""
    try:
        result = json.loads(text) if isinstance(text, str) and text else None
    except ValueError:
        result = None
    if not isinstance(result, dict) or not str(result.get("data", "")).startswith("data:image/png;base64,"):
        raise ValueError("the map page made no image (is a project open and the map shown?)")
    data = base64.b64decode(result["data"].split(",", 1)[1])
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("the map page's image is not a PNG")
    return data


def decode_page_image(text: Any) -> QImage:
    """The image of ``SM.exportImage``'s JSON answer (see :func:`page_png`)."""
    image = QImage()
    if not image.loadFromData(QByteArray(page_png(text)), "PNG") or image.isNull():
        raise ValueError("the map page's image could not be read")
    return image


def png_with_dpi(data: bytes, dpi: int) -> bytes:
    """The PNG ``data`` recording ``dpi``: a ``pHYs`` chunk (pixels per metre, unit 1 = metre;
    PNG specification, section 11.3.5.3) put right after ``IHDR`` in place of any other. The
    page's PNG is written as it is: decoding and encoding an A4 page at 300 dpi again held the
    interpreter for a second."""
    import struct
    import zlib

    if data[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG")
    dpm = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", dpm, dpm, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    chunks = []
    at = 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        end = at + 12 + length
        if kind != b"pHYs":
            chunks.append(data[at:end])
            if kind == b"IHDR":
                chunks.append(phys)
        at = end
    return PNG_SIGNATURE + b"".join(chunks)


def write_page_image(text: Any, path: Path, dpi: int, page: tuple[str, bool] | None) -> Path:
    """Write the page's answer to ``path`` as PNG (its own bytes, with ``dpi``) or PDF (by the
    suffix), atomically."""
    from socialmap.store.atomic import write_file

    if path.suffix.lower() == ".png":
        data = png_with_dpi(page_png(text), dpi)
    else:
        data = pdf_bytes(decode_page_image(text), dpi, page)
    write_file(path, lambda tmp: Path(tmp).write_bytes(data))
    return path


def pdf_bytes(image: QImage, dpi: int, page: tuple[str, bool] | None) -> bytes:
    """``image`` on one PDF page, filling it: the paper of ``page`` or the image's size at ``dpi``."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setResolution(int(dpi))
    if page is not None:
        paper, landscape = page
        size = QPageSize(QPageSize.PageSizeId.A3 if paper == "A3" else QPageSize.PageSizeId.A4)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    else:
        size = QPageSize(QSizeF(image.width() / dpi * 25.4, image.height() / dpi * 25.4), QPageSize.Unit.Millimeter)
        orientation = QPageLayout.Orientation.Portrait
    writer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
    writer.setTitle("SocialMap map")
    writer.setCreator("SocialMap")
    painter = QPainter()
    if not painter.begin(writer):
        raise ValueError("the PDF could not be started")
    try:
        target = painter.viewport()
        painter.drawImage(target, image)
    finally:
        painter.end()
    return bytes(buf.data().data())


def print_map(window, printer, *, title: str = "", then=None) -> None:
    """Print the current view on ``printer`` (a QPrinter, e.g. from the Print dialog), filling its
    page at its resolution (at most 300 dpi); ``then(ok, reason)`` when done."""
    dpi = min(int(printer.resolution()), 300)
    rect = printer.pageLayout().paintRectPixels(dpi)
    exporter = window.map_tools.exporter if hasattr(window, "map_tools") else MapExporter(window)

    def draw(image: QImage | None, reason: str) -> None:
        if image is None:
            if then:
                then(False, reason)
            return
        painter = QPainter()
        if not painter.begin(printer):
            if then:
                then(False, "the printer could not be started")
            return
        try:
            painter.drawImage(painter.viewport(), image)
        finally:
            painter.end()
        if then:
            then(True, "")

    exporter.render(rect.width(), rect.height(), title=title, dpi=dpi, then=draw)


class ExportDialog(QDialog):
    """File ▸ Export map image: the file, the size (a sheet at a resolution, the screen's size
    or pixels), a title, and whether to draw the key and scale bar."""

    SIZES = (("A4 landscape, 300 dpi", ("A4", True, 300)), ("A3 landscape, 300 dpi", ("A3", True, 300)),
             ("A4 portrait, 300 dpi", ("A4", False, 300)), ("A4 landscape, 150 dpi", ("A4", True, 150)),
             ("The map's size on screen", "screen"), ("Pixels", "pixels"))

    def __init__(self, window, path: str = "", title: str = "") -> None:
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Export map image")
        form = QFormLayout(self)
        self.path = QLineEdit(path)
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("File (.png or .pdf):", row)
        self.size = QComboBox()
        for text, data in self.SIZES:
            self.size.addItem(text, data)
        form.addRow("Size:", self.size)
        self.width_px = QSpinBox()
        self.height_px = QSpinBox()
        for box, value in ((self.width_px, 2000), (self.height_px, 1400)):
            box.setRange(100, 12000)
            box.setValue(value)
            box.setSuffix(" px")
        px = QHBoxLayout()
        px.addWidget(self.width_px)
        px.addWidget(self.height_px)
        form.addRow("Pixels (width, height):", px)
        self.title = QLineEdit(title)
        form.addRow("Title:", self.title)
        self.key = QCheckBox("Key")
        self.key.setChecked(True)
        self.scale = QCheckBox("Scale bar and north arrow")
        self.scale.setChecked(True)
        form.addRow("", self.key)
        form.addRow("", self.scale)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.size.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        pixels = self.size.currentData() == "pixels"
        self.width_px.setEnabled(pixels)
        self.height_px.setEnabled(pixels)

    def _browse(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Export map image", self.path.text(),
                                                   "PNG image (*.png);;PDF document (*.pdf)")
        if path:
            if not path.lower().endswith((".png", ".pdf")):
                path += ".pdf" if "pdf" in chosen.lower() else ".png"
            self.path.setText(path)

    def choice(self) -> dict[str, Any]:
        """What was chosen: path, width, height, dpi, page (paper, landscape) or None, title, key, scale."""
        data = self.size.currentData()
        page = None
        dpi = 96
        if data == "pixels":
            width, height = self.width_px.value(), self.height_px.value()
        elif data == "screen":
            ratio = self.window.map.devicePixelRatioF()
            width, height = round(self.window.map.width() * ratio), round(self.window.map.height() * ratio)
        else:
            paper, landscape, dpi = data
            width, height = paper_pixels(paper, landscape, dpi)
            page = (paper, landscape)
        return {"path": self.path.text().strip(), "width": width, "height": height, "dpi": dpi, "page": page,
                "title": self.title.text().strip(), "key": self.key.isChecked(), "scale": self.scale.isChecked()}


# ===================================================================== hooking in


class MapTools(QObject):
    """What :func:`install` adds to the window (kept on it as ``window.map_tools``)."""

    def __init__(self, window, toolbar) -> None:
        super().__init__(window)
        self.window = window
        self.search = MapSearchBox(window)
        toolbar.addSeparator()
        toolbar.addWidget(self.search)
        self.place_postcode = PlacePostcode(window, self.search)
        window.statusBar().addWidget(self.place_postcode)
        self.exporter = MapExporter(window)
        self.exporter.written.connect(lambda p: window.statusBar().showMessage(
            f"Map image written: {p}" + (" (without the basemap, which only the map shows)"
                                         if self.exporter.basemap_left_out else ""), 10000))
        self.exporter.failed.connect(lambda reason: window.show_error("Export map image", reason))
        self.ranked = False
        # the ranking is shown after it runs, and cleared when another view is chosen
        sp = window.scenario_panel
        sp.rankDone.connect(self.show_ranking)
        window.colour_by.currentIndexChanged.connect(lambda _i: self.clear_ranking())
        sp.mapStateRequested.connect(lambda *_a: self.clear_ranking())
        window.change_panel.mapStyleRequested.connect(lambda _s: self.clear_ranking())
        window.analysis_panel.mapModeRequested.connect(lambda _m: self.clear_ranking())
        window.doc.projectReplaced.connect(self._on_replaced)

        self.act_search = QAction("Find on the &map\u2026", window)
        self.act_search.setShortcut("Ctrl+Shift+F")
        self.act_search.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.act_lookup = QAction("Postcode &lookup\u2026", window)
        self.act_lookup.setStatusTip("Your ONS Postcode Directory or NSPL extract (CSV): postcodes found and placed")
        self.act_lookup.triggered.connect(self.search.lookup_dialog)
        self.act_print = QAction("&Print map\u2026", window)
        self.act_print.setShortcut("Ctrl+P")
        self.act_print.triggered.connect(self.print_dialog)
        self.act_export = QAction("&Export map image\u2026", window)
        self.act_export.setStatusTip("The current map view as a PNG or PDF file, at a chosen size")
        self.act_export.triggered.connect(self.export_dialog)
        menu = window.file_menu
        menu.insertActions(window.act_quit, [self.act_lookup, self.act_print, self.act_export])
        menu.insertSeparator(window.act_quit)
        window.addAction(self.act_search)
        edit = next((a.menu() for a in window.menuBar().actions() if a.menu() and a.text() == "&Edit"), None)
        if edit is not None:
            edit.insertAction(window.act_find, self.act_search)  # beside Find in the table

    def _on_replaced(self) -> None:
        self.ranked = False
        self.window.map.call("setRanking", None)
        self.window.map.call("clearMark")

    def show_ranking(self, result) -> None:
        self.ranked = True
        self.window.map.call("setRanking", ranking_items(result))

    def clear_ranking(self) -> None:
        if self.ranked:
            self.ranked = False
            self.window.map.call("setRanking", None)

    def default_title(self) -> str:
        doc = self.window.doc
        return doc.path.stem.replace("_", " ") if doc.path else (doc.name or "SocialMap")

    def export_dialog(self) -> None:
        from socialmap.ui.save_paths import suggested_path

        # beside the project or in the documents folder, with a suggested name (issue 14)
        dialog = ExportDialog(self.window, suggested_path(self.window.doc, "map", ".png"), self.default_title())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        c = dialog.choice()
        if not c["path"]:
            self.window.show_error("Export map image", "Give the file to write (.png or .pdf).")
            return
        self.window.statusBar().showMessage(f"Making the map image ({c['width']} \u00d7 {c['height']} px)\u2026")
        self.exporter.export(c["path"], c["width"], c["height"], title=c["title"], key=c["key"], scale=c["scale"],
                             dpi=c["dpi"], page=c["page"])

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        dialog = QPrintDialog(printer, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._printer = printer  # kept until the page has made the image
        print_map(self.window, printer, title=self.default_title(),
                  then=lambda ok, why: ok or self.window.show_error("Print map", f"The map could not be printed: {why}."))


def install(window, toolbar) -> MapTools:
    """Add the search box (to ``toolbar``), the postcode lookup, print and export (File menu),
    the postcode field of Add organisation/service and the ranking on the map to ``window``."""
    return MapTools(window, toolbar)
