"""Issue 18: one regression test per defect an adversarial run found. Every hostile file is built here, in code."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from trustfill.errors import ImportFormatError, OutputError
from trustfill.exporters.interface import SlotWrite
from trustfill.fill import FilledQuestionnaire, QuestionResult
from trustfill.importers import ImportOptions, load_questionnaire
from trustfill.output import OutputFormat, atomic_path, write_output

QUESTION = "Is customer data encrypted at rest?"


def make_xlsx(path: Path, rows: list[list[object]], title: str = "Questions") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["ID", "Question", "Answer", "Comments"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def rewrite_zip(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Rewrite ``path`` with ``edit(name, data) -> (name, data) | None`` applied to every member."""
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            edited = edit(name, data)
            if edited is not None:
                out.writestr(edited[0], edited[1])
    path.write_bytes(buf.getvalue())


def filled_with(questionnaire, writes: list[SlotWrite]) -> FilledQuestionnaire:  # type: ignore[no-untyped-def]
    q = questionnaire.questions[0]
    return FilledQuestionnaire(questionnaire, (QuestionResult(q, "auto", None, None, tuple(writes)),), "profile.yaml")


# 1 ---------------------------------------------------------------------------------------------------------


def test_1_template_symlink_out_of_the_workspace_is_refused(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("{% block short %}Yes{% endblock %}{% block narrative %}root:x:0:0 SECRET{% endblock %}")
    template = mini_workspace / "answer_templates" / "crypto" / "at-rest.j2"
    template.unlink()
    template.symlink_to(secret)
    code, out, err = run_cli("check", str(mini_workspace))
    assert code == 1
    assert "outside the template folder" in out + err
    code, out, err = run_cli("answer", QUESTION, "--json", cwd=mini_workspace)
    assert "SECRET" not in out
    assert json.loads(out)["answer"]["status"] == "error"


def test_1_evidence_symlink_out_of_the_workspace_is_an_error(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("not evidence")
    doc = mini_workspace / "evidence" / "docs" / "crypto.md"
    doc.unlink()
    doc.symlink_to(outside)
    code, out, err = run_cli("check", str(mini_workspace))
    assert code == 1
    assert "outside" in out + err
    assert "crypto-policy" in out + err


# 2 ---------------------------------------------------------------------------------------------------------


def test_2_full_width_formula_is_guarded_after_the_cp1252_fallback(tmp_path: Path) -> None:
    from trustfill.exporters.csv_inplace import write_csv

    src = tmp_path / "q.csv"
    src.write_bytes("ID,Question,Answer\nQ1,Caf\xe9 data encrypted?,\n".encode("cp1252"))
    for hostile in ("＝1+1+cmd|' /C calc'!A0", "﹦1+1", "＋1", "－1", "＠SUM(A1)"):
        dest = tmp_path / "out.csv"
        write_csv(src, dest, [SlotWrite("2:3", hostile)])
        cell = dest.read_bytes().decode("cp1252").splitlines()[1].split(",", 2)[2]
        assert cell.startswith("'"), (hostile, cell)


def test_2_xlsx_guard_folds_compatibility_characters(tmp_path: Path) -> None:
    from trustfill.exporters.xlsx_patch import patch_xlsx

    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    report = patch_xlsx(src, tmp_path / "o.xlsx", [SlotWrite("Questions!C2", "＝1+1")], review_fill=None)
    assert report.written[0].quote_prefix


# 3 ---------------------------------------------------------------------------------------------------------


def test_3_utf16_sheet_part_without_bom_is_refused_clearly(tmp_path: Path, run_cli) -> None:
    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    bomb = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    rewrite_zip(src, lambda n, d: (n, bomb.encode("utf-16-le")) if n == "xl/worksheets/sheet1.xml" else (n, d))
    with pytest.raises(ImportFormatError, match="UTF-16"):
        load_questionnaire(src)
    code, _, err = run_cli("inspect", str(src))
    assert code == 4
    assert "\x00" not in err


# 4 ---------------------------------------------------------------------------------------------------------


def test_4_many_parts_under_the_per_part_floor_still_count(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    with zipfile.ZipFile(src, "a", zipfile.ZIP_DEFLATED) as zf:
        for i in range(12):  # 12 x 9 MiB of zeros: each part under 10 MiB, together ~1000:1
            zf.writestr(f"xl/media/pad{i}.bin", b"\0" * (9 * 1024 * 1024))
    with pytest.raises(ImportFormatError, match="zip bomb"):
        load_questionnaire(src)


# 5 ---------------------------------------------------------------------------------------------------------


def test_5_csv_writer_copies_the_bytes_imported_not_the_file_now(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_text(f"ID,Question,Answer\nQ1,{QUESTION},\nQ2,Do you train AI models on customer data?,\n")
    q = load_questionnaire(src)
    original = src.read_bytes()
    src.write_text("ID,Question,Answer\nQ2,Do you train AI models on customer data?,\nQ1,Something else?,\n")  # a sync client
    dest = tmp_path / "out.csv"
    write_output(filled_with(q, [SlotWrite(q.questions[0].slots[0].address, "Yes")]), dest, OutputFormat.AUTO)
    lines = dest.read_text().splitlines()
    assert lines[1] == f"Q1,{QUESTION},Yes"
    assert dest.read_bytes().replace(b",Yes", b",") == original


def test_5_xlsx_writer_copies_the_bytes_imported(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    q = load_questionnaire(src)
    make_xlsx(src, [["Q9", "Do you use customer data to train AI/ML models?", None, None]])
    dest = tmp_path / "out.xlsx"
    write_output(filled_with(q, [SlotWrite("Questions!C2", "Yes")]), dest, OutputFormat.AUTO, review_sheet=False)
    ws = load_workbook(dest)["Questions"]
    assert (ws["B2"].value, ws["C2"].value) == (QUESTION, "Yes")


# 6 ---------------------------------------------------------------------------------------------------------


def test_6_two_writers_to_one_output_one_wins_the_other_fails_cleanly(tmp_path: Path) -> None:
    dest = tmp_path / "out.csv"
    first_run, second_run = atomic_path(dest, force=False), atomic_path(dest, force=False)
    first, second = first_run.__enter__(), second_run.__enter__()  # both start while nothing is there
    first.write_text("first")
    second.write_text("second")
    first_run.__exit__(None, None, None)
    with pytest.raises(OutputError, match="created by something else"):
        second_run.__exit__(None, None, None)
    assert dest.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# 7 ---------------------------------------------------------------------------------------------------------


def test_7_quoted_sheet_name_is_written_and_reported(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]], title="quotedX")
    rewrite_zip(src, lambda n, d: (n, d.replace(b'name="quotedX"', b'name="&apos;quoted&apos;"')) if n == "xl/workbook.xml"
                else (n, d))
    out, report = tmp_path / "out.xlsx", tmp_path / "r.json"
    code, _, err = run_cli("fill", str(src), "-o", str(out), "--report", str(report), cwd=mini_workspace)
    assert code == 0, err
    row = json.loads(report.read_text())["questions"][0]
    assert row["written"], row
    from openpyxl import load_workbook

    assert load_workbook(out)["'quoted'"]["C2"].value == "Yes"


def test_7_report_lists_only_cells_written(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, "=1+1", None], ["Q2", "Do you encrypt stored data?", "=1+1", None]])

    def shared(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"<f>1+1</f>", b'<f t="shared" ref="C2:C3" si="0">1+1</f>', 1)
            data = data.replace(b"<f>1+1</f>", b'<f t="shared" si="0"/>', 1)
        return name, data

    rewrite_zip(src, shared)
    out, report = tmp_path / "out.xlsx", tmp_path / "r.json"
    code, _, err = run_cli("fill", str(src), "-o", str(out), "--report", str(report), "--overwrite", cwd=mini_workspace)
    assert code == 0, err
    first = json.loads(report.read_text())["questions"][0]
    assert "Questions!C2" not in first["written"]
    assert any("not written" in n for n in first["notes"])
    assert first["status"] != "auto"


# 8 ---------------------------------------------------------------------------------------------------------


def test_8_header_detection_considers_a_bounded_number_of_columns() -> None:
    from trustfill.importers.csv import MAX_HEADER_COLUMNS, header_roles

    cells = ["x"] * (MAX_HEADER_COLUMNS + 10) + ["Question"]
    assert "question" not in header_roles(cells)
    assert header_roles(["x" * 10**6, "Question"]) == {"question": 1}


def test_8_vsaq_markup_strip_is_a_plain_scan() -> None:
    from trustfill.importers.vsaq import strip_html

    assert strip_html("Do you <b>encrypt</b><br>data &amp; keys?<!-- x -->") == "Do you encrypt data & keys?"
    assert strip_html("a < b and <![CDATA[ c") == "a < b and <![CDATA[ c"  # html.parser raised here
    assert strip_html("<b" * 100_000 + "x").endswith("x")  # quadratic for html.parser


def test_8_fill_matches_in_chunks_and_keeps_only_results() -> None:
    from trustfill.fill import match_in_chunks

    class Recorder:
        def __init__(self) -> None:
            self.sizes: list[int] = []

        def match_many(self, rows, **kwargs):  # type: ignore[no-untyped-def]
            self.sizes.append(len(rows))
            return [f"m{r}" for r in rows]

    rec = Recorder()
    got = [m for _, chunk in match_in_chunks(rec, list(range(4500)), chunk=2000) for m in chunk]
    assert rec.sizes == [2000, 2000, 500]
    assert got == [f"m{i}" for i in range(4500)]


# 9 ---------------------------------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str, name: str = "q.csv") -> Path:
    path = tmp_path / name
    path.write_text("ID,Question,Answer\n" + text)
    return path


def test_9_control_characters_reach_xlsx_outputs_without_a_crash(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = _csv(tmp_path, f"Q1,{QUESTION}\x01\x08,\n")
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "a.xlsx"), "--format", "xlsx", cwd=mini_workspace)
    assert code == 0, err
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "a.csv"), "--review-file", str(tmp_path / "r.xlsx"),
                           cwd=mini_workspace)
    assert code == 0, err


