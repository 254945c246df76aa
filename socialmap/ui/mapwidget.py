"""The map: the Leaflet page in a QWebEngineView, kept in step with the document.

The page is loaded once (:func:`socialmap.mapview.build_page`); afterwards
every change is a ``runJavaScript`` call carrying a JSON payload. A project
arrives as the compact parts of :func:`socialmap.mapview.binary.parts`
(areas, then the nodes' columns, then the ties' columns as base64 typed
arrays), each handed over in an event-loop turn of its own so the window and
the page stay usable while a city arrives. A QWebChannel object ("bridge")
carries clicks back to Python.

The widget keeps the page's row of every drawn node (:attr:`MapWidget.node_rows`): the
page appends a row for a node it has not drawn before, and so does the widget, so tie
columns made in a worker (an analysis' classes) can name nodes by row.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QFile, QIODevice, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView

from socialmap.mapview import page as mpage
from socialmap.mapview import payloads
from socialmap.ui.document import ProjectDocument

#: A mark in the queue of page calls: the nodes' and ties' parts of the project go here once
#: the job making them is done; the calls after it wait.
_WAIT = "(waiting for the map's nodes and ties)"


def _rest_parts(project) -> tuple[list[str], dict[str, int]]:
    """The nodes' and ties' parts of ``project`` as JSON texts (a job: off the UI thread)."""
    from socialmap.mapview import binary
    from socialmap.ui.workers import json_in_chunks

    parts, rows = binary.node_and_tie_parts(project)
    return [json_in_chunks(p) for p in parts], rows


#: A map part's JSON text longer than this (characters) is handed to the page in pieces of this
#: size, one per turn of the event loop (:class:`_Part`).
PART_PIECE_CHARS = 262_144


class _Part:
    """A map part's JSON text waiting to be handed to the page: at once when it is short
    (``SM.loadPart(text)``), else :data:`PART_PIECE_CHARS` characters per call
    (``SM.piece('...', last)``, each piece a single-quoted string literal, :func:`js_string`: the
    page joins them and parses the whole as JSON). One ``runJavaScript`` of a city's 4.9 MB nodes part held the UI thread
    33-36 ms of CPU and 127 ms of wall-clock time while the loading job shared Python's lock.
    ``function``: the page's call given the text (``SM.setTies`` of an analysis' 4 MB tie
    classes, ``SM.setReference``); the page takes pieces for those and ``loadPart`` only."""

    __slots__ = ("at", "function", "text")

    def __init__(self, text: str, function: str = "loadPart") -> None:
        self.text = text
        self.function = function
        self.at = 0

    @property
    def done(self) -> bool:
        return self.at >= len(self.text)

    def next_script(self) -> str:
        """The script of the next piece (the whole part when it is short)."""
        text, at = self.text, self.at
        if at == 0 and len(text) <= PART_PIECE_CHARS:
            self.at = len(text)
            return f"SM.{self.function}({text})"
        self.at = at + PART_PIECE_CHARS
        call = "" if self.function == "loadPart" else f", {json.dumps(self.function)}"
        return f"SM.piece({js_string(text[at:self.at])}, {'true' if self.done else 'false'}{call})"


def js_string(text: str) -> str:
    """``text`` as a JavaScript string literal in single quotes: only what ends or breaks such a
    literal is escaped. ``json.dumps`` escaped every double quote of a part's JSON text: the
    pieces of a city's 9.2 MB of parts took 22 ms of the UI thread (here 12 ms, best of three)
    while the loading job waited for Python's lock, and made scripts 5% longer for the page."""
    text = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    if not text.isascii():  # (the line and paragraph separators, which older engines refuse)
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (a name read with surrogateescape): Qt's
            # conversion would drop it, so it goes as the escape JSON would give it
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return f"'{text}'"


_SURROGATE = re.compile("[\ud800-\udfff]")


