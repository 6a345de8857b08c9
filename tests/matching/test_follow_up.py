"""A follow-up question cannot be answered on its own, so it is never filled automatically."""

from __future__ import annotations

from trustfill.session import open_session


def test_follow_up_goes_to_review_even_when_it_scores_high() -> None:
    matcher = open_session(demo=True).matcher  # matching does not read the profile; any explicit one will do
    alone = matcher.match("Do you perform background checks on new employees before they start?")
    assert alone.status == "auto"
    follow = matcher.match("Describe the other background checks you perform on new employees before they start.")
    assert follow.status == "review"
    assert "refers back" in follow.reason
