"""XlsxImporter on small workbooks built here, one per quirk of real questionnaires."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from trustfill.errors import ImportFormatError
from trustfill.importers.interface import ImportOptions
from trustfill.importers.xlsx import XlsxImporter
from trustfill.questionnaire import Questionnaire, SlotKind, SlotState

QUESTIONS = [
    ("AC-01", "Do you enforce multi-factor authentication for all administrators?"),
    ("AC-02", "Are user access reviews performed at least quarterly?"),
    ("AC-03", "Describe how you provision and deprovision user accounts."),
]


def collect(path: Path, **options: object) -> Questionnaire:
    return XlsxImporter().collect(path, ImportOptions(**options))  # type: ignore[arg-type]


def patch_part(path: Path, part: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one zip part in place (to add XML openpyxl cannot write)."""
    with zipfile.ZipFile(path) as zf:
        items = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, edit(data) if name == part else data)


def table(ws, first_row: int = 1, header: tuple[str, ...] = ("ID", "Question", "Answer", "Comments")) -> int:
    """Write a header and QUESTIONS from ``first_row``; return the first question row."""
    for col, name in enumerate(header, start=1):
        ws.cell(first_row, col, name)
    for i, (qid, text) in enumerate(QUESTIONS, start=first_row + 1):
        ws.cell(i, 1, qid)
        ws.cell(i, 2, text)
    return first_row + 1


def test_header_on_row_5_below_a_title_block(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Security"
    ws["A1"] = "Acme Vendor Security Questionnaire"
    ws["A2"] = "Please answer every question and return the file to procurement."
    ws["A3"] = "Version 2.1"
    table(ws, first_row=5)
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.question_id for x in q.questions] == ["AC-01", "AC-02", "AC-03"]
    first = q.questions[0]
    assert first.location == "Security!B6"
    assert first.text == QUESTIONS[0][1]
    assert first.section == "Security"
    assert [(s.kind, s.address, s.state) for s in first.slots] == [
        (SlotKind.SHORT, "Security!C6", SlotState.EMPTY),
        (SlotKind.NARRATIVE, "Security!D6", SlotState.EMPTY),
    ]
    layout = q.layouts[0]
    assert layout.header_row == 5
    assert layout.columns == {"question": "B", "id": "A", "short": "C", "narrative": "D"}
    assert layout.questions == 3
    assert layout.score >= 0.8


def test_repeated_section_headers_end_markers_and_copyright_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Org"
    rows = [
        ("Access Control", None, "Answer", "Additional Information"),
        ("AC-01", "Do you enforce MFA for administrators?", None, None),
        ("AC-02", "Do you review access quarterly?", None, None, None, "End Table Data"),
        ("Data Protection", None, "Answer", "Additional Information"),
        ("DP-01", "Is data encrypted at rest?", None, None),
        ("Copyright © 2025 Example Org",),
    ]
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, v)
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(x.question_id, x.section) for x in q.questions] == [
        ("AC-01", "Access Control"),
        ("AC-02", "Access Control"),
        ("DP-01", "Data Protection"),
    ]
    assert all(len(x.slots) == 2 for x in q.questions)


