"""One library function per CLI command that needs a workspace and a profile."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answers import RenderedAnswer
from .fill import FilledQuestionnaire, FillOptions, answer_questionnaire
from .importers import ImportOptions, load_questionnaire
from .models import BankEntry
from .output import OutputFormat, atomic_path, resolve_format, review_rows, write_output
from .questionnaire import Questionnaire
from .report import build_report
from .session import Session


@dataclass(frozen=True)
class AnswerView:
    """``trustfill answer``: the best entry for one question and its answer."""

    question: str
    """The question asked."""
    match: Any
    """The matcher's result."""
    entry: BankEntry | None
    """The matched entry (also for review matches)."""
    answer: RenderedAnswer | None
    """Its answer under the profile."""


def answer_one(session: Session, text: str) -> AnswerView:
    """Match one question and render the answer of the best entry."""
    match = session.matcher.match(text)
    entry = session.lib.entries.get(match.entry_id) if match.entry_id else None
    answer = session.engine.render(entry.id) if entry is not None else None
    return AnswerView(text, match, entry, answer)


def preview_matches(session: Session, path: Path, options: ImportOptions, *, explain: bool = False) -> tuple[Questionnaire, list[Any]]:
    """Import ``path`` and match every question; writes nothing."""
    questionnaire = load_questionnaire(path, options)
    matcher = session.matcher
    matches = matcher.match_many(list(questionnaire.questions), explain=explain)
    return questionnaire, matches


@dataclass(frozen=True)
class FillSummary:
    """What ``fill`` did."""

    filled: FilledQuestionnaire
    """Every question's outcome."""
    output: Path
    """Where the answers were written."""
    format: OutputFormat
    """The format written."""
    report: dict[str, Any]
    """The JSON report (also written to the report path when given)."""


def fill_file(
    session: Session,
    src: Path,
    dest: Path,
    *,
    import_options: ImportOptions | None = None,
    options: FillOptions | None = None,
    fmt: OutputFormat = OutputFormat.AUTO,
    force: bool = False,
    report_path: Path | None = None,
    review_file: Path | None = None,
    review_sheet: bool = True,
    clean: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> FillSummary:
    """Import, match, answer and write; the input is never modified and no partial output is left on error."""
    options = options or FillOptions(mark_review=not clean)
    questionnaire = load_questionnaire(src, import_options)
    from .answer_library.reuse import reuse_for_fill

    library = reuse_for_fill(session.lib.workspace.root, src, options.customer)
    filled = answer_questionnaire(questionnaire, session.engine, session.matcher, session.profile_name, options, progress,
                                  library=library)
    fmt = resolve_format(fmt, src, questionnaire.format, dest)
    report = build_report(filled, str(dest))
    report["output_format"] = fmt.value
    # The report and the review workbook are staged first and renamed only after the output is in place: all or none.
    with contextlib.ExitStack() as staged:
        if report_path is not None:
            tmp = staged.enter_context(atomic_path(report_path, force=force, protect=(src, dest)))
            tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        if review_file is not None:
            from .exporters.xlsx_doc import write_review_workbook

            others = tuple(p for p in (src, dest, report_path) if p is not None)
            write_review_workbook(review_rows(filled), staged.enter_context(atomic_path(review_file, force=force, protect=others)))
        write_output(filled, dest, fmt, force=force, review_sheet=review_sheet, clean=clean)
    return FillSummary(filled, dest, fmt, report)
