"""A long map part reaches the page a piece at a time (issue 13: one ``runJavaScript`` of a
city's 4.9 MB nodes part held the UI thread 33-36 ms of CPU, 127 ms while the loading job
shared Python's lock): each piece is a JSON string literal, the page joins them and parses the
whole as JSON, so what it draws, and every label's text, is the same as from one call; calls
made meanwhile run after the part."""

from __future__ import annotations

import json

from socialmap.store import save_project
from socialmap.ui import mapwidget
from tests.ui.conftest import WAIT_MS, drawable_counts, js, wait_drawn

#: A label that is not plain text to a script: quotes, a backslash, markup, a line separator
#: (U+2028 ends a line in old JavaScript), a character outside the BMP and a lone "}".
AWKWARD = 'Quote "x" \\ back </script><b>bold</b> \u2028 line \U0001f600 smile }'


def _recording(window) -> list[str]:
    """The scripts the widget hands the page from now on."""
    page = window.map.page()
    real = page.runJavaScript
    scripts: list[str] = []

    def run(script, *args):
        scripts.append(script)
        return real(script, *args)

    page.runJavaScript = run
    return scripts


def test_a_long_part_goes_in_pieces_and_draws_what_one_call_draws(make_window, qtbot, tmp_path, small_project,
                                                                   monkeypatch):
    small_project.nodes["o1"].label = AWKWARD
    path = tmp_path / "awkward.gpkg"
    save_project(small_project, path)
    monkeypatch.setattr(mapwidget, "PART_PIECE_CHARS", 97)
    window = make_window()
    wait_drawn(window, qtbot)  # the empty project's parts
    scripts = _recording(window)
    seen: dict = {}

    def as_soon_as_loaded() -> None:  # a call asked for before the last piece is handed over
        window.map.evaluate("JSON.stringify(SM.tieCount())", lambda r: seen.setdefault("ties", r))

    window.projectLoaded.connect(as_soon_as_loaded)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        window.open_path(path)
    counts = wait_drawn(window, qtbot)
    expected = drawable_counts(window.doc.project)
    assert (counts["area"], counts["young_person"], counts["organisation"], counts["service"]) == (2, 3, 1, 1)
    qtbot.waitUntil(lambda: "ties" in seen, timeout=WAIT_MS)
    assert json.loads(seen["ties"]) == expected["ties"] == 4

    pieces = [s for s in scripts if s.startswith("SM.piece(")]
    whole = [s for s in scripts if s.startswith("SM.loadPart(")]
    assert len(pieces) > 10 and not whole  # every part is longer than 97 characters here
    # each piece carries at most 97 characters of the part (escaped as a JSON string)
    assert all(len(_unquoted(s[len("SM.piece("):s.rindex(",")])) <= 97 for s in pieces)
    assert sum(s.endswith(", true)") for s in pieces) == 3  # areas, nodes, ties: three parts
    # the label reached the page as text, character for character
    assert js(window, qtbot, "SM.nodes.labels[SM.nodes.row.get('o1')]") == AWKWARD
    assert js(window, qtbot, "SM.nodes.labels[SM.nodes.row.get('yp2')]") == "Sam"


def test_a_short_part_goes_in_one_call(make_window, qtbot, project_file):
    window = make_window()
    wait_drawn(window, qtbot)  # the empty project's parts
    scripts = _recording(window)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        window.open_path(project_file)
    wait_drawn(window, qtbot)
    assert not [s for s in scripts if s.startswith("SM.piece(")]
    assert len([s for s in scripts if s.startswith("SM.loadPart(")]) == 3


def test_part_pieces_cut_anywhere_join_to_the_text(monkeypatch):
    text = json.dumps({"label": AWKWARD, "n": list(range(40))})
    for size in (1, 2, 7, 64, len(text), len(text) + 5):
        monkeypatch.setattr(mapwidget, "PART_PIECE_CHARS", size)
        part, scripts = mapwidget._Part(text), []
        while not part.done:
            scripts.append(part.next_script())
        if size >= len(text):
            assert scripts == [f"SM.loadPart({text})"]
            continue
        assert all(s.startswith("SM.piece(") for s in scripts)
        assert [s.endswith(", true)") for s in scripts] == [False] * (len(scripts) - 1) + [True]
        joined = "".join(_unquoted(s[len("SM.piece("):s.rindex(",")]) for s in scripts)
        assert joined == text and json.loads(joined)["label"] == AWKWARD


