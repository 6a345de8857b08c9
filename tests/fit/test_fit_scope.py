"""Applicability (a heading whose scope the profile rules out) and qualifiers the answer does not establish.

Rules first on their own (entries and facts built in code), then through ``fill`` with the bundled bank and the
Heroku example profile (questionnaires built in code).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from trustfill.fill import AUTO, REVIEW, FillOptions, answer_questionnaire
from trustfill.fit.applicability import denied, gate
from trustfill.fit.qualifier import unmet_qualifier
from trustfill.questionnaire import AnswerSlot, Questionnaire, QuestionRow, SlotKind
from trustfill.session import open_session
from trustfill.workspace import default_root

SAAS = {"deployment.model": "saas", "company.product": "Notely", "hosting.provider": "Fly.io",
        "hosting.uses_third_party_datacenters": True, "ai.features": False, "company.professional_services": "offered"}


def _entry(category: str = "Identity and access management", entry_id: str = "some-entry") -> SimpleNamespace:
    return SimpleNamespace(id=entry_id, category=category)


# ---- qualifiers ----

@pytest.mark.parametrize(("question", "narrative"), [
    ("Are physical backups taken off-site (i.e., physically moved off site)?",
     "Yes. Backups are copied to storage in another cloud region."),
    ("Do you rotate backup tapes to an off-site vault?", "Yes. Backups are replicated to a second region."),
    ("Do you physically and logically separate institution's data from that of other customers?",
     "Yes. Every query is scoped to the tenant; customers share databases."),
    ("For customers not using SSO, can you enforce password complexity requirements (provided by the institution)?",
     "Yes. The product requires passwords of at least 10 characters."),
    ("Can you enforce institution-defined session timeouts?", "Yes. Sessions end after 30 minutes of inactivity."),
    ("Have you entered into BAAs with all subcontractors who may have access to PHI?",
     "No. We do not sign business associate agreements."),
    # the blind labelling of the auto answers new after the ranking change (HECVAT Lite HLDC-02): written "Yes" from
    # the data-center access entry
    ("Does your company own the physical data center where the institution's data will reside?",
     "Yes. Physical access to the data centers is restricted to authorised staff by the hosting provider."),
])
def test_a_qualifier_the_answer_does_not_establish_is_reported(question: str, narrative: str) -> None:
    why = unmet_qualifier(question, narrative)
    assert why is not None
    assert "does not establish" in why


@pytest.mark.parametrize(("question", "narrative"), [
    ("Are physical backups taken off-site?", "Yes. Weekly backup tapes are shipped by courier to a vault."),
    ("Do you physically and logically separate our data?", "Yes. Each customer runs on dedicated database servers."),
    ("Can you enforce password complexity requirements provided by the institution?",
     "Yes. Customer administrators configure minimum length and complexity for their users."),
    ("Have all subcontractors with access to customer data signed confidentiality agreements?",
     "Yes. Every vendor with access to customer data signs a data processing agreement."),
    ("Are backups stored off-site?", "Yes. Backups are copied to another region."),  # no qualifier at all
    ("Do you own or operate your own data centers?", "No. We run no data centers of our own; AWS hosts the product."),
    ("Is physical access to the data centers restricted?", "Yes. The hosting provider restricts physical access."),
])
def test_a_qualifier_the_answer_establishes_or_no_qualifier_passes(question: str, narrative: str) -> None:
    assert unmet_qualifier(question, narrative) is None


# ---- applicability ----

def test_a_heading_the_profile_rules_out_gives_not_applicable_with_the_reason() -> None:
    g = gate("Do you support role-based access control (RBAC) for system administrators?", "On-Premises Data Solutions",
             True, _entry(), "Yes. Roles ...", SAAS)
    assert g is not None
    assert g.not_applicable
    assert g.reason.startswith("Not applicable:")
    assert "Notely" in g.reason
    assert "SaaS" in g.reason
    assert "deployment.model" in g.note


def test_the_same_heading_applies_when_the_profile_says_so_or_does_not_say() -> None:
    question, heading = "Do you support RBAC for system administrators?", "On-Premises Data Solutions"
    assert gate(question, heading, True, _entry(), "Yes.", {**SAAS, "deployment.model": "on_prem"}) is None
    facts = {k: v for k, v in SAAS.items() if k != "deployment.model"}
    assert gate(question, heading, True, _entry(), "Yes.", facts) is None  # never guess a missing fact
    assert gate(question, "Access control", True, _entry(), "Yes.", SAAS) is None


def test_facts_about_the_organisation_stand_under_any_heading() -> None:
    assert gate("Do you have existing higher education customers?", "On-Premises Data Solutions", True,
                _entry("Company"), "Yes.", SAAS) is None


def test_own_data_centers_do_not_apply_when_a_provider_hosts_us() -> None:
    g = gate("Do you have a written policy that lists the physical security requirements for data centers?",
             "Running Own Data Centers", True, _entry("Physical and environmental security"), "Yes.", SAAS)
    assert g is not None
    assert g.not_applicable
    assert "Fly.io" in g.reason
    assert gate("Is physical access restricted?", "Running Own Data Centers", True, _entry(), "Yes.",
                {**SAAS, "hosting.uses_third_party_datacenters": False}) is None


def test_ai_sections_without_ai_features() -> None:
    ai_entry = _entry("AI and machine learning")
    # a yes/no question answered by an entry about AI keeps that entry's own answer ("No" / "N/A")
    assert gate("Can your solution's AI features be disabled by tenant?", "General AI Questions", True, ai_entry, "N/A.", SAAS) is None
    # an open one, or any answered by an entry about something else, is not applicable
    g = gate("Please describe the capabilities of your solution's AI features.", "General AI Questions", False, ai_entry,
             "Notely has no AI features.", SAAS)
    assert g is not None
    assert g.not_applicable
    g = gate("Please describe how you validate user inputs.", "AI Data Security", False, _entry("Application security"), "...", SAAS)
    assert g is not None
    assert g.not_applicable
    assert "AI" in g.reason
    assert gate("Please describe how you validate user inputs.", "AI Data Security", False, _entry("Application security"),
                "...", {**SAAS, "ai.features": True}) is None


def test_a_heading_that_joins_ai_to_another_topic_gates_only_questions_about_ai() -> None:
    assert gate("Is customer data encrypted at rest?", "Data & AI", True, _entry("Cryptography"), "Yes.", SAAS) is None
    g = gate("Is user input used to tune the AI model?", "Privacy and AI", True, _entry("Privacy"), "No.", SAAS)
    assert g is not None
    assert g.not_applicable


def test_consulting_questions_answered_about_the_product_go_to_review() -> None:
    heading = "Consulting Services"
    g = gate("Can access be restricted based on source IP address?", heading, True, _entry("Application security"),
             "No. The product does not offer IP allowlisting.", SAAS)
    assert g is not None
    assert not g.not_applicable
    assert "consultants" in g.note
    assert gate("Will the consulting take place on-premises?", heading, True, _entry("Professional services"),
                "No. Our consultants work remotely.", SAAS) is None
    g = gate("Can access be restricted based on source IP address?", heading, True, _entry(), "No.",
             {**SAAS, "company.professional_services": "none"})
    assert g is not None
    assert g.not_applicable
    assert "no consulting" in g.reason


def test_a_question_whether_the_product_has_a_ruled_out_scope_is_answered_no() -> None:
    found = denied("Does your service use AI for the processing of institutional data?", "N/A", SAAS)
    assert found is not None
    assert found[1].startswith("No. Notely has no AI")
    assert denied("Does your service use AI for the processing of institutional data?", "No", SAAS) is None
    assert denied("Does your service use AI for the processing of institutional data?", "N/A", {**SAAS, "ai.features": True}) is None
    assert denied("Does your solution have an AI risk model when developing your AI model?", "N/A", SAAS) is None
    assert denied("Does your solution leverage ML or do you plan to do so in the next 12 months?", "N/A", SAAS) is None


# ---- through fill, bundled bank, Heroku example profile ----

@pytest.fixture(scope="module")
def session():
    return open_session(None, default_root() / "examples" / "saas-heroku.yaml")


def _fill(session, rows: list[tuple[str, str, tuple[str, ...] | None]], mode: str = "blank") -> list:
    questions = tuple(
        QuestionRow(f"Sheet1!B{i}", text, (AnswerSlot(SlotKind.SHORT, f"Sheet1!C{i}", allowed=allowed),
                                           AnswerSlot(SlotKind.NARRATIVE, f"Sheet1!D{i}")), f"Q-{i}", section)
        for i, (section, text, allowed) in enumerate(rows, 2))
    filled = answer_questionnaire(Questionnaire(Path("in-code.xlsx"), "xlsx", questions), session.engine, session.matcher,
                                  session.profile_name, FillOptions(review_mode=mode))
    return list(filled.results)


def _cells(result) -> dict[str, str]:
    return {w.address.rsplit("!", 1)[1][0]: w.value for w in result.writes}


def test_fill_writes_not_applicable_under_an_on_premises_heading(session) -> None:
    question = "Do you support role-based access control (RBAC) for system administrators?"
    plain, yes_no, with_na = _fill(session, [("Access control", question, ("Yes", "No")),
                                             ("On-Premises Data Solutions", question, ("Yes", "No")),
                                             ("On-Premises Data Solutions", question, ("Yes", "No", "N/A"))])
    assert plain.status == AUTO
    assert _cells(plain)["C"] == "Yes"
    # a Yes/No dropdown has no N/A: it stays empty, the reason goes beside it
    assert yes_no.status == AUTO, yes_no.notes
    assert set(_cells(yes_no)) == {"D"}
    assert _cells(yes_no)["D"].startswith("Not applicable: Acme Notes Cloud is a hosted service")
    assert with_na.status == AUTO
    assert _cells(with_na)["C"] == "N/A"
    assert any("rules out" in n for n in with_na.notes)


@pytest.mark.parametrize("mode", ["blank", "fill"])
def test_fill_never_writes_an_answer_whose_qualifier_is_unmet(session, mode: str) -> None:
    [r] = _fill(session, [("Data", "Are physical backups taken off-site (i.e., physically moved off site)?", ("Yes", "No"))], mode)
    assert r.status == REVIEW
    assert any("physical media" in n for n in r.notes)
    if mode == "blank":
        assert r.writes == ()


def test_fill_sends_a_consulting_question_answered_about_the_product_to_review(session) -> None:
    [r] = _fill(session, [("Consulting Services", "Can access be restricted based on source IP address?", ("Yes", "No"))])
    assert r.status == REVIEW
    assert r.writes == ()
    assert any("consultants" in n for n in r.notes)


def test_a_row_answered_from_its_scope_takes_no_part_in_contradictions(tmp_path: Path) -> None:
    # AI training opt-in while the profile says the product has no AI features: the AI-features row contradicts the
    # training row, unless it sits under a heading the profile rules out and says N/A instead of the entry's "No"
    profile = yaml.safe_load((default_root() / "examples" / "saas-heroku.yaml").read_text())
    profile["ai"].update(training_on_customer_data="opt_in", consent_mechanism="a consent form", prohibit_control="in settings")
    path = tmp_path / "contradicting.yaml"
    path.write_text(yaml.safe_dump(profile))
    contradicting = open_session(None, path)
    features, training = "Does the product include AI or machine learning features?", "Is customer data used to train AI/ML models?"
    plain = _fill(contradicting, [("Product", features, ("Yes", "No", "N/A")), ("Privacy", training, ("Yes", "No", "N/A"))], "fill")
    assert all(any("contradicts" in n for n in r.notes) for r in plain)
    scoped = _fill(contradicting, [("On-Premises Data Solutions", features, ("Yes", "No", "N/A")),
                                   ("Privacy", training, ("Yes", "No", "N/A"))], "fill")
    assert scoped[0].answer.short == "N/A"
    assert not any("contradicts" in n for r in scoped for n in r.notes)


def test_our_own_staff_is_not_our_own_data_center() -> None:
    narrative = ("Yes. The product runs in the hosting provider's data centers, where the provider limits entry to approved "
                 "staff. Our own staff have no physical access to these facilities.")
    assert unmet_qualifier("Does your company own the physical data center where the data will reside?", narrative)
