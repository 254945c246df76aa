"""The ``smtiles:`` URL scheme: basemap tiles served to the map page from the user's tile file,
inside the process, never over a network.

Qt WebEngine asks a :class:`QWebEngineUrlSchemeHandler` for every ``smtiles:KEY/Z/X/Y`` URL the
page's Leaflet tile layer requests (Qt, "QWebEngineUrlSchemeHandler Class": the scheme is
registered with :class:`QWebEngineUrlScheme` before the QApplication exists, then a handler is
installed on the page's profile). ``KEY`` names one open :class:`~socialmap.mapview.basemap.TileArchive`;
a new key for each basemap set means a tile of the previous file is never shown from the cache.
"""

from __future__ import annotations

import re
import secrets

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from socialmap.mapview.basemap import TileArchive

SCHEME = b"smtiles"
_PATH = re.compile(r"^([0-9a-f]{16,64})/(\d{1,2})/(\d{1,8})/(\d{1,8})(?:\.\w+)?$")


def register_scheme() -> None:
    """Register ``smtiles:`` with Qt WebEngine; must run before the QApplication is made (a later
    call does nothing). Path syntax (``smtiles:KEY/Z/X/Y``), a local scheme that file pages may
    load, secure, and with CORS so a canvas may read its pixels."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    flags = QWebEngineUrlScheme.Flag
    scheme.setFlags(flags.SecureScheme | flags.LocalScheme | flags.CorsEnabled)
    QWebEngineUrlScheme.registerScheme(scheme)


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``smtiles:`` requests from the archives registered with it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archives: dict[str, TileArchive] = {}
        #: tiles served and missing since the start (tests, the status of the basemap)
        self.served = 0
        self.missing = 0

    def add(self, archive: TileArchive) -> str:
        """Serve ``archive``; returns the key of its URLs."""
        key = secrets.token_hex(8)
        self.archives[key] = archive
        return key

    def remove(self, key: str | None) -> None:
        archive = self.archives.pop(key, None) if key else None
        if archive is not None:
            archive.close()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802
        url = job.requestUrl()
        match = _PATH.match(url.path())
        archive = self.archives.get(match.group(1)) if match else None
        if archive is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        z, x, y = (int(g) for g in match.group(2, 3, 4))
        data = archive.tile(z, x, y)
        if data is None:
            self.missing += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self.served += 1
        buffer = QBuffer(job)  # owned by the job: it lives as long as the reply is read
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        # the page (a file: URL) may copy the tiles into a picture of the map (CORS)
        job.setAdditionalResponseHeaders({QByteArray(b"Access-Control-Allow-Origin"): QByteArray(b"*")})
        job.reply(QByteArray(archive.info.mime_type.encode("ascii")), buffer)


def handler_for(profile: QWebEngineProfile) -> TileSchemeHandler:
    """The ``smtiles:`` handler of ``profile``, installed on first use (one per profile: every map
    view of the default profile shares it, each with archives of its own keys)."""
    installed = profile.urlSchemeHandler(SCHEME)
    if isinstance(installed, TileSchemeHandler):
        return installed
    handler = TileSchemeHandler(profile)
    profile.installUrlSchemeHandler(SCHEME, handler)
    return handler
