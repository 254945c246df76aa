"""``socialmap bench --gui``: the window measured too (issue 13), beside the core stages.

The core never imports Qt (pyproject's import contracts), so the window's benchmark,
:mod:`socialmap.ui.guibench` (a real MainWindow, offscreen, on the same synthetic city), runs
in a process of its own; its JSON document is read back and shown as a table of the actions
against their targets, or given whole under ``"window"`` with ``--json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from socialmap.errors import SocialMapError

#: Longest the window's benchmark may take, seconds (about 3 minutes at 100,000 on 2 cores).
TIMEOUT_S = 3600


class WindowBenchError(SocialMapError):
    """The window's benchmark could not run (no Qt WebEngine, no display plug-in...)."""


def run_window_bench(young_people: int) -> dict[str, Any]:
    """The window's benchmark of ``young_people``, run by ``python -m socialmap.ui.guibench``
    in a child process (offscreen unless a platform is set); its JSON document."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    cmd = [sys.executable, "-m", "socialmap.ui.guibench", "--young-people", str(young_people)]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise WindowBenchError(f"the window's benchmark took longer than {TIMEOUT_S} s and was stopped") from exc
    if done.returncode != 0:
        last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
        raise WindowBenchError(f"the window's benchmark could not run (exit {done.returncode}): {last}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise WindowBenchError(f"the window's benchmark gave no JSON document: {exc}") from exc


def _cell(value: Any, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def window_rows(doc: dict[str, Any]) -> list[tuple[str, ...]]:
    """The table of the window's actions: action, seconds, UI gap, page busy, target, verdict."""
    rows = []
    for name, m in doc["actions"].items():
        if name == "memory":
            continue
        target = m.get("target") or {}
        parts = []
        if target.get("seconds") is not None:
            parts.append(f"{target['seconds']:g} s")
        if target.get("ui_gap_ms") is not None:
            parts.append(f"gap {target['ui_gap_ms']:g} ms")
        if target.get("page_busy_ms") is not None:
            parts.append(f"page {target['page_busy_ms']:g} ms")
        verdict = "" if "within_target" not in m else ("OK" if m["within_target"] else "OVER")
        rows.append((name, _cell(m.get("seconds"), 3), _cell(m.get("ui_gap_ms"), 1), _cell(m.get("page_busy_ms"), 1),
                     ", ".join(parts), verdict))
    memory = doc["actions"].get("memory")
    if memory:
        rows.append(("memory (MB)", f"{memory['total_mb']:.0f}", "", "",
                     f"2048 (Python {memory['python_peak_mb']:.0f} + page {memory['renderer_mb']:.0f})",
                     "OK" if memory["within_target"] else "OVER"))
    return rows


def print_window(doc: dict[str, Any]) -> None:
    """The window's table, as ``socialmap bench`` prints its stages."""
    from socialmap.bench import print_table

    print_table(("window action", "seconds", "UI gap ms", "page busy ms", "target", ""), window_rows(doc))
    print()
    print("the window (python -m socialmap.ui.guibench, offscreen): seconds until the result is on")
    print("screen; UI gap: the longest the window did not answer; page busy: the longest the map")
    print(f"did not answer; load average {', '.join(f'{x:g}' for x in doc.get('load_average', []))}")
