"""A quiet console: what Qt and Chromium print at every start is not shown unless something is wrong.

At each start QtWebEngine's Chromium printed its D-Bus and GPU errors ("Failed to connect to
the bus", "GPUInfo not initialized", "Failed to create RHI for backend: OpenGL") and Qt its
platform warnings ("This plugin does not support propagateSizeHints()"): none of them is a
fault of SocialMap or of the user's data, and a real warning was lost among them. So:

* Chromium logs only fatal errors (``--log-level=3``) unless the user's own
  ``QTWEBENGINE_CHROMIUM_FLAGS`` choose a log level (:func:`chromium_flags`);
* a Qt message handler (:func:`install_message_handler`) drops the known start-up noise
  (:data:`NOISE`) and passes every other warning, critical and fatal message to stderr;
* the map page's JavaScript console goes to the ``socialmap.map`` logger, written to
  :func:`log_path` by the application (:func:`start_log`), never to the console.

``SOCIALMAP_VERBOSE=1`` turns the filtering off (everything printed, as before).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

#: Messages Qt and QtWebEngine print on machines without GPU, Vulkan or a D-Bus session
#: (virtual machines, remote desktops, CI, offscreen): start-up noise, not problems.
NOISE = tuple(re.compile(p) for p in (
    r"^QRhiGles2: Failed to create (temporary )?context",
    r"^Failed to create RHI for backend",
    r"^This plugin does not support ",
    r"^QVulkanInstance: Failed to initialize Vulkan",
    r"^GBM is not supported with the current configuration",
    r"^GPUInfo not initialized",
    r"^Sandboxing disabled by user",
    r"^Failed to connect to the bus",
    r"^QXcbIntegration: Cannot create platform OpenGL context",
    r"^Could not create the OpenGL context",
    r"^eglInitialize .* failed",
    r"^qt\.glx: ",
    r"^libEGL warning",
))

#: Chromium's flag choosing its log level: 3 is fatal errors only (0 info, 1 warning, 2 error).
QUIET_LOG_LEVEL = "--log-level=3"

log = logging.getLogger("socialmap")
log.addHandler(logging.NullHandler())  # no "No handlers" fallback to stderr when no log file is set up
map_log = logging.getLogger("socialmap.map")
qt_log = logging.getLogger("socialmap.qt")


def verbose(environ=os.environ) -> bool:
    """Whether the user asked for everything on the console (``SOCIALMAP_VERBOSE=1``)."""
    return environ.get("SOCIALMAP_VERBOSE", "").strip().lower() in ("1", "yes", "true", "on")


def is_noise(message: str) -> bool:
    """Whether a Qt message is known start-up noise (:data:`NOISE`)."""
    text = message.strip()
    return any(p.search(text) for p in NOISE)


def chromium_flags(flags: str, environ=os.environ) -> str:
    """``flags`` (the user's ``QTWEBENGINE_CHROMIUM_FLAGS``) with Chromium's logging limited to
    fatal errors, unless they already set a log level or logging, or the user asked for verbose.

    >>> chromium_flags("")
    '--log-level=3'
    >>> chromium_flags("--disable-gpu --log-level=0")
    '--disable-gpu --log-level=0'
    """
    if verbose(environ) or "--log-level" in flags or "--enable-logging" in flags:
        return flags
    return " ".join([flags, QUIET_LOG_LEVEL]).strip()


def _handler(mode, context, message: str) -> None:
    from PySide6.QtCore import QtMsgType

    if is_noise(message):
        qt_log.debug("%s", message)  # kept in the log, where a support question can find it
        return
    if mode in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
        qt_log.debug("%s", message)
        return
    qt_log.warning("%s", message)
    print(message, file=sys.stderr, flush=True)


def install_message_handler(environ=os.environ) -> bool:
    """Install the filtering Qt message handler (before the QApplication exists, so the first
    messages go through it too); False (nothing installed) when the user asked for verbose."""
    if verbose(environ):
        return False
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(_handler)
    return True


def log_path() -> Path:
    """The application's log file: ``socialmap.log`` in its local data folder."""
    from PySide6.QtCore import QStandardPaths

    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(folder or Path.home() / ".socialmap") / "socialmap.log"


def start_log(path: Path | None = None) -> Path | None:
    """Write the ``socialmap`` loggers to ``path`` (default :func:`log_path`), at most 1 MB kept
    in two files; None when the folder cannot be written (the log is then left out)."""
    from logging.handlers import RotatingFileHandler

    path = path or log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=512 * 1024, backupCount=1, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    return path


def map_console_message(level_name: str, message: str, line: int, source: str) -> None:
    """A message of the map page's JavaScript console, to the log (errors as errors)."""
    where = f"{source[:120]}:{line}" if source else f"line {line}"
    if level_name == "error":
        map_log.error("map page: %s (%s)", message, where)
    elif level_name == "warning":
        map_log.warning("map page: %s (%s)", message, where)
    else:
        map_log.info("map page: %s (%s)", message, where)
