"""Who owns a control (CAIQ's SSRM column): the entry's own value or cases, else the category default."""

from __future__ import annotations

import pytest

from trustfill.answers import AnswerEngine
from trustfill.fill import FillOptions, plan_writes
from trustfill.models import BankEntry
from trustfill.ownership import default_ownership, fit_ownership
from trustfill.questionnaire import AnswerSlot, QuestionRow, SlotKind

OWNERS = ("CSP-owned", "CSC-owned", "3rd-party outsourced", "Shared CSP and CSC", "Shared CSP and 3rd-party")
SAAS_ON_CLOUD = {"deployment.model": "saas", "hosting.uses_third_party_datacenters": True}
SAAS_OWN_DC = {"deployment.model": "saas", "hosting.uses_third_party_datacenters": False}
ON_PREM = {"deployment.model": "on_prem"}
HYBRID = {"deployment.model": "hybrid", "hosting.uses_third_party_datacenters": True}


@pytest.mark.parametrize(("category", "facts", "owner"), [
    ("Physical and environmental security", SAAS_ON_CLOUD, "Shared CSP and 3rd-party"),
    ("Datacenter Security", SAAS_ON_CLOUD, "Shared CSP and 3rd-party"),
    ("Infrastructure security", SAAS_ON_CLOUD, "Shared CSP and 3rd-party"),
    ("Physical and environmental security", SAAS_OWN_DC, "CSP-owned"),
    ("Backups", SAAS_ON_CLOUD, "CSP-owned"),
    ("Governance and policies", SAAS_ON_CLOUD, "CSP-owned"),
    ("Physical and environmental security", ON_PREM, "CSC-owned"),
    ("Backups", ON_PREM, "CSC-owned"),
    ("Network security", ON_PREM, "CSC-owned"),
    ("Cryptography and key management", ON_PREM, "Shared CSP and CSC"),
    ("Human resources security", ON_PREM, "CSP-owned"),
    ("Identity federation", SAAS_ON_CLOUD, "Shared CSP and CSC"),
    ("Network security", HYBRID, "Shared CSP and CSC"),
    ("Secure development", HYBRID, "CSP-owned"),
])
def test_default_ownership_follows_category_and_hosting(category: str, facts: dict, owner: str) -> None:
    assert default_ownership(category, facts)[0] == owner


def test_no_default_without_the_facts_it_needs() -> None:
    assert default_ownership("Backups", {}) == (None, ("deployment.model",), "deployment.model is not set")
    owner, used, why = default_ownership("Physical and environmental security", {"deployment.model": "saas"})
    assert owner is None
    assert used == ("deployment.model", "hosting.uses_third_party_datacenters")
    assert why == "hosting.uses_third_party_datacenters is not set"


def test_fit_ownership_spells_the_value_as_the_list_does() -> None:
    assert fit_ownership("Shared CSP and 3rd-party", OWNERS) == "Shared CSP and 3rd-party"
    assert fit_ownership("Shared CSP and 3rd-party", ["CSP Owned", "Shared CSP and Third Party"]) == "Shared CSP and Third Party"
    assert fit_ownership("CSP-owned", ["CSP owned", "CSC owned"]) == "CSP owned"
    assert fit_ownership("3rd-party outsourced", ["CSP-owned", "CSC-owned"]) is None
    assert fit_ownership("CSC-owned", None) == "CSC-owned"


def _entry(**extra) -> BankEntry:
    return BankEntry.model_validate({
        "id": "x-sso", "question": "Does the product support SSO?", "category": "Identity and access management",
        "explanation": "e", "rationale": "r",
        "answer": {"cases": [{"short": "Yes", "narrative": "Yes."}]}, **extra})


def test_entry_ownership_cases_read_facts_and_the_responsibility_renders() -> None:
    entry = _entry(ownership={"cases": [{"when": "sso.enabled", "value": "Shared CSP and CSC"}, {"value": "CSP-owned"}]},
                   customer_responsibility="{% if sso.enabled %}Customers   configure\n their IdP for {{ product }}.{% endif %}")
    on = AnswerEngine({"x-sso": entry}, {"sso.enabled": True, "product": "Notes", "deployment.model": "saas"}, {}).render("x-sso")
    assert (on.ownership, on.customer_responsibility) == ("Shared CSP and CSC", "Customers configure their IdP for Notes.")
    assert on.ownership_basis == "the entry's ownership case 1"
    assert ("sso.enabled", True) in on.facts
    off = AnswerEngine({"x-sso": entry}, {"sso.enabled": False, "product": "Notes"}, {}).render("x-sso")
    assert (off.ownership, off.customer_responsibility) == ("CSP-owned", None)


