"""Rows that are not security questions are recognised, with the profile fact that answers them."""

from __future__ import annotations

import pytest

from trustfill.matching import classify


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Company name", "company.name"),
        ("Vendor Name:", "company.name"),
        ("Please provide your company's legal name", "company.name"),
        ("Name of the organization", "company.name"),
        ("Security contact email", "company.security_contact"),
        ("Primary point of contact (name, email, phone)", "company.security_contact"),
        ("Who is the primary contact for this questionnaire?", "company.security_contact"),
        (
            "What is the email address of the person we should contact with follow-up questions?",
            "company.security_contact",
        ),
        ("Company website", "company.website"),
        ("Website URL", "company.website"),
        ("Headquarters address", "company.headquarters"),
        ("Where is your headquarters located?", "company.headquarters"),
        ("Country of incorporation", "company.headquarters"),
        ("Product name", "company.product"),
        ("What is the name of the product being assessed?", "company.product"),
    ],
)
def test_profile_fields(text: str, fact: str) -> None:
    found = classify(text)
    assert found is not None
    assert (found.kind, found.profile_fact) == ("profile", fact)


@pytest.mark.parametrize(
    "text",
    [
        "Date",
        "Today's date (MM/DD/YYYY)",
        "Signature",
        "Authorized signatory name and title",
        "Job title",
        "Name of the person completing this questionnaire",
        "Number of employees",
        "How many employees does your company have?",
        "DUNS number",
        "Tax ID / VAT registration number",
    ],
)
def test_other_form_fields_are_skipped_without_a_fact(text: str) -> None:
    found = classify(text)
    assert found is not None
    assert found.kind == "form"
    assert found.profile_fact is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("3.1", "empty"),
        ("SECTION 3: ACCESS CONTROL", "heading"),
        ("Section B - Data Protection", "heading"),
        ("BUSINESS CONTINUITY", "heading"),
        ("Encryption:", "heading"),
        ("2.4 Network Security", "heading"),
        ("Instructions", "heading"),
        ("Please answer all questions below.", "heading"),
    ],
)
def test_blanks_headings_and_instructions(text: str, kind: str) -> None:
    found = classify(text)
    assert found is not None
    assert found.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Do you encrypt email?",
        "Is there a security contact customers can report incidents to?",
        "How many employees have access to customer data?",
        "Where is customer data stored?",
        "Do you sign a data processing agreement?",
        "Address how you handle vulnerabilities in third-party libraries.",
        "Encryption at rest",
        "MFA for administrators",
        "Describe your incident response process",
        "Is data encrypted at rest",
    ],
)
def test_security_questions_are_not_skipped(text: str) -> None:
    assert classify(text) is None


def test_a_row_with_an_id_is_never_a_numbered_heading() -> None:
    assert classify("2.4 Network Security") is not None
    assert classify("2.4 Network Security", question_id="NS-24") is None
