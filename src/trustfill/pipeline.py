"""One library function per CLI command that needs a workspace and a profile."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answers import RenderedAnswer
from .errors import UsageError
from .exporters._review import review_table
from .fill import FilledQuestionnaire, FillOptions, answer_questionnaire
from .importers import ImportOptions, load_questionnaire
from .models import BankEntry
from .output import (
    OutputFormat,
    atomic_path,
    internal_path_for,
    resolve_format,
    review_path_for,
    write_output,
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
    """Its answer under the profile."""


def answer_one(session: Session, text: str) -> AnswerView:
    """Match one question and render the answer of the best entry."""
    match = session.matcher.match(text)
    entry = session.lib.entries.get(match.entry_id) if match.entry_id else None
    answer = session.engine.render(entry.id) if entry is not None else None
    return AnswerView(text, match, entry, answer)


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
    filled = answer_questionnaire(questionnaire, session.engine, session.matcher, session.profile_name, options, progress)
    fmt = resolve_format(fmt, src, questionnaire.format, dest)
    review_file = review_file or review_path_for(dest)
    internal_file = internal_path_for(dest) if internal else None
    report = build_report(filled, str(dest))
    report["output_format"] = fmt.value
    report["review_file"] = str(review_file)
    # The report, review workbook and internal copy are staged first and renamed only after the output is in
    # place: all or none.
    with contextlib.ExitStack() as staged:
        if report_path is not None:
            tmp = staged.enter_context(atomic_path(report_path, force=force, protect=(src, dest)))
            tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        from .exporters.xlsx_doc import write_review_workbook

        others = tuple(p for p in (src, dest, report_path) if p is not None)
        link = _relative_link(dest, review_file) if fmt is OutputFormat.SAME and questionnaire.format == "xlsx" else None
        write_review_workbook(review_table(filled), staged.enter_context(atomic_path(review_file, force=force, protect=others)),
                              link_to=link)
        if internal_file is not None:
            tmp = staged.enter_context(atomic_path(internal_file, force=force, protect=(*others, review_file)))
            write_output(filled, tmp, fmt, force=True, review_sheet=True, clean=False, protect=(dest, review_file))
        write_output(filled, dest, fmt, force=force, review_sheet=review_sheet, clean=not review_in_file,
                     protect=tuple(p for p in (report_path, review_file, internal_file) if p is not None))
    return FillSummary(filled, dest, fmt, report, review_file, internal_file)


def _relative_link(target: Path, source: Path) -> str:
    """``target`` as a hyperlink from a file in ``source``'s folder: relative, so moving both keeps it."""
    try:
        return Path(os.path.relpath(target.resolve(), source.resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()
