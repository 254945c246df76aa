"""Encrypted project files (``.smx``): a project's GeoPackage, encrypted at rest.

The one way in and out of a project file, plain or encrypted:
:func:`open_project_file` and :func:`save_project_file`. A file is told apart
by its first bytes, not its name. The format (``docs/encryption.md``)::

    offset  size  field
    0       8     magic b"\\x89SMX\\r\\n\\x1a\\n"
    8       2     format version (big-endian), 1
    10      1     key derivation: 1 scrypt, 2 Argon2id
    11      1     cipher: 1 AES-256-GCM
    12      4     KDF parameter 1: scrypt N (cost), or Argon2id iterations
    16      4     KDF parameter 2: scrypt r (block size), or Argon2id lanes
    20      4     KDF parameter 3: scrypt p (parallelism), or Argon2id memory in KiB
    24      16    salt (random, new at every save)
    40      12    nonce (random, new at every save)
    52      ...   the GeoPackage encrypted with AES-256-GCM, then its 16-byte tag

The 52-byte header is the cipher's associated data, so a changed parameter
fails authentication as a changed byte of the data does. The key is derived
from the passphrase (UTF-8, Unicode NFC) with Argon2id (RFC 9106, section 4,
second recommended option: 3 passes, 4 lanes, 64 MiB), or with scrypt
(N = 2**17, r = 8, p = 1; RFC 7914, the cost the ``cryptography`` docs and
OWASP recommend) where the OpenSSL under ``cryptography`` lacks Argon2id.
Both are memory-hard: each guess costs an attacker 64 or 128 MiB. The
cryptography is the ``cryptography`` package's (AESGCM, Argon2id, Scrypt),
none of it is made here.

The decrypted GeoPackage never touches the disk: it is read from memory and
built in memory (:mod:`socialmap.store.memory`), and the encrypted file is
replaced atomically as a plain one is (a complete temporary file beside it,
flushed, then :func:`os.replace`).
"""

from __future__ import annotations

import os
import secrets
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from socialmap.errors import ProjectFileError
from socialmap.model.project import Project

MAGIC = b"\x89SMX\r\n\x1a\n"
FORMAT_VERSION = 1
KDF_SCRYPT = 1
KDF_ARGON2ID = 2
CIPHER_AES256_GCM = 1
_HEADER = struct.Struct(">8sHBBIII16s12s")
HEADER_BYTES = _HEADER.size  # 52
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
#: File name ending of an encrypted project.
SUFFIX = ".smx"
#: Shortest passphrase accepted when a project is first protected (or its passphrase changed).
MIN_PASSPHRASE_CHARS = 8
#: Environment variable the command line reads the passphrase from.
PASSPHRASE_ENV = "SOCIALMAP_PASSPHRASE"


@dataclass(frozen=True)
class KdfParams:
    """A key derivation and its cost, as recorded in a file's header.

    ``kdf`` is :data:`KDF_ARGON2ID` (``p1`` iterations, ``p2`` lanes, ``p3``
    memory in KiB) or :data:`KDF_SCRYPT` (``p1`` N, ``p2`` r, ``p3`` p).
    """

    kdf: int
    p1: int
    p2: int
    p3: int

    def check(self) -> bool:
        """Whether the parameters are ones this version derives with (bounded, so a forged
        header cannot make opening take hours or all the memory)."""
        if self.kdf == KDF_ARGON2ID:
            return 1 <= self.p1 <= 64 and 1 <= self.p2 <= 64 and 8 * self.p2 <= self.p3 <= 4 * 1024 * 1024
        if self.kdf == KDF_SCRYPT:
            n, r, p = self.p1, self.p2, self.p3
            return 2 <= n <= 2**22 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and 128 * n * r <= 2**32
        return False

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """The 256-bit key for ``passphrase`` and ``salt``."""
        secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
        if self.kdf == KDF_ARGON2ID:
            from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

            return Argon2id(salt=salt, length=KEY_BYTES, iterations=self.p1, lanes=self.p2,
                            memory_cost=self.p3).derive(secret)
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        return Scrypt(salt=salt, length=KEY_BYTES, n=self.p1, r=self.p2, p=self.p3).derive(secret)


