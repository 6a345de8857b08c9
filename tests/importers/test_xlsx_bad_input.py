"""Files that are not readable workbooks: each gives one clear ImportFormatError naming the file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from trustfill.errors import ImportFormatError
from trustfill.importers.interface import ImportOptions
from trustfill.importers.xlsx import XlsxImporter

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def good_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Question", "Answer"])
    ws.append(["Q-1", "Do you encrypt data at rest?", None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(
    data: bytes, edit: Callable[[str, bytes], bytes | None], compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """Copy a zip, letting ``edit`` replace (or drop, with None) each part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            new = edit(info.filename, src.read(info.filename))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def corrupt_crc(data: bytes) -> bytes:
    """Store parts uncompressed, then flip a byte inside the sheet XML so its CRC no longer matches."""
    stored = rezip(data, lambda name, body: body, zipfile.ZIP_STORED)
    marker = stored.index(b"Do you encrypt")
    return stored[:marker] + b"X" + stored[marker + 1 :]


def unknown_compression(data: bytes) -> bytes:
    """Mark the sheet part as compressed with a method zipfile does not implement (as damage can)."""
    out = bytearray(data)
    name = b"xl/worksheets/sheet1.xml"
    for sig, name_offset, method_offset in ((b"PK\x03\x04", 30, 8), (b"PK\x01\x02", 46, 10)):
        at = out.find(sig)
        while at != -1:
            if out[at + name_offset : at + name_offset + len(name)] == name:
                out[at + method_offset : at + method_offset + 2] = (77).to_bytes(2, "little")
            at = out.find(sig, at + 4)
    return bytes(out)


def _with_doctype(body: bytes) -> bytes:
    """Put a billion-laughs DTD in front of a part's root element."""
    dtd = b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    start = body.index(b"<workbook")
    return body[:start] + dtd + body[start:]


def _bomb(data: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (24 * 1024 * 1024))
    return out.getvalue()


def _entity_bomb(data: bytes) -> bytes:
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    return rezip(data, lambda name, body: sheet if name == "xl/worksheets/sheet1.xml" else body)


CASES = {
    "empty": (lambda: b"", "the file is empty"),
    "text": (lambda: b"ID,Question\n1,Do you?\n", "not an Office Open XML workbook (no zip signature)"),
    "truncated zip": (lambda: good_workbook()[:1500], "the workbook is damaged (corrupt zip"),
    "bad crc": (lambda: corrupt_crc(good_workbook()), "is damaged"),
    "encrypted": (
        lambda: OLE + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500,
        "password-protected (encrypted)",
    ),
    "legacy xls": (lambda: OLE + b"\0" * 2000, "legacy binary Office file (.xls)"),
    "unknown compression": (lambda: unknown_compression(good_workbook()), "cannot be read"),
    "zip bomb": (lambda: _bomb(good_workbook()), "a zip bomb?"),
    "entity bomb": (lambda: _entity_bomb(good_workbook()), "refused unsafe XML"),
    "docx renamed": (
        lambda: rezip(good_workbook(), lambda name, body: None if name.startswith("xl/") else body),
        "not an Excel workbook",
    ),
    "broken sheet xml": (
        lambda: rezip(
            good_workbook(), lambda name, body: body[:-40] if name == "xl/worksheets/sheet1.xml" else body
        ),
        "xl/worksheets/sheet1.xml: invalid XML",
    ),
    "entity bomb in workbook.xml": (
        lambda: rezip(
            good_workbook(), lambda name, body: _with_doctype(body) if name == "xl/workbook.xml" else body
        ),
        "xl/workbook.xml: refused unsafe XML",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_clear_error(tmp_path: Path, case: str) -> None:
    make, expected = CASES[case]
    path = tmp_path / "customer.xlsx"
    path.write_bytes(make())

    with pytest.raises(ImportFormatError) as err:
        XlsxImporter().collect(path, ImportOptions())

    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.xlsx"
    with pytest.raises(ImportFormatError, match="no such file"):
        XlsxImporter().collect(path, ImportOptions())


def test_importer_declares_its_format() -> None:
    assert XlsxImporter.format == "xlsx"
    assert XlsxImporter.suffixes == (".xlsx", ".xlsm")
