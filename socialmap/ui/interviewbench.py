"""The interview form at city scale, measured (issue 16, "measured ease").

``python -m socialmap.ui.interviewbench --young-people 100000`` builds
``socialmap.bench.synthetic_city(N)``, opens the interview form
(:class:`socialmap.ui.interview_dialog.InterviewDialog`, offscreen) for one of its young people
and records 15 alters across the four default prompts by simulated keystrokes, as the GUI test
does: typed names with strength and context, one existing person picked from the type-ahead,
Tab between prompts, Ctrl+Enter to finish. It prints one JSON document:

- ``open_s``: building the form (the type-ahead's list of every node);
- ``keystroke_ms``: per keystroke (a key press and everything Qt does for it before the next
  one: the type-ahead's filtering and popup), ``median``, ``p95``, ``max`` and ``count``;
  the target is under 50 ms;
- ``enter_ms``: per Enter that adds an answer (the whole interview checked again, the ring
  view and measures redrawn), ``median`` and ``max``;
- ``finish_s``: Ctrl+Enter, the one undoable edit added to the project;
- ``total_s``: from the form opening to the edit recorded (keystrokes typed at machine speed,
  so this is the software's share of an interview, not the talking);
- ``inputs``: key presses, counting a typed entry as one (as the GUI test counts);
- ``load_average``: of the machine meanwhile (other programs stretch every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

#: The 15 answers: (prompt, text typed); "@" marks a name picked from the type-ahead (its label
#: typed, then Down to its row and Enter), "#" an existing person given by their id.
ANSWERS = (
    ("time", "Ali, 3, {svc}"), ("time", "Bea, 2, {svc}"), ("time", "Cal, 2, {svc}"), ("time", "Dev, 1, {svc}"),
    ("time", "Eli, 2, {svc}"), ("time", "@{yp}"),
    ("trust", "#{adult}"), ("trust", "Ms K, 3, {svc}"), ("trust", "Mr T, 2, {svc}"),
    ("opportunity", "Coach P, 2, {svc}"), ("opportunity", "{org}, 2, {svc}"), ("opportunity", "Fin, 1, {svc}"),
    ("places", "Gym, 2, {org}"), ("places", "Library, 1, {org}"), ("places", "Boxing club, 3, {org}"),
)
KEYSTROKE_TARGET_MS = 50.0


def _settle() -> None:
    QCoreApplication.processEvents()


def run(young_people: int) -> dict[str, Any]:
    """Build the city, record the 15 alters and return the figures."""
    from socialmap.bench import synthetic_city
    from socialmap.ui.document import ProjectDocument
    from socialmap.ui.interview_dialog import InterviewDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    t0 = time.perf_counter()
    project = synthetic_city(young_people)
    build_s = time.perf_counter() - t0
    doc = ProjectDocument()
    doc.set_project(project, None)
    young = [n for n in project.nodes.values() if n.kind == "young_person"]
    ego = young[len(young) // 2]
    tied = project.adjacency.get(ego.id, set())
    # the type-ahead pick: the young person whose label the fewest others share (the city draws
    # first names from a pool, so a label is typically shared by hundreds)
    sharing: dict[str, int] = {}
    for n in project.nodes.values():
        sharing[n.label.lower()] = sharing.get(n.label.lower(), 0) + 1
    other_yp = min((n for n in young if n.id not in tied and n.id != ego.id), key=lambda n: sharing[n.label.lower()])
    adult = next(n for n in project.nodes.values() if n.kind == "adult" and n.id not in tied and n.label)
    svc = next(n.id for n in project.nodes.values() if n.kind == "service")
    org = next(n.id for n in project.nodes.values() if n.kind == "organisation" and n.id not in tied)
    nodes_before, ties_before = len(project.nodes), len(project.ties)

    keystrokes: list[float] = []
    enters: list[float] = []
    inputs = 0
    t_open = time.perf_counter()
    dialog = InterviewDialog(doc, ego.id)
    dialog.show()
    _settle()
    open_s = time.perf_counter() - t_open
    edit = dialog.name_edit
    order = [p.key for p in dialog.prompts]

    slowest: list[tuple[float, str]] = []

    def key(k, widget=None, modifier=Qt.KeyboardModifier.NoModifier, into: list[float] | None = None) -> None:
        start = time.perf_counter()
        QTest.keyClick(widget or edit, k, modifier)
        _settle()
        (into if into is not None else keystrokes).append((time.perf_counter() - start) * 1000)

    def type_text(text: str) -> None:
        for ch in text:
            before = edit.text()
            start = time.perf_counter()
            QTest.keyClicks(edit, ch)
            _settle()
            ms = (time.perf_counter() - start) * 1000
            keystrokes.append(ms)
            slowest.append((ms, before + ch))

    for prompt, template in ANSWERS:
        while order[dialog.prompt_index] != prompt:
            key(Qt.Key.Key_Tab)
            inputs += 1
        text = template.format(svc=svc, org=org, yp=other_yp.label, adult=adult.id)
        if text.startswith("#"):
            type_text(text[1:])
            key(Qt.Key.Key_Return, into=enters)
            dialog.completer.popup().hide()
            inputs += 2
        elif text.startswith("@"):  # picked from the type-ahead: its label typed, then the right row
            person = other_yp
            type_text(person.label)
            popup = dialog.completer.popup()
            wanted = next(c for c, i in dialog.choices.items() if i == person.id)
            model = dialog.completer.completionModel()
            row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == wanted)
            for _ in range(row + 1):
                key(Qt.Key.Key_Down, popup)
            key(Qt.Key.Key_Return, popup, into=enters)
            inputs += 2 + row + 1
            dialog.completer.popup().hide()
        else:
            type_text(text)
            key(Qt.Key.Key_Return, into=enters)
            dialog.completer.popup().hide()
            inputs += 2
        _settle()
    rows = dialog.model.rowCount()
    t_finish = time.perf_counter()
    key(Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier, into=[])
    inputs += 1
    finish_s = time.perf_counter() - t_finish
    total_s = time.perf_counter() - t_open
    recorded = (len(project.nodes) - nodes_before, len(project.ties) - ties_before)
    accepted = dialog.result() == dialog.DialogCode.Accepted
    status = dialog.status.text()
    doc.undo_stack.setClean()
    dialog.deleteLater()
    _settle()
    del app
    ordered = sorted(keystrokes)
    return {
        "young_people": young_people,
        "nodes": nodes_before,
        "ties": ties_before,
        "city_build_s": round(build_s, 2),
        "open_s": round(open_s, 3),
        "keystroke_ms": {"count": len(keystrokes), "median": round(statistics.median(keystrokes), 2),
                         "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2), "max": round(max(keystrokes), 2),
                         "target": KEYSTROKE_TARGET_MS},
        "slowest_keystrokes": [{"ms": round(ms, 1), "text": text} for ms, text in sorted(slowest, reverse=True)[:5]],
        "picked_label_shared_by": sharing[other_yp.label.lower()],
        "enter_ms": {"count": len(enters), "median": round(statistics.median(enters), 1),
                     "max": round(max(enters), 1)},
        "finish_s": round(finish_s, 3),
        "total_s": round(total_s, 2),
        "answers": rows,
        "recorded": {"new_nodes": recorded[0], "new_ties": recorded[1], "one_edit": doc.undo_stack.count() == 1,
                     "accepted": accepted, "status": status},
        "inputs": inputs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def screenshots(out: str) -> list[str]:
    """Pictures of the form, the ring view, the prompts editor and the ties table on the bundled
    sample project, for the user guide (``--screenshots DIR``)."""
    from pathlib import Path

    from PySide6.QtGui import QGuiApplication

    from socialmap.sample import generate_sample_project
    from socialmap.ui.document import ProjectDocument
    from socialmap.ui.interview_dialog import InterviewDialog, RingDialog
    from socialmap.ui.prompts_dialog import PromptsDialog
    from socialmap.ui.tie_entry import TieEntryDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    project = generate_sample_project()
    doc = ProjectDocument()
    doc.set_project(project, None)
    young = [n for n in project.nodes.values() if n.kind == "young_person"]
    ego = next(n for n in young if n.neet and project.degree(n.id) <= 2)
    services = sorted((n for n in project.nodes.values() if n.kind == "service"), key=lambda n: n.label)
    adult = next(n for n in project.nodes.values() if n.kind == "adult" and n.id not in project.adjacency[ego.id])
    dialog = InterviewDialog(doc, ego.id)
    dialog.resize(1100, 640)
    dialog.show()
    edit = dialog.name_edit

    def enter(text: str) -> None:
        QTest.keyClicks(edit, text)
        QTest.keyClick(edit, Qt.Key.Key_Return)
        dialog.completer.popup().hide()
        _settle()

    club = services[0].label
    for text in (f"Ali, 3, {club}", "Bea, 2", f"Cal, 2, {club}"):
        enter(text)
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    for text in (f"{adult.id}, 3", "Ms K, 3", "Mr T, 2"):
        enter(text)
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    enter("Coach P, 2")
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    enter(f"{services[1].label}, 2")
    enter("Boxing club, 3")
    written = []
    dialog.grab().save(str(folder / "screenshot-interview.png"))
    written.append(str(folder / "screenshot-interview.png"))
    dialog.ring_panel.arrangement.setCurrentIndex(1)
    _settle()
    dialog.ring_panel.grab().save(str(folder / "screenshot-ring-prompt.png"))
    written.append(str(folder / "screenshot-ring-prompt.png"))
    dialog.reject()
    ring = RingDialog(doc, ego.id)
    ring.show()
    _settle()
    ring.grab().save(str(folder / "screenshot-ring-view.png"))
    written.append(str(folder / "screenshot-ring-view.png"))
    ring.close()
    editor = PromptsDialog(doc)
    editor.show()
    editor.list.setCurrentIndex(editor.list_model.index(2))
    _settle()
    editor.grab().save(str(folder / "screenshot-prompts.png"))
    written.append(str(folder / "screenshot-prompts.png"))
    editor.reject()
    table = TieEntryDialog(doc)
    table.show()
    others = [n for n in young if n.id != ego.id][:3]
    QGuiApplication.clipboard().setText(
        "source\ttarget\ttype\tstrength\tcontext\n"
        f"{others[0].id}\t{others[1].id}\tpeer\t2\t{club}\n"
        f"{others[0].id}\t{services[2].id}\tattends\t\t\n"
        f"{others[2].id}\t{services[2].id}\tfriend\t\t\n"
        f"{others[1].id}\tNobody\tfriend\t\t\n"
        f"{others[2].id}\t{adult.id}\tmentor\t5\t\n")
    table.table.setFocus()
    table.paste()
    _settle()
    table.grab().save(str(folder / "screenshot-tie-entry.png"))
    written.append(str(folder / "screenshot-tie-entry.png"))
    table.reject()
    doc.undo_stack.setClean()
    _settle()
    del app
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialmap.ui.interviewbench", description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=100_000)
    parser.add_argument("--screenshots", metavar="DIR",
                        help="save pictures of the form, ring view, prompts editor and ties table instead")
    args = parser.parse_args(argv)
    if args.screenshots:
        for path in screenshots(args.screenshots):
            print(path)
        return 0
    if not 300 <= args.young_people <= 1_000_000:
        print(f"interviewbench: --young-people {args.young_people} is out of range 300..1,000,000", file=sys.stderr)
        return 2
    print(json.dumps(run(args.young_people), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
