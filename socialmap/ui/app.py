"""Start the desktop application: ``python main.py [PROJECT] [--screenshot OUT.png]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
VIEWS = ("main", "analysis", "scenario", "anchor", "change", "ranking", "repair")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="socialmap gui", description="Open the SocialMap desktop application.")
    parser.add_argument("project", nargs="?", help="project file (.gpkg, or an encrypted .smx: its passphrase is asked) to open; default: the last one, "
                        "or the bundled sample project on first start")
    parser.add_argument("--screenshot", metavar="OUT.png", help="open, wait for the map, save a picture of the window and exit")
    parser.add_argument("--view", choices=VIEWS, default="main",
                        help="with --screenshot: which view to show (main window, analysis/hotspots, scenario, anchor evidence, change, ranking on the map, repair: the repair view of a file edited elsewhere)")
    parser.add_argument("--size", default="1600x1000", help="with --screenshot: window size WIDTHxHEIGHT")
    return parser.parse_args(argv)


def _prepare_environment(screenshot: bool) -> None:
    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from socialmap.ui.console import chromium_flags

    flags = chromium_flags(os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""))  # Chromium's own errors: fatal only
    needed = []
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and "--disable-gpu" not in flags:
        needed.append("--disable-gpu")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        needed.append("--no-sandbox")  # Chromium refuses its sandbox as root
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([flags, *needed]).strip()


NO_DISPLAY = ("socialmap: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
              "Run it in a desktop session, under xvfb-run, or with --screenshot OUT.png; the command line "
              "(socialmap --help) needs no display.")


def display_problem(environ=os.environ, platform: str = sys.platform) -> str | None:
    """Why the window cannot open, or None: on Linux without an X or Wayland display (and no Qt
    platform chosen), Qt's own message blames a missing libxcb-cursor0 that is installed."""
    if not platform.startswith("linux"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY") or environ.get("QT_QPA_PLATFORM"):
        return None
    return NO_DISPLAY


def make_application():
    """The QApplication (reused when one exists), with WebEngine prerequisites set."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        import PySide6.QtWebEngineWidgets  # noqa: F401  (must be imported before the app exists)

        from socialmap.ui.console import install_message_handler

        install_message_handler()  # Qt's start-up noise kept off the console, real warnings shown

        from socialmap.ui.tilescheme import register_scheme

        register_scheme()  # the basemap's smtiles: scheme, before the app exists

        app = QApplication(sys.argv[:1])
    app.setOrganizationName("SocialMap")
    app.setApplicationName("SocialMap")
    app.setApplicationDisplayName("SocialMap")
    app.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
    qss = RESOURCES / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    return app


def run_app(argv: list[str]) -> int:
    """Open the main window; returns the exit code."""
    args = parse_args(argv)
    _prepare_environment(bool(args.screenshot))
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    app = make_application()
    from socialmap.ui.console import start_log

    start_log()  # the map page's console and Qt's filtered messages

    from socialmap.ui import recovery
    from socialmap.ui.mainwindow import MainWindow, sample_project_path

    if args.screenshot:
        import tempfile

        from PySide6.QtCore import QSettings

        from socialmap.ui.screenshot import ScreenshotDirector

        # A picture of the first-start layout: the user's kept window layout and recent files
        # are neither read (the picture would depend on them) nor overwritten by this window.
        with tempfile.TemporaryDirectory() as folder:
            settings = QSettings(str(Path(folder) / "screenshot.ini"), QSettings.Format.IniFormat)
            window = MainWindow(settings=settings)
            width, _, height = args.size.partition("x")
            window.resize(int(width), int(height))
            director = ScreenshotDirector(window, args.screenshot, args.view)
            window.show()
            window.open_path(args.project or sample_project_path(), remember=False)
            app.exec()
            _dispose(app, window)
            del settings
        return director.exit_code

    window = MainWindow()

    pending = recovery.pending_recovery()
    recovery.start_session()
    window.session_started = True
    window.show()
    if args.project or pending is None or not window.offer_recovery(pending):
        path, remember = startup_project(args.project, window.settings.value("files/last"), sample_project_path)
        window.open_path(path, remember=remember)
    code = app.exec()
    _dispose(app, window)
    return code


def startup_project(project_arg: str | None, last: str | None, sample) -> tuple[str, bool]:
    """The project to open at start, and whether it goes in the recent files.

    The one named on the command line; else the last one used, if it still
    exists; else (first start) the bundled sample project, from ``sample()``.
    """
    if project_arg:
        return str(project_arg), True
    if last and Path(str(last)).exists():
        return str(last), True
    return str(sample()), False


def _dispose(app, window) -> None:
    """Delete the window (and its web page) before the application goes, as
    QtWebEngine asks."""
    from PySide6.QtCore import QEvent

    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
