"""How much each question matters to the customer, where the workbook says so in a lookup sheet.

HECVAT keeps it beside the question ids in its (often hidden) ``Questions`` sheet: HECVAT 4 as
``Default Importance`` (Critical / Standard / Minor Importance), HECVAT Full 3 and Lite 2 as ``Required``
and ``High Risk`` flags. The review sheet puts critical and required questions first, so a reviewer with
little time spends it where the customer's scoring does. Anything unreadable means "no priorities", never
an error: this only orders a list.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import TrustfillError
from ._xlsx_book import READ_ERRORS, Book, Sheet

CRITICAL, REQUIRED, STANDARD, MINOR = "critical", "required", "", "minor"
RANK = {CRITICAL: 0, REQUIRED: 1, STANDARD: 2, MINOR: 3}
"""Review order: critical first, minor last."""

_ID_HEADERS = {"id", "new id", "question id"}
_IMPORTANCE, _REQUIRED, _HIGH_RISK = "default importance", "required", "high risk"
_TRUE = {"1", "true", "yes", "y", "x"}


def question_priorities(path: Path) -> dict[str, str]:
    """Question id -> ``critical``, ``required``, ``minor`` (or '' for standard) from the workbook's lookup
    sheet; empty when the file has none."""
    try:
        with Book(path) as book:
            names = [n for n in book.sheet_names if n.strip().casefold() == "questions"]
            for name in names:
                found = _read(book.sheet(name))
                if found:
                    return found
    except (*READ_ERRORS, TrustfillError, KeyError, ValueError):
        return {}
    return {}


def _read(sheet: Sheet) -> dict[str, str]:
    for header_row in sorted(r for r in sheet.rows if r <= 3):
        header = {(sheet.text(header_row, c) or "").strip().casefold(): c for c in sheet.rows[header_row]}
        id_col = next((header[h] for h in _ID_HEADERS if h in header), None)
        flags = {k: header[k] for k in (_IMPORTANCE, _REQUIRED, _HIGH_RISK) if k in header}
        if id_col is None or not flags:
            continue
        out: dict[str, str] = {}
        for row in sorted(r for r in sheet.rows if r > header_row):
            qid = (sheet.text(row, id_col) or "").strip()
            if qid:
                out[qid] = _level({k: (sheet.text(row, c) or "").strip().casefold() for k, c in flags.items()})
        return out
    return {}


def _level(values: dict[str, str]) -> str:
    importance = values.get(_IMPORTANCE, "")
    if importance.startswith("critical") or values.get(_HIGH_RISK, "") in _TRUE:
        return CRITICAL
    if values.get(_REQUIRED, "") in _TRUE:
        return REQUIRED
    if importance.startswith("minor"):
        return MINOR
    return STANDARD
