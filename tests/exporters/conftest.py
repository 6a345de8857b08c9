from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

RawMembers = Callable[[Path], dict[str, tuple[int, int, bytes]]]


def _raw_members(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Member name -> (compression, CRC, raw compressed bytes) as stored in the file."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            off = info.header_offset
            nlen, xlen = struct.unpack("<HH", data[off + 26 : off + 30])
            start = off + 30 + nlen + xlen
            out[info.filename] = (info.compress_type, info.CRC, data[start : start + info.compress_size])
    return out


@pytest.fixture
def raw_members() -> RawMembers:
    """Read a zip's members as stored, to prove untouched parts are copied byte for byte."""
    return _raw_members
