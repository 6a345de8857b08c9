"""Dropdown values for answer cells: list data validations, classic and x14, resolved to their values.

A list validation's source is an inline list (``"Yes,No,N/A"``), a range (``$F$1:$F$3``,
``'Lists'!$A$2:$A$4``), a defined name (often on a hidden sheet, sometimes local to one sheet), or a
formula we do not evaluate (INDIRECT, OFFSET). Sources that cannot be read -- a name whose range was
deleted (``#REF!``), a link to another workbook (``[1]Values!...``), an unknown name -- give no
allowed values and one warning Problem per rule, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import Problem
from ._xlsx_book import Sheet, Validation, coordinate
from ._xlsx_formula import Area, FormulaEvaluator, Unsupported, resolve_name

MAX_LIST_CELLS = 2000
_AREA = re.compile(
    r"^(?:(?:'(?:[^']|'')+'|[^'!:\s\[\]]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$"
)
_NAME = re.compile(r"^[A-Za-z_\\][\w.]*$")


class DropdownResolver:
    """Finds the list validation covering a cell and resolves its allowed values (cached per rule)."""

    def __init__(self, evaluator: FormulaEvaluator) -> None:
        self.ev = evaluator
        self._values: dict[tuple[str, int], tuple[str, ...] | None] = {}
        self.problems: list[Problem] = []

    def rule(self, sheet: Sheet, row: int, col: int) -> Validation | None:
        """The list validation covering the cell (the last one written wins, as in Excel), or None."""
        return sheet.list_rule(row, col)

    def allowed(self, sheet: Sheet, row: int, col: int) -> tuple[str, ...] | None:
        """Allowed values of the cell's dropdown; None when it has none or its source cannot be read."""
        v = self.rule(sheet, row, col)
        if v is None:
            return None
        key = (sheet.name, sheet.validations.index(v))
        if key not in self._values:
            self._values[key] = self._resolve(sheet, v)
        return self._values[key]

    def _warn(self, sheet: Sheet, v: Validation, message: str) -> None:
        r1, c1 = (v.ranges[0][0], v.ranges[0][1]) if v.ranges else (1, 1)
        self.problems.append(Problem(f"{sheet.name}!{coordinate(r1, c1)}", message, "warning"))

    def _resolve(self, sheet: Sheet, v: Validation) -> tuple[str, ...] | None:
        src = v.formula1.strip().lstrip("=")
        if not src:
            return None
        if src.startswith('"') and src.endswith('"'):
            return _dedupe(part.strip() for part in src[1:-1].replace('""', '"').split(","))
        if src.startswith("{"):
            return _array(src)
        if "#REF!" in src.upper():
            self._warn(
                sheet, v, f"dropdown source {src!r} points at deleted cells (#REF!); no allowed values taken"
            )
            return None
        if _AREA.match(src):
            return self._area_values(sheet, v, src, src)
        if _NAME.match(src):
            text = resolve_name(self.ev.book, src, sheet.name)
            if text is None:
                self._warn(
                    sheet,
                    v,
                    f"dropdown source {src!r} is not a defined name in this workbook; no allowed values taken",
                )
                return None
            text = text.strip().lstrip("=")
            if "#REF!" in text.upper():
                self._warn(
                    sheet,
                    v,
                    f"dropdown source {src!r} is a broken named range ({text}); no allowed values taken; "
                    "fix the name in Excel (Formulas > Name Manager) to get them",
                )
                return None
            if "[" in text.split("!")[0]:
                self._warn(
                    sheet,
                    v,
                    f"dropdown source {src!r} refers to another workbook ({text}); no allowed values taken",
                )
                return None
            if text.startswith('"') and text.endswith('"'):
                return _dedupe(part.strip() for part in text[1:-1].split(","))
            if text.startswith("{"):
                return _array(text)
            if _AREA.match(text):
                return self._area_values(sheet, v, src, text)
            self._warn(
                sheet, v, f"dropdown source {src!r} = {text!r} is not a plain range; no allowed values taken"
            )
            return None
        self._warn(
            sheet,
            v,
            f"dropdown source {src!r} is a formula trustfill does not evaluate; no allowed values taken",
        )
        return None

    def _area_values(self, sheet: Sheet, v: Validation, src: str, ref: str) -> tuple[str, ...] | None:
        try:
            area: Area = self.ev.area(ref, sheet.name)
        except (Unsupported, ValueError):
            self._warn(
                sheet,
                v,
                f"dropdown source {src!r} names a sheet that does not exist; no allowed values taken",
            )
            return None
        count = (area.r2 - area.r1 + 1) * (area.c2 - area.c1 + 1)
        if count > MAX_LIST_CELLS:
            self._warn(
                sheet, v, f"dropdown source {src!r} spans {count} cells; only the first {MAX_LIST_CELLS} read"
            )
        values = []
        for r in range(area.r1, area.r2 + 1):
            for c in range(area.c1, area.c2 + 1):
                if len(values) >= MAX_LIST_CELLS:
                    break
                text = self.ev.cell_text(area.sheet, r, c)
                if text is not None and text.strip():
                    values.append(text.strip())
        return _dedupe(values) or None


def _dedupe(values: Iterable[str]) -> tuple[str, ...] | None:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return tuple(out) or None


def _array(text: str) -> tuple[str, ...] | None:
    items = re.findall(r'"((?:[^"]|"")*)"|([^,;{}"]+)', text)
    return _dedupe((a.replace('""', '"') or b).strip() for a, b in items)