#: RFC 9106 section 4, second recommended option: t=3, p=4, m=64 MiB (0.2 s on a 2-core laptop).
ARGON2ID_DEFAULT = KdfParams(KDF_ARGON2ID, 3, 4, 64 * 1024)
#: RFC 7914 / cryptography's documented minimum for interactive use raised to 2**17 (0.5 s).
SCRYPT_DEFAULT = KdfParams(KDF_SCRYPT, 2**17, 8, 1)
#: The cost new files get; ``None`` means Argon2id where available, else scrypt. Tests lower it
#: (tests/conftest.py) and the header records whatever was used, so every file stays readable.
DEFAULT_KDF: KdfParams | None = None


def argon2id_available() -> bool:
    """Whether the ``cryptography`` build here can derive Argon2id keys (OpenSSL 3.2 or later)."""
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        Argon2id(salt=b"\0" * 16, length=32, iterations=1, lanes=1, memory_cost=8).derive(b"probe")
    except Exception:  # noqa: BLE001 - ImportError or UnsupportedAlgorithm: use scrypt
        return False
    return True


def default_kdf() -> KdfParams:
    if DEFAULT_KDF is not None:
        return DEFAULT_KDF
    return ARGON2ID_DEFAULT if argon2id_available() else SCRYPT_DEFAULT


class WrongPassphrase(ProjectFileError):
    """The passphrase does not open the file, or the file was changed or damaged (the two
    cannot be told apart: that is what authenticated encryption guarantees)."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        super().__init__(f"{path}: wrong passphrase, or the file is damaged")


class PassphraseNeeded(ProjectFileError):
    """An encrypted file was opened without a way to ask for its passphrase."""


class OpenedProject(NamedTuple):
    """A project read from a file, and the passphrase it was encrypted with (``None`` if plain)."""

    project: Project
    passphrase: str | None


@dataclass(frozen=True)
class Header:
    """The parsed header of an encrypted file."""

    version: int
    kdf: KdfParams
    cipher: int
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    raw: bytes = field(repr=False)


# --------------------------------------------------------------------- bytes
def looks_encrypted(data: bytes) -> bool:
    """Whether ``data`` starts as an encrypted project file does."""
    return data[: len(MAGIC)] == MAGIC


def is_encrypted(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` is an encrypted project (from its first bytes; False for a
    missing or unreadable file, which opening then reports)."""
    try:
        with open(path, "rb") as fh:
            return looks_encrypted(fh.read(len(MAGIC)))
    except OSError:
        return False


def read_header(data: bytes, shown: str | os.PathLike) -> Header:
    """The header of an encrypted file's bytes; a file too short or with parameters out of
    bounds is damaged (:class:`WrongPassphrase`), one of a newer format says so."""
    if len(data) < HEADER_BYTES + TAG_BYTES or not looks_encrypted(data):
        raise WrongPassphrase(shown)
    magic, version, kdf, cipher, p1, p2, p3, salt, nonce = _HEADER.unpack_from(data)
    if version > FORMAT_VERSION:
        raise ProjectFileError(
            f"{shown}: written by a newer SocialMap (encrypted format {version}; this version reads up to "
            f"{FORMAT_VERSION}). Update SocialMap to open it; the file was not changed.")
    params = KdfParams(kdf, p1, p2, p3)
    if version < 1 or cipher != CIPHER_AES256_GCM or not params.check():
        raise WrongPassphrase(shown)
    return Header(version, params, cipher, salt, nonce, data[:HEADER_BYTES])


def encrypt_bytes(plaintext: bytes, passphrase: str, kdf: KdfParams | None = None) -> bytes:
    """``plaintext`` encrypted under ``passphrase``: header, then AES-256-GCM ciphertext and tag,
    with a fresh random salt and nonce."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    params = kdf or default_kdf()
    if not params.check():
        raise ValueError(f"key derivation parameters out of bounds: {params}")
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, params.kdf, CIPHER_AES256_GCM, params.p1, params.p2,
                          params.p3, salt, nonce)
    key = params.derive(passphrase, salt)
    return header + AESGCM(key).encrypt(nonce, plaintext, header)


def decrypt_bytes(data: bytes, passphrase: str, shown: str | os.PathLike) -> bytes:
    """The plaintext of an encrypted file's bytes; :class:`WrongPassphrase` when the passphrase
    is wrong or any byte (header included) was changed."""
    from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = read_header(data, shown)
    try:
        key = header.kdf.derive(passphrase, header.salt)
    except UnsupportedAlgorithm:
        raise ProjectFileError(
            f"{shown}: encrypted with Argon2id, which the cryptography library installed here cannot "
            "derive (it needs OpenSSL 3.2 or later); the file was not changed") from None
    try:
        return AESGCM(key).decrypt(header.nonce, memoryview(data)[HEADER_BYTES:], header.raw)
    except InvalidTag:
        raise WrongPassphrase(shown) from None


def check_new_passphrase(passphrase: str) -> str | None:
    """Why ``passphrase`` is refused for protecting a project, or ``None`` if it will do."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        return (f"the passphrase must be at least {MIN_PASSPHRASE_CHARS} characters long "
                "(three or four random words make a strong one)")
    if passphrase != passphrase.strip():
        return "the passphrase must not begin or end with a space"
    return None


