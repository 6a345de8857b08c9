"""Polarity, question form and value types: the rules on their own, without a bank."""

from __future__ import annotations

import datetime as dt

import pytest

from trustfill.fit import fact_fits_field
from trustfill.fit.consistency import contradictions, notes_by_row
from trustfill.fit.form import classify_form, value_type
from trustfill.fit.polarity import is_negative, negated
from trustfill.models import Implication


@pytest.mark.parametrize("text", [
    "Do you share any institutional data with law enforcement without a valid warrant or subpoena?",
    "Are there any passwords/passphrases hard-coded into your systems or solutions?*",
    "Are you storing any passwords in plaintext?",
    "Is any customer data stored unencrypted?",
    "Is customer data ever sold or shared with third parties for advertising?",
    "Have you ever failed to notify a customer of a breach within the agreed time?",
    "Is personal data transferred without the consent of the data subject?",
    # found by the blind answer labelling of this session's auto answers (both were written as the entry's "Yes")
    "Do all clients use the same local administrator/root password?",
    "Are any disaster recovery locations outside the institution's geographic region?",
    # found by the blind labelling of the auto answers new after the ranking change (HECVAT Full DCTR-17, held out)
    "Does your cloud vendor have access to your encryption keys?",
    "Can the hosting provider gain access to the decryption keys?",
])
def test_negative_questions(text: str) -> None:
    assert is_negative(text)


@pytest.mark.parametrize("text", [
    "Are user passwords salted and hashed rather than stored in plain text?",
    "Passwords are never stored in plain text.",
    "Is customer data encrypted at rest?",
    "Is source code scanned to detect and block hard-coded passwords?",
    "Do you prevent unencrypted protocols from being used?",
    "How do you handle government or law enforcement requests for customer data?",
    "Do clients have the option to not participate in or postpone an upgrade?",
    "Are local administrator passwords unique per device?",
    "Do support or engineering staff access customer data from outside the region where it is stored?",
    "Are encryption keys stored in a key management service?",
    "Do customers have access to their own encryption keys?",
])
def test_positive_questions(text: str) -> None:
    assert not is_negative(text)


def test_negated_is_relative_to_the_entry_question() -> None:
    hashing = "Are user passwords stored using a strong, salted one-way hashing algorithm?"
    assert negated("Are you storing any passwords in plaintext?", hashing) == "plaintext"
    assert negated("Are passwords hashed with bcrypt?", hashing) is None
    # an entry whose own question is negative: a positive customer question is the opposite
    cleartext = "Are unencrypted protocols such as Telnet or FTP used to manage systems?"
    assert negated("Are all management protocols encrypted?", cleartext) == "not unencrypted"
    assert negated("Do you use unencrypted protocols such as FTP?", cleartext) is None


@pytest.mark.parametrize(("text", "allowed", "kind", "vtype"), [
    ("Please describe how you validate user inputs.", None, "open", None),
    ("Describe or provide a reference to your Disaster Recovery Plan (DRP).", None, "open", None),
    ("Where is our data hosted?", None, "open", None),
    ("Which SSO protocols do you support?", None, "open", None),
    ("How long is the session timeout?", None, "open", None),
    ("Do you have a formal incident response plan? If so, describe it.", None, "yes_no", None),
    ("Is data encrypted at rest?", ("Yes", "No"), "yes_no", None),
    ("Select your hosting option.", ("SaaS", "On-premises", "Hybrid"), "choice", None),
    ("Vendor Contact Phone Number", None, "value", "phone"),
    ("Solution Provider Contact Email", None, "value", "email"),
    ("Web Link to Product Privacy Notice", None, "value", "url"),
    ("Provide a link to your public privacy policy.", None, "value", "url"),
    ("Country of Company Headquarters", None, "value", "country"),
    ("Solution Provider Name", None, "value", "name"),
    ("Solution Description", None, "open", None),
    ("Encryption at rest", None, "yes_no", None),
])
def test_question_form(text: str, allowed: tuple[str, ...] | None, kind: str, vtype: str | None) -> None:
    form = classify_form(text, allowed)
    assert (form.kind, form.value_type) == (kind, vtype)


@pytest.mark.parametrize(("fact", "value", "expected"), [
    ("company.security_contact", "security@example.com", "email"),
    ("company.phone", "+1 512 555 0142", "phone"),
    ("company.website", "https://example.com", "url"),
    ("company.headquarters_country", "United States", "country"),
    ("company.headquarters", "Austin, Texas, United States", "address"),
    ("company.name", "Example Co", "name"),
    ("company.founded_year", 2016, "number"),
    ("governance.policy_last_review", dt.date(2026, 1, 20), "date"),
    ("ai.features", False, None),
])
def test_value_type(fact: str, value: object, expected: str | None) -> None:
    assert value_type(fact, value) == expected