def test_an_entry_value_needs_no_facts_and_a_bad_value_is_refused() -> None:
    answer = AnswerEngine({"x-sso": _entry(ownership="CSC-owned")}, {}, {}).render("x-sso")
    assert (answer.ownership, answer.ownership_basis) == ("CSC-owned", "set by the entry")
    with pytest.raises(ValueError, match="ownership"):
        _entry(ownership="the customer")


def test_default_ownership_is_recorded_with_the_facts_it_read() -> None:
    answer = AnswerEngine({"x-sso": _entry()}, dict(SAAS_ON_CLOUD), {}).render("x-sso")
    assert answer.ownership == "CSP-owned"
    assert answer.ownership_basis.startswith("default for category 'Identity and access management'")
    assert ("deployment.model", "saas") in answer.facts


def _caiq_row(state_owner: str = "empty") -> QuestionRow:
    from trustfill.questionnaire import SlotState

    return QuestionRow("S!B3", "Does the product support SSO?", (
        AnswerSlot(SlotKind.SHORT, "S!C3", allowed=("Yes", "No", "NA")),
        AnswerSlot(SlotKind.OWNERSHIP, "S!D3", SlotState(state_owner), "CSP-owned" if state_owner == "answered" else None, OWNERS),
        AnswerSlot(SlotKind.NARRATIVE, "S!E3"),
        AnswerSlot(SlotKind.CUSTOMER_RESPONSIBILITY, "S!F3"),
    ))


def test_plan_writes_fills_the_four_columns_and_notes_a_missing_owner() -> None:
    entry = _entry(customer_responsibility="Customers configure their IdP.")
    answer = AnswerEngine({"x-sso": entry}, dict(SAAS_ON_CLOUD), {}).render("x-sso")
    plan = plan_writes(_caiq_row(), answer, review=False, options=FillOptions())
    assert {w.address: w.value for w in plan.writes} == {
        "S!C3": "Yes", "S!D3": "Shared CSP and CSC", "S!E3": "Yes.", "S!F3": "Customers configure their IdP."}
    unknown = AnswerEngine({"x-sso": _entry()}, {}, {}).render("x-sso")
    plan = plan_writes(_caiq_row(), unknown, review=False, options=FillOptions())
    assert "S!D3" not in {w.address for w in plan.writes}
    assert not plan.needs_review
    assert plan.notes == ("S!D3: control ownership left empty (default for category 'Identity and access management': "
                          "deployment.model is not set); set ownership: in the entry or the facts it depends on",)
    # an ownership the customer already chose stays
    plan = plan_writes(_caiq_row("answered"), answer, review=False, options=FillOptions())
    assert "S!D3" not in {w.address for w in plan.writes}


def test_the_bundled_bank_renders_ownership_under_every_example_profile() -> None:
    from trustfill.session import open_session
    from trustfill.workspace import default_root

    for profile in ("saas-heroku.yaml", "saas-ai-opt-in.yaml", "on-prem.yaml"):
        session = open_session(None, default_root() / "examples" / profile)
        owners = {session.engine.render(e).ownership for e in session.lib.entries
                  if not e.startswith("policy-family") and session.engine.render(e).status == "ok"}
        assert owners <= set(OWNERS), profile
        assert None not in owners, profile


def test_a_customer_with_responsibilities_makes_a_default_csp_control_shared() -> None:
    entry = _entry(customer_responsibility="{% if sso.enabled %}Customers configure their IdP.{% endif %}")
    shared = AnswerEngine({"x-sso": entry}, {**SAAS_ON_CLOUD, "sso.enabled": True}, {}).render("x-sso")
    assert shared.ownership == "Shared CSP and CSC"
    assert shared.ownership_basis.endswith("; shared, since the customer has responsibilities")
    alone = AnswerEngine({"x-sso": entry}, {**SAAS_ON_CLOUD, "sso.enabled": False}, {}).render("x-sso")
    assert alone.ownership == "CSP-owned"
    # an entry that states its ownership keeps it
    declared = _entry(ownership="CSP-owned", customer_responsibility="Customers configure their IdP.")
    assert AnswerEngine({"x-sso": declared}, dict(SAAS_ON_CLOUD), {}).render("x-sso").ownership == "CSP-owned"
