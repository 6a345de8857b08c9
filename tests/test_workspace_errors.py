"""Every bad input to the files people edit: one tiny asset each, one located one-line message each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ASSETS = Path(__file__).parent / "assets" / "bad_yaml"

CASES = [
    ("bad_indent.yaml", "question_bank/bad_indent.yaml:4:15: error: mapping values are not allowed here; check the indentation of this line and the one above"),
    ("tab.yaml", "question_bank/tab.yaml:3:1: error: a tab character; YAML indentation must use spaces"),
    ("unknown_key.yaml", "question_bank/unknown_key.yaml:7:5: error: entries[0].answer_template: unknown key; did you mean 'answer'?"),
    ("missing_key.yaml", "question_bank/missing_key.yaml:2:5: error: entries[0].explanation: required key is missing"),
    ("empty.yaml", "question_bank/empty.yaml:1:1: error: file is empty; expected a YAML mapping"),
    ("binary.yaml", "question_bank/binary.yaml: error: binary file, not YAML text; remove it or rename it away from .yaml"),
    ("bomb.yaml", "question_bank/bomb.yaml:1:1: error: document expands to more than 200,000 nodes (a YAML alias bomb?); refusing to load it"),
    ("bad_date.yaml", "question_bank/bad_date.yaml:7:16: error: '2027-02-30' is not a valid date (day is out of range for month); write dates as YYYY-MM-DD"),
    ("wrong_type.yaml", "question_bank/wrong_type.yaml:4:14: error: entries[0].aliases: Input should be a valid list, got 'Is there a policy?'"),
    ("missing_template.yaml", "question_bank/missing_template.yaml:8:17: error: answer template 'gov/nope.j2' does not exist under answer_templates/"),
]


FIRST = "workspace: . (current folder); profile: profile.yaml"


@pytest.mark.parametrize(("asset", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_bank_file_gives_located_message(mini_workspace: Path, run_cli, asset: str, message: str) -> None:
    shutil.copy(ASSETS / asset, mini_workspace / "question_bank" / asset)
    code, out, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    assert err.splitlines() == [FIRST, message]
    assert "Traceback" not in out + err


def test_duplicate_id_across_two_files(mini_workspace: Path, run_cli) -> None:
    for name in ("dup_a.yaml", "dup_b.yaml"):
        shutil.copy(ASSETS / name, mini_workspace / "question_bank" / name)
    code, _, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    assert err.splitlines() == [
        FIRST,
        "question_bank/dup_b.yaml:2:9: error: duplicate id 'gov-policy' (first defined at question_bank/dup_a.yaml:2:9); ids must be unique across the bank"
    ]


def test_all_problems_of_a_file_reported_at_once(mini_workspace: Path, run_cli) -> None:
    (mini_workspace / "question_bank" / "two.yaml").write_text(
        "entries:\n  - id: Bad Id\n    question: Do you?\n    category: X\n    explanation: e\n    rationale: r\n    colour: red\n"
        "    answer: {cases: [{short: 'Yes'}]}\n"
    )
    code, _, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    first, *lines = err.splitlines()
    assert first == FIRST
    assert len(lines) == 4
    assert lines[0].startswith("question_bank/two.yaml:2:9: error: entries[0].id: 'Bad Id' does not match")
    assert lines[1] == "question_bank/two.yaml:3:15: error: entries[0].question: String should have at least 8 characters"
    assert lines[2] == "question_bank/two.yaml:4:15: error: entries[0].category: String should have at least 2 characters"
    assert lines[3] == "question_bank/two.yaml:7:5: error: entries[0].colour: unknown key; allowed keys: aliases, answer, category, cites, customer_responsibility, evidence, explanation, frameworks, id, implies, negation, owner, ownership, policy_family, question, rationale, review_by, tags"


def test_bomb_is_refused_quickly_without_expanding(tmp_path: Path) -> None:
    from trustfill._yaml import YamlLoadError, load_file

    with pytest.raises(YamlLoadError, match="alias bomb"):
        load_file(ASSETS / "bomb.yaml", "bomb.yaml")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("company:\n  name: X\ndeployment:\n  modle: saas\n",
         "profile.yaml:4:3: unknown fact 'deployment.modle'; did you mean 'deployment.model'?"),
        ("deployment:\n  model: cloud\n",
         "profile.yaml:2:10: deployment.model: 'cloud' is not allowed; use one of saas, on_prem"),
        ("crypto:\n  at_rest: maybe\n", "profile.yaml:2:12: crypto.at_rest: expected true or false, got 'maybe'"),
        ("crypto: yes\n", "profile.yaml:1:9: crypto: expected a group of facts (a mapping), got True"),
        ("cryptography:\n  at_rest: true\n", "profile.yaml:1:1: unknown fact 'cryptography'; did you mean 'crypto'?"),
    ],
)
def test_bad_profile_gives_located_message(mini_workspace: Path, run_cli, profile: str, message: str) -> None:
    (mini_workspace / "profile.yaml").write_text(profile)
    code, _, err = run_cli("answer", "Is customer data encrypted at rest?", cwd=mini_workspace)
    assert code == 3
    assert err.splitlines() == [message]


def test_verbose_shows_traceback(mini_workspace: Path, run_cli) -> None:
    (mini_workspace / "profile.yaml").write_text("deployment:\n  model: cloud\n")
    code, _, err = run_cli("-v", "answer", "Is customer data encrypted at rest?", cwd=mini_workspace)
    assert code == 3
    assert "Traceback" in err


def test_undeclared_fact_in_template_is_reported(mini_workspace: Path, run_cli) -> None:
    tpl = mini_workspace / "answer_templates" / "crypto" / "at-rest.j2"
    tpl.write_text(tpl.read_text().replace("crypto.at_rest | yesno", "crypto.at_rst | yesno"))
    code, _, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    assert "answer_templates/crypto/at-rest.j2:1: error: uses fact 'crypto.at_rst', which no question_bank file declares" in err


def test_evidence_missing_and_expired(mini_workspace: Path, run_cli) -> None:
    index = mini_workspace / "evidence" / "index.yaml"
    index.write_text(index.read_text().replace("2030-01-01", "2020-01-01").replace("docs/crypto.md", "docs/gone.md"))
    code, _, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    assert err.splitlines() == [
        FIRST,
        "evidence/index.yaml:2:9: error: crypto-policy: file docs/gone.md does not exist under evidence/",
        "evidence/index.yaml:2:9: error: crypto-policy: expired on 2020-01-01; replace the document and update valid_until",
    ]


def test_contradiction_between_declared_relations(mini_workspace: Path, run_cli) -> None:
    (mini_workspace / "profile.yaml").write_text("company:\n  name: X\ndeployment:\n  model: saas\ncrypto:\n  at_rest: false\n")
    code, _, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    assert "crypto-aes256 answers 'Yes' but crypto-at-rest answers 'No' (expected Yes): the answers contradict each other on fact 'crypto.at_rest'" in err


def test_clean_workspace_checks_clean(mini_workspace: Path, run_cli) -> None:
    code, out, err = run_cli("check", cwd=mini_workspace)
    assert (code, err) == (0, FIRST + "\n")
    assert "2 entries, 3 facts, 1 templates, 1 evidence documents, profile profile.yaml: clean, 0 warning(s)" in out


def test_check_json(mini_workspace: Path, run_cli) -> None:
    import json

    code, out, _ = run_cli("check", "--json", cwd=mini_workspace)
    data = json.loads(out)
    assert code == 0
    assert data["counts"] == {"entries": 2, "facts": 3, "templates": 1, "evidence": 1, "unset_facts": 0}
    assert data["errors"] == 0
