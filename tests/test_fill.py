"""The main job end to end on fixtures built in code and on the bundled example questionnaire."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
EXAMPLE_Q = Path(__file__).resolve().parents[1] / "examples" / "acme-customer-questionnaire.xlsx"


@pytest.fixture
def example_questionnaire(tmp_path: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkq", EXAMPLE_Q.with_name("make_example_questionnaire.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.build(tmp_path / "customer.xlsx")


def _fill(run_cli, src: Path, out: Path, *extra: str, profile: str = "saas-heroku.yaml") -> tuple[int, str, str, dict]:
    report = out.with_suffix(".report.json")
    code, stdout, err = run_cli("fill", str(src), "-o", str(out), "--profile", str(EXAMPLES / profile),
                                "--report", str(report), *extra)
    data = json.loads(report.read_text()) if report.exists() else {}
    return code, stdout, err, data


def test_fill_example_writes_answers_into_the_customers_file(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    before = example_questionnaire.read_bytes()
    out = tmp_path / "answers.xlsx"
    code, _, err, report = _fill(run_cli, example_questionnaire, out)
    assert code == 0, err
    assert example_questionnaire.read_bytes() == before  # the input is never modified
    by_id = {q["question_id"]: q for q in report["questions"]}
    seed = by_id["AI-01"]
    assert (seed["status"], seed["match"], seed["answer"]) == ("auto", "ai-training-customer-data", "No")
    assert seed["facts"]["ai.training_on_customer_data"] == "not_used"
    assert seed["evidence"][0]["id"] == "ai-data-usage-policy"
    assert by_id["OTH-01"]["status"] == "unmatched"
    assert by_id["GEN-01"]["status"] == "skipped"
    assert by_id["GEN-01"]["answer"] == "Acme Notes"
    ws = load_workbook(out)["Security Questionnaire"]
    row = next(r for r in range(1, 60) if ws.cell(r, 1).value == "AI-01")
    assert ws.cell(row, 3).value == "No"
    assert ws.cell(row, 4).value.startswith("No. Our infrastructure on Heroku (on AWS)")
    totals = report["totals"]
    assert totals["questions"] == 30
    assert totals["auto"] + totals["review"] + totals["unmatched"] + totals["skipped"] == 30
    assert totals["auto"] >= 15
    # The customer's copy carries answers only; the review workbook beside it lists every question.
    assert load_workbook(out).sheetnames == load_workbook(example_questionnaire).sheetnames
    assert len(list(load_workbook(tmp_path / "answers.review.xlsx")["trustfill review"].iter_rows())) == 31


def test_one_fact_changes_the_filled_answer(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    code, _, err, report = _fill(run_cli, example_questionnaire, tmp_path / "ai.xlsx", profile="saas-ai-opt-in.yaml")
    assert code == 0, err
    seed = next(q for q in report["questions"] if q["question_id"] == "AI-01")
    assert seed["answer"] == "Yes"
    assert "opt-in" in seed["narrative"]
    code, _, err, report = _fill(run_cli, example_questionnaire, tmp_path / "op.xlsx", profile="on-prem.yaml")
    seed = next(q for q in report["questions"] if q["question_id"] == "AI-01")
    assert seed["answer"] == "N/A"


def test_only_the_answer_sheet_changes_by_default(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "clean.xlsx"
    code, _, err, _ = _fill(run_cli, example_questionnaire, out)
    assert code == 0, err
    with zipfile.ZipFile(example_questionnaire) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        # styles.xml only gains formats (wrap text for the long answers): every existing index stays valid
        old_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", a.read("xl/styles.xml").decode(), re.S).group(1)
        new_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", b.read("xl/styles.xml").decode(), re.S).group(1)
    assert changed == ["xl/worksheets/sheet1.xml", "xl/styles.xml"]
    assert new_xfs.startswith(old_xfs)
    assert len(new_xfs) > len(old_xfs)


def test_refuses_existing_output_and_leaves_it(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "answers.xlsx"
    out.write_bytes(b"precious")
    code, _, err, _ = _fill(run_cli, example_questionnaire, out)
    assert code == 5
    first, error = err.strip().splitlines()
    assert first == f"workspace: bundled default bank (no workspace); profile: {EXAMPLES / 'saas-heroku.yaml'}"
    assert error == f"{out}: already exists; use --force to replace it"
    assert out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.xlsx", "customer.xlsx"]  # no review workbook either


def test_refuses_to_write_over_the_input(example_questionnaire: Path, run_cli) -> None:
    before = example_questionnaire.read_bytes()
    code, _, err, _ = _fill(run_cli, example_questionnaire, example_questionnaire, "--force")
    assert code == 5
    assert "is the input file" in err
    assert example_questionnaire.read_bytes() == before


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "json", "md"])
def test_new_answer_documents(example_questionnaire: Path, tmp_path: Path, run_cli, fmt: str) -> None:
    out = tmp_path / f"answers.{fmt}"
    code, _, err, report = _fill(run_cli, example_questionnaire, out, "--format", fmt)
    assert code == 0, err
    assert report["output_format"] == fmt
    assert out.stat().st_size > 0
    assert (tmp_path / "answers.review.xlsx").is_file()
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        assert "Acme Notes: security questionnaire answers" in text
        assert "Product: Acme Notes Cloud" in text
        assert "Appendix: evidence to attach" in text
    elif fmt == "xlsx":
        text = "\n".join(str(v) for ws in load_workbook(out).worksheets for row in ws.values for v in row if v)
    else:
        text = out.read_text(encoding="utf-8-sig")
    # nothing internal reaches the customer: no status, score, notes, bank entry, location or profile path
    for internal in ("REVIEW", "score", "unmatched", "suggested answer", "saas-heroku.yaml", "Security Questionnaire!",
                     "ai-training-customer-data", "rerun with a learned mapping"):
        assert internal not in text, internal
    if fmt == "md":
        assert "# Acme Notes: security questionnaire answers" in text
    if fmt == "json":
        data = json.loads(text)
        assert (data["company"], data["product"]) == ("Acme Notes", "Acme Notes Cloud")
        ids = [a["question_id"] for a in data["answers"]]
        assert ids == [q["question_id"] for q in report["questions"]]  # the customer's order and numbering
        by_id = {a["question_id"]: a for a in data["answers"]}
        assert by_id["AI-01"]["answer"] == "No"
        for q in report["questions"]:  # a suggestion waiting for a person is never shown as the answer
            if q["status"] in ("review", "unmatched") and not q["written"]:
                assert by_id[q["question_id"]]["answer"] is None, q["question_id"]


@pytest.mark.parametrize("fmt", ["docx", "csv", "md", "json", "xlsx"])
def test_internal_version_keeps_the_reasons_beside_the_customers(example_questionnaire: Path, tmp_path: Path, run_cli,
                                                                 fmt: str) -> None:
    out = tmp_path / f"answers.{fmt}"
    code, stdout, err, _ = _fill(run_cli, example_questionnaire, out, "--internal", "--format", fmt)
    assert code == 0, err
    internal = tmp_path / f"answers.internal.{fmt}"
    assert f"internal version: {internal}" in " ".join(stdout.split())
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(internal)).paragraphs)
        assert "INTERNAL review copy" in text
        assert "REVIEW (unmatched" in text
        assert "Profile: " in text
    elif fmt == "xlsx":
        assert [c.value for c in load_workbook(internal)["Answers"][1]][-2:] == ["Decision", "Corrected answer"]
    else:
        assert "unmatched" in internal.read_text(encoding="utf-8-sig")


def test_customer_docx_follows_the_customers_order_and_sections(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    from docx import Document

    out = tmp_path / "answers.docx"
    code, _, err, report = _fill(run_cli, example_questionnaire, out)
    assert code == 0, err
    doc = Document(str(out))
    questions = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert questions == [f"{q['question_id']} {q['question']}" for q in report["questions"]]
    sections = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = [s for i, s in enumerate(q["section"] for q in report["questions"])
                if s and (i == 0 or s != report["questions"][i - 1]["section"])]
    assert sections[: len(expected)] == expected


def test_formula_injection_is_written_as_text(tmp_path: Path, run_cli, mini_workspace: Path) -> None:
    from openpyxl import Workbook

    tpl = mini_workspace / "answer_templates" / "crypto" / "at-rest.j2"
    tpl.write_text(tpl.read_text().replace("Yes. {{ company.name }} encrypts", "=HYPERLINK(\"http://x\") {{ company.name }} encrypts"))
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", "Answer", "Comments"])
    ws.append(["Is customer data encrypted at rest?", None, None])
    src = tmp_path / "q.xlsx"
    wb.save(src)
    out = tmp_path / "a.xlsx"
    code, _, err = run_cli("fill", str(src), "-o", str(out), cwd=mini_workspace)
    assert code == 0, err
    cell = load_workbook(out).active["C2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_unreadable_questionnaire_is_one_clear_error(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "q.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "a.xlsx"
    code, _, err = run_cli("fill", str(bad), "-o", str(out), "--demo")
    assert code == 4
    first, error = err.strip().splitlines()  # which workspace and profile, then the one error line
    assert first.startswith("DEMO: ")
    assert error.startswith(f"{bad}: ")
    assert not out.exists()


def test_saved_layout_file_overrides_detection(tmp_path: Path, run_cli) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Vendor"
    # No header words a detector would know: the customer's recurring format needs a saved layout.
    ws.append(["Ref", "Item", "Reply", "Detail"])
    ws.append(["X1", "Is customer data encrypted at rest?", None, None])
    ws.append(["X2", "Is multi-factor authentication enforced for all employees?", None, None])
    src = tmp_path / "q.xlsx"
    wb.save(src)
    layout = tmp_path / "layout.yaml"
    layout.write_text("sheet: Vendor\nheader_row: 1\nid_col: A\nquestion_col: B\nanswer_col: C\ncomment_col: D\n")
    code, out, err = run_cli("inspect", str(src), "--layout", str(layout), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [q["id"] for q in data["items"]] == ["X1", "X2"]
    kinds = {s["kind"]: s["address"] for s in data["items"][0]["slots"]}
    assert kinds == {"short": "Vendor!C2", "narrative": "Vendor!D2"}
    layout.write_text("sheet: Vendor\nquestion_column: B\n")
    code, _, err = run_cli("inspect", str(src), "--layout", str(layout))
    assert code == 4
    assert err.strip() == f"{layout}:2:1: question_column: unknown key; did you mean 'question_col'?"


def test_review_answers_blank_by_default_and_flagged_with_fill_mode(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    code, _, err, report = _fill(run_cli, example_questionnaire, tmp_path / "blank.xlsx")
    assert code == 0, err
    reviews = [q for q in report["questions"] if q["status"] == "review"]
    assert reviews, "the example should have at least one review question"
    for q in reviews:
        if q["written"]:  # a confident match whose short answer fits no dropdown value: only the narrative goes in
            assert any("is not one of the cell's choices" in n for n in q["notes"])
        else:  # a suggestion, or why none fits the field as asked (a number field, an open question)
            assert any(n.startswith("suggested answer:") or n.endswith("fill it in") for n in q["notes"]), q["notes"]
    out = tmp_path / "flagged.xlsx"
    code, _, err, report = _fill(run_cli, example_questionnaire, out, "--review-mode", "fill", "--review-in-file")
    assert code == 0, err
    flagged = [q for q in report["questions"] if q["status"] == "review" and q["written"]
               and any(n.startswith("not a confident match") for n in q["notes"])]
    assert flagged
    ws = load_workbook(out)["Security Questionnaire"]
    cell = ws[flagged[0]["written"][0].split("!")[1]]
    assert cell.value
    assert cell.fill.fgColor.rgb == "FFFFF2CC"
    assert cell.comment is not None
    assert "check that entry" in cell.comment.text


def _sheets(path: Path) -> list[str]:
    return load_workbook(path).sheetnames


def test_review_in_file_embeds_the_sheet_and_a_refill_never_keeps_or_doubles_it(
    example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    original = _sheets(example_questionnaire)
    first = tmp_path / "first.xlsx"
    code, _, err, _ = _fill(run_cli, example_questionnaire, first, "--review-in-file")
    assert code == 0, err
    assert _sheets(first) == [*original, "trustfill review", "trustfill lists"]
    assert load_workbook(first)["trustfill lists"].sheet_state == "hidden"
    again = tmp_path / "again.xlsx"
    code, _, err, _ = _fill(run_cli, first, again, "--review-in-file")
    assert code == 0, err
    assert _sheets(again) == [*original, "trustfill review", "trustfill lists"]  # replaced, not doubled
    clean = tmp_path / "clean.xlsx"
    code, _, err, _ = _fill(run_cli, first, clean)
    assert code == 0, err
    assert _sheets(clean) == original  # the old review sheet does not reach the customer
    with zipfile.ZipFile(clean) as z, zipfile.ZipFile(example_questionnaire) as src:
        assert sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")) == \
            sorted(n for n in src.namelist() if n.startswith("xl/worksheets/sheet"))
        app = z.read("docProps/app.xml").decode() if "docProps/app.xml" in z.namelist() else ""
        assert "trustfill" not in app
        assert "trustfill" not in z.read("xl/workbook.xml").decode()


def test_clean_is_the_default_and_contradicts_review_in_file(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    code, _, err, _ = _fill(run_cli, example_questionnaire, tmp_path / "a.xlsx", "--clean", "--review-in-file")
    assert (code, err.strip()) == (2, "--clean and --review-in-file contradict each other; answers only is the default, so drop --clean")
    code, _, err, _ = _fill(run_cli, example_questionnaire, tmp_path / "b.xlsx", "--no-review-sheet")
    assert code == 2
    assert "--no-review-sheet only applies with --review-in-file" in err
    code, _, err, _ = _fill(run_cli, example_questionnaire, tmp_path / "c.xlsx", "--review-in-file", "--no-review-sheet")
    assert code == 0, err
    assert _sheets(tmp_path / "c.xlsx") == _sheets(example_questionnaire)


def test_review_workbook_is_built_to_decide_from(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "answers.xlsx"
    code, _, err, report = _fill(run_cli, example_questionnaire, out)
    assert code == 0, err
    wb = load_workbook(tmp_path / "answers.review.xlsx")
    ws = wb["trustfill review"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Location"
    assert header[-2:] == ["Decision", "Corrected answer"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    order = {"review": 0, "unmatched": 1, "auto": 2, "skipped": 3}
    ranks = [order[r["Status"]] for r in rows]
    assert ranks == sorted(ranks)  # decisions first
    locations = [q["location"] for q in report["questions"]]
    for status in order:  # the customer's order within each group
        mine = [r["Location"] for r in rows if r["Status"] == status]
        assert mine == [loc for loc in locations if loc in set(mine)]
    by_loc = {q["location"]: q for q in report["questions"]}
    review = next(r for r in rows if r["Status"] == "review" and r["Written"] == "no" and by_loc[r["Location"]]["match"])
    assert len(review["Proposed answer"]) > 20  # the answer in words, not only "Yes"
    entry = by_loc[review["Location"]]["match"]
    assert review["Matched entry"] == entry
    assert review["Entry question"].endswith("?") or len(review["Entry question"]) > 10
    # the Location cell links to the answer cell of the filled workbook
    row_index = 2 + rows.index(review)
    link = ws.cell(row_index, 1).hyperlink
    assert link.target == "answers.xlsx"
    slot = by_loc[review["Location"]]["location"].split("!")[0]
    assert link.location.startswith(f"'{slot}'!")
    # the Decision dropdown offers ok, not in bank and every entry id from a hidden sheet
    lists = wb["trustfill lists"]
    assert lists.sheet_state == "hidden"
    choices = [r[0] for r in lists.values]
    assert choices[:2] == ["ok", "not in bank"]
    assert entry in choices
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list"
    assert dv.formula1 == f"'trustfill lists'!$A$1:$A${len(choices)}"
    assert str(dv.sqref) == f"P2:P{ws.max_row}"


def test_embedded_review_sheet_has_a_bold_frozen_header_filters_links_and_the_dropdown(
    example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    out = tmp_path / "answers.xlsx"
    code, _, err, _ = _fill(run_cli, example_questionnaire, out, "--review-in-file")
    assert code == 0, err
    wb = load_workbook(out)
    ws = wb["trustfill review"]
    assert all(c.font.bold for c in ws[1] if c.value)
    assert not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:Q")
    link = ws["A2"].hyperlink
    assert link is not None
    assert link.target is None  # a place in this workbook, not another file
    assert link.location.startswith("'Security Questionnaire'!")
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1.startswith("'trustfill lists'!$A$1:$A$")
    assert [r[0] for r in wb["trustfill lists"].values][:2] == ["ok", "not in bank"]


def test_word_questionnaire_copy_has_no_review_marks_unless_asked(tmp_path: Path, run_cli) -> None:
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Question", "Answer"
    for question in ("Do you use multi-factor authentication?", "Do you perform background checks?"):  # whose MFA? a person picks
        table.add_row().cells[0].text = question
    src = tmp_path / "q.docx"
    doc.save(str(src))

    def document_xml(out: Path, *extra: str) -> str:
        code, _, err, report = _fill(run_cli, src, out, "--review-mode", "fill", *extra)
        assert code == 0, err
        assert [q["status"] for q in report["questions"]] == ["review", "auto"]
        with zipfile.ZipFile(out) as z:
            return z.read("word/document.xml").decode()

    clean = document_xml(tmp_path / "a.docx")
    assert "[Review:" not in clean
    assert "w:highlight" not in clean
    assert (tmp_path / "a.review.xlsx").is_file()
    marked = document_xml(tmp_path / "b.docx", "--review-in-file")
    assert "[Review:" in marked
    assert "w:highlight" in marked


def test_clean_still_works_and_says_it_is_the_default(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "a.xlsx"
    code, _, err, _ = _fill(run_cli, example_questionnaire, out, "--clean")
    assert code == 0, err
    assert "--clean is no longer needed" in err
    assert _sheets(out) == _sheets(example_questionnaire)
