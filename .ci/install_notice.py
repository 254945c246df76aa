"""What ``make run`` / ``make test`` are about to install into .venv, and roughly how big it is.

Standard library only: it runs with the system python3, before anything is installed. The
packages are read from pyproject.toml; the sizes are approximate downloads of the Linux
x86-64 wheels (PySide6 with QtWebEngine is most of it), measured for the versions current in
2026 and rounded: a guide for the wait, not a promise.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

#: Approximate download of each large package with what it pulls in, in MB.
DOWNLOAD_MB = {
    "pyside6": 260, "scipy": 40, "pyogrio": 25, "numpy": 17, "pandas": 13, "scikit-learn": 13,
    "pyproj": 9, "matplotlib": 8, "lxml": 5, "cryptography": 4, "igraph": 3, "shapely": 3,
    "reportlab": 2, "networkx": 2, "ruff": 11,
}
#: Installed size of the whole .venv, in GB (measured: 1.5 GB).
INSTALLED_GB = 1.5
#: Everything else, together (small pure-Python packages and the dependencies' dependencies), in MB.
OTHERS_MB = 30


def requirements(pyproject: str, extras: tuple[str, ...] = ("test",)) -> list[str]:
    """The distribution names of the dependencies (and of ``extras``) in pyproject.toml's text."""
    names: list[str] = []
    blocks = [re.search(r"^dependencies\s*=\s*\[(.*?)\]", pyproject, re.S | re.M)]
    blocks += [re.search(rf"^{e}\s*=\s*\[(.*?)\]", pyproject, re.S | re.M) for e in extras]
    for block in blocks:
        if block:
            names += [re.split(r"[<>=!~\[ ;]", s, maxsplit=1)[0] for s in re.findall(r'"([^"]+)"', block.group(1))]
    return names


def notice(pyproject: str) -> str:
    names = requirements(pyproject)
    big = [(n, DOWNLOAD_MB[n.lower()]) for n in names if n.lower() in DOWNLOAD_MB]
    big.sort(key=lambda t: -t[1])
    total = sum(mb for _, mb in big) + DOWNLOAD_MB["scikit-learn"] + OTHERS_MB  # scikit-learn: for libpysal
    shown = ", ".join(f"{n} (~{mb} MB)" for n, mb in big[:4])
    rest = ", ".join(n for n in names if n.lower() not in dict((b.lower(), 0) for b, _ in big[:4]))
    text = (f"make: setting up .venv (first run, or pyproject.toml changed). Installing {shown}, and {rest}. "
            f"About {round(total, -1):.0f} MB to download and {INSTALLED_GB} GB on disk: 2-5 minutes on a fast "
            f"connection, 15 or more on a slow one. pip names each package as it goes.")
    return textwrap.fill(text, width=100, subsequent_indent="  ")


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    print(notice(path.read_text(encoding="utf-8")), flush=True)
