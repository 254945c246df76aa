"""``python main.py PROJECT --screenshot OUT.png`` end to end, in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_option_writes_a_picture_of_the_drawn_map(tmp_path, project_file, qapp):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), str(project_file), "--screenshot", str(out), "--size", "1200x800"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    # Exact marker colours of the page: young people's orange and the
    # service's green are drawn, so the map really is in the picture.
    colours = {image.pixel(x, y) & 0xFFFFFF for x in range(0, 1200, 3) for y in range(0, 800, 3)}
    assert 0xE6550D in colours  # young people
    assert 0x238B45 in colours  # the service
    assert len(colours) > 100
    # the picture is of the first-start layout: the user's settings are neither read nor written
    assert not any((tmp_path / "config").rglob("*.conf"))


def test_start_opens_the_named_project_else_the_last_else_the_sample(tmp_path):
    from socialmap.ui.app import startup_project

    last = tmp_path / "last.gpkg"
    last.write_bytes(b"")
    sample = lambda: tmp_path / "sample.gpkg"  # noqa: E731
    assert startup_project("named.gpkg", str(last), sample) == ("named.gpkg", True)
    assert startup_project(None, str(last), sample) == (str(last), True)
    assert startup_project(None, str(tmp_path / "gone.gpkg"), sample) == (str(tmp_path / "sample.gpkg"), False)
    assert startup_project(None, None, sample) == (str(tmp_path / "sample.gpkg"), False)


def test_first_start_offers_the_sample_project_shipped_with_the_app():
    from socialmap.ui.mainwindow import sample_project_path

    path = sample_project_path()
    assert path.exists() and path.suffix == ".gpkg"
