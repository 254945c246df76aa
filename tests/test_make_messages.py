"""``make run`` / ``make test`` say what they install and how big it is, or that the venv is up
to date (issue 14: they installed silently for minutes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_notice_names_the_big_packages_and_the_sizes():
    done = subprocess.run([sys.executable, str(ROOT / ".ci" / "install_notice.py"), str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert text.startswith("make: setting up .venv")
    assert "PySide6 (~260 MB)" in text and "scipy (~40 MB)" in text
    assert "geopandas" in text and "pytest-qt" in text  # every dependency named, test tools too
    assert "MB to download and 1.5 GB on disk" in text and "minutes" in text


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_says_when_the_venv_is_up_to_date(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    stamp = tmp_path / ".venv" / ".installed-stamp"
    stamp.parent.mkdir()
    stamp.touch()
    later = time.time() + 5
    os.utime(stamp, (later, later))
    done = subprocess.run(["make", "-s", "venv"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ("make: .venv is up to date with pyproject.toml, nothing to install "
                                   "(make clean to rebuild it)")
    # pyproject.toml newer than the stamp: make would install, and says so first (dry run)
    os.utime(stamp, (later - 3600, later - 3600))
    done = subprocess.run(["make", "-n", "venv"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "install_notice.py" in done.stdout and "pip install -e '.[test]'" in done.stdout