def test_a_phone_field_never_takes_an_email_address() -> None:
    why = fact_fits_field("Vendor Contact Phone Number", "company.security_contact", "security@example.com")
    assert why is not None
    assert "phone field" in why
    assert "company.security_contact" in why
    assert fact_fits_field("Vendor Contact Phone Number", "company.phone", "+1 512 555 0142") is None
    assert fact_fits_field("Country of Company Headquarters", "company.headquarters", "Austin, Texas, United States")


class _Entry:
    def __init__(self, implies: list[Implication]) -> None:
        self.implies = implies


def test_contradicting_pair_names_both_rows() -> None:
    entries = {
        "ai-training": _Entry([Implication(if_short="Yes", entry="ai-features", short=["Yes"], fact="ai.features")]),
        "ai-features": _Entry([]),
    }
    rows = [("AIGN-04 (AI!C26)", "ai-features", "No"), ("PRPO-02 (Privacy!C9)", "other", "Yes"),
            ("AIML-02 (AI!C40)", "ai-training", "Yes")]
    found = contradictions(rows, entries)
    assert len(found) == 1
    notes = notes_by_row(rows, found)
    assert set(notes) == {0, 2}
    assert "AIML-02 (AI!C40)" in notes[0][0]
    assert "AIGN-04 (AI!C26)" in notes[2][0]
    # consistent answers, or a row without a short answer: nothing
    assert contradictions([(*rows[0][:2], "Yes"), rows[2]], entries) == []
    assert contradictions([(*rows[0][:2], None), rows[2]], entries) == []


def test_the_bank_declares_the_three_pairs_of_issue_15() -> None:
    """Card data vs PCI scope vs service provider; AI features vs AI training; hosted vs on-premises."""
    from trustfill.workspace import find_workspace, load_library

    entries = load_library(find_workspace(None)).entries
    pairs = [
        [("PCID-04", "compliance-pci-card-data", "No"), ("PCID-06", "compliance-pci-service-provider", "Yes")],
        [("PCID-04", "compliance-pci-card-data", "Yes"), ("PCID-05", "compliance-pci-dss", "N/A")],
        [("AIGN-04", "ai-features", "No"), ("AIML-02", "ai-training-customer-data", "Yes")],
        [("DCTR-01", "product-deployment-model", "On-premises"), ("USCA-07", "data-hosting-provider", "Yes")],
        [("DCTR-01", "product-deployment-model", "SaaS"), ("USCA-07", "data-hosting-provider", "N/A")],
    ]
    for rows in pairs:
        found = contradictions(rows, entries)
        assert len(found) == 1, rows
        notes = notes_by_row(rows, found)
        assert rows[1][0] in notes[0][0]
        assert rows[0][0] in notes[1][0]
    # answers that fit together are not flagged
    assert contradictions([("a", "compliance-pci-card-data", "No"), ("b", "compliance-pci-service-provider", "No")], entries) == []


def test_check_lints_the_negation_narrative_and_its_answers(tmp_path) -> None:
    from trustfill.check import check_workspace
    from trustfill.workspace import Workspace, init_workspace

    init_workspace(tmp_path / "ws")
    bank = tmp_path / "ws" / "question_bank" / "crypto.yaml"
    text = bank.read_text()
    assert "{{ crypto.password_hashing }}; no\n        password" in text
    text = text.replace("{{ crypto.password_hashing }}; no\n        password", "{{ crypto.pasword_hashing }}; no\n        password", 1)
    bank.write_text(text.replace("    negation:\n      short: {'Yes': 'No'}", "    negation:\n      short: {'Yes': 'Nope'}", 1))
    report = check_workspace(workspace=Workspace(tmp_path / "ws"))
    messages = [p.message for p in report.errors]
    assert any("negation.narrative uses fact 'crypto.pasword_hashing'" in m for m in messages)
    assert any("negation.short uses Nope" in m for m in messages)


@pytest.mark.parametrize(("question", "facts", "unmet"), [
    ("Do you have a technology roadmap, for at least the next two years?", [("lifecycle.roadmap_horizon_months", 12)], True),
    ("Do you have a technology roadmap, for at least the next two years?", [("lifecycle.roadmap_horizon_months", 36)], False),
    ("Are physical entry logs kept for at least six months?", [("infra.entry_log_retention_days", 0)], True),
    ("Are logs kept for at least 6 months?", [("ops.logging.retention_days", 365)], False),
    ("Do you notify customers within 24 hours?", [("incident.customer_notification_hours", 72)], True),
    ("Do you notify customers within 72 hours?", [("incident.customer_notification_hours", 72)], False),
    ("Do you have a roadmap?", [("lifecycle.roadmap_horizon_months", 12)], False),
    ("Are logs kept for at least six months?", [("ops.logging.centralized", True)], False),
])
def test_time_bars_in_the_question(question: str, facts: list, unmet: bool) -> None:
    from trustfill.fit.quantity import unmet_bar

    assert (unmet_bar(question, facts) is not None) is unmet
