"""A reviewer decides rows in the review sheet (or the answer workbook); ``learn --from`` records them all at once."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from trustfill.errors import ImportFormatError
from trustfill.review_decisions import read_review_decisions
from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
MAKE_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "make_example_questionnaire.py"


@pytest.fixture
def example_questionnaire(tmp_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("mkq", MAKE_EXAMPLE)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.build(tmp_path / "customer.xlsx")


@pytest.fixture
def workspace(tmp_path: Path, run_cli) -> Path:
    """A workspace with the bundled bank, where decisions can be saved."""
    code, _, err = run_cli("init", str(tmp_path / "ws"))
    assert code == 0, err
    return tmp_path / "ws"


def _fill(run_cli, ws: Path, src: Path, out: Path, *extra: str) -> dict:
    report = out.with_suffix(".json")
    code, _, err = run_cli("fill", str(src), "-o", str(out), "-w", str(ws), "--profile", str(EXAMPLES / "saas-heroku.yaml"),
                           "--report", str(report), "--force", *extra)
    assert code == 0, err
    return {q["location"]: q for q in json.loads(report.read_text())["questions"]}


def _decide(path: Path, sheet: str, decisions: dict[str, str], dest: Path) -> None:
    """Write decisions (by the row's Location) into the Decision column, as a reviewer would in Excel."""
    wb = load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    loc, col = header.index("Location") + 1, header.index("Decision") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, loc).value in decisions:
            ws.cell(row, col).value = decisions[ws.cell(row, loc).value]
    wb.save(dest)


def _review_rows(path: Path, sheet: str = "trustfill review") -> list[dict]:
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()  # a read-only workbook keeps its file open until closed
    width = len(rows[0])  # read-only rows stop at their last value
    return [dict(zip(rows[0], (*r, *[None] * (width - len(r))), strict=True)) for r in rows[1:]]


