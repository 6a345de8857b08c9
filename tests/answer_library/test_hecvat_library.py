"""Two HECVAT versions completed in code for a made-up company: harvest one, fill the other, draft the profile.

Uses the real blank questionnaires in ../shared/questionnaires (skipped when absent); the answers are written by
tests/answer_library/northwind.py into a temporary folder, never committed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from trustfill.answer_library.harvest import run_harvest
from trustfill.answer_library.reuse import MIN_WORDS, SAME_ID_SIMILARITY
from trustfill.importers import load_questionnaire
from trustfill.matching.normalize import question_key
from trustfill.workspace import default_root, init_workspace

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[3] / "shared" / "questionnaires"
PROFILE = default_root() / "examples" / "saas-heroku.yaml"
RECENT = dt.date.today() - dt.timedelta(days=60)  # within the default 12-month limit whenever the test runs
OLDER = dt.date.today() - dt.timedelta(days=200)


@pytest.fixture(scope="module")
def hecvat(tmp_path_factory: pytest.TempPathFactory, northwind) -> dict[str, Path]:
    """Completed 4.1.4 (for Lakeside University) and Full 3.06 (for Harbor State College), and a workspace."""
    if not SHARED.is_dir():
        pytest.skip("../shared/questionnaires is not present")
    root = tmp_path_factory.mktemp("hecvat")
    paths = {"blank-3.06": SHARED / "hecvat-full-3.06.xlsx", "ws": root / "ws"}
    for version, name in (("hecvat-4.1.4", "4.1.4"), ("hecvat-full-3.06", "3.06")):
        paths[name] = root / f"northwind-{version}.xlsx"
        northwind.complete_xlsx(SHARED / f"{version}.xlsx", paths[name], version)
    init_workspace(paths["ws"])
    return paths


def _same_question(a, b) -> bool:
    """The test's own reading of "the same question": same wording, or same id and near-identical text."""
    ka, kb = question_key(a.text), question_key(b.text)
    if ka == kb:
        return len(ka.split()) >= MIN_WORDS or question_key(a.section or "") == question_key(b.section or "")
    return bool(a.question_id) and a.question_id == b.question_id and fuzz.token_sort_ratio(ka, kb) >= SAME_ID_SIMILARITY


def test_filling_another_version_reuses_every_shared_question_and_no_other(hecvat: dict[str, Path], run_cli) -> None:
    ws = hecvat["ws"]
    summary = run_harvest(ws, [hecvat["4.1.4"]], customer="Lakeside University", date=RECENT)
    assert summary.files[0].answers == 331
    out, report = hecvat["ws"].parent / "out.xlsx", hecvat["ws"].parent / "out.json"
    code, _, err = run_cli("fill", str(hecvat["blank-3.06"]), "-o", str(out), "-w", str(ws), "--profile", str(PROFILE),
                           "--report", str(report), "--customer", "Harbor State College", "--force")
    assert code == 0, err
    records = json.loads(report.read_text())["questions"]
    old = load_questionnaire(hecvat["4.1.4"]).questions
    new = load_questionnaire(hecvat["blank-3.06"]).questions
    shared = {q.location for q in new if any(_same_question(q, p) for p in old)}
    reused = {r["location"] for r in records if r["past_answer"] is not None}
    assert len(shared) == 149  # 148 worded alike, PCID-12 with one letter changed
    assert reused == shared
    by_id = {r["question_id"]: r for r in records}
    # Past "No" to SSO; the profile supports SSO today: review, never auto.
    assert by_id["AAAI-01"]["status"] == "review"
    assert by_id["AAAI-01"]["written"] == []
    # Past answer naming Lakeside University's contract, reused for another customer: review.
    assert by_id["HFIH-01"]["status"] == "review"
    assert any("names the customer 'Lakeside University'" in n for n in by_id["HFIH-01"]["notes"])
    # AAAI-05 is another question in each version: the id alone never carries an answer over.
    assert by_id["AAAI-05"]["past_answer"] is None
    auto = [r for r in records if r["past_answer"] is not None and r["status"] == "auto"]
    assert len(auto) > 100


def test_conflicts_and_a_draft_profile_from_both_versions(hecvat: dict[str, Path]) -> None:
    ws = hecvat["ws"]
    run_harvest(ws, [hecvat["4.1.4"]], customer="Lakeside University", date=RECENT)
    draft_path = ws.parent / "draft.yaml"
    summary = run_harvest(ws, [hecvat["3.06"]], customer="Harbor State College", date=OLDER,
                          propose_profile=draft_path, force=True)
    assert [c.question for c in summary.conflicts if c.question.startswith("Do you have a formal incident")] == [
        "Do you have a formal incident response plan?"]
    draft = summary.draft
    assert draft.yes_no > 130  # enough answers for the share below to mean something
    assert draft.reproduced / draft.yes_no >= 0.9
    text = draft_path.read_text()
    assert "iam:" in text
    assert "# CONFLICT:" in text
    # The latest answer (4.1.4, Yes) wins the incident-plan conflict; the older No is listed against it.
    assert draft.proposals["incident.plan_documented"].value is True
    assert any("formal incident response plan" in q for _, q in draft.proposals["incident.plan_documented"].against)