def test_merged_answer_area_is_one_slot_at_its_anchor(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    ws.merge_cells(f"C{first + 2}:D{first + 2}")  # AC-03: free text over answer and comments
    ws.merge_cells(f"C{first}:E{first}")  # AC-01: merged, but with a dropdown: still a short answer
    dv = DataValidation(type="list", formula1='"Yes,No"')
    ws.add_data_validation(dv)
    dv.add(f"C{first}")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    ac1, ac2, ac3 = q.questions
    assert [(s.kind, s.address) for s in ac3.slots] == [(SlotKind.NARRATIVE, f"Sheet!C{first + 2}")]
    assert [(s.kind, s.address, s.allowed) for s in ac1.slots] == [
        (SlotKind.SHORT, f"Sheet!C{first}", ("Yes", "No"))
    ]
    assert [s.address for s in ac2.slots] == [f"Sheet!C{first + 1}", f"Sheet!D{first + 1}"]


def test_values_carry_down_a_vertical_merge_only(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Category", "Question", "Response"])
    ws.append(["Network", "Do you run a web application firewall?", None])
    ws.append([None, "Do you segment production networks?", None])
    ws.append(["Please answer in English and attach evidence where you can.", None, None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("A4:C4")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(x.text, x.section) for x in q.questions] == [
        ("Do you run a web application firewall?", "Network"),
        ("Do you segment production networks?", "Network"),
    ]


def test_statement_items_under_a_question_header_count_without_dropdowns(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Control", "Response", "Notes"])
    ws.append(["Access Control", None, None])
    ws.append(["Multi-factor authentication enforced for administrators", None, None])
    ws.append(["Quarterly access reviews documented", None, None])
    ws.append(["Encryption", None, None])
    ws.append(["Data encrypted at rest with AES-256", None, None])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(x.text, x.section) for x in q.questions] == [
        ("Multi-factor authentication enforced for administrators", "Access Control"),
        ("Quarterly access reviews documented", "Access Control"),
        ("Data encrypted at rest with AES-256", "Encryption"),
    ]
    assert [s.kind for s in q.questions[0].slots] == [SlotKind.SHORT, SlotKind.NARRATIVE]


def test_question_merged_over_two_rows_is_asked_once(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    ws.merge_cells(f"B{first}:B{first + 1}")
    ws.cell(first + 1, 1, None)
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(x.question_id, x.location) for x in q.questions] == [
        ("AC-01", f"Sheet!B{first}"),
        ("AC-03", f"Sheet!B{first + 2}"),
    ]


def test_inline_list_dropdown_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    dv = DataValidation(type="list", formula1='"Yes,No,N/A"')
    ws.add_data_validation(dv)
    dv.add(f"C{first}:C{first + 2}")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.slot(SlotKind.SHORT).allowed for x in q.questions] == [("Yes", "No", "N/A")] * 3
    assert q.questions[0].slot(SlotKind.NARRATIVE).allowed is None


def test_named_range_dropdown_on_a_hidden_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Questions"
    first = table(ws)
    lists = wb.create_sheet("Lists")
    for i, v in enumerate(["Yes", "No", "Partially", "Not applicable"], start=1):
        lists.cell(i, 1, v)
    lists.sheet_state = "hidden"
    wb.defined_names["answers"] = DefinedName("answers", attr_text="Lists!$A$1:$A$4")
    dv = DataValidation(type="list", formula1="answers")
    ws.add_data_validation(dv)
    dv.add(f"C{first}:C{first + 2}")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert q.questions[1].slot(SlotKind.SHORT).allowed == ("Yes", "No", "Partially", "Not applicable")
    lists_layout = next(lay for lay in q.layouts if lay.part == "Lists")
    assert lists_layout.questions == 0
    assert "hidden sheet" in lists_layout.note


def test_x14_dropdown_that_openpyxl_drops(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    lists = wb.create_sheet("Values")
    lists["A1"], lists["A2"] = "Yes", "No"
    lists.sheet_state = "hidden"
    path = tmp_path / "q.xlsx"
    wb.save(path)
    ext = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Values!$A$1:$A$2</xm:f></x14:formula1>'
        f"<xm:sqref>C{first}:C{first + 2}</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    patch_part(
        path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"</worksheet>", ext.encode() + b"</worksheet>")
    )

    q = collect(path)

    assert [x.slot(SlotKind.SHORT).allowed for x in q.questions] == [("Yes", "No")] * 3


def test_broken_named_range_gives_a_warning_not_a_crash(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    wb.defined_names["yesno"] = DefinedName("yesno", attr_text="#REF!")
    dv = DataValidation(type="list", formula1="yesno")
    ws.add_data_validation(dv)
    dv.add(f"C{first}:C{first + 2}")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert len(q.questions) == 3
    assert all(x.slot(SlotKind.SHORT).allowed is None for x in q.questions)
    assert len(q.problems) == 1
    problem = q.problems[0]
    assert problem.level == "warning"
    assert problem.place == f"Sheet!C{first}"
    assert "'yesno' is a broken named range (#REF!)" in problem.message


def _set_cached(path: Path, cell: str, cached: str) -> None:
    """Give a formula cell a cached text result, as Excel does when it saves."""

    def edit(data: bytes) -> bytes:
        pattern = rb'<c r="' + cell.encode() + rb'"([^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)'

        def repl(m: re.Match[bytes]) -> bytes:
            head = b'<c r="' + cell.encode() + b'"' + m.group(1) + b' t="str">'
            return head + b"<f>" + m.group(2) + b"</f><v>" + cached.encode() + b"</v>"

        new, n = re.subn(pattern, repl, data)
        assert n == 1, data
        return new

    patch_part(path, "xl/worksheets/sheet1.xml", edit)


def _lookup_workbook(tmp_path: Path) -> tuple[Path, int]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Answers"
    first = table(ws)
    bank = wb.create_sheet("Bank")
    bank.sheet_state = "hidden"
    for i, (qid, text) in enumerate(QUESTIONS, start=1):
        bank.cell(i, 1, qid)
        bank.cell(i, 2, text)
    for r in range(first, first + 3):
        ws.cell(r, 2, f'=VLOOKUP($A{r},Bank!$A$1:$B$3,2,FALSE)&""')
    path = tmp_path / "q.xlsx"
    wb.save(path)
    return path, first


def test_formula_question_text_uses_the_cached_value(tmp_path: Path) -> None:
    path, first = _lookup_workbook(tmp_path)
    _set_cached(path, f"B{first}", "Cached question text from Excel?")

    q = collect(path)

    assert q.questions[0].text == "Cached question text from Excel?"


def test_formula_question_text_without_cache_is_evaluated(tmp_path: Path) -> None:
    path, _ = _lookup_workbook(tmp_path)  # openpyxl saves no cached values

    q = collect(path)

    assert [x.text for x in q.questions] == [text for _, text in QUESTIONS]
    assert [x.question_id for x in q.questions] == ["AC-01", "AC-02", "AC-03"]


def test_unevaluable_formula_question_is_reported_and_skipped(tmp_path: Path) -> None:
    path, first = _lookup_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Answers"][f"B{first + 1}"] = '=INDIRECT("Bank!B"&ROW())'
    wb.save(path)

    q = collect(path)

    assert [x.question_id for x in q.questions] == ["AC-01", "AC-03"]
    assert [p.place for p in q.problems] == [f"Answers!B{first + 1}"]
    assert "question 'AC-02' skipped: the question text cannot be read" in q.problems[0].message


def test_protected_sheet_answer_cells_are_the_unlocked_ones(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, (_, text) in enumerate(QUESTIONS, start=1):
        ws.cell(r, 1, text)
        ws.cell(r, 2, "See policy")  # locked reference text the vendor cannot edit
        ws.cell(r, 4).protection = Protection(locked=False)
        ws.cell(r, 4).fill = PatternFill("solid", fgColor="FFFF00")
    ws.protection.sheet = True
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.location for x in q.questions] == ["Sheet!A1", "Sheet!A2", "Sheet!A3"]
    assert [[s.address for s in x.slots] for x in q.questions] == [["Sheet!D1"], ["Sheet!D2"], ["Sheet!D3"]]
    assert "unlocked cells" in q.layouts[0].note


def test_headerless_sheet_found_by_questions_and_yes_no_dropdowns(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    texts = [text for _, text in QUESTIONS[:2]] + ["Is customer data encrypted in transit?"]
    for r, text in enumerate(texts, start=1):
        ws.cell(r, 1, text)
    dv = DataValidation(type="list", formula1='"Yes,No"')
    ws.add_data_validation(dv)
    dv.add("C1:C3")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.text for x in q.questions] == texts
    assert [x.slot(SlotKind.SHORT).address for x in q.questions] == ["Sheet!C1", "Sheet!C2", "Sheet!C3"]
    assert q.layouts[0].columns == {"question": "A", "short": "C"}
    assert "dropdowns" in q.layouts[0].note


def test_slot_states_placeholder_formula_answered(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Question", "Response", "Comments"])
    cells = ["Select", "Enter response here", "[Type answer]", "Yes", "=D6", " "]
    for i, value in enumerate(cells, start=1):
        ws.append([f"Q-{i}", f"Question number {i}: do you do thing {i}?", value, None])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    states = [(x.slot(SlotKind.SHORT).state, x.slot(SlotKind.SHORT).current) for x in q.questions]
    assert states == [
        (SlotState.PLACEHOLDER, "Select"),
        (SlotState.PLACEHOLDER, "Enter response here"),
        (SlotState.PLACEHOLDER, "[Type answer]"),
        (SlotState.ANSWERED, "Yes"),
        (SlotState.FORMULA, "=D6"),
        (SlotState.EMPTY, " "),
    ]
    assert not q.questions[4].slot(SlotKind.SHORT).writable


def test_trailing_formatted_blank_rows_are_not_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    fill = PatternFill("solid", fgColor="DDDDDD")
    for r in range(first + 3, first + 3 + 5000):
        for c in range(1, 5):
            ws.cell(r, c).fill = fill
    ws.cell(first + 3 + 5000, 2, "Is this far-away row ever read?")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.question_id for x in q.questions] == ["AC-01", "AC-02", "AC-03"]
    assert "not read" in q.layouts[0].note


def test_hidden_rows_count_only_when_they_ask_something(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    first = table(ws)
    ws.cell(first + 3, 1, "AC-04")
    ws.cell(first + 3, 2, "Helper row for lookups")
    ws.cell(first + 4, 1, "AC-05")
    ws.cell(first + 4, 2, "Do you log administrator actions?")
    ws.row_dimensions[first + 3].hidden = True
    ws.row_dimensions[first + 4].hidden = True
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.question_id for x in q.questions] == ["AC-01", "AC-02", "AC-03", "AC-05"]


def test_hidden_answer_column_gets_no_slot(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    table(ws, header=("ID", "Question", "Answer", "Comments", "Evidence"))
    ws.column_dimensions["D"].hidden = True
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(s.kind, s.address[-2:]) for s in q.questions[0].slots] == [
        (SlotKind.SHORT, "C2"),
        (SlotKind.COMMENT, "E2"),
    ]


def test_ids_with_ampersand_and_duplicate_ids_warn(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Question", "Answer"])
    ws.append(["A&A-01", "Do you perform annual penetration tests?", None])
    ws.append(["A&A-02", "Do you remediate critical findings within 30 days?", None])
    ws.append(["A&A-02", "Do you retest after remediation?", None])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [x.question_id for x in q.questions] == ["A&A-01", "A&A-02", "A&A-02"]
    assert [(p.place, p.level) for p in q.problems] == [("Sheet!B4", "warning")]
    assert "duplicate question id 'A&A-02' (also at Sheet!B3)" in q.problems[0].message


def test_ids_repeated_on_a_formula_fed_sheet_come_from_the_input_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    start = wb.active
    start.title = "Start Here"
    first = table(start)
    other = wb.create_sheet("Product")
    table(other)
    for r in range(first, first + 3):
        other.cell(r, 3, f"=VLOOKUP($A{r},'Start Here'!$A$2:$C$4,3,0)")
    other.append(["PR-01", "Does the product support SSO?", None, None])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert [(x.question_id, x.location.split("!")[0]) for x in q.questions] == [
        ("AC-01", "Start Here"),
        ("AC-02", "Start Here"),
        ("AC-03", "Start Here"),
        ("PR-01", "Product"),
    ]
    product = next(lay for lay in q.layouts if lay.part == "Product")
    assert product.questions == 1
    assert "3 question(s) also asked on another sheet" in product.note


def test_instruction_and_summary_sheets_are_skipped_with_a_reason(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    intro = wb.active
    intro.title = "Instructions"
    intro["A1"] = "How to complete this questionnaire"
    intro["A2"] = "Answer every question in the Questions tab. Describe your controls in the comments column."
    intro["A3"] = "Provide links to evidence where you can, and return the file within two weeks."
    table(wb.create_sheet("Questions"))
    summary = wb.create_sheet("Summary")
    summary.append(["Question", "Answer"])
    for r, (_, text) in enumerate(QUESTIONS, start=2):
        summary.append([text, f"=Questions!C{r}"])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(path)

    assert {x.location.split("!")[0] for x in q.questions} == {"Questions"}
    notes = {lay.part: lay.note for lay in q.layouts}
    assert notes["Instructions"].startswith("skipped:")
    assert notes["Summary"].startswith("skipped: its answer cells are formulas")


def test_xlsm_with_a_macro_part_reads_fine(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    table(wb.active)
    path = tmp_path / "q.xlsm"
    wb.save(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a macro project")

    q = collect(path)

    assert len(q.questions) == 3


def test_overrides_pick_sheet_columns_and_header_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Odd"
    ws.append(["Reference material for the review"])
    ws.append(["Num", "Topic", "Item", "Reply", "Remarks"])
    ws.append(["1", "Access", "MFA for admins", "", ""])
    ws.append(["2", "Access", "Quarterly access reviews", "", ""])
    path = tmp_path / "q.xlsx"
    wb.save(path)

    q = collect(
        path, sheet="odd", question_col="C", answer_col="D", comment_col="E", id_col="A", header_row=2
    )

    assert [(x.question_id, x.text, x.location) for x in q.questions] == [
        ("1", "MFA for admins", "Odd!C3"),
        ("2", "Quarterly access reviews", "Odd!C4"),
    ]
    assert [(s.kind, s.address) for s in q.questions[0].slots] == [
        (SlotKind.SHORT, "Odd!D3"),
        (SlotKind.NARRATIVE, "Odd!E3"),
    ]
    assert q.layouts[0].header_row == 2


def test_unknown_sheet_and_bad_column_letters(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Main"
    table(wb.active)
    wb.create_sheet("Lists")
    path = tmp_path / "q.xlsx"
    wb.save(path)

    with pytest.raises(ImportFormatError) as err:
        collect(path, sheet="Questions")
    assert str(err.value) == f"{path}: no sheet named 'Questions'; sheets are: 'Main', 'Lists'"

    with pytest.raises(
        ImportFormatError, match=re.escape(f"{path}: --answer-col 'C3' is not a column letter")
    ):
        collect(path, answer_col="C3")


def test_no_question_column_anywhere(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Amount"])
    ws.append(["Widgets", 3])
    path = tmp_path / "numbers.xlsx"
    wb.save(path)

    with pytest.raises(ImportFormatError) as err:
        collect(path)

    assert (
        str(err.value)
        == f"{path}: no question column found on any sheet; name it with --question-col and --sheet"
    )
    assert [p.place for p in err.value.problems] == ["Sheet"]


def test_the_input_file_is_never_modified(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    table(wb.active)
    path = tmp_path / "q.xlsx"
    wb.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns

    collect(path)

    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime
