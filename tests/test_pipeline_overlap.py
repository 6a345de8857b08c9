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


def test_fill_command_starts_embedding_before_it_opens_the_workspace(run_cli, monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    import trustfill.session as session_module

    calls: list[str] = []
    prefetch, opener = session_module.prefetch_questions, session_module.open_session

    def spy_prefetch(*args: object, **kwargs: object) -> None:
        calls.append("prefetch")
        prefetch(*args, **kwargs)  # type: ignore[arg-type]

    def spy_open(*args: object, **kwargs: object) -> Session:
        calls.append("open")
        return opener(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session_module, "prefetch_questions", spy_prefetch)
    monkeypatch.setattr(session_module, "open_session", spy_open)
    code, _, err = run_cli("fill", str(REPO / "examples" / "acme-customer-questionnaire.xlsx"), "--demo",
                           "-o", str(tmp_path / "out.xlsx"))
    assert code == 0, err
    assert calls == ["prefetch", "open"]


def test_a_fill_that_stops_early_exits_cleanly_with_the_model_still_at_work(tmp_path: Path) -> None:
    import subprocess
    import sys

    # no profile: the command refuses while the questions' embedding runs in the background; the exit hook must stop
    # it between batches (a thread inside onnxruntime at interpreter shutdown can crash the process)
    many = tmp_path / "many.csv"
    many.write_text("Question,Answer\n" + "".join(f"Do you encrypt backups of system {i} at rest?,\n" for i in range(600)))
    proc = subprocess.run([sys.executable, "-m", "trustfill", "fill", str(many), "-o", str(tmp_path / "o.csv")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "no company facts" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o.csv").exists()
