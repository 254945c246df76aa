"""A quiet console (issue 14): Chromium's GPU and D-Bus errors and Qt's platform warnings at
every start are not printed; a real warning is; the map page's console goes to the log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QtMsgType

from socialmap.ui import console

ROOT = Path(__file__).resolve().parents[2]
#: What a start printed before (on a machine without GPU or D-Bus, offscreen).
KNOWN_NOISE = ("QRhiGles2", "Failed to create RHI", "dbus", "Failed to connect to the bus", "GPUInfo",
               "propagateSizeHints", "Vulkan", "GBM is not supported", ":ERROR:", "Fontconfig")


def test_start_up_noise_is_recognised_and_real_warnings_are_not():
    for line in ("QRhiGles2: Failed to create temporary context", "Failed to create RHI for backend: OpenGL",
                 "This plugin does not support propagateSizeHints()", "GPUInfo not initialized on GpuInfoUpdate",
                 "QVulkanInstance: Failed to initialize Vulkan"):
        assert console.is_noise(line), line
    for line in ("QFont::fromString: Invalid description", "Release of profile requested but WebEnginePage "
                 "still not deleted. Expect troubles !", "QThread: Destroyed while thread is still running"):
        assert not console.is_noise(line), line


def test_the_handler_drops_noise_and_prints_real_warnings(capsys):
    console._handler(QtMsgType.QtWarningMsg, None, "This plugin does not support propagateSizeHints()")
    console._handler(QtMsgType.QtDebugMsg, None, "a debug line")
    assert capsys.readouterr().err == ""
    console._handler(QtMsgType.QtWarningMsg, None, "QThread: Destroyed while thread is still running")
    assert capsys.readouterr().err == "QThread: Destroyed while thread is still running\n"


def test_chromium_logs_fatal_errors_only_unless_the_user_chose():
    assert console.chromium_flags("", {}) == "--log-level=3"
    assert console.chromium_flags("--disable-gpu", {}) == "--disable-gpu --log-level=3"
    assert console.chromium_flags("--enable-logging --v=1", {}) == "--enable-logging --v=1"
    assert console.chromium_flags("", {"SOCIALMAP_VERBOSE": "1"}) == ""


def test_map_page_console_goes_to_the_log(caplog, capsys):
    with caplog.at_level(logging.INFO, logger="socialmap.map"):
        console.map_console_message("error", "SM is not defined", 12, "qrc:/page.html")
    assert caplog.records[-1].levelno == logging.ERROR
    assert "SM is not defined" in caplog.records[-1].getMessage()
    assert capsys.readouterr().out == ""  # printed on stdout before


def test_a_start_prints_nothing_but_its_result(tmp_path):
    """``main.py --screenshot`` offscreen, in its own process with its own home: stderr holds the
    screenshot line and no start-up noise; the noise went to the log file."""
    env = {k: v for k, v in os.environ.items() if k not in ("QTWEBENGINE_CHROMIUM_FLAGS", "SOCIALMAP_VERBOSE")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    (tmp_path / "run").mkdir(mode=0o700)
    out = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), "--size", "900x600"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert out.exists()
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"screenshot: wrote {out}"], lines
    assert not any(noise in done.stderr for noise in KNOWN_NOISE)
    logs = list((tmp_path / "data").rglob("socialmap.log"))
    assert logs, "the log file was written"
