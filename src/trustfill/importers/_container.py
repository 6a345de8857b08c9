"""Open Office zip containers safely: clear errors for the files customers really send by mistake."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET  # refuses entity expansion and external entities

from ..errors import ImportFormatError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024  # 512 MiB; real questionnaires expand to a few tens of MB
MAX_RATIO = 200  # deflate rarely beats 100:1 on real XML; bombs reach 1000:1 and more
MAX_PART_FOR_RATIO = 10 * 1024 * 1024  # small parts (and small archives) may compress very well legitimately
MAX_INPUT_BYTES = 256 * 1024 * 1024  # a questionnaire file; the largest real one is a few MB


@dataclass(frozen=True)
class InputSnapshot:
    """The bytes of the customer's file as read once at import; writers copy from these, never from the path.

    A file changed during the run (a sync client, an editor's save) would otherwise get answers planned
    for the old rows written into the new ones.
    """

    path: Path
    """The file read."""
    data: bytes
    """Its bytes."""

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes (the report names the exact input answered)."""
        return hashlib.sha256(self.data).hexdigest()


_SNAPSHOT: ContextVar[InputSnapshot | None] = ContextVar("trustfill_input_snapshot", default=None)


def take_snapshot(path: Path) -> InputSnapshot:
    """Read ``path`` once; raises for missing, unreadable, empty and oversized files."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError as exc:
        raise ImportFormatError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ImportFormatError(f"{path}: is a folder; give a questionnaire file") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise ImportFormatError(f"{path}: over {MAX_INPUT_BYTES // (1024 * 1024)} MiB; far larger than any questionnaire, refusing to read it")
    return InputSnapshot(path, data)


@contextlib.contextmanager
def reading_snapshot(snapshot: InputSnapshot) -> Iterator[InputSnapshot]:
    """Within the block, every read of ``snapshot.path`` through this module returns the snapshot's bytes."""
    token = _SNAPSHOT.set(snapshot)
    try:
        yield snapshot
    finally:
        _SNAPSHOT.reset(token)


def _snapshot_of(path: Path) -> bytes | None:
    snap = _SNAPSHOT.get()
    return snap.data if snap is not None and snap.path == path else None


def input_bytes(path: Path) -> bytes:
    """The bytes of ``path``: the snapshot's when one is active for it, else read now."""
    data = _snapshot_of(path)
    return data if data is not None else take_snapshot(path).data


def sniff(path: Path) -> bytes:
    """The first bytes of ``path``; raises for missing or empty files."""
    snap = _snapshot_of(path)
    if snap is not None:
        if not snap:
            raise ImportFormatError(f"{path}: the file is empty")
        return snap[:8]
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
    data = input_bytes(path)
    if not data.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    return data


def open_zip(path: Path, kind: str, data: bytes | None = None) -> zipfile.ZipFile:
    """Open an OOXML file (``kind`` is 'workbook' or 'document'), refusing encrypted, legacy, corrupt and bomb files.

    ``data``: the file's bytes when the caller has them (writers pass the bytes imported); else the active
    snapshot's, else the file is read now.
    """
    data = data if data is not None else _snapshot_of(path)
    if data is None:
        data = take_snapshot(path).data
    if not data:
        raise ImportFormatError(f"{path}: the file is empty")
    head = data[:8]
    if head.startswith(OLE_MAGIC):
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
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(f"{path}: the {kind} is damaged (corrupt zip: {exc}); ask for a fresh copy") from exc
    total = compressed = 0
    for info in infos:
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > MAX_PART_FOR_RATIO and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            zf.close()
            raise ImportFormatError(
                f"{path}: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}:1 "
                f"(a zip bomb?); refusing to read it"
            )
    # Many parts each under the per-part floor add up: bound the whole archive's ratio too.
    if total > MAX_PART_FOR_RATIO and total > MAX_RATIO * max(compressed, 1):
        zf.close()
        raise ImportFormatError(
            f"{path}: its parts expand {total // max(compressed, 1)}:1 in all ({total:,} bytes; a zip bomb?); refusing to read it"
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


def looks_like_xml(data: bytes) -> bool:
    """True when a part's bytes start like XML in any encoding (a BOM, ``<``, or UTF-16 ``<``)."""
    head = data[:4].lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


def refuse_unsafe_part(data: bytes, where: str) -> None:
    """Refuse a part the byte-level checks cannot vouch for: UTF-16 (no BOM needed to fool a byte search) or a DTD.

    Office writes every part in UTF-8 and never declares a DTD; entity bombs and external entities need one.
    """
    head = data[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise ImportFormatError(f"{where}: the part is UTF-16 encoded; trustfill reads UTF-8 parts only "
                                f"(open and re-save the file in Excel or Word)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImportFormatError(f"{where}: refused unsafe XML (the part declares a DTD or entities; Office never does)")