def _vsaq(tmp_path: Path, text: str, ident: str = '"q1"') -> Path:
    path = tmp_path / "v.json"
    path.write_text(f'{{"questionnaire": [{{"type": "block", "text": "S", "items": [{{"type": "line", "id": {ident}, "text": {json.dumps(text)}}}]}}]}}')
    return path


def test_9_vsaq_hostile_caption_and_id(tmp_path: Path, run_cli) -> None:
    code, _out, err = run_cli("inspect", str(_vsaq(tmp_path, "Do you <![ encrypt data?")))
    assert code == 0, err
    code, _, err = run_cli("inspect", str(_vsaq(tmp_path, "Question?", ident="1" * 100_000)))
    assert code == 4
    assert "v.json" in err
    assert "Traceback" not in err


def test_9_rich_markup_in_customer_text_is_printed_literally(tmp_path: Path, run_cli) -> None:
    src = _csv(tmp_path, "Q1,Do you [/bold] log [link=https://evil.example]access[/link] :smile:?,\n")
    code, out, err = run_cli("inspect", str(src))
    assert code == 0, err
    assert "[/bold]" in out
    assert "[link=https://evil.example]" in out
    assert ":smile:" in out


def test_9_unwritable_output_folder_is_exit_5(mini_workspace: Path, tmp_path: Path, run_cli,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = run_cli("fill", str(_csv(tmp_path, f"Q1,{QUESTION},\n")), "-o", str(tmp_path / "o.csv"), cwd=mini_workspace)
    assert code == 5
    assert "Permission denied" in err


def test_9_non_text_encoding_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("inspect", str(_csv(tmp_path, f"Q1,{QUESTION},\n")), "--encoding", "rot13")
    assert code == 2
    assert "rot13" in err


@pytest.mark.parametrize("body", [
    "{% if crypto.at_rest %}{{ 'x' | no_such_filter }}{% endif %}",
    "{% if crypto.at_rest %}{{ 'x' is no_such_test }}{% endif %}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "{{ range(10**9) | list }}",
    "{{ 'x' * 10**9 }}",
    "{{ (2 if crypto.at_rest else 3) ** 99999999 }}",
])
def test_9_template_mistakes_are_answer_errors(mini_workspace: Path, run_cli, body: str) -> None:
    template = mini_workspace / "answer_templates" / "crypto" / "at-rest.j2"
    template.write_text("{% block short %}Yes{% endblock %}{% block narrative %}" + body + "{% endblock %}")
    code, out, err = run_cli("check", str(mini_workspace))
    assert code == 1, err
    assert "crypto-at-rest" in out + err


def test_9_init_into_a_dangling_symlink_or_under_a_file(tmp_path: Path, run_cli) -> None:
    link = tmp_path / "ws"
    link.symlink_to(tmp_path / "missing")
    code, _, err = run_cli("init", str(link))
    assert code == 5
    assert "does not exist" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli("init", str(blocker / "ws"))
    assert code == 5
    assert "Traceback" not in err


# 10 --------------------------------------------------------------------------------------------------------


def _render(mini_workspace: Path, narrative: str):  # type: ignore[no-untyped-def]
    from trustfill.session import open_session

    template = mini_workspace / "answer_templates" / "crypto" / "at-rest.j2"
    template.write_text("{% block short %}Yes{% endblock %}{% block narrative %}" + narrative + "{% endblock %}")
    return open_session(mini_workspace, mini_workspace / "profile.yaml").engine.render("crypto-at-rest")


def test_10_nested_loops_end_with_an_error(mini_workspace: Path) -> None:
    answer = _render(mini_workspace, "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
    assert answer.status == "error"
    assert "took over" in answer.problems[0]


def test_10_output_size_is_bounded(mini_workspace: Path) -> None:
    answer = _render(mini_workspace, "{% for a in range(100000) %}{% for b in range(100) %}xxxxxxxx{% endfor %}{% endfor %}")
    assert answer.status == "error"
    assert "characters" in answer.problems[0]


def test_10_undefined_inside_a_literal_needs_input(mini_workspace: Path) -> None:
    answer = _render(mini_workspace, "Yes {{ [crypto.nope] }}")
    assert answer.status == "needs_input"
    assert answer.narrative is None


def test_10_templates_cannot_reach_the_fact_tracker(mini_workspace: Path) -> None:
    answer = _render(mini_workspace, "{% if __tracker__ is defined %}{{ __tracker__.read.update({'forged.fact': 1}) }}"
                                     "{% endif %}Yes, {{ company.name }}.")
    assert answer.status == "ok"
    facts = dict(answer.facts)
    assert "forged.fact" not in facts
    assert facts["company.name"] == "Example Co"


# 11 --------------------------------------------------------------------------------------------------------


def test_11_docx_main_part_not_named_xml_is_still_checked(tmp_path: Path) -> None:
    import docx

    src = tmp_path / "q.docx"
    d = docx.Document()
    d.add_paragraph("1. " + QUESTION)
    d.save(str(src))

    def rename(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "word/document.xml":
            body = data.split(b"?>", 1)[1]
            return "word/document.bin", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]>' + body.replace(b"1. ", b"1. &e;", 1)
        return name, data.replace(b"/word/document.xml", b"/word/document.bin").replace(b'"document.xml"', b'"document.bin"')

    rewrite_zip(src, rename)
    with pytest.raises(ImportFormatError, match=r"document\.bin: refused unsafe XML"):
        load_questionnaire(src)


def test_11_a_written_main_part_that_does_not_parse_is_never_handed_over(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import docx
    from docx.opc.part import XmlPart

    from trustfill.exporters.docx_inplace import write_docx

    src = tmp_path / "q.docx"
    d = docx.Document()
    d.add_paragraph("1. " + QUESTION)
    d.save(str(src))
    monkeypatch.setattr(XmlPart, "blob", property(lambda self: b'<?xml version="1.0"?><w:document>&e;</w:document>'))
    dest = tmp_path / "out.docx"
    with pytest.raises(OutputError, match="does not parse"):
        write_docx(src, dest, [])
    assert not dest.exists()


# 12 --------------------------------------------------------------------------------------------------------


def test_12_macro_workbook_under_an_xlsx_name_is_refused(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = make_xlsx(tmp_path / "q.xlsm", [["Q1", QUESTION, None, None]])
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    rewrite_zip(src, lambda n, d: (n, d.replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
                if n == "[Content_Types].xml" else (n, d))
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "out.xlsx"), cwd=mini_workspace)
    assert code == 5
    assert ".xlsm" in err
    assert not (tmp_path / "out.xlsx").exists()
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "out.xlsm"), cwd=mini_workspace)
    assert code == 0, err


# 13 --------------------------------------------------------------------------------------------------------


def test_13_markdown_export_escapes_html_and_links(tmp_path: Path) -> None:
    from trustfill.exporters.flat import MarkdownExporter
    from trustfill.questionnaire import Questionnaire, QuestionRow

    row = QuestionRow("<img src=x onerror=alert(1)>!B2", "See [details](javascript:alert(1)) <script>x</script>")
    filled = FilledQuestionnaire(Questionnaire(tmp_path / "q.xlsx", "xlsx", (row,)),
                                 (QuestionResult(row, "unmatched", None, None),), "p.yaml")
    dest = tmp_path / "a.md"
    MarkdownExporter().write(filled, dest)
    text = dest.read_text()
    assert "<img" not in text
    assert "<script>" not in text
    assert "\\[details\\](javascript:" in text  # brackets escaped: no link


# 14 --------------------------------------------------------------------------------------------------------


def test_14_unterminated_quote_is_a_located_error(tmp_path: Path) -> None:
    src = _csv(tmp_path, f'Q1,"{QUESTION},\nQ2,Do you log?,\nQ3,Do you back up?,\n')
    with pytest.raises(ImportFormatError, match=r"q\.csv:2: a quoted field opened in record 2 is never closed"):
        load_questionnaire(src)


def test_14_a_literal_inch_mark_is_not_an_unterminated_quote(tmp_path: Path) -> None:
    q = load_questionnaire(_csv(tmp_path, 'Q1,Are 5" laptops encrypted?,\nQ2,Do you log?,\n'))
    assert len(q.questions) == 2


# 15 --------------------------------------------------------------------------------------------------------


def test_15_stale_temp_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dest = tmp_path / "out.csv"
    dead = tmp_path / ".out.csv.999999999.abc.tmp"  # no such process
    alive = tmp_path / f".out.csv.{os.getpid()}.def.tmp"  # a run still going
    other = tmp_path / ".other.csv.999999999.abc.tmp"
    for p in (dead, alive, other):
        p.write_text("half")
    with atomic_path(dest, force=False) as tmp:
        tmp.write_text("done")
    assert not dead.exists()
    assert alive.exists()
    assert other.exists()


# 16 --------------------------------------------------------------------------------------------------------


def test_16_added_zip_members_carry_a_fixed_time(tmp_path: Path) -> None:
    from trustfill.exporters.xlsx_patch import patch_xlsx

    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    dest = tmp_path / "o.xlsx"
    report = patch_xlsx(src, dest, [SlotWrite("Questions!C2", "Yes", review=True, note="check")],
                        review_sheet=[["Location"], ["Questions!B2"]])
    assert report.parts_added
    with zipfile.ZipFile(dest) as zf:
        assert {zf.getinfo(n).date_time for n in report.parts_added} == {(1980, 1, 1, 0, 0, 0)}
    again = tmp_path / "o2.xlsx"
    patch_xlsx(src, again, [SlotWrite("Questions!C2", "Yes", review=True, note="check")],
               review_sheet=[["Location"], ["Questions!B2"]])
    assert again.read_bytes() == dest.read_bytes()


# 17 --------------------------------------------------------------------------------------------------------


def test_17_content_types_with_a_dtd_is_refused_input(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = make_xlsx(tmp_path / "q.xlsx", [["Q1", QUESTION, None, None]])
    rewrite_zip(src, lambda n, d: (n, b'<!DOCTYPE Types [<!ENTITY e "x">]>' + d) if n == "[Content_Types].xml" else (n, d))
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "o.xlsx"), cwd=mini_workspace)
    assert code == 4, err
    assert "trustfill bug" not in err


