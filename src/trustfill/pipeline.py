"""One library function per CLI command that needs a workspace and a profile."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .answers import RenderedAnswer
from .errors import UsageError
from .exporters._review import review_table
from .fill import FilledQuestionnaire, FillOptions, answer_questionnaire, match_in_chunks
from .fit import Fitted, fit_answer
from .importers import ImportOptions, load_questionnaire
from .models import BankEntry
from .output import (
    OutputFormat,
    atomic_path,
    internal_path_for,
    resolve_format,
    review_path_for,
    write_output_to,
)
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
    """Its answer under the profile, fitted to the question (inverted for a negated question, the narrative alone
    for an open one); None when nothing fits (``fit`` says why)."""
    fit: Fitted | None = None
    """How the answer was fitted to the question's polarity and form."""


def answer_one(session: Session, text: str) -> AnswerView:
    """Match one question and render the answer of the best entry, fitted to the question as asked."""
    match = session.matcher.match(text)
    entry = session.lib.entries.get(match.entry_id) if match.entry_id else None
    answer = session.engine.render(entry.id, text) if entry is not None else None
    if entry is None or answer is None or answer.status != "ok":
        return AnswerView(text, match, entry, answer)
    fitted = fit_answer(text, None, entry, answer, session.engine)
    return AnswerView(text, match, entry, fitted.answer, fitted)


@dataclass(frozen=True)
class EntryView:
    """``trustfill entry``: one bank entry, and its answer when a profile is given."""

    entry: BankEntry
    """The entry."""
    answer: RenderedAnswer | None
    """Its answer under the profile, or None without one."""
    profile: str | None
    """The profile as shown, or None."""


def entry_view(workspace: Path | None, entry_id: str, profile: Path | None = None) -> EntryView:
    """Look up ``entry_id`` in the workspace's bank (and render it under ``profile`` when given).

    Raises:
        UsageError: No entry has that id (the message names the nearest one).
    """
    from .learning import _unknown_entry
    from .session import open_session
    from .workspace import find_workspace, load_library, require_clean

    session = open_session(workspace, profile) if profile is not None else None
    lib = session.lib if session is not None else require_clean(load_library(find_workspace(workspace)))
    entry = lib.entries.get(entry_id)
    if entry is None:
        raise UsageError(_unknown_entry(entry_id, sorted(lib.entries)))
    answer = session.engine.render(entry.id) if session is not None else None
    return EntryView(entry, answer, session.profile_name if session is not None else None)


def preview_matches(session: Session, path: Path, options: ImportOptions, *, explain: bool = False) -> tuple[Questionnaire, list[Any]]:
    """Import ``path`` and match every question; writes nothing."""
    questionnaire = load_questionnaire(path, options)
    matches = [m for _, chunk in match_in_chunks(session.matcher, questionnaire.questions, explain=explain) for m in chunk]
    # A policy-family question is routed by its wording; whether a document covers its topic decides the outcome.
    for i, (q, m) in enumerate(zip(questionnaire.questions, matches, strict=True)):
        entry = session.lib.entries.get(m.entry_id) if m.entry_id else None
        if entry is not None and entry.policy_family is not None and m.status == "auto":
            found = session.engine.policy_for(q.text, q.section)
            if found is None or found.document is None:
                why = found.reason if found is not None else "the question names no policy topic"
                matches[i] = replace(m, status="review", reason=f"{m.reason}; but {why}")
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
    review_file: Path | None = None
    """The review workbook written beside the output."""
    internal_file: Path | None = None
    """The reviewer's version of the output (``--internal``), if written."""


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
    review_in_file: bool = False,
    review_sheet: bool = True,
    internal: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> FillSummary:
    """Import, match, answer and write; the input is never modified and no partial output is left on error.

    ``dest`` is the customer's copy: answers only. The review material (every question's status, proposed
    answer, entry, suggestions, notes and a Decision column) always goes to a review workbook, ``review_file``
    or ``<output>.review.xlsx`` beside ``dest``. ``review_in_file`` puts it in ``dest`` as well: review colours
    and notes on the cells, plus the review sheet in an xlsx unless ``review_sheet`` is False. ``internal``
    also writes the reviewer's version of ``dest`` as ``<output>.internal.<ext>``.
    """
    options = options or FillOptions()
    questionnaire = load_questionnaire(src, import_options)
    from .answer_library.reuse import reuse_for_fill

    library = reuse_for_fill(session.lib.workspace.root, src, options.customer)
    filled = answer_questionnaire(questionnaire, session.engine, session.matcher, session.profile_name, options, progress,
                                  library=library)
    fmt = resolve_format(fmt, src, questionnaire.format, dest)
    review_file = review_file or review_path_for(dest)
    internal_file = internal_path_for(dest) if internal else None
    report = build_report(filled, str(dest))
    report["output_format"] = fmt.value
    report["demo"] = session.demo
    report["review_file"] = str(review_file)
    # The report, the review workbook, the internal copy and the output are all staged first and put in place
    # only when every one is written: all or none. The output is written before the report so the report lists
    # what was written.
    with contextlib.ExitStack() as staged:
        report_tmp = review_tmp = None
        if report_path is not None:
            report_tmp = staged.enter_context(atomic_path(report_path, force=force, protect=(src, dest)))
        others = tuple(p for p in (src, dest, report_path) if p is not None)
        review_tmp = staged.enter_context(atomic_path(review_file, force=force, protect=others))
        internal_tmp = None
        if internal_file is not None:
            internal_tmp = staged.enter_context(atomic_path(internal_file, force=force, protect=(*others, review_file)))
        out_tmp = staged.enter_context(atomic_path(
            dest, force=force, protect=tuple(p for p in (src, report_path, review_file, internal_file) if p is not None)))
        unwritten = write_output_to(filled, out_tmp, fmt, review_sheet=review_in_file and review_sheet,
                                    clean=not review_in_file, dest=dest)
        if unwritten:
            filled = drop_unwritten(filled, unwritten)
            report = build_report(filled, str(dest))
            report["output_format"] = fmt.value
            report["demo"] = session.demo
            report["review_file"] = str(review_file)
        if internal_tmp is not None:
            write_output_to(filled, internal_tmp, fmt, review_sheet=True, clean=False, dest=internal_file)
        if report_tmp is not None:
            report_tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        from .exporters.xlsx_doc import write_review_workbook

        link = _relative_link(dest, review_file) if fmt is OutputFormat.SAME and questionnaire.format == "xlsx" else None
        write_review_workbook(review_table(filled), review_tmp, link_to=link)
    return FillSummary(filled, dest, fmt, report, review_file, internal_file)


def drop_unwritten(filled: FilledQuestionnaire, unwritten: dict[str, str]) -> FilledQuestionnaire:
    """``filled`` with the writes the writer skipped removed, each with a note; an auto answer not fully
    written goes to review (a person must put it in)."""
    results = []
    for r in filled.results:
        missed = [w for w in r.writes if w.address in unwritten]
        if not missed:
            results.append(r)
            continue
        notes = r.notes + tuple(f"{w.address}: not written: {unwritten[w.address]}" for w in missed)
        status = "review" if r.status == "auto" else r.status
        results.append(dataclasses.replace(r, writes=tuple(w for w in r.writes if w.address not in unwritten),
                                           notes=notes, status=status))
    return dataclasses.replace(filled, results=tuple(results))


def _relative_link(target: Path, source: Path) -> str:
    """``target`` as a hyperlink from a file in ``source``'s folder: relative, so moving both keeps it."""
    try:
        return Path(os.path.relpath(target.resolve(), source.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()
