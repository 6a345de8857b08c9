"""Rewrite an Office zip, copying every untouched member's raw compressed bytes.

``zipfile`` can only recompress, which changes the bytes of members we never meant to touch (and
costs time on multi-megabyte sheets). So members are copied record by record from the source file
and only changed or new members are deflated; the central directory is rebuilt with new offsets.
Archives this simple copier does not understand (zip64, split, prefixed) fall back to ``zipfile``
with identical uncompressed bytes, names, order, dates and compression types.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from ..importers._container import read_part

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"
_DESCRIPTOR = b"PK\x07\x08"


@dataclass(frozen=True)
class _Record:
    """One member as stored in the source archive."""

    name: str
    local: bytes  # local header + data (+ data descriptor), byte for byte
    central: bytes  # central directory record, byte for byte
    info: zipfile.ZipInfo


# Added members carry a fixed time (1980-01-01 00:00, the zip epoch), never the clock: the same input and
# answers give byte-identical output, so two runs can be compared and a signed copy verified.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def _dos_fixed() -> tuple[int, int]:
    y, mo, d, h, mi, sec = FIXED_DATE_TIME
    return (h << 11) | (mi << 5) | (sec // 2), ((y - 1980) << 9) | (mo << 5) | d


def _records(data: bytes, infos: list[zipfile.ZipInfo]) -> list[_Record] | None:
    """Split ``data`` into raw member records, or None when the layout is not the plain one."""
    eocd = data.rfind(_EOCD, max(0, len(data) - 65557))
    if eocd < 0 or len(data) < eocd + 22:
        return None
    _sig, disk, cd_disk, _n_disk, n_total, _cd_size, cd_off, _clen = struct.unpack("<IHHHHIIH", data[eocd : eocd + 22])
    if disk or cd_disk or n_total != len(infos) or cd_off >= 0xFFFFFFFF:
        return None
    out: list[_Record] = []
    pos = cd_off
    for info in infos:
        if data[pos : pos + 4] != _CENTRAL:
            return None
        nlen, xlen, clen = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        (offset,) = struct.unpack("<I", data[pos + 42 : pos + 46])
        (csize, usize) = struct.unpack("<II", data[pos + 20 : pos + 28])
        central = data[pos : pos + 46 + nlen + xlen + clen]
        pos += len(central)
        if offset != info.header_offset or 0xFFFFFFFF in (csize, usize, offset) or data[offset : offset + 4] != _LOCAL:
            return None
        lnlen, lxlen = struct.unpack("<HH", data[offset + 26 : offset + 30])
        end = offset + 30 + lnlen + lxlen + info.compress_size
        if info.flag_bits & 0x08:
            end += 16 if data[end : end + 4] == _DESCRIPTOR else 12
        if end > len(data):
            return None
        out.append(_Record(info.filename, data[offset:end], central, info))
    return out


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


def _deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def _new_member(
    name: str, data: bytes, offset: int, method: int, dos: tuple[int, int], made_by: bytes, attrs: bytes
) -> tuple[bytes, bytes]:
    """Local record and central record for a member we (re)write."""
    raw_name, flags = _encode_name(name)
    payload = _deflate(data) if method == zipfile.ZIP_DEFLATED else data
    crc = zlib.crc32(data) & 0xFFFFFFFF
    dos_time, dos_date = dos
    local = (
        struct.pack("<4sHHHHHIIIHH", _LOCAL, 20, flags, method, dos_time, dos_date, crc, len(payload), len(data), len(raw_name), 0)
        + raw_name
        + payload
    )
    central = (
        struct.pack(
            "<4s2sHHHHHIIIHHHH6sI",
            _CENTRAL, made_by, 20, flags, method, dos_time, dos_date, crc, len(payload), len(data),
            len(raw_name), 0, 0, 0, attrs, offset,
        )
        + raw_name
    )
    return local, central


def write_package(
    src: Path,
    zf: zipfile.ZipFile,
    changed: dict[str, bytes],
    removed: set[str],
    added: dict[str, bytes],
    dest: Path,
    data: bytes | None = None,
) -> None:
    """Write ``dest``: the members of ``zf`` in order (``changed`` replaced, ``removed`` left out), then ``added``.

    ``data``: the bytes ``zf`` was opened from (the input as imported); read from ``src`` only when absent.
    """
    infos = zf.infolist()
    if data is None:
        data = src.read_bytes()
    records = _records(data, infos)
    if records is None:
        _write_with_zipfile(zf, changed, removed, added, dest)
        return
    out = bytearray()
    central = bytearray()
    for rec in records:
        if rec.name in removed:
            continue
        offset = len(out)
        if rec.name in changed:
            method = rec.info.compress_type if rec.info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
            dos = struct.unpack("<HH", rec.local[10:14])
            local, cent = _new_member(rec.name, changed[rec.name], offset, method, dos, rec.central[4:6], rec.central[36:42])
            out += local
            central += cent
        else:
            out += rec.local
            central += rec.central[:42] + struct.pack("<I", offset) + rec.central[46:]
    dos = _dos_fixed()
    for name, payload in added.items():
        local, cent = _new_member(name, payload, len(out), zipfile.ZIP_DEFLATED, dos, b"\x14\x00", b"\x00" * 6)
        out += local
        central += cent
    eocd_at = data.rfind(_EOCD, max(0, len(data) - 65557))
    comment = data[eocd_at + 22 : eocd_at + 22 + struct.unpack("<H", data[eocd_at + 20 : eocd_at + 22])[0]]
    count = sum(1 for r in records if r.name not in removed) + len(added)
    cd_off = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", _EOCD, 0, 0, count, count, len(central), cd_off, len(comment)) + comment
    if len(out) >= 0xFFFFFFFF or count >= 0xFFFF:
        _write_with_zipfile(zf, changed, removed, added, dest)
        return
    _write_bytes(dest, bytes(out))


def _write_with_zipfile(
    zf: zipfile.ZipFile, changed: dict[str, bytes], removed: set[str], added: dict[str, bytes], dest: Path
) -> None:
    """Fallback: same names, order, dates, compression and uncompressed bytes, recompressed by zipfile."""
    try:
        with zipfile.ZipFile(dest, "w", allowZip64=True) as out:
            for info in zf.infolist():
                if info.filename in removed:
                    continue
                payload = changed[info.filename] if info.filename in changed else read_part(zf, info.filename, dest)
                clone = zipfile.ZipInfo(info.filename, info.date_time)
                clone.compress_type = info.compress_type
                clone.external_attr = info.external_attr
                clone.create_system = info.create_system
                out.writestr(clone, payload)
            for name, payload in added.items():
                out.writestr(zipfile.ZipInfo(name, FIXED_DATE_TIME), payload, compress_type=zipfile.ZIP_DEFLATED)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the workbook: {exc.strerror or exc}") from exc


def _write_bytes(dest: Path, payload: bytes) -> None:
    try:
        with dest.open("wb") as fh:
            fh.write(payload)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the workbook: {exc.strerror or exc}") from exc
