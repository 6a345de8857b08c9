"""Every bundled answer, under every example profile, reads as one voice: the narrative agrees with the short answer.

A template branch that says "No" in the short answer and "Yes, ..." in the narrative would put a contradiction into
a signed questionnaire; so would leftover template syntax or "None" from a missing fact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustfill.session import open_session

REPO = Path(__file__).resolve().parents[1]
PROFILES = sorted((REPO / "examples").glob("*.yaml"))
LEADS = {"Yes": ("no ", "no,", "no."), "No": ("yes",), "N/A": ("yes", "no ", "no,", "no.")}
RESIDUE = re.compile(r"\{\{|\}\}|\{%|%\}|\bNone\b|\bTODO\b|\bTBD\b")


def voice_problems(entry_id: str, short: str, narrative: str) -> list[str]:
    """What reads wrong in one rendered answer."""
    problems = []
    narrative = narrative.strip()
    if any(narrative.lower().startswith(bad) for bad in LEADS.get(short, ())):
        problems.append(f"{entry_id}: short {short!r} but narrative starts {narrative[:40]!r}")
    if RESIDUE.search(narrative):
        problems.append(f"{entry_id}: template residue in {narrative[:80]!r}")
    if re.search(r"\s[.,;]|\s{2,}", narrative):
        problems.append(f"{entry_id}: stray spacing in {narrative[:80]!r}")
    return problems


def test_the_check_catches_contradictions_residue_and_spacing() -> None:
    assert voice_problems("x", "No", "Yes. We encrypt everything.")
    assert voice_problems("x", "Yes", "No, not yet.")
    assert voice_problems("x", "Yes", "Yes. Keys rotate every None days.")
    assert voice_problems("x", "Yes", "Yes , we do.")
    assert not voice_problems("x", "Yes", "Yes. Nobody outside the team can read it.")
    assert not voice_problems("x", "No", "No. Notifications go out within 72 hours.")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_short_answer_and_narrative_agree_under_every_example_profile(profile: Path) -> None:
    session = open_session(REPO, profile)
    problems = []
    for entry_id in session.lib.entries:
        answer = session.engine.render(entry_id)
        problems += voice_problems(entry_id, answer.short, answer.narrative)
    assert len(PROFILES) >= 3
    assert not problems, "\n".join(problems)
