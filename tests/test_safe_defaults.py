"""No silent example company: the profile is explicit, the demo says it is one, each command names what it used."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from trustfill.workspace import default_root

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = default_root() / "examples"


@pytest.fixture
def questionnaire(tmp_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("mkq", REPO / "examples" / "make_example_questionnaire.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.build(tmp_path / "customer.xlsx")


@pytest.mark.parametrize("command", ["fill", "answer", "match"])
def test_without_workspace_or_profile_the_command_refuses_in_one_line(
    command: str, questionnaire: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUSTFILL_WORKSPACE", raising=False)
    out = tmp_path / "answers.xlsx"
    args = {"fill": ("fill", str(questionnaire), "-o", str(out)), "answer": ("answer", "Is data encrypted at rest?"),
            "match": ("match", str(questionnaire))}[command]
    code, stdout, err = run_cli(*args)
    assert code == 2
    assert stdout == ""
    (line,) = err.strip().splitlines()
    assert "no trustfill workspace here and no --profile" in line
    assert "'trustfill init DIR'" in line
    assert "--demo" in line
    assert not out.exists()


def test_a_repository_checkout_does_not_answer_as_its_example_company(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTFILL_WORKSPACE", raising=False)
    code, stdout, err = run_cli("answer", "Is customer data used to train AI models?", cwd=REPO)
    assert code == 2
    assert "Acme" not in stdout + err
    assert err.strip() == (".: no profile.yaml in this workspace and no --profile, so there are no "
                           "company facts to answer from; create your own with 'trustfill init DIR' and 'trustfill profile DIR', "
                           "then pass -w DIR (or run from DIR, or set TRUSTFILL_WORKSPACE=DIR); or try the bundled example "
                           "company with --demo")


def test_the_workspace_setting_is_used_and_named_first(mini_workspace: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTFILL_WORKSPACE", str(mini_workspace))
    code, stdout, err = run_cli("answer", "Do you encrypt stored data?", "--json")
    assert code == 0, err
    data = json.loads(stdout)  # the first line went to stderr, so stdout stays JSON
    assert data["demo"] is False
    assert data["answer"]["narrative"] == "Yes. Example Co encrypts customer data at rest."
    assert err.splitlines()[0] == (f"workspace: {mini_workspace} (TRUSTFILL_WORKSPACE); "
                                   f"profile: {mini_workspace / 'profile.yaml'}")


def test_a_workspace_setting_that_is_not_one_is_an_error(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTFILL_WORKSPACE", str(tmp_path / "nowhere"))
    code, _, err = run_cli("answer", "Do you encrypt stored data?")
    assert code == 3
    assert err.strip().startswith(f"TRUSTFILL_WORKSPACE={tmp_path / 'nowhere'}: not a trustfill workspace")


def test_the_current_folder_and_its_profile_are_named_first(mini_workspace: Path, run_cli) -> None:
    code, _, err = run_cli("answer", "Do you encrypt stored data?", cwd=mini_workspace)
    assert code == 0, err
    assert err.splitlines()[0] == "workspace: . (current folder); profile: profile.yaml"


def test_demo_cannot_be_mixed_with_a_profile(run_cli) -> None:
    code, _, err = run_cli("answer", "Do you encrypt stored data?", "--demo", "--profile", str(EXAMPLES / "on-prem.yaml"))
    assert code == 2
    assert err.strip() == "--demo: uses the bundled example workspace and profile; leave out -w and --profile"


def test_demo_fill_is_labelled_everywhere_but_the_customers_cells(questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out, report = tmp_path / "answers.xlsx", tmp_path / "report.json"
    code, stdout, err = run_cli("fill", str(questionnaire), "-o", str(out), "--demo", "--report", str(report))
    assert code == 0, err
    assert err.startswith("DEMO: ")
    assert "DEMO: these answers describe a fictional example company" in err
    data = json.loads(report.read_text())
    assert data["demo"] is True
    assert data["profile"].startswith("DEMO DATA")
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
    assert "DEMO" not in sheet + strings  # the customer's file carries answers only, never our labels
    assert "trustfill init my-company" in stdout


def test_demo_answer_document_says_so(questionnaire: Path, tmp_path: Path, run_cli) -> None:
    from docx import Document

    out = tmp_path / "answers.docx"
    code, _, err = run_cli("fill", str(questionnaire), "-o", str(out), "--demo")
    assert code == 0, err
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "DEMO DATA, a fictional company" in text
    assert text.index("DEMO DATA") < text.index("Questionnaire:")  # at the top, before any answer


def test_a_real_run_reports_demo_false(questionnaire: Path, tmp_path: Path, run_cli) -> None:
    out, report = tmp_path / "answers.xlsx", tmp_path / "report.json"
    code, _, err = run_cli("fill", str(questionnaire), "-o", str(out), "--profile", str(EXAMPLES / "on-prem.yaml"),
                           "--report", str(report))
    assert code == 0, err
    assert json.loads(report.read_text())["demo"] is False
    assert err.splitlines()[0] == f"workspace: bundled default bank (no workspace); profile: {EXAMPLES / 'on-prem.yaml'}"


def test_fill_says_what_to_do_next(mini_workspace: Path, tmp_path: Path, run_cli) -> None:
    from openpyxl import Workbook

    (mini_workspace / "profile.yaml").write_text("company:\n  name: Zephyr Analytics\ndeployment:\n  model: saas\n")
    wb = Workbook()
    sheet = wb.active
    sheet.append(["Question", "Answer", "Comments"])
    sheet.append(["Is customer data encrypted at rest?", None, None])
    sheet.append(["Do you keep a register of your pets?", None, None])
    wb.save(tmp_path / "q.xlsx")
    code, stdout, err = run_cli("fill", str(tmp_path / "q.xlsx"), "-o", str(tmp_path / "a.xlsx"), "-w", str(mini_workspace))
    assert code == 0, err
    steps = stdout.split("next:\n", 1)[1]
    lines = steps.splitlines()
    assert any(line.endswith(f"'trustfill learn --from {tmp_path / 'a.review.xlsx'} -w {mini_workspace}'") for line in lines), lines
    assert (f"  - 1 fact(s) the profile does not set held answers back (crypto.at_rest): 'trustfill profile {mini_workspace}' "
            f"asks for them, 'trustfill check {mini_workspace}' lists them all") in lines
    assert "DEMO" not in stdout + err
