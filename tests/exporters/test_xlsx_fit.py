"""Written answers are readable: wrap text and a row height that fits, on the written rows only."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment, Font

from trustfill.exporters._xlsx_fit import chars_per_line, height_for, wrapped_lines
from trustfill.exporters.interface import SlotWrite
from trustfill.exporters.xlsx_patch import patch_xlsx

NARRATIVE = ("Yes. Customer data is encrypted at rest with AES-256 on every database, backup and file store, and "
             "keys are rotated yearly by our cloud provider's key management service; access to keys is logged.")
S1 = "xl/worksheets/sheet1.xml"


def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode()


def _rows(path: Path) -> dict[str, str]:
    return dict(re.findall(r'<row r="(\d+)"([^>]*)>', _member(path, S1)))


def _build(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q"
    ws.append(["Question", "Answer", "Comments"])
    for i in range(2, 8):
        ws.cell(i, 1, f"Question {i}?")
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 40
    ws.row_dimensions[4].height = 200  # tall already
    ws.row_dimensions[5].hidden = True
    ws["C6"].alignment = Alignment(wrap_text=True)
    ws["C7"].font = Font(size=20)
    ws.merge_cells("C3:D3")
    ws.column_dimensions["D"].width = 40
    path = tmp_path / "in.xlsx"
    wb.save(path)
    return path


def test_wrapped_lines_counts_word_wrapping_and_paragraphs() -> None:
    assert wrapped_lines("Yes", 10) == 1
    assert wrapped_lines("aaaa bbbb cccc", 9) == 2  # "aaaa bbbb" fits 9, "cccc" wraps
    assert wrapped_lines("aaaa bbbb cccc", 8) == 3
    assert wrapped_lines("one\n\ntwo", 40) == 3  # a blank line is a line too
    assert wrapped_lines("x" * 25, 10) == 3  # a long word breaks inside itself
    assert chars_per_line(41, 11, 11) == 40
    assert chars_per_line(41, 22, 11) == 20
    assert height_for(1, 11) == pytest.approx(17.96)
    assert height_for(1000, 11) == 409.0  # Excel's largest row


def test_long_answers_wrap_and_their_rows_grow_and_nothing_else_changes(tmp_path: Path) -> None:
    src = _build(tmp_path)
    before = _rows(src)
    writes = [SlotWrite("Q!B2", "Yes"), SlotWrite("Q!C2", NARRATIVE), SlotWrite("Q!C3", NARRATIVE),
              SlotWrite("Q!C4", NARRATIVE), SlotWrite("Q!C5", NARRATIVE), SlotWrite("Q!C6", NARRATIVE),
              SlotWrite("Q!C7", NARRATIVE), SlotWrite("Q!C9", NARRATIVE)]
    out = tmp_path / "out.xlsx"
    patch_xlsx(src, out, writes, review_fill=None, force_recalc=False, fit_rows=True)
    after = _rows(out)
    lines = wrapped_lines(NARRATIVE, chars_per_line(40, 11, 11))
    assert lines > 1
    height = lambda row: float(re.search(r'ht="([0-9.]+)"', after[row]).group(1))  # noqa: E731
    assert height("2") == pytest.approx(height_for(lines, 11))
    assert 'customHeight="1"' in after["2"]
    # a merged area over C:D is twice as wide: fewer lines
    assert height("3") == pytest.approx(height_for(wrapped_lines(NARRATIVE, chars_per_line(80, 11, 11)), 11))
    assert after["4"] == before["4"]  # tall enough already
    assert after["5"] == before["5"]  # hidden rows stay hidden
    assert height("7") == pytest.approx(height_for(wrapped_lines(NARRATIVE, chars_per_line(40, 20, 11)), 20))
    assert height("9") > 15  # a row the writer creates gets its height too
    wb = openpyxl.load_workbook(out)
    ws = wb["Q"]
    assert ws["C2"].alignment.wrap_text
    assert ws["C7"].alignment.wrap_text
    assert ws["C7"].font.sz == 20  # the cell's own format, plus wrapping
    assert not ws["B2"].alignment.wrap_text  # "Yes" fits: its format is left alone
    assert ws["A2"].alignment.wrap_text is None or not ws["A2"].alignment.wrap_text
    # styles.xml only grows: every existing format keeps its index
    old, new = _member(src, "xl/styles.xml"), _member(out, "xl/styles.xml")
    old_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", old, re.S).group(1)
    assert re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", new, re.S).group(1).startswith(old_xfs)


def test_without_fit_rows_no_row_or_format_changes(tmp_path: Path) -> None:
    src = _build(tmp_path)
    out = tmp_path / "out.xlsx"
    patch_xlsx(src, out, [SlotWrite("Q!C2", NARRATIVE)], review_fill=None, force_recalc=False)
    assert _rows(out) == _rows(src)
    assert _member(out, "xl/styles.xml") == _member(src, "xl/styles.xml")
