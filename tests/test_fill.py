"""The main job end to end on fixtures built in code and on the bundled example questionnaire."""

from __future__ import annotations

import json
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
    # The review sheet lists every question.
    assert len(list(load_workbook(out)["trustfill review"].iter_rows())) == 31


def test_one_fact_changes_the_filled_answer(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    code, _, err, report = _fill(run_cli, example_questionnaire, tmp_path / "ai.xlsx", profile="saas-ai-opt-in.yaml")
    assert code == 0, err
    seed = next(q for q in report["questions"] if q["question_id"] == "AI-01")
    assert seed["answer"] == "Yes"
    assert "opt-in" in seed["narrative"]
    code, _, err, report = _fill(run_cli, example_questionnaire, tmp_path / "op.xlsx", profile="on-prem.yaml")
    seed = next(q for q in report["questions"] if q["question_id"] == "AI-01")
    assert seed["answer"] == "N/A"


def test_only_the_answer_sheet_changes_with_clean(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "clean.xlsx"
    code, _, err, _ = _fill(run_cli, example_questionnaire, out, "--clean")
    assert code == 0, err
    with zipfile.ZipFile(example_questionnaire) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]


def test_refuses_existing_output_and_leaves_it(example_questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "answers.xlsx"
    out.write_bytes(b"precious")
    code, _, err, _ = _fill(run_cli, example_questionnaire, out)
    assert code == 5
    first, error = err.strip().splitlines()
    assert first == f"workspace: bundled default bank (no workspace); profile: {EXAMPLES / 'saas-heroku.yaml'}"
    assert error == f"{out}: already exists; use --force to replace it"
    assert out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.xlsx", "customer.xlsx"]


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
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        assert "Security questionnaire answers" in text
        assert "Appendix: evidence to attach" in text
        assert "REVIEW (unmatched" in text
    if fmt == "md":
        assert "## Questions for a person to answer" in out.read_text()
    if fmt == "json":
        assert json.loads(out.read_text())["totals"] == report["totals"]


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
        else:
            assert any(n.startswith("suggested answer:") for n in q["notes"])
    out = tmp_path / "flagged.xlsx"
    code, _, err, report = _fill(run_cli, example_questionnaire, out, "--review-mode", "fill")
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
