"""Open Office zip containers safely: clear errors for the files customers really send by mistake."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from defusedxml import ElementTree as SafeET  # refuses entity expansion and external entities

from ..errors import ImportFormatError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB; real questionnaires are a few MB
MAX_RATIO = 200  # deflate rarely beats 100:1 on real XML; bombs reach 1000:1 and more
MAX_PART_FOR_RATIO = 10 * 1024 * 1024  # small parts may compress very well legitimately


def sniff(path: Path) -> bytes:
    """The first bytes of ``path``; raises for missing or empty files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError as exc:
        raise ImportFormatError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not head:
        raise ImportFormatError(f"{path}: the file is empty")
    return head


def read_input(path: Path) -> bytes:
    """The bytes of a text questionnaire (csv, VSAQ json); raises for missing, unreadable and empty files."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFormatError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    return data


def open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    """Open an OOXML file (``kind`` is 'workbook' or 'document'), refusing encrypted, legacy, corrupt and bomb files."""
    head = sniff(path)
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
            raise ImportFormatError(
                f"{path}: the {kind} is password-protected (encrypted); save an unprotected copy and try again"
            )
        legacy = ".xls" if kind == "workbook" else ".doc"
        raise ImportFormatError(
            f"{path}: this is a legacy binary Office file ({legacy}); open it and save as "
            f"{'.xlsx' if kind == 'workbook' else '.docx'}, then try again"
        )
    if not head.startswith(b"PK"):
        raise ImportFormatError(f"{path}: not an Office Open XML {kind} (no zip signature); is the file extension right?")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(f"{path}: the {kind} is damaged (corrupt zip: {exc}); ask for a fresh copy") from exc
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_FOR_RATIO and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            zf.close()
            raise ImportFormatError(
                f"{path}: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}:1 "
                f"(a zip bomb?); refusing to read it"
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        zf.close()
        raise ImportFormatError(
            f"{path}: expands to {total:,} bytes, over the {MAX_TOTAL_UNCOMPRESSED:,}-byte limit (a zip bomb?); refusing to read it"
        )
    return zf


def read_part(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """Read one zip part, turning CRC and decompression failures into a clear error."""
    try:
        return zf.read(name)
    except KeyError as exc:
        raise ImportFormatError(f"{path}: part {name} is missing; the file is damaged") from exc
    except (RuntimeError, NotImplementedError) as exc:
        # zipfile raises these for encrypted members and for compression methods it cannot read
        encrypted = bool(zf.getinfo(name).flag_bits & 0x1)
        why = "is encrypted; save an unprotected copy" if encrypted else f"cannot be read ({exc}); re-save the file"
        raise ImportFormatError(f"{path}: part {name} {why} and try again") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: part {name} is damaged ({exc}); ask for a fresh copy") from exc


def parse_xml(data: bytes, where: str):  # type: ignore[no-untyped-def]
    """Parse XML with entity expansion and external entities refused."""
    from defusedxml import DefusedXmlException

    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise ImportFormatError(f"{where}: refused unsafe XML ({type(exc).__name__}: entity expansion or external entity)") from exc
    except SafeET.ParseError as exc:
        raise ImportFormatError(f"{where}: invalid XML ({exc})") from exc
