"""Your company's profile: the blank one init writes, the interview, and what check finds in a profile."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from trustfill.models import FactDecl
from trustfill.profiling import parse_answer
from trustfill.workspace import Workspace, default_root, load_library, load_profile


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_init_writes_a_blank_profile_with_every_fact_explained(tmp_path: Path, run_cli) -> None:
    code, out, err = run_cli("init", str(tmp_path / "ws"))
    assert code == 0, err
    lib = load_library(Workspace(tmp_path / "ws"))
    text = (tmp_path / "ws" / "profile.yaml").read_text()
    facts, _ = load_profile(lib, tmp_path / "ws" / "profile.yaml")
    assert facts == {}  # nothing stated, so nothing false
    for name, decl in lib.facts.decls.items():
        assert f"# {name.split('.')[-1]}:" in text, name
        assert " ".join(decl.description.split()) in text, name
    assert "# How customers run the product." in text
    assert "(one of: saas, on_prem, hybrid)" in text
    values = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for example in ("Acme", "Heroku", "acmenotes", "Keystone", "Brightlane"):
        assert example not in values  # some descriptions cite one as an illustration, in comments only
    assert "trustfill profile" in out


def test_init_keeps_an_existing_profile_even_with_force(tmp_path: Path, run_cli) -> None:
    run_cli("init", str(tmp_path / "ws"))
    profile = tmp_path / "ws" / "profile.yaml"
    profile.write_text("company:\n  name: Zephyr Analytics\n")
    code, out, _ = run_cli("init", str(tmp_path / "ws"), "--force")
    assert code == 0
    assert profile.read_text() == "company:\n  name: Zephyr Analytics\n"
    assert f"created {profile}" not in out


def test_check_of_a_fresh_workspace_lists_every_missing_fact_and_placeholder(tmp_path: Path, run_cli) -> None:
    run_cli("init", str(tmp_path / "ws"))
    code, out, err = run_cli("check", str(tmp_path / "ws"), "--json")
    assert code == 0, err  # nothing wrong is stated; what is missing is a warning
    import json

    data = json.loads(out)
    unset = [p for p in data["problems"] if "is not set" in p["message"]]
    placeholders = [p for p in data["problems"] if "still the placeholder" in p["message"]]
    assert len(unset) == data["counts"]["unset_facts"] > 300  # all at once, not one per run
    assert len(placeholders) == data["counts"]["evidence"]
    code, out, _ = run_cli("check", str(tmp_path / "ws"))
    assert ": clean" not in out
    assert f"{data['counts']['unset_facts']} fact(s) an answer needs are not set: 'trustfill profile {tmp_path / 'ws'}'" in out


def test_check_reports_all_facts_an_answer_reads_in_one_run(mini_workspace: Path, run_cli) -> None:
    (mini_workspace / "profile.yaml").write_text("{}\n")
    code, out, err = run_cli("check", cwd=mini_workspace)
    assert code == 0, err
    missing = sorted(line.split("fact '")[1].split("'")[0] for line in out.splitlines() if "is not set" in line)
    # rendering alone stops at deployment.model; the other two are read further on by the same answers
    assert missing == ["company.name", "crypto.at_rest", "deployment.model"]


def test_check_leaves_out_facts_only_a_ruled_out_branch_reads(mini_workspace: Path, run_cli) -> None:
    (mini_workspace / "profile.yaml").write_text("deployment:\n  model: on_prem\n")
    code, out, err = run_cli("check", cwd=mini_workspace)
    assert code == 0, err
    assert "is not set" not in out
    assert ": clean, 0 warning(s)" in out


def test_placeholder_evidence_is_a_warning_until_replaced(mini_workspace: Path, run_cli) -> None:
    doc = mini_workspace / "evidence" / "docs" / "crypto.md"
    doc.write_text("# Cryptography Policy\n\nPlaceholder. The real document is: our policy.\n")
    code, out, _ = run_cli("check", cwd=mini_workspace)
    assert code == 0
    assert ("evidence/index.yaml:2:9: warning: crypto-policy: docs/crypto.md is still the placeholder trustfill ships; "
            "replace it with your real document before answers cite it") in out
    code, _, _ = run_cli("check", "--strict", cwd=mini_workspace)
    assert code == 1
    doc.write_text("# Cryptography Policy\n\nAll customer data is encrypted with AES-256.\n")
    _, out, _ = run_cli("check", cwd=mini_workspace)
    assert "placeholder" not in out


def _bundled_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text)
    return path


def test_check_finds_values_copied_from_the_example_companies(tmp_path: Path, run_cli) -> None:
    profile = _bundled_profile(tmp_path, (
        "company:\n  name: Zephyr Analytics\n  product: Acme Notes Cloud\n  website: https://status.acmenotes.example\n"
        "hosting:\n  provider: Google Cloud\n"
        "crypto:\n  secrets_store: Heroku config vars\n"
        "hr:\n  background_check_scope: identity, right to work, employment history and criminal records where local law allows\n"
    ))
    code, out, err = run_cli("check", "--profile", str(profile))
    assert code == 1
    lines = err.splitlines() + out.splitlines()
    name = profile.name
    assert any(line.startswith(f"{tmp_path / name}:3:12: error: company.product: 'Acme Notes Cloud' names Acme Notes") for line in lines), lines
    assert any("company.website: 'https://status.acmenotes.example' names acmenotes.example (domain" in line for line in lines)
    assert any("crypto.secrets_store: 'Heroku config vars' names Heroku, the example company's hosting provider" in line for line in lines)
    assert any("warning: hr.background_check_scope:" in line and "copied word for word from examples/saas-heroku.yaml" in line
               for line in lines)
    assert not any("error: company.name:" in line for line in lines)


def test_a_company_that_really_uses_heroku_may_say_so(tmp_path: Path, run_cli) -> None:
    profile = _bundled_profile(tmp_path, "hosting:\n  provider: Heroku\ncrypto:\n  secrets_store: Heroku config vars\n")
    code, out, err = run_cli("check", "--profile", str(profile))
    assert code == 0, out + err
    assert "Heroku" not in "\n".join(line for line in (out + err).splitlines() if "error" in line)


def test_the_example_profiles_themselves_are_not_flagged(run_cli) -> None:
    code, out, err = run_cli("check", "--profile", str(default_root() / "examples" / "saas-heroku.yaml"))
    assert code == 0, out + err
    assert "names Acme" not in out + err
    assert "copied word for word" not in out + err


def test_interview_asks_the_deciding_fact_first_and_skips_what_it_rules_out(
    mini_workspace: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mini_workspace / "profile.yaml").unlink()
    _stdin(monkeypatch, "on_prem\n")
    code, out, err = run_cli("profile", str(mini_workspace))
    assert code == 0, err
    assert err.splitlines()[0] == f"workspace: {mini_workspace}; profile: {mini_workspace / 'profile.yaml'}"
    assert "deployment.model" in out
    assert "crypto.at_rest" not in out  # on-premises: the at-rest answer is N/A and reads no other fact
    assert "every fact an answer needs is set" in out
    assert yaml.safe_load((mini_workspace / "profile.yaml").read_text()) == {"deployment": {"model": "on_prem"}, "crypto": None, "company": None}


def test_interview_is_resumable_and_writes_a_valid_profile(mini_workspace: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini_workspace / "profile.yaml").unlink()
    _stdin(monkeypatch, "1\nq\n")  # the number of an allowed value works; q saves and stops
    code, out, err = run_cli("profile", str(mini_workspace))
    assert code == 0, err
    lib = load_library(Workspace(mini_workspace))
    assert load_profile(lib, mini_workspace / "profile.yaml")[0] == {"deployment.model": "saas"}
    assert "Run 'trustfill profile" in out
    _stdin(monkeypatch, "maybe\ny\nZephyr Analytics\n")
    code, out, err = run_cli("profile", str(mini_workspace))
    assert code == 0, err
    assert "deployment.model" not in out  # kept from the first session, not asked again
    assert "answer yes or no" in out  # 'maybe' is asked again
    assert load_profile(lib, mini_workspace / "profile.yaml")[0] == {
        "deployment.model": "saas", "crypto.at_rest": True, "company.name": "Zephyr Analytics"}


def test_interview_skipped_fact_stays_unset(mini_workspace: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini_workspace / "profile.yaml").unlink()
    _stdin(monkeypatch, "saas\n\n\n")
    code, out, err = run_cli("profile", str(mini_workspace))
    assert code == 0, err
    assert "answers still wait for 2 facts" in out
    text = (mini_workspace / "profile.yaml").read_text()
    assert "  # at_rest:" in text


def test_interview_needs_a_workspace_of_your_own(run_cli) -> None:
    code, _, err = run_cli("profile")
    assert code == 2
    assert "not your workspace; create one with 'trustfill init DIR'" in err


@pytest.mark.parametrize(
    ("decl", "typed", "value"),
    [
        (FactDecl(type="bool", description="d"), "Yes", True),
        (FactDecl(type="bool", description="d"), "n", False),
        (FactDecl(type="enum", values=["saas", "on_prem"], description="d"), "2", "on_prem"),
        (FactDecl(type="int", description="d"), " 30 ", 30),
        (FactDecl(type="date", description="d"), "2027-01-31", dt.date(2027, 1, 31)),
        (FactDecl(type="list", description="d"), "United States, Canada", ["United States", "Canada"]),
        (FactDecl(type="list", description="d"), "none", []),
        (FactDecl(type="list", values=["a", "b"], description="d"), "a, b", ["a", "b"]),
    ],
)
def test_typed_answers(decl: FactDecl, typed: str, value: object) -> None:
    assert parse_answer(decl, typed) == value


@pytest.mark.parametrize(
    ("decl", "typed", "message"),
    [
        (FactDecl(type="bool", description="d"), "maybe", "answer yes or no"),
        (FactDecl(type="enum", values=["saas", "on_prem"], description="d"), "cloud", "choose one of saas, on_prem (or its number)"),
        (FactDecl(type="int", description="d"), "thirty", "give a whole number, like 30"),
        (FactDecl(type="date", description="d"), "31/01/2027", "give a date like 2027-01-31"),
        (FactDecl(type="list", values=["a", "b"], description="d"), "a, c", "'c' is not allowed; use some of a, b, separated by commas"),
    ],
)
def test_answers_that_do_not_fit_are_asked_again(decl: FactDecl, typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_answer(decl, typed)


def test_the_written_profile_reads_back_as_the_same_facts(tmp_path: Path) -> None:
    from trustfill.profiling import write_profile
    from trustfill.workspace import find_workspace

    lib = load_library(find_workspace(default_root()))
    facts, _ = load_profile(lib, default_root() / "examples" / "on-prem.yaml")
    write_profile(lib, tmp_path / "profile.yaml", facts)
    assert load_profile(lib, tmp_path / "profile.yaml")[0] == facts


def test_on_the_real_bank_the_deciding_facts_come_first_and_on_prem_has_no_hosting_provider() -> None:
    from trustfill.profiling import waiting_facts
    from trustfill.workspace import find_workspace

    lib = load_library(find_workspace(default_root()))
    assert [w.fact for w in waiting_facts(lib, {})][:1] == ["deployment.model"]
    saas = [w.fact for w in waiting_facts(lib, {"deployment.model": "saas"})]
    assert saas[:5] == ["hosting.provider", "compliance.soc2_type2", "compliance.iso27001", "ai.features",
                        "ai.training_on_customer_data"]
    waiting = waiting_facts(lib, {"deployment.model": "on_prem"})
    on_prem = [w.fact for w in waiting]
    # Customers run it: no answer about the product reaches our hosting provider. Four CCM/SIG entries about our
    # own offices and facilities still do (they ask whether we have offices or use third-party data centres, not
    # the deployment model); they are listed so that no other entry joins them unnoticed.
    provider = next((w for w in waiting if w.fact == "hosting.provider"), None)
    assert set(provider.entries if provider else ()) <= {
        "dcs-offsite-equipment-transfer", "dcs-physical-intrusion-response", "dcs-delivery-areas",
        "network-device-hardening", "physical-office-alarms"}
    assert next(f for f in on_prem if f != "hosting.provider") == "compliance.soc2_type2"
