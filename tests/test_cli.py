"""CLI behaviour that does not need a questionnaire: init, schema, docs, formats, output safety."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trustfill.cli import cli
from trustfill.errors import OutputError
from trustfill.importers import InputFormat, importer_for
from trustfill.output import OutputFormat, atomic_path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_command_is_documented_and_has_help(run_cli) -> None:
    readme = README.read_text()
    for name, command in cli.commands.items():
        assert f"trustfill {name}" in readme, f"README does not document 'trustfill {name}'"
        assert command.help, f"{name} has no help"
        code, out, _ = run_cli(name, "--help")
        assert code == 0
        assert "Usage:" in out


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README.read_text(), flags=re.S)
    assert "trustfill fill examples/acme-customer-questionnaire.xlsx" in blocks[0]
    assert blocks[1].endswith("-m pytest")
    ci = (README.parent / ".ci" / "run").read_text()
    assert blocks[1] in ci


def test_init_creates_a_workspace_that_checks_clean(tmp_path: Path, run_cli) -> None:
    code, out, _ = run_cli("init", str(tmp_path / "ws"))
    assert code == 0
    for part in ("question_bank", "answer_templates", "evidence", "profile.yaml"):
        assert (tmp_path / "ws" / part).exists()
    code, out, err = run_cli("check", str(tmp_path / "ws"), "--profile", str(tmp_path / "ws" / "profile.yaml"))
    assert code == 0, out + err
    code, _, err = run_cli("init", str(tmp_path / "ws"))
    assert code == 5
    assert "already holds a question_bank/ folder; use --force" in err


@pytest.mark.parametrize("kind", ["bank", "evidence", "profile"])
def test_schema_is_json_schema(kind: str, run_cli) -> None:
    code, out, _ = run_cli("schema", kind)
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False


def test_profile_schema_lists_declared_facts_with_allowed_values(run_cli) -> None:
    _, out, _ = run_cli("schema", "profile")
    schema = json.loads(out)
    deployment = schema["$defs"]["Profile_deployment"]["properties"]["model"]
    options = deployment["anyOf"][0]
    assert options["enum"] == ["saas", "on_prem", "hybrid"]


def test_unknown_command_is_a_usage_error(run_cli) -> None:
    code, _, err = run_cli("fly")
    assert code == 2
    assert "No such command 'fly'" in err


def test_to_input_format_is_exhaustive() -> None:
    for fmt in InputFormat:
        importer = importer_for(fmt)
        assert importer.format == fmt.value


def test_to_output_format_is_exhaustive(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from trustfill.output import _writer

    # The writer factory only needs to choose, not run.
    filled = SimpleNamespace(questionnaire=SimpleNamespace(path=tmp_path / "q.xlsx", format="xlsx"), writes=[], results=[])
    for fmt in OutputFormat:
        assert callable(_writer(fmt, filled, review_sheet=False, clean=False))  # type: ignore[arg-type]


def test_atomic_output_leaves_nothing_on_error(tmp_path: Path) -> None:
    dest = tmp_path / "out.xlsx"
    def write_then_fail() -> None:
        with atomic_path(dest, force=False) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_refuses_existing_and_input(tmp_path: Path) -> None:
    dest = tmp_path / "out.xlsx"
    dest.write_text("keep")
    with pytest.raises(OutputError, match="already exists; use --force"), atomic_path(dest, force=False):
        pass
    with pytest.raises(OutputError, match="is the input file"), atomic_path(dest, force=True, protect=(dest,)):
        pass
    assert dest.read_text() == "keep"


def test_learn_then_answer_uses_the_decision(mini_workspace: Path, run_cli) -> None:
    question = "Are the bits on the platters scrambled?"
    code, out, _ = run_cli("answer", question, "--json", cwd=mini_workspace)
    assert json.loads(out)["match"]["status"] != "auto"
    code, out, err = run_cli("learn", question, "crypto-at-rest", cwd=mini_workspace)
    assert code == 0, err
    assert (mini_workspace / "mappings.yaml").is_file()
    code, out, _ = run_cli("answer", question, "--json", cwd=mini_workspace)
    data = json.loads(out)
    assert (data["match"]["status"], data["match"]["entry"]) == ("auto", "crypto-at-rest")
    assert data["answer"]["short"] == "Yes"


def test_learn_refuses_unknown_entry(mini_workspace: Path, run_cli) -> None:
    code, _, err = run_cli("learn", "Anything?", "no-such-entry", cwd=mini_workspace)
    assert code == 2
    assert err.strip().splitlines() == ["workspace: . (current folder)", "no bank entry 'no-such-entry'"]


def test_entry_shows_what_a_reviewer_needs(mini_workspace: Path, run_cli) -> None:
    code, out, err = run_cli("entry", "crypto-at-rest", cwd=mini_workspace)
    assert code == 0, err
    text = " ".join(out.split())
    for part in ("crypto-at-rest (Cryptography)", "Question: Is customer data encrypted at rest?",
                 "Explanation: Asks whether stored data is encrypted.", "Why it matters: Stolen disks stay unreadable.",
                 "Also asked as: - Do you encrypt stored data?", "give --profile to see the answer"):
        assert part in text, part
    code, out, err = run_cli("entry", "crypto-at-rest", "--profile", str(mini_workspace / "profile.yaml"), "--json",
                             cwd=mini_workspace)
    assert code == 0, err
    data = json.loads(out)
    assert data["aliases"] == ["Do you encrypt stored data?"]
    assert (data["answer"]["short"], data["answer"]["narrative"]) == ("Yes", "Yes. Example Co encrypts customer data at rest.")
    code, out, _ = run_cli("entry", "crypto-aes256", "--profile", str(mini_workspace / "profile.yaml"), cwd=mini_workspace)
    assert "Answer under" in out
    assert "AES-256" in out


def test_entry_unknown_id_names_the_nearest(mini_workspace: Path, run_cli) -> None:
    code, _, err = run_cli("entry", "crypto-at-rset", cwd=mini_workspace)
    assert (code, err.strip()) == (2, "no bank entry 'crypto-at-rset'; did you mean 'crypto-at-rest'?")
