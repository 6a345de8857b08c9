"""The in-place xlsx writer on small workbooks built here with openpyxl."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import Font

from trustfill.errors import OutputError, UsageError
from trustfill.exporters.interface import SlotWrite
from trustfill.exporters.xlsx_patch import PatchReport, patch_xlsx

SHEET = "Answers & Co's"
QSHEET = "'Answers & Co''s'"  # the quoted form Excel uses in formulas
S1 = "xl/worksheets/sheet1.xml"


# -- helpers ------------------------------------------------------------------------------------


def build(tmp_path: Path, name: str = "in.xlsx") -> Path:
    """A two-sheet workbook with the shapes answer cells come in."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "Question"
    ws["B1"] = "Answer"
    ws["A2"] = "Do you encrypt data at rest?"
    ws["C2"] = "old"
    ws["C2"].font = Font(bold=True, color="FF0000")
    ws["C2"].number_format = "@"
    ws["A3"] = "Second question"
    ws["D4"] = "=1+1"
    ws["E4"] = "=D4*2"
    ws["A8"] = "after the gap"
    ws["C6"] = "merged anchor"
    ws.merge_cells("C6:D7")
    other = wb.create_sheet("Other")
    other["A1"] = "=2+2"
    path = tmp_path / name
    wb.save(path)
    return path


def rewrite(path: Path, changes: dict[str, bytes | None], dest: Path | None = None) -> Path:
    """Copy the zip with members replaced, added (new names) or removed (None)."""
    dest = dest or path
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    for name, data in changes.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return dest


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)




def add_calc_chain(path: Path, entries: str) -> None:
    """Put a calcChain part (with its relationship and content type) into an openpyxl-made file."""
    rels = member(path, "xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'calcChain" Target="calcChain.xml"/></Relationships>',
    )
    ct = member(path, "[Content_Types].xml").decode()
    ct = ct.replace(
        "</Types>",
        '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.calcChain+xml"/></Types>',
    )
    chain = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{entries}</calcChain>'
    )
    rewrite(
        path,
        {"xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": ct.encode(), "xl/calcChain.xml": chain.encode()},
    )


def patch(src: Path, writes: list[SlotWrite], **kw: object) -> tuple[Path, PatchReport]:
    dest = src.with_name("out" + src.suffix)
    report = patch_xlsx(src, dest, writes, **kw)  # type: ignore[arg-type]
    return dest, report


def cell_xml(path: Path, ref: str, part: str = S1) -> str:
    xml = member(path, part).decode()
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
    assert m is not None, ref
    return m.group(0)


# -- cell writes ----------------------------------------------------------------------------------


def test_existing_cell_keeps_its_style_and_changes_only_the_sheet(tmp_path: Path, raw_members) -> None:
    src = build(tmp_path)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out, report = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes")], force_recalc=False)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["C2"].value == "Yes"
    assert ws["C2"].font.b is True
    assert ws["C2"].number_format == "@"
    assert report.parts_changed == (S1,)
    assert report.parts_added == ()
    assert report.parts_removed == ()
    assert report.skipped == ()
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # src untouched
    old, new = raw_members(src), raw_members(out)
    assert list(new) == list(old)  # same members, same order
    for name in old:
        if name != S1:
            assert new[name] == old[name], name  # raw compressed bytes copied


