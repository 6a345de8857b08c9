"""Word in-place writer: values in cells with their formatting, ticked boxes, review marks, untouched parts."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

from trustfill.errors import OutputError
from trustfill.exporters.docx_inplace import write_docx
from trustfill.exporters.interface import SlotWrite
from trustfill.importers.docx import DocxImporter
from trustfill.importers.interface import ImportOptions
from trustfill.questionnaire import Questionnaire, SlotKind, SlotState

SDT = (
    f'<w:sdt {nsdecls("w", "w14")}><w:sdtPr><w14:checkbox><w14:checked w14:val="{{checked}}"/>'
    '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
    "</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
)


def build(tmp_path: Path, fill: Callable[[object], None]) -> Path:
    document = docx.Document()
    fill(document)
    path = tmp_path / "in.docx"
    document.save(str(path))
    return path


def collect(path: Path) -> Questionnaire:
    return DocxImporter().collect(path, ImportOptions())


def write(src: Path, writes: list[SlotWrite]) -> docx.document.Document:
    dest = src.with_name("out.docx")
    before = src.read_bytes()
    write_docx(src, dest, writes)
    assert src.read_bytes() == before  # the customer's file is never touched
    return docx.Document(str(dest))


def formatted_table(document) -> None:  # type: ignore[no-untyped-def]
    t = document.add_table(rows=3, cols=3)
    for c, head in enumerate(["Question", "Response", "Comments"]):
        t.cell(0, c).text = head
    t.cell(1, 0).text = "Do you enforce MFA?"
    t.cell(2, 0).text = "Describe your backups."
    p = t.cell(1, 1).paragraphs[0]
    p.style = document.styles["Body Text"]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("Enter response here")
    run.bold, run.font.size = True, Pt(9)
    placeholder = t.cell(1, 2).paragraphs[0].add_run("Click or tap here to enter text.")
    placeholder._r.get_or_add_rPr().append(parse_xml(f'<w:rStyle {nsdecls("w")} w:val="PlaceholderText"/>'))
    placeholder.font.color.rgb = docx.shared.RGBColor(0x80, 0x80, 0x80)


def test_cell_value_keeps_paragraph_style_and_run_formatting(tmp_path: Path) -> None:
    src = build(tmp_path, formatted_table)
    q = collect(src)
    slot = q.questions[0].slot(SlotKind.SHORT)
    assert slot is not None
    assert slot.state is SlotState.PLACEHOLDER
    cell = write(src, [SlotWrite(slot.address, "Yes")]).tables[0].cell(1, 1)
    assert cell.text == "Yes"
    p = cell.paragraphs[0]
    assert p.style.name == "Body Text"
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert p.runs[0].bold
    assert p.runs[0].font.size == Pt(9)
    assert p.runs[0].font.highlight_color is None


def test_placeholder_style_is_dropped(tmp_path: Path) -> None:
    src = build(tmp_path, formatted_table)
    run = write(src, [SlotWrite("t0.r1.c2", "Daily, encrypted.")]).tables[0].cell(1, 2).paragraphs[0].runs[0]
    assert run.text == "Daily, encrypted."
    assert run._r.rPr.find(qn("w:rStyle")) is None
    assert run.font.color.rgb is None


def test_paragraphs_line_breaks_and_review_highlight(tmp_path: Path) -> None:
    src = build(tmp_path, formatted_table)
    value = "Yes. We back up daily.\n\nCopies are kept\nin two regions."
    cell = write(src, [SlotWrite("t0.r2.c1", value, review=True, note="match score 71")]).tables[0].cell(2, 1)
    texts = [p.text for p in cell.paragraphs]
    assert texts == ["Yes. We back up daily.", "Copies are kept\nin two regions. [Review: match score 71]"]
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for p in cell.paragraphs for r in p.runs)


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    src = build(tmp_path, formatted_table)
    assert write(src, [SlotWrite("t0.r1.c1", "Yes\x01\x0b done")]).tables[0].cell(1, 1).text == "Yes done"


def checkbox_table(document) -> None:  # type: ignore[no-untyped-def]
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="bullet"/><w:lvlText w:val="❏"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    t = document.add_table(rows=5, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Question", "Answer"
    t.cell(1, 0).text, t.cell(1, 1).text = "Is data encrypted at rest?", "☐ Yes ☐ No ☐ N/A"
    t.cell(2, 0).text = "Do you keep audit logs?"
    p = t.cell(2, 1).paragraphs[0]
    for char, label in (("F0A8", " Yes "), ("F0FE", " No")):
        p.add_run()._r.append(parse_xml(f'<w:sym {nsdecls("w")} w:font="Wingdings" w:char="{char}"/>'))
        p.add_run(label)
    t.cell(3, 0).text = "Is there a DPO?"
    p = t.cell(3, 1).paragraphs[0]
    for checked, label in ((False, " Yes "), (True, " No")):
        p._p.append(parse_xml(SDT.format(checked=int(checked), glyph="☒" if checked else "☐")))
        p.add_run(label)
    t.cell(4, 0).text = "Discovery of open source occurs early."
    cell = t.cell(4, 1)
    cell.paragraphs[0].add_run("Complete")
    paragraphs = [cell.paragraphs[0], cell.add_paragraph("Partial")]
    for para in paragraphs:
        num = para._p.get_or_add_pPr().get_or_add_numPr()
        num.get_or_add_ilvl().val = 0
        num.get_or_add_numId().val = 90


def test_ticking_every_kind_of_box(tmp_path: Path) -> None:
    src = build(tmp_path, checkbox_table)
    addresses = [r.slot(SlotKind.SHORT).address for r in collect(src).questions]  # type: ignore[union-attr]
    out = write(src, [SlotWrite(addresses[0], "N/A"), SlotWrite(addresses[1], "Yes"), SlotWrite(addresses[2], "Yes"),
                      SlotWrite(addresses[3], "Partial")])
    t = out.tables[0]
    assert t.cell(1, 1).text == "☐ Yes ☐ No ☒ N/A"
    syms = [s.get(qn("w:char")) for s in t.cell(2, 1)._tc.iter(qn("w:sym"))]
    assert syms == ["F0FD", "F0A8"]  # Yes crossed, the old No tick cleared
    checks = [c.get(qn("w14:val")) for c in t.cell(3, 1)._tc.iter(qn("w14:checked"))]
    assert checks == ["1", "0"]
    glyphs = [t.text for sdt in t.cell(3, 1)._tc.iter(qn("w:sdtContent")) for t in sdt.iter(qn("w:t"))]
    assert glyphs == ["☒", "☐"]
    complete, partial = t.cell(4, 1).paragraphs
    assert partial.text == "☒\tPartial"
    assert partial._p.pPr.numPr.numId.val == 0
    assert partial._p.pPr.ind is not None
    assert complete._p.pPr.numPr.numId.val == 90  # untouched option keeps its box bullet


def test_ticked_boxes_read_back_as_answers(tmp_path: Path) -> None:
    src = build(tmp_path, checkbox_table)
    dest = tmp_path / "out.docx"
    write_docx(src, dest, [SlotWrite("t0.r1.c1", "No"), SlotWrite("t0.r2.c1", "Yes"), SlotWrite("t0.r3.c1", "Yes"),
                           SlotWrite("t0.r4.c1", "Complete")])
    shorts = [r.slot(SlotKind.SHORT) for r in collect(dest).questions]
    assert [(s.state, s.current) for s in shorts] == [(SlotState.ANSWERED, v) for v in ("No", "Yes", "Yes", "Complete")]  # type: ignore[union-attr]


def test_review_on_a_checkbox_highlights_the_label_and_adds_the_note(tmp_path: Path) -> None:
    src = build(tmp_path, checkbox_table)
    cell = write(src, [SlotWrite("t0.r4.c1", "Complete", review=True, note="check scope")]).tables[0].cell(4, 1)
    assert [p.text for p in cell.paragraphs] == ["☒\tComplete", "Partial", " [Review: check scope]"]
    assert cell.paragraphs[0].runs[-1].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_several_options_and_values_outside_the_options(tmp_path: Path) -> None:
    src = build(tmp_path, checkbox_table)
    t = write(src, [SlotWrite("t0.r1.c1", "Yes; N/A"), SlotWrite("t0.r2.c1", "Sometimes")]).tables[0]
    assert t.cell(1, 1).text == "☒ Yes ☐ No ☒ N/A"
    texts = [p.text for p in t.cell(2, 1).paragraphs]
    assert texts[1].startswith("Sometimes [Review: not one of the options (Yes, No); tick one")
    assert t.cell(2, 1).paragraphs[1].runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def paragraph_doc(document) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph("1. Do you encrypt data at rest?", style="List Number")
    document.add_paragraph("")
    document.add_paragraph("2. Describe your backup process.")
    document.add_paragraph("[Enter response here]")
    question = document.add_paragraph()
    question.add_run("3. Who is your DPO?").bold = True
    document.add_paragraph("Guidance: name a person or a role.")
    document.add_paragraph("4. Is MFA enforced?")
    document.add_paragraph("☐ Yes ☐ No")


def test_paragraph_answers_fill_the_space_or_go_after_the_question(tmp_path: Path) -> None:
    src = build(tmp_path, paragraph_doc)
    rows = collect(src).questions
    assert [r.slots[0].address for r in rows] == ["p0", "p2", "p4", "p7"]
    out = write(src, [SlotWrite("p0", "Yes, AES-256."), SlotWrite("p2", "Nightly snapshots."),
                      SlotWrite("p4", "Our CISO.", review=True, note="confirm"), SlotWrite("p7", "Yes")])
    texts = [p.text for p in out.paragraphs]
    assert texts == ["1. Do you encrypt data at rest?", "Yes, AES-256.", "2. Describe your backup process.",
                     "Nightly snapshots.", "3. Who is your DPO?", "Our CISO. [Review: confirm]",
                     "Guidance: name a person or a role.", "4. Is MFA enforced?", "☒ Yes ☐ No"]
    inserted = out.paragraphs[5]
    assert not inserted.runs[0].bold  # the answer does not look like a question
    assert inserted.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_inserted_answer_after_a_list_question_is_not_a_list_item(tmp_path: Path) -> None:
    def fill(document) -> None:  # type: ignore[no-untyped-def]
        document.add_paragraph("1. Do you encrypt data at rest?", style="List Number")
        document.add_paragraph("2. Do you rotate keys?", style="List Number")

    src = build(tmp_path, fill)
    out = write(src, [SlotWrite("p0", "Yes.")])
    assert [p.text for p in out.paragraphs] == ["1. Do you encrypt data at rest?", "Yes.", "2. Do you rotate keys?"]
    assert out.paragraphs[1].style.name == "Normal"


@pytest.mark.parametrize(("address", "message"), [
    ("t9.r0.c0", r"slot t9\.r0\.c0 does not exist in this document \(1 tables\)"),
    ("t0.r1.c7", "does not exist"),
    ("p99", r"slot p99 does not exist"),
    ("B7", "is not a Word slot address"),
])
def test_bad_addresses(tmp_path: Path, address: str, message: str) -> None:
    src = build(tmp_path, formatted_table)
    with pytest.raises(OutputError, match=message):
        write_docx(src, tmp_path / "out.docx", [SlotWrite(address, "x")])


def test_refuses_to_write_over_the_source(tmp_path: Path) -> None:
    src = build(tmp_path, formatted_table)
    with pytest.raises(OutputError, match="refusing to write over the source"):
        write_docx(src, src, [])


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.shared
def test_osi_only_the_document_part_changes(shared: Path, tmp_path: Path) -> None:
    src = shared / "osi-procurement-security-questionnaire.docx"
    q = collect(src)
    writes = [SlotWrite(s.address, f"Answer {r.question_id} ({s.kind.value}).") for r in q.questions for s in r.slots]
    dest = tmp_path / "osi.docx"
    write_docx(src, dest, writes)
    before, after = _parts(src), _parts(dest)
    assert list(before) == list(after)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["word/document.xml"]
    again = collect(dest)
    assert len(again.questions) == 40
    assert [s.current for s in again.questions[6].slots] == ["Answer 7 (narrative).", "Answer 7 (comment)."]


@pytest.mark.shared
def test_openchain_ma_ticks_the_chosen_option(shared: Path, tmp_path: Path) -> None:
    src = shared / "openchain-oss-practices-ma-assessment.docx"
    first = collect(src).questions[0]
    dest = tmp_path / "ma.docx"
    write_docx(src, dest, [SlotWrite(first.slot(SlotKind.SHORT).address, "Partial", review=True, note="n")])  # type: ignore[union-attr]
    before, after = _parts(src), _parts(dest)
    assert [name for name in before if before[name] != after[name]] == ["word/document.xml"]
    rows = collect(dest).questions
    assert len(rows) == 81
    assert (rows[0].slot(SlotKind.SHORT).state, rows[0].slot(SlotKind.SHORT).current) == (SlotState.ANSWERED, "Partial")  # type: ignore[union-attr]
    assert all(r.slot(SlotKind.SHORT).state is SlotState.EMPTY for r in rows[1:])  # type: ignore[union-attr]