class RawJSON(str):
    """A JSON text made already (in a worker): :meth:`MapWidget.call` passes it to the page as
    it is. Serialising a city's 78,000 tie records on the UI thread held it 120 ms."""


class MapBridge(QObject):
    """The Python end of the page's QWebChannel: the page calls its slots.

    Only slots are published to the page (signals carrying Python objects
    make QWebChannel's introspection crash); the widget re-emits them.
    """

    def __init__(self, widget: MapWidget) -> None:
        super().__init__(widget)
        self._widget = widget

    @Slot(str, str)
    def jsFeatureClicked(self, kind: str, ident: str) -> None:  # noqa: N802
        self._widget.featureClicked.emit(kind, ident)

    @Slot(float, float)
    def jsMapClicked(self, lat: float, lon: float) -> None:  # noqa: N802
        self._widget.mapClicked.emit(lat, lon)

    @Slot(str)
    def jsLayersDrawn(self, counts_json: str) -> None:  # noqa: N802
        self._widget._on_drawn(json.loads(counts_json))

    @Slot()
    def jsPageReady(self) -> None:  # noqa: N802
        self._widget._on_page_ready()


class _Page(QWebEnginePage):
    """A page that refuses every navigation away (links in data cannot leave it)."""

    def acceptNavigationRequest(self, url, nav_type, is_main_frame):  # noqa: N802
        return nav_type == QWebEnginePage.NavigationType.NavigationTypeTyped or url.scheme() in ("data", "about", "file")

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802
        # to the log, not the console (socialmap.ui.console)
        from socialmap.ui.console import map_console_message

        levels = QWebEnginePage.JavaScriptConsoleMessageLevel
        name = {levels.ErrorMessageLevel: "error", levels.WarningMessageLevel: "warning"}.get(level, "info")
        map_console_message(name, message, line, source)


def _qwebchannel_js() -> str:
    f = QFile(":/qtwebchannel/qwebchannel.js")
    if not f.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("Qt's qwebchannel.js resource is missing")
    try:
        return bytes(f.readAll().data()).decode("utf-8")
    finally:
        f.close()


