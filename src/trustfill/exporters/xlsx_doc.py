"""A clean answer workbook: one row per question, review rows highlighted, evidence on its own sheet."""

from __future__ import annotations

import io
from copy import copy
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from ..errors import OutputError
from ._review import DECISION_COL, LISTS_SHEET_NAME, LOCATION_COL, ReviewTable, quoted_location
from ._review import WIDTHS as REVIEW_WIDTHS
from ._rows import (
    CORRECTED_HEADER,
    DECISION_HEADER,
    REVIEW_SHEET_NAME,
    answer_rows,
    customer_rows,
    evidence_appendix,
)
from .interface import Exporter

REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")
UNMATCHED_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADER = ["Location", "Question ID", "Category", "Question", "Answer", "Narrative", "Evidence", "Status", "Score", "Bank entry",
          "Suggestions", "Notes", DECISION_HEADER, CORRECTED_HEADER]
WIDTHS = [14, 12, 22, 60, 10, 80, 40, 10, 7, 30, 40, 50, 24, 50]


def _set_text(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        # Control characters (customer text may hold them) are not allowed in an xlsx cell; openpyxl raises.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns text starting with '=' into a formula; answers are always literal text.
        cell.data_type = "s"


def save_workbook(wb: Any, dest: Path) -> None:
    """Save in memory, then write the bytes: a full disk is one clear error, never openpyxl's half-closed zip
    printing "Exception ignored ... Traceback" as it is collected."""
    buf = io.BytesIO()
    wb.save(buf)
    try:
        dest.write_bytes(buf.getvalue())
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc


CUSTOMER_HEADER = ["Question ID", "Section", "Question", "Answer", "Narrative", "Evidence"]
CUSTOMER_WIDTHS = [12, 22, 60, 10, 80, 40]


class XlsxAnswerDocument(Exporter):
    """Writes a new .xlsx answer workbook: the customer's answers, or (``internal=True``) the reviewer's
    version with status, score, entry, suggestions, notes and a Decision column ``learn --from`` reads."""

    format: ClassVar[str] = "xlsx"

    def __init__(self, *, internal: bool = False) -> None:
        self.internal = internal

    def write(self, filled: Any, dest: Path) -> None:
        """Sheets: Answers, Evidence."""
        wb = Workbook()
        ws = wb.active
        ws.title = "Answers"
        if not self.internal:
            self._customer(wb, ws, filled, dest)
            return
        ws.append(HEADER)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        rows = answer_rows(filled)
        for r in rows:
            values = [r.location, r.question_id, r.category, r.question, r.short, r.narrative,
                      "; ".join(e.title for e in r.evidence), r.status, round(r.score), r.entry_id, r.suggestions, r.notes, None, None]
            ws.append([None] * len(values))
            row_cells = ws[ws.max_row]
            for cell, value in zip(row_cells, values, strict=True):
                _set_text(cell, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r.needs_review:
                for cell in row_cells:
                    cell.fill = REVIEW_FILL if r.status == "review" else UNMATCHED_FILL
        for i, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{max(ws.max_row, 1)}"
        ev = wb.create_sheet("Evidence")
        ev.append(["Document", "File", "Visibility", "Valid until", "Answers citing it"])
        for cell in ev[1]:
            cell.font = Font(bold=True)
        for ref, count in evidence_appendix(rows):
            ev.append([ref.title, f"evidence/{ref.path}", ref.visibility, ref.valid_until or "", count])
        for letter, width in zip("ABCDE", (45, 45, 12, 12, 10), strict=True):
            ev.column_dimensions[letter].width = width
        save_workbook(wb, dest)

    def _customer(self, wb: Any, ws: Any, filled: Any, dest: Path) -> None:
        ws.append(CUSTOMER_HEADER)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        rows = customer_rows(filled)
        wrap = Alignment(wrap_text=True, vertical="top")
        for i, r in enumerate(rows, start=2):
            values = [r.question_id, r.section, r.question, r.short, r.narrative if r.narrative != r.short else "",
                      "; ".join(e.title for e in r.evidence)]
            for col, value in enumerate(values, start=1):
                cell = ws.cell(i, col)
                _set_text(cell, value or None)
                cell.alignment = wrap
        for i, width in enumerate(CUSTOMER_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ev = wb.create_sheet("Evidence")
        ev.append(["Document", "Visibility", "Valid until"])
        for cell in ev[1]:
            cell.font = Font(bold=True)
        for ref, _ in evidence_appendix(rows):
            ev.append([ref.title, ref.visibility, ref.valid_until or ""])
        for letter, width in zip("ABC", (45, 12, 12), strict=True):
            ev.column_dimensions[letter].width = width
        save_workbook(wb, dest)


def write_review_workbook(table: ReviewTable, dest: Path, *, link_to: str | None = None) -> None:
    """The review table as a workbook of its own, the place a person decides every row.

    ``link_to`` is the customer's filled workbook as seen from ``dest`` (a relative path): each Location then
    links to the answer cell in that file. The Decision column offers ``ok``, ``not in bank`` and every bank
    entry id from a hidden lookup sheet; other text is allowed after a warning, since ``learn --from`` reads
    it and names the cell of anything it cannot record.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = REVIEW_SHEET_NAME
    ws.append(list(table.header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    link_font = Font(color="0563C1", underline="single")
    # Assigning a style object hashes it into the workbook's style lists on every cell, most of the time
    # this writer took; copying a styled cell's style array is what openpyxl does itself when copying cells.
    proto = ws.cell(2, 1)
    proto.alignment = Alignment(wrap_text=True, vertical="top")
    wrapped = copy(proto._style)
    for r, row in enumerate(table.rows, start=2):
        cells = [ws.cell(r, c) for c in range(1, len(row.values) + 1)]  # ws.max_row rescans every cell
        for cell, value in zip(cells, row.values, strict=True):
            _set_text(cell, value or None)
            cell._style = copy(wrapped)
        if link_to is not None and row.target is not None:
            loc = cells[LOCATION_COL]
            loc.hyperlink = Hyperlink(ref=loc.coordinate, target=link_to, location=quoted_location(row.target),
                                      tooltip="Open this answer cell in the filled workbook")
            loc.font = link_font
        if row.status in ("review", "unmatched"):
            fill = REVIEW_FILL if row.status == "review" else UNMATCHED_FILL
            cells[LOCATION_COL].fill = cells[DECISION_COL].fill = fill
    for i, width in enumerate(REVIEW_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = max(len(table.rows) + 1, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{last}"
    lists = wb.create_sheet(LISTS_SHEET_NAME)
    for value in table.choices:
        lists.append([value])
    lists.sheet_state = "hidden"
    decision = get_column_letter(DECISION_COL + 1)
    dv = DataValidation(type="list", formula1=f"{quote_sheetname(LISTS_SHEET_NAME)}!$A$1:$A${max(len(table.choices), 1)}",
                        allow_blank=True, showErrorMessage=True, errorStyle="warning",
                        errorTitle="Not a bank entry", error="Pick ok, not in bank, or a bank entry id.",
                        promptTitle="Decision", prompt="ok, not in bank, or the bank entry that answers it",
                        showInputMessage=True)
    dv.add(f"{decision}2:{decision}{last}")
    ws.add_data_validation(dv)
    save_workbook(wb, dest)
