"""Write answers into a copy of a CSV questionnaire, changing nothing else.

Records no write touches are copied byte for byte (their quoting, spacing and line endings stay as
the customer's tool wrote them). A touched record is re-serialised with the source's delimiter,
its own line ending, and ``QUOTE_ALL`` when the source quotes every field. The encoding (BOM
included) is the source's. Characters the encoding cannot hold (a cp1252 file cannot hold ``≥``)
are decomposed (NFKD) and then replaced by ``?``.

Formula-injection guard: a value that begins with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a
leading apostrophe, so Excel shows it as text instead of running it. Line breaks inside a value
are written as LF (Excel's own in-cell line break). CSV has no colours or
comments, so :attr:`SlotWrite.review` and ``note`` are left to the fill report.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from ..errors import OutputError, TrustfillError
from ..importers.csv import CsvRecord, decode, records, sniff_delimiter
from ._rows import starts_like_formula
from .interface import SlotWrite

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula (NFKC-folded too)."""
    return "'" + value if starts_like_formula(value) else value


def _parse_address(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+):(\d+)", address.strip())
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise OutputError(f"{address}: not a CSV slot address (expected row:col, both from 1)")
    return int(match.group(1)), int(match.group(2))


def _quotes_everything(rows: list[CsvRecord], delimiter: str) -> bool:
    """True when the source's first non-empty record has every field in quotes."""
    for rec in rows:
        if rec.cells:
            body = rec.raw.rstrip("\r\n")
            return body.startswith('"') and body.endswith('"') and body.count(f'"{delimiter}"') >= len(rec.cells) - 1
    return False


def _line_end(raw: str, fallback: str) -> str:
    for end in ("\r\n", "\n", "\r"):
        if raw.endswith(end):
            return end
    return fallback


def _encodable(text: str, encoding: str) -> str:
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        return unicodedata.normalize("NFKD", text).encode(encoding, errors="replace").decode(encoding)


def write_csv(
    src: Path,
    dest: Path,
    writes: Sequence[SlotWrite],
    encoding: str | None = None,
    delimiter: str | None = None,
    data: bytes | None = None,
) -> None:
    """Copy ``src`` to ``dest`` with each write's value in its ``row:col`` cell.

    Args:
        src: The customer's CSV (never modified).
        dest: Where to write the filled copy.
        writes: Slot writes with ``row:col`` addresses from :class:`~trustfill.importers.csv.CsvImporter`.
        encoding: The source encoding as the importer reported it; None finds it the same way.
        delimiter: The source delimiter; None sniffs it the same way.
        data: ``src``'s bytes as imported; the copy is made from these, never from a re-read of ``src``.

    Raises:
        OutputError: An address is malformed or past the last record, or ``src``/``dest`` fails.
    """
    if data is None:
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise OutputError(f"{src}: cannot read: {exc.strerror or exc}") from exc
    try:
        text, used = decode(data, src, encoding)
    except TrustfillError as exc:  # the source changed since it was imported
        raise OutputError(f"{src}: cannot decode it again: {exc}") from exc
    delim = delimiter or sniff_delimiter(text, src.suffix.lower())
    try:
        rows = records(text, delim, str(src))
    except TrustfillError as exc:
        raise OutputError(f"{src}: cannot parse it again: {exc}") from exc
    default_end = _line_end(rows[0].raw, "\r\n") if rows else "\r\n"
    touched: dict[int, list[str]] = {}
    for write in writes:
        row, col = _parse_address(write.address)
        if row > len(rows):
            raise OutputError(f"{src}: slot {write.address} is past the last row ({len(rows)})")
        cells = touched.setdefault(row, list(rows[row - 1].cells))
        cells.extend([""] * (col - len(cells)))
        # Line breaks inside a cell become LF: csv.writer only quotes CR when CR is in its line terminator.
        value = write.value.replace("\r\n", "\n").replace("\r", "\n")
        # Guard the text as it will be stored: the encoding fallback folds full-width signs into '=' '+' '-' '@'.
        cells[col - 1] = guard_formula(_encodable(value, used))
    quoting = csv.QUOTE_ALL if _quotes_everything(rows, delim) else csv.QUOTE_MINIMAL
    out = io.StringIO(newline="")
    for rec in rows:
        if rec.number not in touched:
            out.write(rec.raw)
            continue
        end = _line_end(rec.raw, "")
        buf = io.StringIO(newline="")
        csv.writer(buf, delimiter=delim, quoting=quoting, lineterminator=end or default_end).writerow(touched[rec.number])
        line = buf.getvalue()
        out.write(line if end else line[: -len(default_end)])
    try:
        dest.write_bytes(out.getvalue().encode(used))
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc
