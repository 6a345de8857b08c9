"""The answer engine: facts select and fill templates, with provenance; the seed case as golden tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustfill.answers import AnswerEngine, reflow
from trustfill.errors import TemplateError
from trustfill.models import BankEntry
from trustfill.session import open_session
from trustfill.templating import make_env
from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
SEED = "ai-training-customer-data"

GOLDEN = {
    "saas-heroku.yaml": (
        "No",
        "No. Our infrastructure on Heroku (on AWS) is used only to deliver Acme Notes Cloud. No customer data is "
        "collected or used for AI/ML purposes, including model training.",
        ["ai-data-usage-policy"],
    ),
    "saas-ai-opt-in.yaml": (
        "Yes",
        "Yes, opt-in only. Customer data is used for model training only when the customer opts in through a clear "
        "consent form at account setup. Customers can prohibit use of their data for training at any time in their "
        "account settings.",
        ["ai-data-usage-policy", "ai-consent-form", "ai-opt-out-settings"],
    ),
    "on-prem.yaml": (
        "N/A",
        "Not applicable. Keystone Server is installed and run on the customer's own infrastructure, and customer data "
        "is not collected by Keystone Systems, so opt-in or opt-out for AI/ML training does not apply.",
        ["ai-data-usage-policy"],
    ),
}


@pytest.mark.parametrize("profile", sorted(GOLDEN))
def test_seed_question_golden(profile: str) -> None:
    session = open_session(None, EXAMPLES / profile)
    result = session.engine.render(SEED)
    short, narrative, evidence = GOLDEN[profile]
    assert result.status == "ok", result.problems
    assert (result.short, result.narrative) == (short, narrative)
    assert [e.id for e in result.evidence] == evidence
    assert result.source == "ai/training-on-customer-data.j2"
    assert dict(result.facts)["deployment.model"] in ("saas", "on_prem")


def test_facts_read_are_exactly_the_ones_used() -> None:
    result = open_session(None, EXAMPLES / "on-prem.yaml").engine.render(SEED)
    assert dict(result.facts) == {
        "deployment.model": "on_prem", "company.product": "Keystone Server", "company.name": "Keystone Systems",
    }


def _entry(**answer: object) -> BankEntry:
    return BankEntry.model_validate({
        "id": "t-entry", "question": "Is the thing done?", "category": "Test", "explanation": "e", "rationale": "r",
        "answer": answer,
    })


def _engine(entry: BankEntry, facts: dict[str, object]) -> AnswerEngine:
    return AnswerEngine({entry.id: entry}, facts, {}, make_env())


def test_missing_fact_gives_needs_input_not_a_crash() -> None:
    entry = _entry(cases=[{"when": "crypto.at_rest", "short": "Yes", "narrative": "Yes."}, {"short": "No", "narrative": "No."}])
    result = _engine(entry, {"company.name": "X"}).render("t-entry")
    assert result.status == "needs_input"
    assert result.short is None
    assert result.narrative is None
    assert result.missing_facts == ("crypto",)
    assert result.problems == ("needs input: fact crypto is not set in the profile",)


def test_missing_nested_fact_is_named_fully() -> None:
    entry = _entry(cases=[{"short": "Yes", "narrative": "Keys rotate every {{ crypto.rotation_days }} days."}])
    result = _engine(entry, {"crypto.at_rest": True}).render("t-entry")
    assert result.status == "needs_input"
    assert result.missing_facts == ("crypto.rotation_days",)


@pytest.mark.parametrize(
    "payload",
    ["{{ ''.__class__.__mro__ }}", "{{ cite.__globals__ }}", "{{ company.__class__ }}", "{{ company._group }}"],
)
def test_sandbox_escape_is_refused(payload: str) -> None:
    entry = _entry(cases=[{"short": "Yes", "narrative": payload}])
    result = _engine(entry, {"company.name": "X"}).render("t-entry")
    assert result.status in ("error", "needs_input")
    assert result.narrative is None
    if result.status == "error":
        assert result.problems[0].startswith("template refused: access to attribute")


def test_short_answer_outside_choices_is_an_error() -> None:
    entry = _entry(choices=["Yes", "No"], cases=[{"short": "Yes", "narrative": "ok"}])
    engine = _engine(entry, {})
    entry_bad = entry.model_copy(update={"answer": entry.answer.model_copy(update={"choices": ["No"]})})
    engine.entries[entry.id] = entry_bad
    result = engine.render(entry.id)
    assert result.status == "error"
    assert "is not one of the choices" in result.problems[0]


def test_cases_pick_first_true_rule_and_cite() -> None:
    entry = _entry(cases=[
        {"when": "deployment.model == 'on_prem'", "short": "N/A", "narrative": "Customers run it."},
        {"when": "crypto.at_rest", "short": "Yes", "narrative": "Yes, AES-256.", "cites": ["crypto-policy"]},
        {"short": "No", "narrative": "No."},
    ])
    engine = _engine(entry, {"deployment.model": "saas", "crypto.at_rest": True})
    result = engine.render("t-entry")
    assert (result.short, result.source) == ("Yes", "cases[1]")
    assert result.problems == ("cites unknown evidence 'crypto-policy'",)
    on_prem = _engine(entry, {"deployment.model": "on_prem"}).render("t-entry")
    assert (on_prem.short, on_prem.source, on_prem.narrative) == ("N/A", "cases[0]", "Customers run it.")


def test_filters() -> None:
    env = make_env()
    out = env.from_string("{{ true | yesno }} {{ none | yesno }} {{ ['a','b','c'] | join_and }} {{ '2027-03-01' | date }} {{ 'opt_in' | words }}").render()
    assert out == "Yes N/A a, b and c 1 March 2027 opt in"


def test_register_filter_refuses_to_shadow_builtins() -> None:
    env = make_env()
    with pytest.raises(TemplateError, match="filter 'upper' already exists"):
        env.register_filter("upper", str.upper)
    with pytest.raises(TemplateError, match="filter 'yesno' already exists"):
        make_env(extra_filters={"yesno": str})


def test_reflow_joins_lines_and_keeps_paragraphs() -> None:
    assert reflow("  One\n  two.\n\n\n Three  \n") == "One two.\n\nThree"


def test_one_fact_change_changes_every_dependent_answer(tmp_path: Path) -> None:
    text = (EXAMPLES / "saas-heroku.yaml").read_text()
    saas = open_session(None, EXAMPLES / "saas-heroku.yaml")
    flipped = tmp_path / "p.yaml"
    flipped.write_text(text.replace("model: saas", "model: on_prem", 1))
    on_prem = open_session(None, flipped)
    changed = [e for e in saas.lib.entries if saas.engine.render(e).short != on_prem.engine.render(e).short]
    dependent = [e for e in saas.lib.entries if "deployment.model" in dict(on_prem.engine.render(e).facts)]
    assert SEED in changed
    assert len(changed) >= 10
    # Every answer that changed read the fact that changed: answers stay consistent with the facts.
    assert set(changed) <= set(dependent)


@pytest.mark.parametrize("profile", sorted(GOLDEN))
def test_seed_question_via_cli(profile: str, run_cli) -> None:
    import json

    question = ("Is customer data used to train AI/ML models? If so, is this opt-in or opt-out, and can customers "
                "prohibit use of their data for training?")
    code, out, err = run_cli("answer", question, "--profile", str(EXAMPLES / profile), "--json")
    assert code == 0, err
    data = json.loads(out)
    short, narrative, evidence = GOLDEN[profile]
    assert data["match"]["entry"] == SEED
    assert data["match"]["status"] == "auto"
    assert (data["answer"]["short"], data["answer"]["narrative"]) == (short, narrative)
    assert [e["id"] for e in data["answer"]["evidence"]] == evidence
    expected = " ".join(data["entry"]["evidence_expected"]).lower()
    for part in ("data-usage policy", "consent form", "opt-in / opt-out", "records of handled"):
        assert part in expected
    code, text, _ = run_cli("answer", question, "--profile", str(EXAMPLES / profile))
    assert f"Answer: {short}" in text
    assert "Why it matters:" in text
