"""Word import: question tables, response tables, checkbox cells, paragraph questions and bad files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from trustfill.errors import ImportFormatError
from trustfill.importers.docx import DocxImporter, split_number
from trustfill.importers.interface import ImportOptions
from trustfill.questionnaire import Questionnaire, SlotKind, SlotState

SDT = (
    f'<w:sdt {nsdecls("w", "w14")}><w:sdtPr><w14:checkbox><w14:checked w14:val="{{checked}}"/>'
    '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
    "</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
)


def build(tmp_path: Path, fill: Callable[[object], None], name: str = "q.docx") -> Path:
    document = docx.Document()
    fill(document)
    path = tmp_path / name
    document.save(str(path))
    return path


def collect(path: Path) -> Questionnaire:
    return DocxImporter().collect(path, ImportOptions())


def add_box_bullets(document) -> int:  # type: ignore[no-untyped-def]
    """A list definition whose bullet is ❏, as in the OpenChain worksheets; returns its numId."""
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="bullet"/><w:lvlText w:val="❏"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def bullet(paragraph, num_id: int) -> None:  # type: ignore[no-untyped-def]
    num = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num.get_or_add_ilvl().val = 0
    num.get_or_add_numId().val = num_id


def add_sym(paragraph, char: str, font: str = "Wingdings") -> None:  # type: ignore[no-untyped-def]
    paragraph.add_run()._r.append(parse_xml(f'<w:sym {nsdecls("w")} w:font="{font}" w:char="{char}"/>'))


def add_sdt(paragraph, checked: bool) -> None:  # type: ignore[no-untyped-def]
    paragraph._p.append(parse_xml(SDT.format(checked=int(checked), glyph="☒" if checked else "☐")))


def table_doc(document) -> None:  # type: ignore[no-untyped-def]
    document.add_heading("Access Control", level=1)
    rows = [["ID", "Question", "Response", "Comments"],
            ["AC-1", "Do you enforce MFA for administrators?", "", ""],
            ["", "", "", ""],
            ["NS-1", "Are firewall rules reviewed yearly?", "Yes", "Annually"],
            ["NS-2", "Is traffic encrypted in transit?", "Click or tap here to enter text.", ""]]
    table = document.add_table(rows=len(rows), cols=4)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(2, 3)).text = "Network Security"


def test_question_table_with_header_sections_and_states(tmp_path: Path) -> None:
    q = collect(build(tmp_path, table_doc))
    assert [r.question_id for r in q.questions] == ["AC-1", "NS-1", "NS-2"]
    first, answered, placeholder = q.questions
    assert first.location == "table 1 row 2"
    assert first.section == "Access Control"
    assert answered.section == "Network Security"
    assert first.slot(SlotKind.SHORT).address == "t0.r1.c2"  # type: ignore[union-attr]
    assert first.slot(SlotKind.NARRATIVE).address == "t0.r1.c3"  # type: ignore[union-attr]
    assert answered.slot(SlotKind.SHORT).state is SlotState.ANSWERED  # type: ignore[union-attr]
    assert answered.slot(SlotKind.NARRATIVE).current == "Annually"  # type: ignore[union-attr]
    assert placeholder.slot(SlotKind.SHORT).state is SlotState.PLACEHOLDER  # type: ignore[union-attr]
    assert q.layouts[0].columns == {"id": "1", "question": "2", "short": "3", "narrative": "4"}


def test_nested_tables_are_numbered_in_document_order(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        outer = document.add_table(rows=1, cols=2)
        outer.cell(0, 0).text = "Part A"
        inner = outer.cell(0, 1).add_table(rows=2, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "Question", "Answer"
        inner.cell(1, 0).text = "Do you run background checks?"
        after = document.add_table(rows=2, cols=2)
        after.cell(0, 0).text, after.cell(0, 1).text = "Question", "Answer"
        after.cell(1, 0).text = "Do you train staff yearly?"

    q = collect(build(tmp_path, fill))
    assert [(r.text, r.slots[0].address, r.location) for r in q.questions] == [
        ("Do you run background checks?", "t1.r1.c1", "table 2 row 2"),
        ("Do you train staff yearly?", "t2.r1.c1", "table 3 row 2"),
    ]


def test_numbered_questions_with_response_tables(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        document.add_heading("Architecture", level=1)
        document.add_paragraph("1. What data does the system store?")
        t = document.add_table(rows=2, cols=2)
        t.cell(0, 0).text, t.cell(1, 0).text = "Response", "Evidence / demonstration"
        document.add_paragraph("")
        document.add_paragraph("2. Demonstrate the recovery path.")
        t = document.add_table(rows=4, cols=1)  # labels above their boxes
        t.cell(0, 0).text, t.cell(2, 0).text = "Response", "Evidence"
        document.add_paragraph("3. Do you support SSO?")
        t = document.add_table(rows=2, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text, t.cell(1, 0).text = "Answer", "Yes, SAML.", "Comments"

    q = collect(build(tmp_path, fill))
    assert [(r.question_id, r.text, r.section) for r in q.questions] == [
        ("1", "What data does the system store?", "Architecture"),
        ("2", "Demonstrate the recovery path.", "Architecture"),
        ("3", "Do you support SSO?", "Architecture"),
    ]
    one, two, three = q.questions
    assert one.location == "paragraph 2"
    assert [(s.kind, s.address) for s in one.slots] == [(SlotKind.NARRATIVE, "t0.r0.c1"), (SlotKind.COMMENT, "t0.r1.c1")]
    assert [(s.kind, s.address) for s in two.slots] == [(SlotKind.NARRATIVE, "t1.r1.c0"), (SlotKind.COMMENT, "t1.r3.c0")]
    assert [(s.kind, s.state) for s in three.slots] == [(SlotKind.SHORT, SlotState.ANSWERED), (SlotKind.NARRATIVE, SlotState.EMPTY)]


def test_checkbox_cells_of_every_kind(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        num_id = add_box_bullets(document)
        t = document.add_table(rows=5, cols=3)
        for c, head in enumerate(["Question", "Answer", "Notes"]):
            t.cell(0, c).text = head
        t.cell(1, 0).text, t.cell(1, 1).text = "Is data encrypted at rest?", "☐ Yes ☐ No ☐ N/A"
        t.cell(2, 0).text = "Do you keep audit logs?"
        p = t.cell(2, 1).paragraphs[0]
        add_sym(p, "F0A8")
        p.add_run(" Yes ")
        add_sym(p, "F0FE")
        p.add_run(" No")
        t.cell(3, 0).text = "Is there a DPO?"
        p = t.cell(3, 1).paragraphs[0]
        add_sdt(p, False)
        p.add_run(" Yes ")
        add_sdt(p, True)
        p.add_run(" No")
        t.cell(4, 0).text = "Discovery of open source occurs early."
        cell = t.cell(4, 1)
        cell.paragraphs[0].add_run("Complete")
        bullet(cell.paragraphs[0], num_id)
        bullet(cell.add_paragraph("Partial"), num_id)

    rows = collect(build(tmp_path, fill)).questions
    shorts = [r.slot(SlotKind.SHORT) for r in rows]
    assert [s.allowed for s in shorts] == [("Yes", "No", "N/A"), ("Yes", "No"), ("Yes", "No"), ("Complete", "Partial")]  # type: ignore[union-attr]
    assert [s.state for s in shorts] == [SlotState.EMPTY, SlotState.ANSWERED, SlotState.ANSWERED, SlotState.EMPTY]  # type: ignore[union-attr]
    assert [s.current for s in shorts] == [None, "No", "No", None]  # type: ignore[union-attr]
    assert all(r.slot(SlotKind.NARRATIVE) is not None for r in rows)


def test_headerless_checkbox_rows_and_labels_before_boxes(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        t = document.add_table(rows=2, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "Do you have a data protection officer?", "Yes ☐   No ☒"
        t.cell(1, 0).text = "Is data encrypted at rest? ☐ Yes ☐ No"

    rows = collect(build(tmp_path, fill)).questions
    assert [(r.text, r.slots[0].address, r.slots[0].allowed, r.slots[0].current) for r in rows] == [
        ("Do you have a data protection officer?", "t0.r0.c1", ("Yes", "No"), "No"),
        ("Is data encrypted at rest?", "t0.r1.c0", ("Yes", "No"), None),
    ]


def test_headerless_question_and_answer_rows_but_not_forms(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        form = document.add_table(rows=2, cols=2)
        form.cell(0, 0).text, form.cell(1, 0).text = "Organization", "Reviewer"
        qa = document.add_table(rows=3, cols=3)
        for r, values in enumerate([["1", "Do you encrypt backups?", ""], ["2", "Do you test restores?", "Yes, monthly."],
                                    ["", "Notes", ""]]):
            for c, value in enumerate(values):
                qa.cell(r, c).text = value

    q = collect(build(tmp_path, fill))
    assert [(r.question_id, r.text, r.slots[0].address, r.slots[0].state) for r in q.questions] == [
        ("1", "Do you encrypt backups?", "t1.r0.c2", SlotState.EMPTY),
        ("2", "Do you test restores?", "t1.r1.c2", SlotState.ANSWERED),
    ]
    assert [layout.questions for layout in q.layouts] == [0, 2]


def test_table_without_answer_column_lists_questions_without_slots(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        t = document.add_table(rows=3, cols=3)
        for r, values in enumerate([["Section", "Number", "Question Text"], ["1. Policy", "1.a", "Do you have a policy?"],
                                    ["1. Policy", "1.b", "Is it communicated to staff?"]]):
            for c, value in enumerate(values):
                t.cell(r, c).text = value

    q = collect(build(tmp_path, fill))
    assert [(r.question_id, r.section, r.slots) for r in q.questions] == [("1.a", "1. Policy", ()), ("1.b", "1. Policy", ())]
    assert "no answer column" in q.layouts[0].note


def test_paragraph_questions_when_there_are_no_tables(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        document.add_heading("General", level=1)
        document.add_paragraph("Please answer in the space below each question.")
        document.add_paragraph("1. Do you encrypt data at rest?")
        document.add_paragraph("")
        document.add_paragraph("2. Describe your backup process.")
        document.add_paragraph("[Enter response here]")
        document.add_paragraph("3. Is MFA enforced?")
        document.add_paragraph("☐ Yes ☐ No")

    rows = collect(build(tmp_path, fill)).questions
    assert [(r.question_id, r.location, r.slots[0].address, r.slots[0].kind, r.slots[0].state) for r in rows] == [
        ("1", "paragraph 3", "p2", SlotKind.NARRATIVE, SlotState.EMPTY),
        ("2", "paragraph 5", "p4", SlotKind.NARRATIVE, SlotState.PLACEHOLDER),
        ("3", "paragraph 7", "p7", SlotKind.SHORT, SlotState.EMPTY),
    ]
    assert rows[2].slots[0].allowed == ("Yes", "No")
    assert rows[0].section == "General"


def test_split_number() -> None:
    assert split_number("12. Which services can be disabled?") == ("12", "Which services can be disabled?")
    assert split_number("1.a Do you have a policy?") == ("1.a", "Do you have a policy?")
    assert split_number("2FA is enforced for all users") == (None, "2FA is enforced for all users")


# --------------------------------------------------------------------------- bad files

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB_XML = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            b"<w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>")
WORKBOOK_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sheet.main+xml"/></Types>')


def _rezip(src: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.pop(info.filename, zin.read(info.filename)))
        for name, data in replace.items():
            zout.writestr(name, data)
    return out.getvalue()


def _valid_docx() -> bytes:
    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()


BAD = {
    "empty": (lambda: b"", "the file is empty"),
    "legacy .doc": (lambda: OLE + b"\0" * 600, r"legacy binary Office file \(\.doc\)"),
    "encrypted": (lambda: OLE + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le"), "password-protected"),
    "corrupt zip": (lambda: b"PK\x03\x04" + b"\x07" * 200, r"damaged \(corrupt zip"),
    "truncated": (lambda: _valid_docx()[:3000], r"damaged \(corrupt zip"),
    "zip bomb": (_bomb, "zip bomb"),
    "entity bomb": (lambda: _rezip(_valid_docx(), {"word/document.xml": BOMB_XML}), "refused unsafe XML"),
    "broken xml": (lambda: _rezip(_valid_docx(), {"word/document.xml": b"<w:document><w:body>"}), "invalid XML"),
    "workbook": (lambda: _rezip(_valid_docx(), {"[Content_Types].xml": WORKBOOK_TYPES, "xl/workbook.xml": b"<x/>"}),
                 "Excel workbook named .docx"),
    "docm": (lambda: _rezip(_valid_docx(), {"[Content_Types].xml": _valid_types().replace(
        b"wordprocessingml.document.main+xml", b"DUMMY").replace(
        b"application/vnd.openxmlformats-officedocument.DUMMY", b"application/vnd.ms-word.document.macroEnabled.main+xml")}),
        "macro-enabled"),
    "not a zip": (lambda: b"%PDF-1.7 not a docx", "no zip signature"),
}


def _valid_types() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_valid_docx())) as zf:
        return zf.read("[Content_Types].xml")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_give_one_clear_error(tmp_path: Path, case: str) -> None:
    make, message = BAD[case]
    path = tmp_path / "bad.docx"
    path.write_bytes(make())
    with pytest.raises(ImportFormatError, match=message) as info:
        collect(path)
    assert str(info.value).startswith(str(path))


# --------------------------------------------------------------------------- real questionnaires


@pytest.mark.shared
def test_osi_numbered_questions_with_response_and_evidence(shared: Path) -> None:
    q = collect(shared / "osi-procurement-security-questionnaire.docx")
    assert len(q.questions) == 40
    assert [r.question_id for r in q.questions] == [str(n) for n in range(1, 41)]
    for row in q.questions:
        response, evidence = row.slot(SlotKind.NARRATIVE), row.slot(SlotKind.COMMENT)
        assert response is not None
        assert evidence is not None
        assert response.state is SlotState.EMPTY
        assert evidence.state is SlotState.EMPTY
        assert response.address.endswith(".r0.c1")
        assert evidence.address.endswith(".r1.c1")
    assert q.questions[0].section == "Architecture and data"
    assert q.questions[-1].section == "Lifecycle and disposition"


@pytest.mark.shared
def test_openchain_ma_statements_with_checkbox_options(shared: Path) -> None:
    q = collect(shared / "openchain-oss-practices-ma-assessment.docx")
    assert len(q.questions) == 81
    for row in q.questions:
        short = row.slot(SlotKind.SHORT)
        assert short is not None
        assert short.allowed == ("Complete", "Partial", "Not available", "Not applicable")
        assert row.slot(SlotKind.NARRATIVE) is not None
    assert q.questions[0].section == "Worksheet - Discovery of Open Source Software"


@pytest.mark.shared
def test_openchain_license_questions_without_answer_column(shared: Path) -> None:
    q = collect(shared / "openchain-license-compliance-2.0-questionnaire.docx")
    assert len(q.questions) == 39
    assert all(row.slots == () for row in q.questions)
    assert q.questions[0].question_id == "1.a"
    assert all("no answer column" in layout.note for layout in q.layouts)


def test_spreadsheet_overrides_are_reported_as_ignored(tmp_path: Path) -> None:
    path = build(tmp_path, table_doc)
    q = DocxImporter().collect(path, ImportOptions(question_col="B", header_row=2))
    assert [r.question_id for r in q.questions] == ["AC-1", "NS-1", "NS-2"]  # detection is unchanged
    warnings = [p.message for p in q.problems if "ignored" in p.message]
    assert len(warnings) == 1
    assert "--question-col, --header-row ignored" in warnings[0]
    assert not any("ignored" in p.message for p in collect(path).problems)
