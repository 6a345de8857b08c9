"""fill embeds the customer's questions while the bank loads: the prefetch must start before the matcher is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustfill.pipeline import fill_file
from trustfill.session import Session, open_session

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("matcher", ["semantic", "lexical"])
def test_fill_prefetches_the_questions_before_building_the_matcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, matcher: str
) -> None:
    session = open_session(None, REPO / "examples" / "saas-heroku.yaml", matcher)
    calls: list[str] = []
    prefetch, build = Session.prefetch, Session.build_matcher

    def spy_prefetch(self: Session, questions: object) -> None:
        calls.append(f"prefetch {len(list(questions))}")  # type: ignore[call-overload]
        prefetch(self, questions)

    def spy_build(self: Session, progress: object = None) -> object:
        calls.append("build")
        return build(self, progress)

    monkeypatch.setattr(Session, "prefetch", spy_prefetch)
    monkeypatch.setattr(Session, "build_matcher", spy_build)
    summary = fill_file(session, REPO / "examples" / "acme-customer-questionnaire.xlsx", tmp_path / "out.xlsx")
    assert calls[:2] == [f"prefetch {len(summary.filled.questionnaire.questions)}", "build"]
    encoder = session._encoder()
    if matcher == "lexical":
        assert encoder is None
    else:
        # every question the matcher embedded was already done in the background
        assert encoder._ahead is None
        assert all(" ".join(q.text.split()) in encoder._memo for q in summary.filled.questionnaire.questions)
