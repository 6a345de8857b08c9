"""Short answers are written as the customer's dropdown spells them, or not at all."""

from __future__ import annotations

import pytest

from trustfill.fill import fit_choice


@pytest.mark.parametrize(
    ("short", "allowed", "expected"),
    [
        ("Yes", ("Yes", "No", "N/A"), "Yes"),
        ("Yes", ("YES", "NO"), "YES"),
        ("Yes", ("1) Yes", "2) No"), "1) Yes"),
        ("N/A", ("1) Yes", "2) No", "3) Both modes available", "4) N/A"), "4) N/A"),
        ("No", ("Y", "N"), "N"),
        ("N/A", ("Yes", "No", "Not Applicable"), "Not Applicable"),
        ("N/A", ("Yes", "No", "NA"), "NA"),
        ("N/A", ("Yes", "No"), None),
        ("Partially", ("Yes", "No"), None),
        ("Yes", None, "Yes"),
    ],
)
def test_fit_choice(short: str, allowed: tuple[str, ...] | None, expected: str | None) -> None:
    assert fit_choice(short, allowed) == expected