def _unquoted(literal: str) -> str:
    """The text of a single-quoted JavaScript string literal, read by the language's rules (its
    escapes: \\', \\\\, \\n, \\r, \\uXXXX); a quote, line break or line separator left
    unescaped inside it fails the test."""
    assert literal[0] == literal[-1] == "'", literal[:20]
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        c = body[i]
        assert c not in "'\n\r\u2028\u2029", f"unescaped {c!r} at {i}"
        if c == "\\":
            escaped = body[i + 1]
            if escaped == "u":
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append({"n": "\n", "r": "\r"}.get(escaped, escaped))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


RAW = AWKWARD + " it's \\'quoted\\' \n new line \r\n \u2029 para \\u0041 not an escape \x00 nul"


def test_a_text_is_a_javascript_literal_of_itself():
    """Quotes, backslashes (one before a quote, one before a 'u'), line breaks, the line and
    paragraph separators, a NUL, markup and a character beyond the BMP: the literal reads back
    as the text, by the language's rules."""
    assert _unquoted(mapwidget.js_string(RAW)) == RAW
    assert mapwidget.js_string('{"a": 1}') == """'{"a": 1}'"""  # (double quotes as they are)


LONE = "ab\ud800c\udfff"  # lone surrogates (a name read with surrogateescape): no UTF-8 for them


def test_a_lone_surrogate_goes_escaped():
    """Qt converts a script to UTF-16 through UTF-8 and drops what has none: a lone surrogate
    goes as its escape, as JSON writes it, and the literal still reads back as the text."""
    literal = mapwidget.js_string(LONE)
    literal.encode("utf-8")  # (raises if one is left raw)
    assert literal == "'ab\\ud800c\\udfff'" and _unquoted(literal) == LONE


def test_the_page_reads_the_literal_as_the_text(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.map.ready, timeout=WAIT_MS)
    assert js(window, qtbot, mapwidget.js_string(RAW)) == RAW
    literal = mapwidget.js_string(LONE)  # (the page's code units: Qt would not hand a lone one back)
    assert js(window, qtbot, f"Array.from({literal}, c => c.charCodeAt(0))") == [ord(c) for c in LONE]


def test_a_long_tie_classes_call_goes_in_pieces_and_calls_after_it_wait(make_window, qtbot, project_file, monkeypatch):
    """An analysis' tie classes (a JSON text made in its job: 4 MB at 100,000 young people) go
    in pieces as the parts do; a call made before them runs first, one made after runs after
    them and sees the new classes: the four drawn ties of small_project all classed bonding."""
    from tests.ui.conftest import open_and_wait

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    monkeypatch.setattr(mapwidget, "PART_PIECE_CHARS", 50)
    scripts = _recording(window)
    keys = ["yp1|yp2", "yp2|yp3", "yp1|s1", "o1|s1"]
    text = mapwidget.RawJSON(json.dumps([{"key": k, "cls": "bonding"} for k in keys]))
    seen: dict = {}
    window.map.evaluate("JSON.stringify(SM.counts().ties.bonding)", lambda r: seen.setdefault("before", r))
    window.map.show_ties(text)
    window.map.evaluate("JSON.stringify(SM.counts().ties)", lambda r: seen.setdefault("after", r))
    qtbot.waitUntil(lambda: "after" in seen, timeout=WAIT_MS)
    assert json.loads(seen["before"]) == 1  # yp1-yp2, by the default rules
    assert json.loads(seen["after"]) == {"bonding": 4, "bridging": 0, "linking": 0, "institutional": 0,
                                         "unclassified": 0}
    pieces = [s for s in scripts if s.startswith("SM.piece(")]
    assert len(pieces) == -(-len(text) // 50) and pieces[-1].endswith(', true, "setTies")')
    assert not [s for s in scripts if s.startswith("SM.setTies(")]