def test_17_report_over_the_input_names_no_wrong_option(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = _csv(tmp_path, f"Q1,{QUESTION},\n")
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "o.csv"), "--report", str(src), cwd=mini_workspace)
    assert code == 5
    assert "is the input file" in err
    assert "choose another -o" not in err


# 18 --------------------------------------------------------------------------------------------------------


def test_18_outputs_follow_the_umask_and_keep_an_existing_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        dest = tmp_path / "out.csv"
        with atomic_path(dest, force=False) as tmp:
            tmp.write_text("a")
        assert stat.S_IMODE(dest.stat().st_mode) == 0o644
        dest.chmod(0o640)
        with atomic_path(dest, force=True) as tmp:
            tmp.write_text("b")
        assert stat.S_IMODE(dest.stat().st_mode) == 0o640
    finally:
        os.umask(old)


# 19 --------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_19_disk_full_on_the_review_workbook_is_one_clear_error(capfd: pytest.CaptureFixture[str]) -> None:
    import gc

    from trustfill.exporters._review import HEADER, ReviewRow, ReviewTable
    from trustfill.exporters.xlsx_doc import write_review_workbook

    table = ReviewTable((ReviewRow(("A!B2",) + ("",) * (len(HEADER) - 1), "A!B2", "review"),), ("ok", "not in bank"))
    with pytest.raises(OutputError, match="/dev/full: cannot write"):
        write_review_workbook(table, Path("/dev/full"))
    gc.collect()
    assert "Exception ignored" not in capfd.readouterr().err


def test_19_interrupt_exits_130(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import trustfill.workspace

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(trustfill.workspace, "init_workspace", interrupted)
    code, _, err = run_cli("init", str(tmp_path / "ws"))
    assert code == 130
    assert "interrupted" in err


def test_options_signature_still_works(tmp_path: Path) -> None:
    """Other callers use ``load_questionnaire(path, options)``; the snapshot keeps the bytes on the result."""
    src = _csv(tmp_path, f"Q1,{QUESTION},\n")
    q = load_questionnaire(src, ImportOptions())
    assert q.data == src.read_bytes()


def test_5_report_names_the_hash_of_the_bytes_answered(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    import hashlib

    src = _csv(tmp_path, f"Q1,{QUESTION},\n")
    report = tmp_path / "r.json"
    code, _, err = run_cli("fill", str(src), "-o", str(tmp_path / "o.csv"), "--report", str(report), cwd=mini_workspace)
    assert code == 0, err
    assert json.loads(report.read_text())["input_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