def test_review_sheet_lists_other_suggestions_and_ends_in_an_empty_decision_column(
    workspace: Path, example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    report = _fill(run_cli, workspace, example_questionnaire, tmp_path / "out.xlsx")
    rows = _review_rows(tmp_path / "out.review.xlsx")
    assert list(rows[0])[-2:] == ["Decision", "Corrected answer"]
    assert all(r["Decision"] is None for r in rows)
    by_loc = {r["Location"]: r for r in rows}
    reviews = [loc for loc, q in report.items() if q["status"] == "review" and len(q["suggestions"]) > 1]
    assert reviews, "the example should have a review row with more than one suggestion"
    for loc in reviews:
        shown = by_loc[loc]["Suggestions"]
        others = [s["entry"] for s in report[loc]["suggestions"] if s["entry"] != report[loc]["match"]]
        assert shown.startswith(f"{others[0]} ("), shown
        assert report[loc]["match"] not in shown.split("; ")[0]  # the matched entry is not repeated
    unmatched = [loc for loc, q in report.items() if q["status"] == "unmatched" and q["suggestions"]]
    assert unmatched
    for loc in unmatched:
        assert by_loc[loc]["Suggestions"].startswith(report[loc]["suggestions"][0]["entry"])
    assert all(not by_loc[loc]["Suggestions"] for loc, q in report.items() if q["status"] in ("auto", "skipped"))


def test_learn_from_the_reviewed_file_makes_the_next_fill_use_every_decision(
    workspace: Path, example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    out, reviewed = tmp_path / "out.xlsx", tmp_path / "reviewed.xlsx"
    first = _fill(run_cli, workspace, example_questionnaire, out)
    # rows whose answer does not fit the cell's dropdown stay in review whatever is decided, so they prove nothing
    review = [loc for loc, q in first.items() if q["status"] == "review" and len(q["suggestions"]) > 1
              and not any("not one of the cell's choices" in n for n in q["notes"])]
    unmatched = [loc for loc, q in first.items() if q["status"] == "unmatched"]
    assert len(review) >= 2
    assert unmatched
    confirmed, picked = review[0], review[1]
    other = next(s["entry"] for s in first[picked]["suggestions"] if s["entry"] != first[picked]["match"])
    _decide(tmp_path / "out.review.xlsx", "trustfill review", {confirmed: "OK", picked: other, unmatched[0]: "not in bank"}, reviewed)
    before = reviewed.read_bytes()

    code, stdout, err = run_cli("learn", "--from", str(reviewed), "-w", str(workspace), "--by", "jane@example.com")
    assert code == 0, err
    assert "recorded 3 decisions" in stdout
    assert "2 bank entries, 1 not in bank" in stdout
    assert f"{len(first) - 3} questions without a decision yet" in stdout
    assert reviewed.read_bytes() == before  # the reviewed file is only read
    saved = {m["question"]: m for m in yaml.safe_load((workspace / "mappings.yaml").read_text())}
    assert saved[first[confirmed]["question"]]["entry"] == first[confirmed]["match"]
    assert saved[first[picked]["question"]]["entry"] == other
    assert saved[first[unmatched[0]]["question"]]["entry"] is None
    assert {m["decided_by"] for m in saved.values()} == {"jane@example.com"}

    again = _fill(run_cli, workspace, example_questionnaire, tmp_path / "again.xlsx")
    assert (again[confirmed]["status"], again[confirmed]["match"]) == ("auto", first[confirmed]["match"])
    assert (again[picked]["status"], again[picked]["match"]) == ("auto", other)
    assert (again[unmatched[0]]["status"], again[unmatched[0]]["match"]) == ("unmatched", None)


def test_one_unknown_entry_saves_nothing_and_names_its_cell(
    workspace: Path, example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    out, reviewed = tmp_path / "out.xlsx", tmp_path / "reviewed.xlsx"
    first = _fill(run_cli, workspace, example_questionnaire, out)
    review = [loc for loc, q in first.items() if q["status"] in ("review", "unmatched")]
    _decide(out.with_name("out.review.xlsx"), "trustfill review",
            {review[0]: "ok" if first[review[0]]["match"] else "not in bank", review[1]: "crypto-encryption-at-rset"}, reviewed)
    code, _, err = run_cli("learn", "--from", str(reviewed), "-w", str(workspace))
    assert code == 4
    row = 1 + [r["Location"] for r in _review_rows(reviewed)].index(review[1]) + 1
    assert err.strip().splitlines()[1:] == [f"{reviewed}: trustfill review!P{row}: no bank entry 'crypto-encryption-at-rset'; "
                                            "did you mean 'crypto-encryption-at-rest'?"]
    assert not (workspace / "mappings.yaml").exists()


def test_the_internal_answer_workbook_takes_decisions_too(workspace: Path, example_questionnaire: Path, tmp_path: Path,
                                                          run_cli) -> None:
    out, reviewed = tmp_path / "answers.xlsx", tmp_path / "reviewed.xlsx"
    first = _fill(run_cli, workspace, example_questionnaire, out, "--format", "xlsx", "--internal")
    assert "Decision" not in list(_review_rows(out, "Answers")[0])  # the customer's version has no review columns
    out = tmp_path / "answers.internal.xlsx"
    rows = _review_rows(out, "Answers")
    assert list(rows[0])[-3:] == ["Notes", "Decision", "Corrected answer"]
    loc = next(r["Location"] for r in rows if r["Status"] == "review")
    _decide(out, "Answers", {loc: "ok"}, reviewed)
    code, _, err = run_cli("learn", "--from", str(reviewed), "-w", str(workspace))
    assert code == 0, err
    saved = yaml.safe_load((workspace / "mappings.yaml").read_text())
    assert [(m["question"], m["entry"]) for m in saved] == [(first[loc]["question"], first[loc]["match"])]


def _workbook(path: Path, rows: list[list[object]], sheet: str = "trustfill review") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADER = ["Location", "Question", "Matched entry", "Decision"]


def test_reader_counts_undecided_rows_and_keeps_one_decision_per_question(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "r.xlsx", [
        HEADER,
        ["S!B2", "Is data encrypted at rest?", "crypto-at-rest", "ok"],
        ["S!B3", "Is  data encrypted at REST?", "crypto-at-rest", "crypto-at-rest"],  # the same question again
        ["S!B4", "Which cipher?", "", "Not in bank"],
        ["S!B5", "Anything else?", "", None],
    ])
    read = read_review_decisions(path)
    assert [(d.place, d.question, d.entry_id) for d in read.decisions] == [
        ("trustfill review!D2", "Is data encrypted at rest?", "crypto-at-rest"),
        ("trustfill review!D4", "Which cipher?", None),
    ]
    assert read.undecided == 1
    assert read.sheets == ("trustfill review",)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["S!B2", "Is data encrypted at rest?", "", "ok"]],
         "trustfill review!D2: 'ok' confirms the matched entry, but this row has none; write the bank entry that "
         "answers the question, or 'not in bank'"),
        ([["S!B2", "Is data encrypted at rest?", "crypto-at-rest", "looks right to me"]],
         "trustfill review!D2: 'looks right to me' is not a decision; write a bank entry id (e.g. one of the "
         "Suggestions), 'ok' to confirm the matched entry, or 'not in bank'"),
        ([["S!B2", "Is data encrypted at rest?", "crypto-at-rest", "ok"],
          ["S!B3", "Is data encrypted at rest?", "", "not in bank"]],
         "trustfill review!D3: this question is decided as not in bank here and as 'crypto-at-rest' at "
         "trustfill review!D2; keep one"),
        ([["S!B2", None, None, "crypto-at-rest"]], "trustfill review!D2: decision 'crypto-at-rest' on a row without a question"),
        ([["S!B2", "???", None, "crypto-at-rest"]], "trustfill review!D2: the question of this row has no words to remember it by"),
    ],
    ids=["ok-without-match", "free-text", "two-ways", "no-question", "no-words"],
)
def test_reader_refuses_what_it_cannot_record(tmp_path: Path, rows: list[list[object]], message: str) -> None:
    path = _workbook(tmp_path / "r.xlsx", [HEADER, *rows])
    with pytest.raises(ImportFormatError) as exc:
        read_review_decisions(path)
    assert str(exc.value) == f"{path}: {message}"


