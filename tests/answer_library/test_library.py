"""The answer library on small questionnaires built in code: harvest every format, reuse, check, learn, draft."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
import yaml
from openpyxl import Workbook, load_workbook

from trustfill.answer_library.store import family_of, load_answer_library
from trustfill.errors import WorkspaceError
from trustfill.settings import load_settings

ROWS = [
    ("SEC-01", "Is customer data encrypted at rest?", "Yes", "Yes, with AES-256."),
    # The mini profile encrypts with AES-256 (entry crypto-aes256 renders Yes): this past No contradicts it.
    ("SEC-02", "Is data at rest encrypted with AES-256?", "No", "Not yet."),
    ("SEC-03", "Do you have a documented incident response plan?", None, None),
    ("SEC-04", "Do you keep backups of customer data?", "Yes",
     "Yes, as set out in our Master Services Agreement with Acme University."),
]


def xlsx(path: Path, rows=ROWS, header=("ID", "Question", "Answer", "Comments")) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Security"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def harvest(run_cli, ws: Path, *files: Path, customer: str = "Acme University", date: str = "2026-11-01",
            extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return run_cli("harvest", *map(str, files), "-w", str(ws), "--customer", customer, "--date", date, *extra)


def library(ws: Path) -> list[dict]:
    files = sorted((ws / "library").glob("*.yaml"))
    return [yaml.safe_load(f.read_text()) for f in files]


def fill(run_cli, ws: Path, src: Path, out: Path, *extra: str) -> dict[str, dict]:
    report = out.with_suffix(".json")
    code, _, err = run_cli("fill", str(src), "-o", str(out), "-w", str(ws), "--report", str(report), "--force", *extra)
    assert code == 0, err
    return {q["question"]: q for q in json.loads(report.read_text())["questions"]}


def test_harvest_keeps_answered_questions_linked_to_the_bank(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = xlsx(tmp_path / "acme-vendor-review.xlsx")
    code, out, err = harvest(run_cli, mini_workspace, src)
    assert code == 0, err
    assert "3 answered of 4 questions" in " ".join(out.split())
    [lib] = library(mini_workspace)
    assert lib["source"]["customer"] == "Acme University"
    assert lib["source"]["family"] == "acme"
    assert str(lib["source"]["date"]) == "2026-11-01"
    by_id = {a["question_id"]: a for a in lib["answers"]}
    assert set(by_id) == {"SEC-01", "SEC-02", "SEC-04"}  # the unanswered question is not kept
    first = by_id["SEC-01"]
    assert (first["cell"], first["answer"], first["normalised"], first["narrative"]) == (
        "Security!C2", "Yes", "Yes", "Yes, with AES-256.")
    assert first["entry"] == "crypto-at-rest"
    assert first["match"] == "auto"
    assert first["score"] > 55
    assert by_id["SEC-04"]["flags"] == ["names the customer 'Acme University'",
                                        "customer-specific text: 'in our Master Services Agreement'"]


def test_harvesting_the_same_file_again_changes_nothing(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = xlsx(tmp_path / "acme.xlsx")
    assert harvest(run_cli, mini_workspace, src)[0] == 0
    [path] = (mini_workspace / "library").glob("*.yaml")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    code, out, _ = harvest(run_cli, mini_workspace, src)
    assert code == 0
    assert "unchanged (already harvested)" in " ".join(out.split())
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert len(list((mini_workspace / "library").glob("*.yaml"))) == 1


def test_the_same_question_answered_differently_is_a_conflict(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    a = xlsx(tmp_path / "a.xlsx", ROWS[:1])
    b = xlsx(tmp_path / "b.xlsx", [("X-9", "Is customer data encrypted at REST", "No", "")])
    code, out, err = harvest(run_cli, mini_workspace, a, b)
    assert code == 0, err
    text = " ".join(out.split())
    assert "conflict: 'Is customer data encrypted at rest?' answered 'Yes' (a.xlsx Security!C2" in text
    assert "'No' (b.xlsx Security!C2" in text


def test_csv_docx_and_vsaq_answers_are_harvested(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    csv = tmp_path / "csvco.csv"
    csv.write_text('ID,Question,Answer,Comments\nC-1,Is customer data encrypted at rest?,Yes,"Yes, AES-256."\n'
                   "C-2,Do you have a documented incident response plan?,,\n", encoding="utf-8")
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for c, value in enumerate(["ID", "Question", "Response", "Comments"]):
        table.cell(0, c).text = value
    for c, value in enumerate(["D-1", "Is data at rest encrypted with AES-256?", "Yes", "Always."]):
        table.cell(1, c).text = value
    document.save(tmp_path / "docco.docx")
    template = tmp_path / "vsaq-mini.json"
    template.write_text(json.dumps({"questionnaire": [{"type": "block", "text": "Crypto", "items": [
        {"type": "yesno", "id": "at_rest", "text": "Is customer data encrypted at rest?"},
        {"type": "radiogroup", "id": "cipher", "text": "Which cipher protects data at rest?",
         "choices": [{"c_aes": "AES-256"}, {"c_other": "Other"}]},
        {"type": "box", "id": "notes", "text": "Anything else?"}]}]}), encoding="utf-8")
    answers = tmp_path / "vsaq-answers.json"
    answers.write_text(json.dumps({"at_rest": "yes", "c_aes": "checked", "notes": ""}), encoding="utf-8")
    for path in (csv, tmp_path / "docco.docx"):
        assert harvest(run_cli, mini_workspace, path)[0] == 0
    code, _out, err = harvest(run_cli, mini_workspace, answers, extra=("--vsaq-template", str(template)))
    assert code == 0, err
    got = {lib["source"]["format"]: lib for lib in library(mini_workspace)}
    assert set(got) == {"csv", "docx", "vsaq"}
    assert [(a["question_id"], a["answer"], a.get("narrative")) for a in got["csv"]["answers"]] == [
        ("C-1", "Yes", "Yes, AES-256.")]
    assert [(a["answer"], a["narrative"], a["entry"]) for a in got["docx"]["answers"]] == [
        ("Yes", "Always.", "crypto-aes256")]
    assert [(a["cell"], a["answer"]) for a in got["vsaq"]["answers"]] == [("item at_rest", "Yes"), ("item cipher", "AES-256")]
    assert got["vsaq"]["source"]["family"] == "vsaq"


def test_a_vsaq_answers_file_without_its_template_is_a_usage_error(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"mfa": "yes"}')
    code, _, err = harvest(run_cli, mini_workspace, answers)
    assert code == 2
    assert "needs the template it answers: --vsaq-template TEMPLATE.json" in err


def test_harvest_needs_a_workspace_of_ones_own(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("harvest", str(xlsx(tmp_path / "a.xlsx")))
    assert code == 2
    assert "the answer library is kept in a workspace" in err


def test_fill_reuses_the_same_question_and_reviews_contradictions(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx"))[0] == 0
    new = xlsx(tmp_path / "other.xlsx", [
        ("N-1", "IS CUSTOMER DATA ENCRYPTED AT REST", None, None),     # same wording after normalisation
        ("N-2", "Is data at rest encrypted with AES-256?", None, None),  # past No, the profile says Yes today
        ("N-3", "Do you encrypt stored data?", None, None),              # similar: same entry, other wording
        ("N-4", "Do you keep backups of customer data?", None, None),    # names Acme University and its contract
    ])
    report = fill(run_cli, mini_workspace, new, tmp_path / "out.xlsx", "--customer", "Beta College")
    same = report["IS CUSTOMER DATA ENCRYPTED AT REST"]
    assert same["status"] == "auto"
    assert same["answer"] == "Yes"
    assert same["narrative"] == "Yes, with AES-256."
    assert same["past_answer"] == {"question": "Is customer data encrypted at rest?", "answer": "Yes", "file": "acme.xlsx",
                                   "cell": "Security!C2", "date": "2026-11-01", "customer": "Acme University", "owner": None}
    assert same["notes"][0].startswith("past answer (same wording) from acme.xlsx Security!C2, 2026-11-01, customer Acme")
    contradicted = report["Is data at rest encrypted with AES-256?"]
    assert contradicted["status"] == "review"
    assert contradicted["written"] == []
    assert any("the past answer 'No' contradicts the profile's answer today, 'Yes'" in n for n in contradicted["notes"])
    similar = report["Do you encrypt stored data?"]
    assert similar["past_answer"] is None
    assert similar["narrative"] != "Yes, with AES-256."  # the profile's answer, not the past one
    assert any(n.startswith("a similar past question, answered 'Yes'") for n in similar["notes"])
    specific = report["Do you keep backups of customer data?"]
    assert specific["status"] == "review"
    assert specific["written"] == []
    assert any("customer-specific (names the customer 'Acme University'" in n for n in specific["notes"])
    cells = load_workbook(tmp_path / "out.xlsx")["Security"]
    assert (cells["C2"].value, cells["D2"].value) == ("Yes", "Yes, with AES-256.")
    assert cells["C3"].value is None
    assert cells["C5"].value is None
    rows = list(load_workbook(tmp_path / "out.review.xlsx")["trustfill review"].iter_rows(values_only=True))
    notes = rows[0].index("Notes")
    review = {r[2]: r for r in rows}
    assert "acme.xlsx Security!C2, 2026-11-01, customer Acme University" in review["IS CUSTOMER DATA ENCRYPTED AT REST"][notes]


def test_the_same_customer_may_reuse_its_own_specific_answer(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx"))[0] == 0
    new = xlsx(tmp_path / "again.xlsx", [("N-4", "Do you keep backups of customer data?", None, None)])
    report = fill(run_cli, mini_workspace, new, tmp_path / "out.xlsx", "--customer", "acme university")
    assert report["Do you keep backups of customer data?"]["status"] == "auto"


def test_old_past_answers_go_to_review_and_the_limit_is_a_workspace_setting(mini_workspace: Path, tmp_path: Path,
                                                                            run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx", ROWS[:1]), date="2020-01-15")[0] == 0
    new = xlsx(tmp_path / "new.xlsx", [("N-1", "Is customer data encrypted at rest?", None, None)])
    old = fill(run_cli, mini_workspace, new, tmp_path / "a.xlsx")["Is customer data encrypted at rest?"]
    assert old["status"] == "review"
    assert old["written"] == []
    assert any("months old (over the workspace's 12-month limit" in n for n in old["notes"])
    (mini_workspace / "trustfill.yaml").write_text("library_max_age_months: 1200\n")
    assert fill(run_cli, mini_workspace, new, tmp_path / "b.xlsx")["Is customer data encrypted at rest?"]["status"] == "auto"


def test_a_bad_settings_file_is_a_located_error(mini_workspace: Path) -> None:
    (mini_workspace / "trustfill.yaml").write_text("library_max_age: 3\n")
    with pytest.raises(WorkspaceError, match=r"trustfill.yaml:1:1: library_max_age: unknown key; did you mean "
                                             r"'library_max_age_months'\?"):
        load_settings(mini_workspace)
    assert load_settings(mini_workspace / "question_bank").library_max_age_months == 12


def test_same_id_in_the_same_family_counts_only_with_near_identical_text(mini_workspace: Path, tmp_path: Path,
                                                                        run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "hecvat-2025.xlsx", [
        ("HX-01", "Is customer data encrypted at rest (all tiers)?", "Yes", "Always."),
        ("HX-02", "Is data at rest encrypted with AES-256?", "Yes", "AES-256."),
    ]))[0] == 0
    new = xlsx(tmp_path / "Lakeside HECVAT 2026.xlsx", [
        ("HX-01", "Is your customer data encrypted at rest (all tiers)?", None, None),  # reworded a little
        ("HX-02", "Do you keep backups of customer data?", None, None),           # the id now means another question
    ])
    report = fill(run_cli, mini_workspace, new, tmp_path / "out.xlsx")
    reworded = report["Is your customer data encrypted at rest (all tiers)?"]
    assert reworded["past_answer"]["cell"] == "Security!C2"
    assert reworded["notes"][0].startswith("past answer (same id HX-01 in the hecvat family, near-identical text)")
    assert report["Do you keep backups of customer data?"]["past_answer"] is None
    other_family = xlsx(tmp_path / "vendorform.xlsx", [("HX-01", "Is your customer data encrypted at rest (all tiers)?", None, None)])
    assert fill(run_cli, mini_workspace, other_family, tmp_path / "o.xlsx")[
        "Is your customer data encrypted at rest (all tiers)?"]["past_answer"] is None
    assert family_of("Lakeside HECVAT 2026.xlsx") == "hecvat"


def test_a_bad_library_file_is_a_located_error(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    (mini_workspace / "library").mkdir()
    (mini_workspace / "library" / "bad.yaml").write_text(
        "source: {file: a.xlsx, format: xlsx, family: a, date: 2026-01-01}\nanswers:\n  - question: Q?\n    cell: A1\n"
        "    anwser: 'Yes'\n")
    code, _, err = run_cli("fill", str(xlsx(tmp_path / "n.xlsx", ROWS[:1])), "-o", str(tmp_path / "o.xlsx"),
                           "-w", str(mini_workspace))
    assert code == 3
    assert err.strip().splitlines()[1:] == [f"{mini_workspace / 'library' / 'bad.yaml'}:5:5: answers[0].anwser: unknown key; did you mean 'answer'?"]
    assert not (tmp_path / "o.xlsx").exists()


def test_check_reports_past_answers_the_profile_contradicts(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx"))[0] == 0
    code, out, err = run_cli("check", str(mini_workspace))
    assert code == 0, err  # a warning: the check stays clean
    text = " ".join((out + err).split())
    assert "warning: past answer 'No' to 'Is data at rest encrypted with AES-256?' (acme.xlsx Security!C3, 2026-11-01, " \
           "customer Acme University) contradicts the profile's answer today, 'Yes' (entry crypto-aes256)" in text
    assert "past answer 'Yes' to 'Is customer data encrypted at rest?'" not in text


def test_a_reviewers_corrected_answer_becomes_a_library_answer(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = xlsx(tmp_path / "q.xlsx", [("R-1", "Is data at rest encrypted with AES-256?", None, None),
                                      ("R-2", "Do you have a documented incident response plan?", None, None)])
    fill(run_cli, mini_workspace, src, tmp_path / "out.xlsx")
    wb = load_workbook(tmp_path / "out.review.xlsx")
    sheet = wb["trustfill review"]
    header = [c.value for c in sheet[1]]
    assert header[header.index("Decision") + 1] == "Corrected answer"
    # Found by its header, not its position: move it to the end behind an extra column a reviewer added.
    sheet.cell(1, len(header) + 1, "My notes")
    corrected_col = header.index("Corrected answer") + 1
    sheet.cell(1, corrected_col, "Scratch")
    sheet.cell(1, len(header) + 2, "Corrected answer")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 3).value == "Is data at rest encrypted with AES-256?")
    sheet.cell(row, len(header) + 2, "Yes. All stores use AES-256-GCM with keys in a KMS.")
    wb.save(tmp_path / "reviewed.xlsx")
    code, out, err = run_cli("learn", "--from", str(tmp_path / "reviewed.xlsx"), "-w", str(mini_workspace),
                             "--by", "jane@example.com")
    assert code == 0, err
    assert "stored 1 corrected answer in the answer library" in " ".join(out.split())
    [lib] = library(mini_workspace)
    [answer] = lib["answers"]
    assert (answer["owner"], answer["normalised"], answer["entry"], answer["match"], answer["cell"]) == (
        "jane@example.com", "Yes", "crypto-aes256", "reviewer", "Security!B2")
    again = fill(run_cli, mini_workspace, src, tmp_path / "again.xlsx")["Is data at rest encrypted with AES-256?"]
    assert again["status"] == "auto"
    assert again["narrative"] == "Yes. All stores use AES-256-GCM with keys in a KMS."
    assert again["past_answer"]["owner"] == "jane@example.com"


def test_propose_profile_drafts_facts_from_past_answers(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    src = xlsx(tmp_path / "acme.xlsx", [("A-1", "Is customer data encrypted at rest?", "No", "Not yet.")])
    draft = tmp_path / "draft.yaml"
    code, out, err = harvest(run_cli, mini_workspace, src, extra=("--propose-profile", str(draft)))
    assert code == 0, err
    assert "it reproduces 1 of 1 past Yes/No answers (100.0%)" in " ".join(out.split())
    text = draft.read_text()
    data = yaml.safe_load(text)
    # "No" under the at-rest template needs a SaaS deployment (on_prem answers N/A) and no encryption at rest.
    assert data["crypto"]["at_rest"] is False
    assert data["deployment"]["model"] == "saas"
    assert "# implied by: 'Is customer data encrypted at rest?' (acme.xlsx Security!C2): No" in text
    assert "# name:    # str: Company name." in text  # never guessed, left for a person
    from trustfill.workspace import find_workspace, load_library, load_profile
    facts, _ = load_profile(load_library(find_workspace(mini_workspace)), draft)
    assert facts == {"crypto.at_rest": False, "deployment.model": "saas"}
    code, _, err = harvest(run_cli, mini_workspace, src, extra=("--propose-profile", str(draft)))
    assert code == 5
    assert "already exists; use --force" in err


def test_library_loads_fast_path_and_located_path_alike(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx"))[0] == 0
    fast = load_answer_library(mini_workspace / "library")
    located = load_answer_library(mini_workspace / "library", "library", positions=True)
    assert [a.question for a in fast.answers] == [a.question for a in located.answers]
    assert located.answers[0].place.startswith("library/acme-")
    assert located.answers[0].place.endswith(":11:3")


def test_the_cache_never_hides_an_edit_and_survives_damage(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx", ROWS[:1]))[0] == 0
    folder = mini_workspace / "library"
    assert (folder / ".cache" / "index.json").is_file()  # harvest leaves the cache warm for the next fill
    assert load_answer_library(folder).best("is customer data encrypted at rest").narrative == "Yes, with AES-256."
    [path] = folder.glob("*.yaml")
    path.write_text(path.read_text().replace("Yes, with AES-256.", "Yes, with AES-256-GCM."))
    assert load_answer_library(folder).best("is customer data encrypted at rest").narrative == "Yes, with AES-256-GCM."
    for cached in (folder / ".cache").glob("*.json"):
        cached.write_text("{not json")
    assert load_answer_library(folder).best("is customer data encrypted at rest").narrative == "Yes, with AES-256-GCM."
    (folder / ".cache" / "index.json").write_text('{"version": 5, "files": {}, "order": [], "library": 1}')
    assert len(load_answer_library(folder)) == 1


def test_review_mode_fill_writes_the_profiles_answer_when_the_past_one_contradicts_it(
        mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    assert harvest(run_cli, mini_workspace, xlsx(tmp_path / "acme.xlsx", ROWS[1:2]))[0] == 0
    new = xlsx(tmp_path / "new.xlsx", [("N-2", "Is data at rest encrypted with AES-256?", None, None)])
    report = fill(run_cli, mini_workspace, new, tmp_path / "out.xlsx", "--review-mode", "fill")
    got = report["Is data at rest encrypted with AES-256?"]
    assert got["status"] == "review"
    assert got["answer"] == "Yes"  # the profile's, flagged; never the stale past "No"
    assert "written: the profile's answer; the past answer was 'No'" in got["notes"]
    assert load_workbook(tmp_path / "out.xlsx")["Security"]["C2"].value == "Yes"


def test_one_unreadable_file_and_nothing_is_harvested(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    good = xlsx(tmp_path / "good.xlsx")
    code, _, err = harvest(run_cli, mini_workspace, good, tmp_path / "missing.xlsx")
    assert code == 4
    assert err.strip() == f"{tmp_path / 'missing.xlsx'}: no such file"
    assert not (mini_workspace / "library").exists()


def test_harvest_json_lists_files_and_conflicts(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    a = xlsx(tmp_path / "a.xlsx", ROWS[:1])
    b = xlsx(tmp_path / "b.xlsx", [("X-9", "Is customer data encrypted at rest?", "No", "")])
    code, out, err = harvest(run_cli, mini_workspace, a, b, extra=("--json",))
    assert code == 0, err
    data = json.loads(out)
    assert [(f["source"].rsplit("/", 1)[-1], f["answers"], f["linked"], f["changed"]) for f in data["files"]] == [
        ("a.xlsx", 1, 1, True), ("b.xlsx", 1, 1, True)]
    assert data["library_answers"] == 2
    [conflict] = data["conflicts"]
    assert [(x["answer"], x["file"], x["cell"]) for x in conflict["answers"]] == [("Yes", "a.xlsx", "Security!C2"),
                                                                                 ("No", "b.xlsx", "Security!C2")]
    assert data["draft"] is None
