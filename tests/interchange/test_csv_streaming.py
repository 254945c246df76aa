"""The CSV bundle read row by row (issue 13, peak memory): the file in chunks, each row parsed as
it is read, repeated pairs found by sorting, id strings shared. A chunk of a few bytes must give
exactly what reading the whole file gives, with the same row numbers and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialmap.errors import InputError
from socialmap.interchange.readers import csv_bundle
from socialmap.interchange.readers.csv_bundle import read_csv_batch, read_csv_text

# A BOM, CRLF line ends, a quoted label over two lines, a blank row, a quoted comma, and
# non-ASCII text of 2, 3 and 4 bytes a character (so small chunks cut characters in two).
NODES = (
    "\ufeffid,kind,label,area_code,age,neet,provider,service_type,contract_end\r\n"
    'yp1,young_person,"Zoë\r\nsecond line",A1,17,yes,,,\r\n'
    "\r\n"
    "yp2,young_person,Łukasz €,A1,18,no,,,\r\n"
    "yp3,young_person,Zoë,A2,16,no,,,\r\n"
    "o1,organisation,\"Caf\u00e9, and 🎉\",A2,,,,,\r\n"
    "s1,service,Youth club,A2,,,o1,youth club,31/03/2027\r\n"
)
TIES = (
    "a,b,type,context,strength\r\n"
    "yp1,yp2,friend,,2\r\n"   # row 2
    "yp2,yp3,friend,s1,\r\n"  # row 3
    "yp2,yp1,peer,,\r\n"      # row 4: the pair of row 2
    "yp1,s1,attends,,\r\n"    # row 5
    "s1,yp1,attends,,\r\n"    # row 6: the pair of row 5
    "yp2,yp1,friend,,\r\n"    # row 7: the pair of row 2 again
    "o1,s1,provides,,\r\n"    # row 8
)


def _write(folder: Path, nodes: str = NODES, ties: str = TIES) -> tuple[Path, Path]:
    n, t = folder / "nodes.csv", folder / "ties.csv"
    n.write_bytes(nodes.encode("utf-8"))
    t.write_bytes(ties.encode("utf-8"))
    return n, t


def _read(folder: Path, chunk: int, monkeypatch) -> tuple[list, list, list[str]]:
    monkeypatch.setattr(csv_bundle, "CHUNK_BYTES", chunk)
    n, t = folder / "nodes.csv", folder / "ties.csv"
    batch = read_csv_batch(n, t)
    return batch.nodes, batch.ties, [str(p).replace(f"{folder}/", "") for p in batch.problems]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_small_chunks_read_what_the_whole_file_reads(tmp_path, monkeypatch, chunk):
    _write(tmp_path)
    whole = _read(tmp_path, 1 << 20, monkeypatch)
    assert _read(tmp_path, chunk, monkeypatch) == whole
    nodes, ties, problems = whole
    # what the rows say, by hand
    assert [n.id for n in nodes] == ["yp1", "yp2", "yp3", "o1", "s1"]
    assert [n.label for n in nodes] == ["Zoë\r\nsecond line", "Łukasz €", "Zoë", "Café, and 🎉", "Youth club"]
    assert nodes[0].age == 17 and nodes[0].neet is True and nodes[1].neet is False
    assert nodes[4].provider == "o1" and str(nodes[4].contract_end) == "2027-03-31"
    assert [(t.a, t.b, t.type, t.context, t.strength) for t in ties] == [
        ("yp1", "yp2", "friend", None, 2), ("yp2", "yp3", "friend", "s1", None),
        ("yp1", "s1", "attends", None, None), ("o1", "s1", "provides", None, None)]
    # the later rows joining a pair already read: each named at its row, with the first row
    assert problems == [
        "ties.csv, row 4, tie 'yp2'-'yp1', field 'b': duplicate tie: 'yp2' and 'yp1' are already tied "
        "at row 2; one tie per pair",
        "ties.csv, row 6, tie 's1'-'yp1', field 'b': duplicate tie: 's1' and 'yp1' are already tied "
        "at row 5; one tie per pair",
        "ties.csv, row 7, tie 'yp2'-'yp1', field 'b': duplicate tie: 'yp2' and 'yp1' are already tied "
        "at row 2; one tie per pair",
    ]


def test_tie_ends_contexts_providers_and_shared_text_are_one_string_each(tmp_path, monkeypatch):
    _write(tmp_path)
    nodes, ties, _ = _read(tmp_path, 1 << 20, monkeypatch)
    by_id = {n.id: n for n in nodes}
    for tie in ties:
        assert tie.a is by_id[tie.a].id and tie.b is by_id[tie.b].id
        assert tie.context is None or tie.context is by_id[tie.context].id
    assert by_id["s1"].provider is by_id["o1"].id
    assert by_id["yp1"].area_code is by_id["yp2"].area_code  # "A1" read twice, held once
    assert by_id["yp3"].area_code is by_id["o1"].area_code


def test_repeated_pairs_with_ends_no_row_has_are_found_too(tmp_path, monkeypatch):
    """Ends that are no node (numbered apart from the rows) still pair up; and a pair first read
    with a refused end (row 2: 'x1' has an unknown kind) is the one a later row repeats."""
    nodes = "id,kind\r\nx1,alien\r\nyp1,young_person\r\n"
    ties = ("a,b,type\r\n"
            "x1,yp1,friend\r\n"        # row 2
            "ghost,yp1,friend\r\n"     # row 3
            "yp1,x1,friend\r\n"        # row 4: the pair of row 2
            "yp1,ghost,friend\r\n"     # row 5: the pair of row 3
            "ghost,phantom,friend\r\n" # row 6
            "phantom,ghost,peer\r\n")  # row 7: the pair of row 6
    _write(tmp_path, nodes, ties)
    got = _read(tmp_path, 5, monkeypatch)
    assert _read(tmp_path, 1 << 20, monkeypatch) == got
    _nodes, kept, problems = got
    assert [(t.a, t.b) for t in kept] == [("ghost", "yp1"), ("ghost", "phantom")]
    assert [p.split(":")[0] for p in problems] == [
        "nodes.csv, row 2, node 'x1', field 'kind'",
        "ties.csv, row 4, tie 'yp1'-'x1', field 'b'",
        "ties.csv, row 5, tie 'yp1'-'ghost', field 'b'",
        "ties.csv, row 7, tie 'phantom'-'ghost', field 'b'",
    ]
    assert "already tied at row 2" in problems[1] and "already tied at row 3" in problems[2]
    assert "already tied at row 6" in problems[3]


def test_a_bad_byte_after_the_first_chunk_is_named_with_its_line(tmp_path, monkeypatch):
    lines = ["id,kind"] + [f"yp{k},young_person" for k in range(60)]
    lines[40] = "yp39,young_person,Caf\xe9"
    (tmp_path / "nodes.csv").write_bytes("\n".join(lines).encode("cp1252"))
    (tmp_path / "ties.csv").write_bytes(b"a,b,type\n")
    whole: list = []
    assert read_csv_text(tmp_path / "nodes.csv", whole) is None
    monkeypatch.setattr(csv_bundle, "CHUNK_BYTES", 16)
    with pytest.raises(InputError) as err:
        read_csv_batch(tmp_path / "nodes.csv", tmp_path / "ties.csv")
    assert [str(p) for p in err.value.problems] == [str(p) for p in whole]
    assert "byte 0xe9 on line 41 (it looks like Windows-1252" in str(err.value.problems[0])


def test_blank_text_across_chunks_is_an_empty_file(tmp_path, monkeypatch):
    (tmp_path / "nodes.csv").write_bytes("\ufeff".encode() + b" \r\n\t\n" * 50)
    (tmp_path / "ties.csv").write_bytes(b"a,b,type\n")
    monkeypatch.setattr(csv_bundle, "CHUNK_BYTES", 4)
    with pytest.raises(InputError) as err:
        read_csv_batch(tmp_path / "nodes.csv", tmp_path / "ties.csv")
    assert [str(p) for p in err.value.problems] == [f"{tmp_path / 'nodes.csv'}: is empty (no header row)"]


def test_a_file_unreadable_half_way_reports_that_and_not_its_rows(tmp_path, monkeypatch):
    """A cell longer than the csv module's field limit at row 4 makes the ties file unusable: its
    earlier rows' own problems (row 2's bad strength) are not listed, as when the file was read
    whole before its rows were parsed."""
    long_cell = '"' + "x" * 200_000
    _write(tmp_path, ties=f"a,b,type,strength\r\nyp1,yp2,friend,strong\r\nyp2,yp3,friend,\r\n{long_cell}\r\n")
    monkeypatch.setattr(csv_bundle, "CHUNK_BYTES", 8)
    with pytest.raises(InputError) as err:
        read_csv_batch(tmp_path / "nodes.csv", tmp_path / "ties.csv")
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'ties.csv'}, row 4: cannot be read as CSV (field larger than field limit (131072))"]


def test_rows_are_read_from_the_file_as_they_are_asked_for(tmp_path):
    """The table's rows come from the open file as they are asked for: after the header and one
    row of a 3 MB file, the file has been read only a little way (a few of the text layer's 8 KB
    reads), not to the end; reading every row then gives every row."""
    from socialmap.interchange.readers.csv_bundle import (
        TIE_COLUMNS,
        TIE_REQUIRED,
        TIE_SYNONYMS,
        read_csv_table,
    )

    path = tmp_path / "ties.csv"
    path.write_text("a,b,type\n" + "".join(f"yp{k},yp{k + 1},friend\n" for k in range(150_000)))
    size = path.stat().st_size
    assert size > 3_000_000
    problems: list = []
    table = read_csv_table(path, TIE_COLUMNS, TIE_REQUIRED, TIE_SYNONYMS, problems)
    rows = iter(table.rows)
    assert next(rows) == (2, ["yp0", "yp1", "friend"])
    assert table.rows._fh.buffer.tell() < 100_000
    rest = list(rows)
    assert len(rest) == 149_999 and rest[-1] == (150_001, ["yp149999", "yp150000", "friend"])
    assert problems == [] and not table.failed and table.rows._fh.closed
