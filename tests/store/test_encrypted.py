"""Encrypted project files (issue 10, item 2): a passphrase opens them, nothing else does; no
label, id or area name is in the bytes; a changed byte or a wrong passphrase is refused with one
message and changes nothing; the plain GeoPackage never touches the disk."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import struct
from pathlib import Path

import pytest

from socialmap.errors import ProjectFileError
from socialmap.store import (
    PassphraseNeeded,
    WrongPassphrase,
    is_encrypted,
    load_project,
    open_project_file,
    save_project,
    save_project_file,
)
from socialmap.store import encrypted as enc
from socialmap.store.memory import load_project_bytes, project_bytes

SECRET = "correct horse battery staple"
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"


@pytest.fixture(scope="module")
def sample():
    return load_project(SAMPLE)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same(a, b) -> None:
    assert a.nodes == b.nodes
    assert a.ties == b.ties
    assert a.settings == b.settings and a.scenarios == b.scenarios
    assert a.areas.keys() == b.areas.keys()
    for code, area in a.areas.items():
        other = b.areas[code]
        assert (area.name, area.imd_decile, area.population_16_24) == (other.name, other.imd_decile, other.population_16_24)
        assert area.geometry.equals(other.geometry)


def test_the_sample_saved_encrypted_opens_with_its_passphrase_unchanged(tmp_path, sample):
    path = tmp_path / "sample.smx"
    save_project_file(sample, path, SECRET)
    assert is_encrypted(path) and not is_encrypted(SAMPLE)
    opened = open_project_file(path, SECRET)
    assert opened.passphrase == SECRET
    _same(sample, opened.project)


def test_no_label_id_or_area_name_of_the_sample_is_in_the_encrypted_bytes(tmp_path, sample):
    """Every young person's pseudonym, every node id and label, every area code and name, and
    the tie types (in UTF-8, and UTF-16 as SQLite could store text) are absent from the file.

    Strings of 5 characters or more: 1,088 of the sample's 1,130 ids, labels, codes and names
    (the rest, ids "yp1" to "yp99" and the like, are shorter). A given 4-byte string turns up by
    chance in 290 KB of random bytes with probability 290e3 / 2**32 = 7e-5, so a thousand such
    searches would fail one run in 15; at 5 bytes the whole search fails by chance once in 2,000.
    """
    path = tmp_path / "sample.smx"
    save_project_file(sample, path, SECRET)
    data = path.read_bytes()
    words = {w for n in sample.nodes.values() for w in (n.id, n.label) if len(w) >= 5}
    words |= {w for a in sample.areas.values() for w in (a.code, a.name) if len(w) >= 5}
    words |= {"young_person", "GeoPackage", "SQLite format", "socialmap_settings", "friend", "gpkg_contents"}
    assert len(words) > 1000
    found = [w for w in words if w.encode("utf-8") in data or w.encode("utf-16-le") in data]
    assert found == []
    # ...while the plain file has them all, so the search would find them
    plain = SAMPLE.read_bytes()
    assert all(n.label.encode() in plain for n in sample.nodes.values() if n.kind == "young_person")


def test_wrong_passphrase_is_one_message_naming_the_file(tmp_path, small_project):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    digest = _sha(path)
    with pytest.raises(WrongPassphrase) as caught:
        open_project_file(path, SECRET + "!")
    assert str(caught.value) == f"{path}: wrong passphrase, or the file is damaged"
    assert _sha(path) == digest


@pytest.fixture(scope="module")
def small_blob(sample):
    """The bytes of the sample project saved encrypted under SECRET (cheap scrypt cost)."""
    blob = enc.encrypt_bytes(project_bytes(sample), SECRET, enc.KdfParams(enc.KDF_SCRYPT, 2**4, 8, 1))
    assert enc.load_encrypted_bytes(blob, SECRET, "p.smx").nodes == sample.nodes  # as saved, it opens
    return blob


@pytest.mark.parametrize("where", ["kdf_bounds", "version_low", "kdf_param", "salt", "nonce", "ciphertext", "tag",
                                   "truncated", "header_only"])
def test_any_changed_byte_is_refused_as_damaged(small_blob, where):
    """The header is authenticated with the data: a changed KDF parameter, salt or nonce fails
    like a changed byte of the ciphertext; nothing partial is ever read."""
    data = bytearray(small_blob)
    at = {"kdf_param": 19, "salt": 30, "nonce": 45, "ciphertext": 200, "tag": len(data) - 3}.get(where)
    if where == "truncated":
        data = data[:-100]
    elif where == "header_only":
        data = data[:enc.HEADER_BYTES + 4]
    elif where == "version_low":
        data[8:10] = struct.pack(">H", 0)
    elif where == "kdf_bounds":
        data[23] ^= 0x01  # scrypt p 1 -> 0: out of bounds
    else:
        data[at] ^= 0x01
    with pytest.raises(WrongPassphrase, match="^p.smx: wrong passphrase, or the file is damaged$"):
        enc.load_encrypted_bytes(bytes(data), SECRET, "p.smx")


def test_a_damaged_file_is_refused_and_left_as_it_was(tmp_path, small_blob):
    path = tmp_path / "p.smx"
    data = bytearray(small_blob)
    data[500] ^= 0x80
    path.write_bytes(bytes(data))
    digest = _sha(path)
    with pytest.raises(WrongPassphrase, match="wrong passphrase, or the file is damaged"):
        open_project_file(path, SECRET)
    assert _sha(path) == digest and sorted(tmp_path.iterdir()) == [path]


def test_a_newer_format_says_so(tmp_path, small_project):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    data = bytearray(path.read_bytes())
    data[8:10] = struct.pack(">H", enc.FORMAT_VERSION + 1)
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectFileError, match="newer SocialMap"):
        open_project_file(path, SECRET)


def test_an_encrypted_file_without_a_passphrase_source_is_refused(tmp_path, small_project):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    with pytest.raises(PassphraseNeeded, match="encrypted"):
        open_project_file(path)
    asked = []
    opened = open_project_file(path, lambda p: asked.append(p) or SECRET)
    assert asked == [path] and opened.project.nodes == small_project.nodes
    # a plain file never asks
    plain = tmp_path / "p.gpkg"
    save_project(small_project, plain)
    assert open_project_file(plain, lambda p: pytest.fail("asked for a plain file")).passphrase is None


def test_salt_and_nonce_are_new_at_every_save(tmp_path, small_project):
    path = tmp_path / "p.smx"
    headers = set()
    for _ in range(3):
        save_project_file(small_project, path, SECRET)
        header = enc.read_header(path.read_bytes(), path)
        headers.add((header.salt, header.nonce))
    assert len(headers) == 3


def test_header_layout_is_the_documented_one(tmp_path, small_project):
    """magic(8) version(2) kdf(1) cipher(1) three u32 parameters, salt(16), nonce(12): 52 bytes,
    then the ciphertext with its 16-byte tag (as long as the GeoPackage itself)."""
    kdf = enc.KdfParams(enc.KDF_SCRYPT, 2**5, 8, 1)
    blob = enc.encrypt_bytes(b"x" * 1000, SECRET, kdf)
    assert blob[:8] == b"\x89SMX\r\n\x1a\n"
    assert struct.unpack(">HBBIII", blob[8:24]) == (1, enc.KDF_SCRYPT, enc.CIPHER_AES256_GCM, 32, 8, 1)
    assert len(blob) == 52 + 1000 + 16
    assert enc.decrypt_bytes(blob, SECRET, "mem") == b"x" * 1000


def test_the_real_default_is_memory_hard_and_reads_back(monkeypatch):
    """Without the tests' cheap setting: Argon2id with RFC 9106's second recommended option
    (t=3, 4 lanes, 64 MiB), or scrypt N=2**17, r=8 (128 MiB) where Argon2id is missing."""
    monkeypatch.setattr(enc, "DEFAULT_KDF", None)
    params = enc.default_kdf()
    if enc.argon2id_available():
        assert params == enc.KdfParams(enc.KDF_ARGON2ID, 3, 4, 65536)
    else:
        assert params == enc.KdfParams(enc.KDF_SCRYPT, 2**17, 8, 1)
    blob = enc.encrypt_bytes(b"payload", SECRET)
    assert enc.read_header(blob, "mem").kdf == params
    assert enc.decrypt_bytes(blob, SECRET, "mem") == b"payload"
    assert enc.SCRYPT_DEFAULT.check() and 128 * enc.SCRYPT_DEFAULT.p1 * enc.SCRYPT_DEFAULT.p2 == 128 * 2**20


def test_passphrase_is_normalised_so_the_same_typed_text_opens(small_project):
    """'é' typed as one code point (NFC) or as e + combining accent (NFD) is one passphrase."""
    blob = enc.encrypt_bytes(b"data", "caf\u00e9 au lait", enc.KdfParams(enc.KDF_SCRYPT, 16, 8, 1))
    assert enc.decrypt_bytes(blob, "cafe\u0301 au lait", "mem") == b"data"


def test_forged_costs_are_refused_before_any_work():
    """A header asking for 8 GiB of memory or 2**30 scrypt rounds is damaged, not obeyed."""
    assert not enc.KdfParams(enc.KDF_ARGON2ID, 3, 4, 8 * 1024 * 1024).check()
    assert not enc.KdfParams(enc.KDF_SCRYPT, 2**30, 8, 1).check()
    assert not enc.KdfParams(enc.KDF_SCRYPT, 3000, 8, 1).check()  # not a power of two
    assert not enc.KdfParams(9, 1, 1, 1).check()


def test_weak_new_passphrases_are_refused():
    assert enc.check_new_passphrase("short") is not None
    assert enc.check_new_passphrase(" padded passphrase ") is not None
    assert enc.check_new_passphrase("three random words") is None


def test_in_memory_geopackage_is_the_one_a_plain_save_writes(tmp_path, sample):
    """The bytes made in memory, written out, are a GeoPackage GDAL reads (layers, spatial
    index, feature counts) and SocialMap opens as the same project."""
    import pyogrio

    data = project_bytes(sample)
    out = tmp_path / "from-memory.gpkg"
    out.write_bytes(data)
    layers = {name: kind for name, kind in pyogrio.list_layers(out).tolist()}
    assert layers == {"areas": "MultiPolygon", "nodes": "Point", "ties": None}
    assert pyogrio.read_info(out, layer="nodes")["features"] == len(sample.nodes)
    # the R-tree answers a bounding-box query as the geometries do
    frame = pyogrio.read_dataframe(out, layer="nodes")
    box = (-2.26, 53.46, -2.22, 53.5)
    inside = frame.cx[box[0]:box[2], box[1]:box[3]]
    assert len(pyogrio.read_dataframe(out, layer="nodes", bbox=box)) == len(inside) > 0
    con = sqlite3.connect(out)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT count(*) FROM rtree_nodes_geom").fetchone()[0] == frame.geometry.notna().sum()
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
    finally:
        con.close()
    _same(sample, load_project(out))
    _same(sample, load_project_bytes(data, "mem"))


def test_saving_encrypted_writes_no_plain_file_anywhere(tmp_path, small_project, monkeypatch):
    """Every file opened for writing while an encrypted project is saved and opened is the
    encrypted temporary file beside the target: no GeoPackage, journal or temporary file
    elsewhere (GDAL and SQLite work in memory)."""
    import builtins

    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *a, **k):
        if any(c in mode for c in "wax+"):
            opened.append(str(file))
        return real_open(file, mode, *a, **k)

    def spy_os_open(path, flags, *a, **k):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            opened.append(str(path))
        return real_os_open(path, flags, *a, **k)

    before = set(tmp_path.rglob("*"))
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    open_project_file(path, SECRET)
    monkeypatch.undo()
    assert all(Path(p).name.startswith(".p.") and p.endswith(".saving.smx") for p in opened), opened
    assert set(tmp_path.rglob("*")) - before == {path}


def test_an_interrupted_encrypted_save_leaves_the_last_good_file(tmp_path, small_project, monkeypatch):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    digest = _sha(path)

    def fail(*_a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(enc.os, "replace", fail)
    with pytest.raises(ProjectFileError, match="No space left on device.*previous file is unchanged"):
        save_project_file(small_project, path, "another passphrase")
    assert _sha(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.smx"]


def test_a_new_encrypted_file_is_private_and_a_replaced_one_keeps_its_permissions(tmp_path, small_project):
    path = tmp_path / "p.smx"
    save_project_file(small_project, path, SECRET)
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)
    save_project_file(small_project, path, SECRET)
    assert path.stat().st_mode & 0o777 == 0o640


def test_an_encrypted_schema_1_project_opens_migrated_in_memory(tmp_path, small_project):
    """A project encrypted by an earlier SocialMap (schema 1 inside) is migrated on a copy in
    memory, as a plain schema-1 file is migrated on a copy (tests/store/test_migration.py)."""
    from tests.store.test_migration import _as_schema_1

    plain = tmp_path / "old.gpkg"
    save_project(small_project, plain)
    _as_schema_1(plain)
    path = tmp_path / "old.smx"
    path.write_bytes(enc.encrypt_bytes(plain.read_bytes(), SECRET))
    opened = open_project_file(path, SECRET).project
    assert opened.nodes.keys() == small_project.nodes.keys() and len(opened.ties) == len(small_project.ties)


def test_a_snapshot_is_made_and_opened_without_a_temporary_file(tmp_path, small_project, monkeypatch):
    """Snapshots (issue 18) are GeoPackages too: made and read in memory, so a snapshot of an
    encrypted project is never written out unencrypted."""
    import tempfile

    from socialmap.store.snapshots import make_snapshot, open_snapshot

    monkeypatch.setattr(tempfile, "TemporaryDirectory", lambda *a, **k: pytest.fail("a temporary folder"))
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: pytest.fail("a temporary file"))
    snapshot = make_snapshot(small_project, "before")
    assert open_snapshot(snapshot).nodes == small_project.nodes
