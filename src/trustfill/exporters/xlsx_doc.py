"""A clean answer workbook: one row per question, review rows highlighted, evidence on its own sheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ._rows import CORRECTED_HEADER, DECISION_HEADER, REVIEW_SHEET_NAME, answer_rows, evidence_appendix
from .interface import Exporter

REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")
UNMATCHED_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADER = ["Location", "Question ID", "Category", "Question", "Answer", "Narrative", "Evidence", "Status", "Score", "Bank entry",
          "Suggestions", "Notes", DECISION_HEADER, CORRECTED_HEADER]
WIDTHS = [14, 12, 22, 60, 10, 80, 40, 10, 7, 30, 40, 50, 24, 50]


def _set_text(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, str):
        # openpyxl turns text starting with '=' into a formula; answers are always literal text.
        cell.data_type = "s"


class XlsxAnswerDocument(Exporter):
    """Writes a new .xlsx answer workbook."""

    format: ClassVar[str] = "xlsx"

    def write(self, filled: Any, dest: Path) -> None:
        """Sheets: Answers, Evidence."""
        wb = Workbook()
        ws = wb.active
        ws.title = "Answers"
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
        wb.save(dest)


def write_review_workbook(rows: Sequence[Sequence[str]], dest: Path) -> None:
    """The review sheet (header first) as a workbook of its own: the place to decide rows when the answers went
    into a Word, csv or VSAQ file, which cannot carry the sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = REVIEW_SHEET_NAME
    for values in rows:
        ws.append([None] * len(values))
        for cell, value in zip(ws[ws.max_row], values, strict=True):
            _set_text(cell, value or None)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, header in enumerate(rows[0] if rows else (), start=1):
        width = max((len(str(r[i - 1] or "")) for r in rows), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, len(header)) + 2, 80)
    ws.freeze_panes = "A2"
    wb.save(dest)