class MapWidget(QWebEngineView):
    """The map view of the open project."""

    #: The page reported what it draws: {"area": n, "young_person": n, ..., "ties": {cls: n}}.
    layersDrawn = Signal(dict)
    #: A feature was clicked on the map: (kind, id).
    featureClicked = Signal(str, str)
    #: The map was clicked (in add mode): (lat, lon).
    mapClicked = Signal(float, float)

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.ready = False
        self.last_counts: dict[str, Any] = {}
        self._pending: list[str] = []
        #: an edit's calls (its nodes and ties), gathered in one turn of the event loop and run
        #: as one script (SM.batch: each layer painted once; :meth:`_edit_call`)
        self._edit_calls: list[str] | None = None
        #: Scripts (with their callbacks) waiting for a project's first payload, which is handed
        #: to the page in a turn of the event loop of its own; None when nothing waits.
        self._deferred: list[tuple[Any, Any]] | None = None
        self.tie_classes: dict[tuple[str, str], str] | None = None
        #: (project, JSON texts of its payload parts, node rows) built by the loading worker.
        self.preloaded: tuple | None = None
        #: The JSON texts of the parts of a file being opened that the page draws already (the
        #: loading job's first stage, :meth:`show_preview_part`), until its project is shown.
        self.preview_texts: list[str] = []
        self.previewing = False
        self._preview_reported = False  # the page reported drawing the preview
        #: The page's row of each drawn node id (see the module text).
        self.node_rows: dict[str, int] = {}
        self.bridge = MapBridge(self)
        self.setPage(_Page(self))
        self.channel = QWebChannel(self.page())
        self.channel.registerObject("bridge", self.bridge)
        self.page().setWebChannel(self.channel)
        self.featureClicked.connect(self._on_feature_clicked)
        doc.projectReplaced.connect(self._on_replaced)
        doc.nodesChanged.connect(self._on_nodes)
        doc.tiesChanged.connect(self._on_ties)
        doc.selectionChanged.connect(self._on_selection)
        doc.areasChanged.connect(self._on_areas)
        doc.asOfChanged.connect(self._on_as_of)
        html = mpage.build_page(extra_scripts=(_qwebchannel_js(),))
        self.setHtml(html, QUrl.fromLocalFile(str(mpage.leaflet_dir()) + "/"))

    # ------------------------------------------------------------ JS plumbing
    #: The page's calls whose one argument, a long :class:`RawJSON`, may go in pieces.
    PIECED_CALLS = ("setTies", "setReference")

    def call(self, function: str, *args: Any, callback=None) -> None:
        """Call ``SM.<function>(*args)`` with JSON-serialised arguments (a long JSON text made
        already, the one argument of :attr:`PIECED_CALLS`, a piece per turn: :class:`_Part`)."""
        if (self.ready and callback is None and function in self.PIECED_CALLS and len(args) == 1
                and isinstance(args[0], RawJSON) and len(args[0]) > PART_PIECE_CHARS):
            self._run_part(_Part(args[0], function))
            return
        script = f"SM.{function}({', '.join(a if isinstance(a, RawJSON) else json.dumps(a) for a in args)})"
        if not self.ready:
            self._pending.append(script)
            return
        self._run(script, callback)

    def _edit_call(self, function: str, *args: Any) -> None:
        """``SM.<function>(*args)`` for an edit: the calls of one turn of the event loop (a
        deleted person's ties, then the person) run as one script, ``SM.batch``, in which the
        page paints each layer once; any other script runs after them (:meth:`_run`)."""
        if not self.ready or self._deferred is not None:  # (after the parts being handed over, in order)
            self.call(function, *args)
            return
        if self._edit_calls is None:
            self._edit_calls = []
            QTimer.singleShot(0, self._run_edit_calls)
        self._edit_calls.append(f"SM.{function}({', '.join(json.dumps(a) for a in args)})")

    def _run_edit_calls(self) -> None:
        calls, self._edit_calls = self._edit_calls, None
        if calls:
            self._run("SM.batch([" + ", ".join(f"function () {{ {c}; }}" for c in calls) + "])")

    def _run_part(self, part: _Part) -> None:
        """Hand ``part`` over a piece a turn after the calls made before it; the calls made
        meanwhile wait for it."""
        if self._edit_calls:
            self._run_edit_calls()
        if self._deferred is None:
            self._deferred = [(part, None)]
            QTimer.singleShot(0, self._run_deferred)
        else:
            self._deferred.append((part, None))

    def evaluate(self, script: str, callback) -> None:
        """Run a script and hand its (JSON-converted) result to ``callback``."""
        self._run(script, callback)

    def _run(self, script: str, callback=None) -> None:
        if self._edit_calls:  # an edit's calls first, in order
            self._run_edit_calls()
        if self._deferred is not None:  # after the payload being handed over, in order
            self._deferred.append((script, callback))
        elif callback is None:
            self.page().runJavaScript(script, 0)
        else:
            self.page().runJavaScript(script, 0, callback)

    def _on_page_ready(self) -> None:
        self.ready = True
        self.reload_data()
        pending, self._pending = self._pending, []
        for script in pending:
            if not script.startswith("SM.load("):
                self.page().runJavaScript(script, 0)

    def _on_drawn(self, counts: dict) -> None:
        self.last_counts = counts
        if self.previewing:
            self._preview_reported = True
        self.layersDrawn.emit(counts)

    # ------------------------------------------------------------ document -> page
    def _on_replaced(self) -> None:
        self.tie_classes = None  # classes of the previous project's analysis
        self.reload_data()

    def reload_data(self) -> None:
        if not self.ready:
            return
        self._edit_calls = None  # edits of what was drawn: the page draws the whole project again
        project = self.doc.project
        preloaded, self.preloaded = self.preloaded, None
        rows: dict[str, int] | None
        shown, self.preview_texts, self.previewing = self.preview_texts, [], False
        reported, self._preview_reported = self._preview_reported, False
        if preloaded is not None and preloaded[0] is project and self.tie_classes is None and self.doc.as_of is None:
            texts, rows = preloaded[1], preloaded[2]  # built with the project in the loading worker
            if texts == shown:  # the page drew these parts already, from the file's first stage
                texts = []
                if reported:  # and said so while the project was not shown yet: said again now
                    counts = dict(self.last_counts)
                    QTimer.singleShot(0, lambda: self.doc.project is project and self.layersDrawn.emit(counts))
        else:
            from socialmap.mapview import binary
            from socialmap.ui.workers import json_in_chunks

            parts, rows = binary.parts(project, self.tie_classes, on=self.doc.as_of)
            texts = [json_in_chunks(p) for p in parts]
        # Each part in a turn of the event loop of its own, 15 ms apart (after a tick of a 10 ms
        # timer, if any): the areas are drawn and the window answers while the young people and
        # ties are still on their way. Page calls made meanwhile wait for them, in order.
        scripts: list[tuple[Any, Any]] = [(_Part(text), None) for text in texts]
        if rows is None:  # the nodes and ties are made by a job: their scripts wait for it
            scripts.append((_WAIT, None))
            self._make_rest(project)
        else:
            self._set_rows(rows)
        if self._deferred is None:
            self._deferred = scripts
            QTimer.singleShot(15, self._run_deferred)
        else:
            self._deferred.extend(scripts)
        kind, ident = self.doc.selection
        if ident:
            self.call("select", kind, ident, False)

    def show_preview_part(self, text: str) -> None:
        """Draw a part of a file being opened (the JSON text of a part of
        :class:`socialmap.mapview.binary.PartsPreview`) before its project is shown: the map can be
        looked at and moved meanwhile, but clicks select nothing (the records are not there
        yet). Once the project is shown, parts equal to these are not sent again."""
        if not self.ready:
            return
        self.previewing = True
        self.preview_texts.append(text)
        self._run_part(_Part(text))  # a piece a turn; calls made meanwhile wait

    def withdraw_preview(self) -> None:
        """The file being opened was not opened: draw the open project again."""
        if self.previewing:
            self.preview_texts, self.previewing = [], False
            self.reload_data()

    def _set_rows(self, rows: dict[str, int]) -> None:
        # in place: an analysis job started meanwhile holds this dict, and runs after the job
        # that fills it (one job thread)
        self.node_rows.clear()
        self.node_rows.update(rows)

    def _make_rest(self, project) -> None:
        """Make the nodes' and ties' parts of ``project`` in a job (edits wait for it: it reads
        the project), then hand them to the page in place of the waiting mark."""
        from socialmap.ui import workers

        self.node_rows.clear()
        worker = workers.Worker(_rest_parts, project, with_callbacks=False)

        def done(result) -> None:
            texts, rows = result
            if self.doc.project is not project:
                return
            self._set_rows(rows)
            waiting = self._deferred if self._deferred is not None else []
            at = next((i for i, (s, _c) in enumerate(waiting) if s is _WAIT), None)
            scripts = [(_Part(text), None) for text in texts]
            if at is None:
                waiting.extend(scripts)
            else:
                waiting[at:at + 1] = scripts
            self._deferred = waiting
            QTimer.singleShot(0, self._run_deferred)

        worker.signals.finished.connect(workers.owned(self, done))
        self.doc.run_locked(worker, "the map")

    def _run_deferred(self) -> None:
        """Hand the page the next piece of the waiting part (the next in a turn of its own, the
        next part 15 ms later); the calls after the last part run together."""
        waiting = self._deferred or []
        while waiting and isinstance(waiting[0][0], _Part):
            part = waiting[0][0]
            self.page().runJavaScript(part.next_script(), 0)
            if not part.done:
                QTimer.singleShot(0, self._run_deferred)
                return
            waiting.pop(0)
            if waiting and (isinstance(waiting[0][0], _Part) or waiting[0][0] is _WAIT):
                if waiting[0][0] is not _WAIT:
                    QTimer.singleShot(15, self._run_deferred)
                return
        if waiting and waiting[0][0] is _WAIT:
            return  # the job's parts come first
        # the calls up to the next part (or the job's mark) run together; that part in its turn
        at = next((i for i, (s, _c) in enumerate(waiting) if isinstance(s, _Part) or s is _WAIT), len(waiting))
        self._deferred = None
        for script, callback in waiting[:at]:
            self._run(script, callback)
        if at < len(waiting):
            self._deferred = waiting[at:]
            if isinstance(waiting[at][0], _Part):
                QTimer.singleShot(0, self._run_deferred)

    def show_ties(self, ties: Any) -> None:
        """Draw exactly these ties: records [{"key", "cls"}, ...], or the JSON text of a
        :func:`socialmap.mapview.binary.ties_block` made off the UI thread with
        :attr:`node_rows`."""
        self.call("setTies", ties)

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        project = self.doc.project
        for nid in removed:
            self._edit_call("removeNode", nid)
        for nid in [*added, *changed]:
            node = project.nodes.get(nid)
            feat = payloads.node_feature(node) if node is not None else None
            if feat is not None:
                if nid not in self.node_rows:  # the page appends it too
                    self.node_rows[nid] = len(self.node_rows)
                self._edit_call("upsertNode", feat)
            elif node is not None:
                self._edit_call("removeNode", nid)

    def _on_ties(self, added: list, changed: list, removed: list) -> None:
        project = self.doc.project
        group_by = project.setting("group_by") or "area_code"
        keys = [tuple(k) for k in [*added, *changed]]
        records = [{"key": r["key"], "cls": r["cls"]}
                   for r in payloads.ties_payload(project, self.tie_classes, group_by=group_by, keys=keys, on=self.doc.as_of)]
        drawn = {r["key"] for r in records}
        gone = ["|".join(k) for k in removed] + ["|".join(k) for k in keys if "|".join(k) not in drawn]
        self._edit_call("upsertTies", records, gone)

    def _on_as_of(self) -> None:
        """Draw the ties in force on the new As of date (the classes of the last analysis kept)."""
        if not self.ready:
            return
        project = self.doc.project
        group_by = project.setting("group_by") or "area_code"
        self.show_ties(payloads.ties_payload(project, self.tie_classes, group_by=group_by, on=self.doc.as_of))

    def _on_areas(self, codes: list) -> None:
        for code in codes:
            if code in self.doc.project.areas:
                self.call("updateArea", payloads.area_feature(self.doc.project, code))

    def _on_selection(self, kind: str, ident: str) -> None:
        if kind == "tie":
            a, _, _b = ident.partition("|")
            node = self.doc.project.nodes.get(a)
            self.call("select", node.kind if node else "", a, True)
            return
        self.call("select", kind, ident or None, True)

    def _on_feature_clicked(self, kind: str, ident: str) -> None:
        if self.previewing:  # the map of a file still being read: nothing to select yet
            return
        self.doc.select(kind, ident)

    # ------------------------------------------------------------ other views
    def set_area_style(self, style: dict | None) -> None:
        self.call("setAreaStyle", style)

    def set_outlines(self, codes: list[str]) -> None:
        self.call("setOutlines", list(codes))

    def set_visible(self, name: str, visible: bool) -> None:
        self.call("setVisible", name, bool(visible))

    def set_mode(self, mode: str) -> None:
        self.call("setMode", mode)

    def set_reach(self, origin: list[float] | None, points: list[list[float]], codes: list[str]) -> None:
        self.call("setReach", origin, points, list(codes))