# --------------------------------------------------------------------- files
PassphraseSource = str | Callable[[Path], str] | None


def open_project_file(path: str | os.PathLike, passphrase: PassphraseSource = None, *,
                      preview: Any = None) -> OpenedProject:
    """Open a project file, plain (``.gpkg``) or encrypted (``.smx``), never modifying it.

    ``passphrase`` is the passphrase itself, or a function called with the path that returns it
    (asked only when the file is encrypted). Errors are :class:`ProjectFileError`: a wrong
    passphrase or a changed file is :class:`WrongPassphrase`. ``preview`` is told what the map
    draws as it is read (:func:`socialmap.store.gpkg.read_records`).
    """
    from socialmap.store import gpkg

    path = Path(path)
    if not is_encrypted(path):
        return OpenedProject(gpkg.load_project(path, preview=preview), None)
    if passphrase is None:
        raise PassphraseNeeded(f"{path}: the project is encrypted; its passphrase is needed")
    secret = passphrase(path) if callable(passphrase) else passphrase
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return OpenedProject(load_encrypted_bytes(data, secret, path, preview=preview), secret)


def load_encrypted_bytes(data: bytes, passphrase: str, shown: str | os.PathLike, *, preview: Any = None) -> Project:
    """The project in an encrypted file's bytes (decrypted and read in memory); ``preview`` as
    for :func:`socialmap.store.gpkg.read_records`."""
    from socialmap.store.memory import load_project_bytes

    plaintext = decrypt_bytes(data, passphrase, shown)
    try:
        return load_project_bytes(plaintext, shown, preview=preview)
    finally:
        del plaintext


def encrypted_project_bytes(project: Project, passphrase: str, kdf: KdfParams | None = None) -> bytes:
    """The bytes of ``project`` saved as an encrypted file (made in memory)."""
    from socialmap.store.memory import project_bytes

    plaintext = project_bytes(project)
    try:
        return encrypt_bytes(plaintext, passphrase, kdf)
    finally:
        del plaintext


def save_project_file(project: Project, path: str | os.PathLike, passphrase: str | None = None,
                      *, kdf: KdfParams | None = None) -> None:
    """Save ``project`` to ``path`` atomically: encrypted under ``passphrase``, or a plain
    GeoPackage when it is ``None`` (:func:`socialmap.store.save_project`)."""
    from socialmap.store import gpkg

    if passphrase is None:
        gpkg.save_project(project, path)
        return
    path = Path(path)
    try:
        blob = encrypted_project_bytes(project, passphrase, kdf)
    except (OSError, MemoryError) as exc:
        raise ProjectFileError(f"{path}: cannot be saved ({exc}); the previous file is unchanged") from None
    write_atomically(path, blob)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a complete file beside it (with the old one's
    permissions, private by default), flushed to disk, then renamed over it
    (:func:`socialmap.store.atomic.write_file`); on any failure the old file is as it was, no
    temporary file is left, and the cause is one line (:mod:`socialmap.faults`)."""
    from socialmap.faults import fault, is_fault
    from socialmap.store import atomic

    path = Path(path)
    if path.is_symlink():  # save into the file the link points to; the link stays
        path = Path(os.path.realpath(path))
    folder = atomic.folder_of(path)
    if not folder.is_dir():
        raise ProjectFileError(f"{path}: cannot be saved: the folder {folder} does not exist")
    try:  # a file that was shared stays shared; a new one is private
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o600
    unchanged = "the previous file is unchanged" if path.exists() else "nothing was written"
    try:
        atomic.write_file(path, lambda tmp: tmp.write_bytes(data), mode=mode, kind="saving.smx")
    except Exception as exc:
        if is_fault(exc):
            raise fault(exc, path, "cannot be saved", unchanged) from exc
        raise