def test_reader_refuses_files_that_are_not_reviewed_workbooks(tmp_path: Path) -> None:
    plain = _workbook(tmp_path / "plain.xlsx", [["Question", "Answer"], ["Is data encrypted?", "Yes"]], sheet="Sheet1")
    with pytest.raises(ImportFormatError, match="no sheet has 'Question' and 'Decision' columns in its first row"):
        read_review_decisions(plain)
    csv = tmp_path / "r.csv"
    csv.write_text("Question,Decision\n")
    with pytest.raises(ImportFormatError, match=r"r\.csv: not an \.xlsx workbook"):
        read_review_decisions(csv)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError) as exc:
        read_review_decisions(broken)
    assert str(exc.value).startswith(f"{broken}: ")
    with pytest.raises(ImportFormatError) as exc:
        read_review_decisions(tmp_path / "missing.xlsx")
    assert str(exc.value) == f"{tmp_path / 'missing.xlsx'}: no such file"


def test_a_filled_customer_workbook_is_read_at_its_review_sheet_only(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Questions"
    wb.active.append(["Question", "Decision"])  # the customer's own sheet may use any header
    wb.active.append(["Do you approve vendors?", "Approved by the board"])
    review = wb.create_sheet("trustfill review")
    review.append(HEADER)
    review.append(["Questions!A2", "Do you approve vendors?", "vendors-approval", "ok"])
    wb.save(tmp_path / "filled.xlsx")
    read = read_review_decisions(tmp_path / "filled.xlsx")
    assert [(d.question, d.entry_id) for d in read.decisions] == [("Do you approve vendors?", "vendors-approval")]


def test_learn_takes_a_question_or_a_file(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    path = _workbook(tmp_path / "r.xlsx", [HEADER, ["S!B2", "Are the platters scrambled?", "", "crypto-at-rest"]])
    code, _, err = run_cli("learn", "Anything?", "--from", str(path), cwd=mini_workspace)
    assert (code, err.strip().splitlines()[1:]) == (2, ["give either --from FILE or a QUESTION, not both"])
    code, _, err = run_cli("learn", cwd=mini_workspace)
    assert (code, err.strip().splitlines()[1:]) == (2, ["give the QUESTION and its bank ENTRY, or --from a reviewed file"])
    code, out, err = run_cli("learn", "--from", str(path), cwd=mini_workspace)
    assert code == 0, err
    assert out.splitlines() == [f"recorded 1 decision in {mini_workspace / 'mappings.yaml'}: 1 bank entry, 0 not in bank"]


def _word_questionnaire(path: Path, questions: list[str]) -> Path:
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Question", "Answer"
    for question in questions:
        table.add_row().cells[0].text = question
    doc.save(str(path))
    return path


def test_a_review_workbook_beside_a_word_output_closes_the_loop(workspace: Path, tmp_path: Path, run_cli) -> None:
    question = "How do you keep the platters of retired disks from being read?"
    src = _word_questionnaire(tmp_path / "q.docx", [question, "Is customer data encrypted at rest?"])
    review = tmp_path / "review.xlsx"
    first = _fill(run_cli, workspace, src, tmp_path / "a.docx", "--review-file", str(review))
    loc = next(loc for loc, q in first.items() if q["question"] == question)
    assert first[loc]["status"] != "auto"
    rows = _review_rows(review)
    assert [r["Question"] for r in rows] == [question, "Is customer data encrypted at rest?"]
    _decide(review, "trustfill review", {loc: "asset-media-disposal"}, review)
    code, _, err = run_cli("learn", "--from", str(review), "-w", str(workspace))
    assert code == 0, err
    again = _fill(run_cli, workspace, src, tmp_path / "b.docx")
    assert (again[loc]["status"], again[loc]["match"]) == ("auto", "asset-media-disposal")


def test_an_existing_review_workbook_stops_the_run_before_anything_is_written(
    workspace: Path, tmp_path: Path, run_cli
) -> None:
    src = _word_questionnaire(tmp_path / "q.docx", ["Is customer data encrypted at rest?"])
    review = tmp_path / "review.xlsx"
    review.write_text("keep")
    out, report = tmp_path / "a.docx", tmp_path / "a.json"
    code, _, err = run_cli("fill", str(src), "-o", str(out), "-w", str(workspace), "--report", str(report),
                           "--review-file", str(review))
    assert code == 5
    assert err.strip().splitlines()[1:] == [f"{review}: already exists; use --force to replace it"]
    assert review.read_text() == "keep"
    assert not out.exists()
    assert not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.docx", "review.xlsx", "ws"]


def test_a_review_sheet_embedded_with_review_in_file_is_read_too(workspace: Path, example_questionnaire: Path,
                                                                  tmp_path: Path, run_cli) -> None:
    out, reviewed = tmp_path / "out.xlsx", tmp_path / "reviewed.xlsx"
    first = _fill(run_cli, workspace, example_questionnaire, out, "--review-in-file")
    loc = next(loc for loc, q in first.items() if q["status"] == "review" and q["match"])
    _decide(out, "trustfill review", {loc: "ok"}, reviewed)
    read = read_review_decisions(reviewed)
    assert [(d.question, d.entry_id) for d in read.decisions] == [(first[loc]["question"], first[loc]["match"])]
    assert read.sheets == ("trustfill review",)  # the hidden lookup sheet is not read as decisions


def test_the_review_workbook_may_not_be_the_output(workspace: Path, tmp_path: Path, run_cli) -> None:
    src = _word_questionnaire(tmp_path / "q.docx", ["Is customer data encrypted at rest?"])
    out = tmp_path / "a.xlsx"
    code, _, err = run_cli("fill", str(src), "-o", str(out), "-w", str(workspace), "--format", "xlsx", "--review-file", str(out))
    assert (code, err.strip().splitlines()[1:]) == (5, [f"{out}: is also another output of this run; give each output its own path"])
    assert not out.exists()


def test_report_and_review_sheet_say_why_an_entry_was_chosen(
    workspace: Path, example_questionnaire: Path, tmp_path: Path, run_cli
) -> None:
    report = _fill(run_cli, workspace, example_questionnaire, tmp_path / "out.xlsx")
    rows = {r["Location"]: r for r in _review_rows(tmp_path / "out.review.xlsx")}
    matched = [q for q in report.values() if q["status"] in ("auto", "review") and q["match"]]
    assert matched
    for q in matched:
        why = q["why"]
        assert 0 < why["semantic_similarity"] <= 1
        assert why["nearest_phrasing"]
        assert why["lexical_score"] >= 0
        detail = rows[q["location"]]["Why matched"]
        shown = float(re.search(r"semantic similarity (\d\.\d\d)", detail).group(1))  # type: ignore[union-attr]
        assert shown == pytest.approx(why["semantic_similarity"], abs=0.006)
        assert f"nearest phrasing: {why['nearest_phrasing']}" in detail
    assert any(q["why"]["shared_terms"] for q in matched)
    assert all(q["why"] is None for q in report.values() if q["status"] in ("unmatched", "skipped"))