def test_only_the_target_cell_text_differs(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, _ = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes")], force_recalc=False)
    old, new = member(src, S1).decode(), member(out, S1).decode()
    old_cell, new_cell = cell_xml(src, "C2"), cell_xml(out, "C2")
    style = re.search(r's="(\d+)"', old_cell).group(1)
    assert new_cell == f'<c r="C2" s="{style}" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c>'
    assert new.replace(new_cell, "") == old.replace(old_cell, "")


def test_missing_cell_is_created_in_column_order(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!B2", "between"), SlotWrite(f"{SHEET}!Z2", "last")])
    xml = member(out, S1).decode()
    row = re.search(r'<row r="2".*?</row>', xml).group(0)
    assert re.findall(r'<c r="([A-Z]+)2"', row) == ["A", "B", "C", "Z"]
    ws = openpyxl.load_workbook(out)[SHEET]
    assert (ws["B2"].value, ws["Z2"].value, ws["C2"].value) == ("between", "last", "old")
    assert len(report.written) == 2


def test_missing_rows_are_inserted_in_order(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, _ = patch(src, [SlotWrite(f"{SHEET}!C5", "five"), SlotWrite(f"{SHEET}!B20", "twenty"), SlotWrite(f"{SHEET}!C1", "x")])
    xml = member(out, S1).decode()
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows)
    assert 5 in rows
    assert 20 in rows
    assert re.search(r'<dimension ref="A1:E20"/>', xml)  # grown to cover the new cell
    ws = openpyxl.load_workbook(out)[SHEET]
    assert (ws["C5"].value, ws["B20"].value, ws["A8"].value) == ("five", "twenty", "after the gap")


def test_merged_anchor_is_written_and_other_merged_cells_are_refused(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C6", "anchor"), SlotWrite(f"{SHEET}!D7", "hidden")])
    assert openpyxl.load_workbook(out)[SHEET]["C6"].value == "anchor"
    assert [s.address for s in report.skipped] == [f"{SHEET}!D7"]
    assert "merged area C6:D7" in report.skipped[0].reason


def test_formula_cell_is_skipped_without_overwrite(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!D4", "Yes")], force_recalc=False)
    assert report.written == ()
    assert str(report.skipped[0]) == f"{SHEET}!D4: holds a formula; pass overwrite to replace it"
    assert member(out, S1) == member(src, S1)
    assert report.parts_changed == ()


def test_overwriting_a_formula_drops_its_calc_chain_entry(tmp_path: Path) -> None:
    src = build(tmp_path)
    # E4 inherits sheet id 1 from D4's entry: dropping D4 must move i="1" onto E4.
    add_calc_chain(src, '<c r="D4" i="1"/><c r="E4"/><c r="A1" i="2"/>')
    out, report = patch(src, [SlotWrite(f"{SHEET}!D4", "typed", overwrite=True)])
    assert report.written[0].replaced_formula
    chain = member(out, "xl/calcChain.xml").decode()
    assert '<c r="D4"' not in chain
    assert '<c r="E4" i="1"/>' in chain
    assert '<c r="A1" i="2"/>' in chain
    assert "<f>" not in cell_xml(out, "D4")
    wb = openpyxl.load_workbook(out)
    assert wb[SHEET]["D4"].value == "typed"
    assert wb[SHEET]["E4"].value == "=D4*2"


def test_calc_chain_part_goes_when_it_empties(tmp_path: Path) -> None:
    src = build(tmp_path)
    add_calc_chain(src, '<c r="D4" i="1"/>')
    out, report = patch(src, [SlotWrite(f"{SHEET}!D4", "typed", overwrite=True)])
    assert report.parts_removed == ("xl/calcChain.xml",)
    with zipfile.ZipFile(out) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
    assert b"calcChain" not in member(out, "xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in member(out, "[Content_Types].xml")
    assert openpyxl.load_workbook(out)[SHEET]["D4"].value == "typed"


def test_array_and_shared_formula_masters_are_refused(tmp_path: Path) -> None:
    src = build(tmp_path)
    xml = member(src, S1).decode()
    xml = xml.replace("<f>1+1</f>", '<f t="array" ref="D4:D5">1+1</f>')
    xml = xml.replace("<f>D4*2</f>", '<f t="shared" ref="E4:E6" si="0">D4*2</f>')
    rewrite(src, {S1: xml.encode()})
    _, report = patch(
        src,
        [SlotWrite(f"{SHEET}!D5", "x", overwrite=True), SlotWrite(f"{SHEET}!E4", "x", overwrite=True)],
    )
    reasons = {s.address: s.reason for s in report.skipped}
    assert "array formula over D4:D5" in reasons[f"{SHEET}!D5"]
    assert "shared formula" in reasons[f"{SHEET}!E4"]


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=tab", "\r=cr", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_stays_literal(tmp_path: Path, text: str) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C3", text)])
    cell = openpyxl.load_workbook(out)[SHEET]["C3"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix is True
    assert report.written[0].quote_prefix
    assert "<f" not in cell_xml(out, "C3")


def test_xml_special_and_invalid_characters(tmp_path: Path) -> None:
    src = build(tmp_path)
    text = 'a < b && c > "d" \'e\' ]]> \x00\x07\x1b bell _x000D_ line1\nline2 é 中文 🙂'
    out, _ = patch(src, [SlotWrite(f"{SHEET}!C3", text)])
    raw = cell_xml(out, "C3")
    assert "_x005F_x000D_" in raw  # Excel would otherwise read _x000D_ as a carriage return
    value = openpyxl.load_workbook(out)[SHEET]["C3"].value
    assert value.replace("_x005F_", "_") == text.replace("\x00", "").replace("\x07", "").replace("\x1b", "")


def test_carriage_returns_survive(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, _ = patch(src, [SlotWrite(f"{SHEET}!C3", "one\r\ntwo")])
    assert "&#13;" in cell_xml(out, "C3")
    assert openpyxl.load_workbook(out)[SHEET]["C3"].value == "one\r\ntwo"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_printable_text_round_trips(tmp_path: Path, text: str) -> None:
    src = tmp_path / "prop.xlsx"
    if not src.exists():
        build(tmp_path, "prop.xlsx")
    dest = tmp_path / "prop-out.xlsx"
    patch_xlsx(src, dest, [SlotWrite(f"{SHEET}!C3", text)])
    value = openpyxl.load_workbook(dest)[SHEET]["C3"].value
    assert (value or "").replace("_x005F_", "_") == text


def test_text_over_excel_limit_is_reported_not_truncated(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C3", "x" * 40_000), SlotWrite(f"{SHEET}!C2", "ok")])
    assert [w.cell for w in report.written] == ["C2"]
    assert report.skipped[0].address == f"{SHEET}!C3"
    assert "40,000 characters" in report.skipped[0].reason
    assert "32,767" in report.skipped[0].reason
    assert openpyxl.load_workbook(out)[SHEET]["C3"].value is None


def test_exactly_at_the_limit_is_written(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C3", "y" * 32_767)])
    assert report.skipped == ()
    assert len(openpyxl.load_workbook(out)[SHEET]["C3"].value) == 32_767


def test_addresses_quoted_unquoted_unknown_and_duplicates(tmp_path: Path) -> None:
    src = build(tmp_path)
    writes = [
        SlotWrite(f"{QSHEET}!$C$3", "quoted"),
        SlotWrite("Other!B1", "first"),
        SlotWrite("other!B1", "second"),  # sheet names are case-insensitive in Excel
        SlotWrite("Nope!A1", "x"),
        SlotWrite("C3", "x"),
        SlotWrite(f"{SHEET}!ZZZZ1", "x"),
    ]
    out, report = patch(src, writes)
    wb = openpyxl.load_workbook(out)
    assert wb[SHEET]["C3"].value == "quoted"
    assert wb["Other"]["B1"].value == "second"
    reasons = {s.address: s.reason for s in report.skipped}
    assert reasons["Other!B1"] == "superseded by a later write to the same cell"
    assert reasons["Nope!A1"] == "no sheet named 'Nope' in the workbook"
    assert "not a cell address" in reasons["C3"]
    assert "not a cell address" in reasons[f"{SHEET}!ZZZZ1"]
    assert set(report.parts_changed) >= {S1, "xl/worksheets/sheet2.xml"}


def test_bad_fill_and_same_path_are_refused(tmp_path: Path) -> None:
    src = build(tmp_path)
    with pytest.raises(UsageError, match="review_fill: 'yellow' is not a colour"):
        patch_xlsx(src, tmp_path / "o.xlsx", [], review_fill="yellow")
    with pytest.raises(OutputError, match="refusing to overwrite the source"):
        patch_xlsx(src, src, [])


# -- review marking -------------------------------------------------------------------------------


def test_review_fill_and_new_note(tmp_path: Path) -> None:
    src = build(tmp_path)
    styles_before = member(src, "xl/styles.xml").decode()
    out, report = patch(
        src,
        [
            SlotWrite(f"{SHEET}!C2", "Yes", review=True, note="Check: evidence is a year old"),
            SlotWrite(f"{SHEET}!C3", "No", review=True),
            SlotWrite(f"{SHEET}!B2", "plain"),
        ],
        review_fill="FFC7CE",
    )
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["C2"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["C2"].font.b is True
    assert ws["C3"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["B2"].fill.fill_type is None
    assert ws["C2"].comment is not None
    assert ws["C2"].comment.text == "Check: evidence is a year old"
    assert ws["C2"].comment.author == "trustfill"
    assert [(w.cell, w.review_fill, w.note) for w in report.written] == [("C2", True, True), ("C3", True, False), ("B2", False, False)]
    # styles.xml only grows: one fill and two formats (C2's bold one and the default) appended
    styles_after = member(out, "xl/styles.xml").decode()
    b_fills, a_fills = (re.search(r"<fills[^>]*>(.*?)</fills>", x, re.S).group(1) for x in (styles_before, styles_after))
    b_xfs, a_xfs = (re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", x, re.S).group(1) for x in (styles_before, styles_after))
    assert a_fills.startswith(b_fills)
    assert a_fills[len(b_fills) :] == '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>'
    assert a_xfs.startswith(b_xfs)
    assert a_xfs.count("<xf ") == b_xfs.count("<xf ") + 2
    no_counts = re.compile(r' count="\d+"')
    rebuilt = styles_after.replace(a_xfs, b_xfs, 1).replace(a_fills, b_fills, 1)
    assert no_counts.sub("", rebuilt) == no_counts.sub("", styles_before)
    # openpyxl wrote no sheet relationships part, so one is created too
    assert set(report.parts_added) == {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels"}
    sheet_xml = member(out, S1).decode()
    assert re.search(r'<pageMargins [^>]*/><legacyDrawing (xmlns:r="[^"]+" )?r:id="rId\d+"/></worksheet>$', sheet_xml)
    ct = member(out, "[Content_Types].xml").decode()
    assert "/xl/comments1.xml" in ct
    assert "vml" in ct


def test_note_is_appended_to_existing_comments(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q"
    ws["B2"] = "question"
    ws["B2"].comment = Comment("existing remark", "someone")
    src = tmp_path / "c.xlsx"
    wb.save(src)
    with zipfile.ZipFile(src) as z:
        parts_before = set(z.namelist())
    out, report = patch(
        src,
        [SlotWrite("Q!C2", "Yes", review=True, note="new note"), SlotWrite("Q!B2", "x", review=True, note="clash")],
    )
    assert report.parts_added == ()  # no second comments part or drawing
    assert "xl/comments/comment1.xml" in report.parts_changed
    ws2 = openpyxl.load_workbook(out)["Q"]
    assert ws2["B2"].comment.text == "existing remark"
    assert ws2["C2"].comment.text == "new note"
    assert [str(w) for w in report.warnings] == ["Q!B2: note not added: the cell already has a comment; trustfill leaves it as it is"]
    with zipfile.ZipFile(out) as z:
        assert set(z.namelist()) == parts_before
    vml = member(out, "xl/drawings/commentsDrawing1.vml").decode()
    assert vml.count("<x:Row>1</x:Row>") == 1  # our shape for row 2


def test_clean_mode_adds_no_fill_or_note(tmp_path: Path) -> None:
    src = build(tmp_path)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes", review=True, note="n")], review_fill=None, force_recalc=False)
    assert report.parts_changed == (S1,)
    assert report.parts_added == ()
    assert openpyxl.load_workbook(out)[SHEET]["C2"].comment is None


def test_force_recalc_sets_full_calc_on_load(tmp_path: Path) -> None:
    src = build(tmp_path)
    wb_xml = member(src, "xl/workbook.xml").decode()
    assert 'fullCalcOnLoad="1"' in wb_xml  # openpyxl sets it; Excel-saved files do not
    rewrite(src, {"xl/workbook.xml": wb_xml.replace(' fullCalcOnLoad="1"', "").encode()})
    out, report = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes")])
    assert set(report.parts_changed) == {S1, "xl/workbook.xml"}
    assert b'fullCalcOnLoad="1"' in member(out, "xl/workbook.xml")


def test_review_sheet_is_appended_and_an_old_one_replaced(tmp_path: Path) -> None:
    src = build(tmp_path)
    wb = openpyxl.load_workbook(src)
    wb.create_sheet("trustfill review").append(["stale", "rows"])  # left by an earlier run
    wb.create_sheet("After")
    wb.active = 3  # the reviewer saved with the tab after it active
    wb.save(src)
    rows = [["Cell", "Answer", "Why review"], [f"{SHEET}!C2", "Yes", "stale <evidence> & more"]]
    out, report = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes")], review_sheet=rows)
    wb2 = openpyxl.load_workbook(out)
    assert report.review_sheet == "trustfill review"
    assert wb2.sheetnames == [SHEET, "Other", "After", "trustfill review"]
    assert [list(r) for r in wb2["trustfill review"].values] == rows
    assert wb2.active.title == "After"


def test_an_old_review_sheet_is_dropped_with_its_part_and_names(tmp_path: Path) -> None:
    src = build(tmp_path)
    wb = openpyxl.load_workbook(src)
    review = wb.create_sheet("trustfill review", 0)
    review["A1"] = "=1+1"
    wb.create_sheet("trustfill lists").sheet_state = "hidden"
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["kept"] = DefinedName("kept", attr_text=f"'{SHEET}'!$A$1")
    wb[SHEET].defined_names["local"] = DefinedName("local", attr_text=f"'{SHEET}'!$B$2")
    wb.active = 1
    wb.save(src)
    out, report = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes")], review_fill=None, force_recalc=False)
    wb2 = openpyxl.load_workbook(out)
    assert wb2.sheetnames == [SHEET, "Other"]
    assert wb2.active.title == SHEET
    assert "kept" in wb2.defined_names
    assert "local" in wb2[SHEET].defined_names  # its localSheetId moved with the removal
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        parts = [n for n in names if n.startswith("xl/worksheets/sheet")]
        assert len(parts) == 2
        assert all(p.split("/")[-1] in z.read("[Content_Types].xml").decode() for p in parts)
        assert "trustfill" not in z.read("xl/workbook.xml").decode()
    assert report.review_sheet is None


def test_prefixed_spreadsheetml_is_patched_with_the_same_prefix(tmp_path: Path) -> None:
    src = build(tmp_path)
    xml = member(src, S1).decode()
    xml = re.sub(r"<(/?)(?=[A-Za-z])", r"<\1x:", xml).replace('xmlns="', 'xmlns:x="', 1)
    rewrite(src, {S1: xml.encode()})
    out, _ = patch(src, [SlotWrite(f"{SHEET}!C2", "Yes"), SlotWrite(f"{SHEET}!B9", "new")])
    new = member(out, S1).decode()
    assert '<x:c r="C2" s="1" t="inlineStr"><x:is><x:t xml:space="preserve">Yes</x:t></x:is></x:c>' in new
    assert '<x:row r="9"><x:c r="B9"' in new
    ws = openpyxl.load_workbook(out)[SHEET]
    assert (ws["C2"].value, ws["B9"].value) == ("Yes", "new")


def test_xlsm_keeps_vba_project_byte_identical(tmp_path: Path, raw_members) -> None:
    src = build(tmp_path, "in.xlsx")
    vba = bytes(range(256)) * 40
    ct = member(src, "[Content_Types].xml").decode()
    ct = ct.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace(
        "</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    rels = member(src, "xl/_rels/workbook.xml.rels").decode().replace(
        "</Relationships>",
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>',
    )
    xlsm = rewrite(
        src,
        {"[Content_Types].xml": ct.encode(), "xl/_rels/workbook.xml.rels": rels.encode(), "xl/vbaProject.bin": vba},
        tmp_path / "in.xlsm",
    )
    out, report = patch(xlsm, [SlotWrite(f"{SHEET}!C2", "Yes", review=True, note="n")])
    assert out.suffix == ".xlsm"
    assert raw_members(out)["xl/vbaProject.bin"] == raw_members(xlsm)["xl/vbaProject.bin"]
    assert member(out, "xl/vbaProject.bin") == vba
    ct_out = member(out, "[Content_Types].xml").decode()
    assert "sheet.macroEnabled.main+xml" in ct_out
    assert "application/vnd.ms-office.vbaProject" in ct_out
    assert b"vbaProject" in member(out, "xl/_rels/workbook.xml.rels")
    wb = openpyxl.load_workbook(out, keep_vba=True)
    wb.vba_archive.close()  # openpyxl keeps the macros in an in-memory zip it never closes
    assert wb[SHEET]["C2"].value == "Yes"
    assert "xl/vbaProject.bin" not in report.parts_changed


def test_row_spans_widen_and_self_closing_rows_open(tmp_path: Path) -> None:
    src = build(tmp_path)
    xml = member(src, S1).decode()
    xml = xml.replace('<row r="2">', '<row r="2" spans="1:3" customHeight="1" ht="30">')
    xml = xml.replace('<row r="7"></row>', '<row r="7" ht="12" customHeight="1"/>')
    rewrite(src, {S1: xml.encode()})
    out, report = patch(src, [SlotWrite(f"{SHEET}!F2", "wide"), SlotWrite(f"{SHEET}!B7", "in empty row")])
    assert report.skipped == ()
    new = member(out, S1).decode()
    assert '<row r="2" spans="1:6" customHeight="1" ht="30">' in new
    assert '<row r="7" ht="12" customHeight="1"><c r="B7" t="inlineStr">' in new
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["F2"].value == "wide"
    assert ws["B7"].value == "in empty row"
    assert ws.row_dimensions[7].height == 12


def test_unusual_vml_means_no_note_but_the_fill_stays(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q"
    ws["B2"] = "question"
    ws["B2"].comment = Comment("existing remark", "someone")
    src = tmp_path / "v.xlsx"
    wb.save(src)
    rewrite(src, {"xl/drawings/commentsDrawing1.vml": b"<v:group>not the usual wrapper</v:group>"})
    out, report = patch(src, [SlotWrite("Q!C3", "Yes", review=True, note="n")])
    assert [(w.cell, w.review_fill, w.note) for w in report.written] == [("C3", True, False)]
    assert len(report.warnings) == 1
    assert str(report.warnings[0]).startswith("Q!C3: note not added: the sheet's drawing xl/drawings/commentsDrawing1.vml")
    assert "xl/comments/comment1.xml" not in report.parts_changed
    assert member(out, "xl/drawings/commentsDrawing1.vml") == b"<v:group>not the usual wrapper</v:group>"
    assert openpyxl.load_workbook(out)["Q"]["C3"].fill.fgColor.rgb == "FFFFF2CC"
