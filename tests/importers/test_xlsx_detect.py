"""The shared detection helpers (importers/_detect.py) and the xlsx formula helpers."""

from __future__ import annotations

import pytest

from trustfill.importers._detect import (
    Role,
    find_header_row,
    header_role,
    is_boilerplate,
    is_placeholder,
    looks_like_id,
    question_score,
    slot_state,
)
from trustfill.importers._xlsx_book import shift_formula
from trustfill.questionnaire import SlotState


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Question", Role.QUESTION),
        ("Control Question", Role.QUESTION),
        ("Requirement Description", Role.QUESTION),
        ("Answer", Role.SHORT),
        ("Vendor Answers", Role.SHORT),
        ("Response (Yes/No/N/A)", Role.SHORT),
        ("Compliance", Role.SHORT),
        ("Additional Information", Role.NARRATIVE),
        ("Comments / Explanation", Role.NARRATIVE),
        ("Notes", Role.NARRATIVE),
        ("Evidence", Role.COMMENT),
        ("Reference", Role.COMMENT),
        ("ID", Role.ID),
        ("Ref #", Role.ID),
        ("Question Number", Role.ID),
        ("#", Role.ID),
        ("Category", Role.SECTION),
        ("CCM Domain Title", Role.SECTION),
        ("CSP CAIQ Answer", Role.SHORT),
        ("SSRM Control Ownership", Role.OWNERSHIP),
        ("CSP Implementation Description (Optional/Recommended)", Role.NARRATIVE),
        ("CSC Responsibilities (Optional/Recommended)", Role.CUSTOMER_RESPONSIBILITY),
        ("Customer Responsibility", Role.CUSTOMER_RESPONSIBILITY),
        ("Control Owner", Role.OTHER),
        ("Ques Num", Role.ID),
        ("Question/Request", Role.QUESTION),
        ("Guidance", Role.OTHER),
        ("Analyst Notes", Role.OTHER),
        ("Compliant Response", Role.OTHER),
        ("Score", Role.OTHER),
        ("Vendor Name", None),
        ("", None),
        (None, None),
    ],
)
def test_header_role(text: str | None, role: Role | None) -> None:
    assert header_role(text) is role


def test_find_header_row_skips_titles_and_data() -> None:
    rows = [
        ["Acme security questionnaire", None, None],
        ["Do you agree to the terms of this questionnaire?", None, None],
        [None, None, None],
        ["#", "Question", "Response", "Comments"],
        ["1", "Do you encrypt data at rest?", "", ""],
    ]
    guess = find_header_row(rows)
    assert guess is not None
    assert guess.row == 3
    assert guess.roles == {Role.ID: 0, Role.QUESTION: 1, Role.SHORT: 2, Role.NARRATIVE: 3}
    assert guess.score == 0.85
    assert find_header_row([["just", "data"], ["1", "2"]]) is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Do you encrypt backups?", 1.0, 1.0),
        ("Is security awareness training mandatory for all employees?*", 1.0, 1.0),
        ("Describe your incident response process.", 0.8, 0.8),
        ("Provide a copy of your SOC 2 report", 0.8, 0.8),
        ("The vendor maintains a documented information security policy", 0.4, 0.4),
        ("Vendor Name", 0.1, 0.2),
        ("HFIH-01", 0.0, 0.0),
        ("12.5", 0.0, 0.0),
        ("Copyright © 2025 EDUCAUSE", 0.0, 0.0),
        (None, 0.0, 0.0),
    ],
)
def test_question_score(text: str | None, low: float, high: float) -> None:
    assert low <= question_score(text) <= high


@pytest.mark.parametrize("text", ["HFIH-01", "A&A-01", "AC-2", "IAM.01", "1", "1.2.3", "12a", "Q12", "CC6.1"])
def test_looks_like_id(text: str) -> None:
    assert looks_like_id(text)


@pytest.mark.parametrize("text", ["Yes", "Do you encrypt?", "General Information", "", None, "A" * 30])
def test_does_not_look_like_id(text: str | None) -> None:
    assert not looks_like_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "Select",
        "Choose one",
        "Enter response here",
        "[Type answer]",
        "<answer>",
        "-- Select --",
        "Click or tap here to enter text.",
        "mm/dd/yyyy",
        "555-555-5555",
        "e.g., CRM, LMS, SaaS",
        "https://www.vendor.domain/privacynotice",
        "ticket#@yourdomain.edu",
    ],
)
def test_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text", ["Yes", "No", "N/A", "Type 2 hypervisor", "Acme Corp", "We select vendors annually"]
)
def test_real_answers_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


def test_sample_text_echoing_the_question_is_a_placeholder() -> None:
    assert is_placeholder("Vendor Contact E-mail Address", "Vendor Contact Email")
    assert is_placeholder("Product Name and Version Information", "Product Name")
    assert is_placeholder("Brief Description of the Product", "Product Description")
    assert not is_placeholder("Acme Widgets Inc.", "Vendor Name")


def test_boilerplate() -> None:
    assert is_boilerplate("Copyright © 2025 EDUCAUSE")
    assert is_boilerplate("Licensed under CC BY-NC-SA 4.0")
    assert is_boilerplate("End Table Data")
    assert not is_boilerplate("Do you have a license management process?")


def test_slot_state() -> None:
    assert slot_state(None) is SlotState.EMPTY
    assert slot_state("  ") is SlotState.EMPTY
    assert slot_state("Select") is SlotState.PLACEHOLDER
    assert slot_state("Yes") is SlotState.ANSWERED
    assert slot_state("Yes", formula=True) is SlotState.FORMULA


def test_shared_formulas_shift_relative_references_only() -> None:
    base = 'VLOOKUP($A13,Questions!$A$2:$X$333,2,0)&""'
    assert shift_formula(base, 3, 0) == 'VLOOKUP($A16,Questions!$A$2:$X$333,2,0)&""'
    assert (
        shift_formula("IF(C27=\"C27\",'Sheet A1'!B2,LOG10(A1))", 1, 1)
        == "IF(D28=\"C27\",'Sheet A1'!C3,LOG10(B2))"
    )
    assert shift_formula("A1", -1, 0) == "#REF!"
