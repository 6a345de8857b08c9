"""Read a reviewer's decisions from a workbook trustfill wrote, so ``trustfill learn --from`` records them at once.

The review workbook ``fill`` writes beside its output (``answers.review.xlsx``, sheet ``trustfill review``),
the same sheet embedded with ``--review-in-file``, and the internal ``--format xlsx`` answer workbook all
end in a *Decision* column (the review sheet's is a dropdown: ``ok``, ``not in bank`` or an entry id). A reviewer writes, per question, the bank entry that answers it (often one of the
*Suggestions*), ``ok`` to confirm the matched entry, or ``not in bank``; empty rows are left alone. One pass
over a reviewed file then teaches the matcher every decision, instead of one ``trustfill learn`` per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ImportFormatError, Problem
from .exporters._rows import CORRECTED_HEADER, DECISION_HEADER, REVIEW_SHEET_NAME
from .importers._xlsx_book import READ_ERRORS, Book, Sheet, coordinate, unreadable
from .matching.normalize import question_key

QUESTION_HEADER = "Question"
ENTRY_HEADERS = ("Matched entry", "Bank entry")
"""The matched-entry column of the review sheet and of the answer workbook, which ``ok`` confirms."""

CONFIRM = frozenset({"ok", "yes", "y", "confirm", "confirmed", "accept", "accepted", "approved", "\u2713", "\u2714"})
NOT_IN_BANK = frozenset({"not in bank", "not-in-bank", "not_in_bank", "none", "no entry", "-", "\u2014"})


@dataclass(frozen=True)
class ReviewDecision:
    """One row a reviewer decided."""

    place: str
    """``sheet!L14``: the Decision cell."""
    question: str
    """The customer's question text."""
    entry_id: str | None
    """The bank entry that answers it, or None for "not in the bank"."""


@dataclass(frozen=True)
class Correction:
    """Answer text a reviewer wrote in the *Corrected answer* column."""

    place: str
    """``sheet!M14``: the cell."""
    question: str
    """The customer's question text."""
    text: str
    """The corrected answer as written."""
    entry_id: str | None
    """The bank entry the row is decided as (or its matched entry), if any."""
    location: str | None = None
    """The row's *Location* (where the question is in the customer's file)."""
    question_id: str | None = None
    """The row's *Question ID*."""


@dataclass(frozen=True)
class ReviewedFile:
    """Every decision in a reviewed workbook."""

    decisions: tuple[ReviewDecision, ...]
    """Decided rows, first of each question only (a question asked twice and decided alike counts once)."""
    undecided: int
    """Rows with a question and an empty Decision cell."""
    sheets: tuple[str, ...]
    """The sheets that had a Decision column."""
    corrections: tuple[Correction, ...] = ()
    """Rows with corrected answer text (a new column; absent in workbooks written before it)."""


def read_review_decisions(path: Path) -> ReviewedFile:
    """The decisions written in the Decision column of every sheet of ``path`` that has one.

    Raises:
        ImportFormatError: The file is missing, not a readable .xlsx, has no sheet with Question and Decision
            columns, or a decision cannot be read (``ok`` on a row without a matched entry, one question
            decided two ways); every problem is reported as ``path: sheet!L14: ...`` and nothing is returned.
    """
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ImportFormatError(
            f"{path}: not an .xlsx workbook; give the review workbook 'trustfill fill' wrote (NAME.review.xlsx) "
            "or the internal answer workbook of --format xlsx --internal"
        )
    try:
        with Book(path) as book:
            # A filled customer workbook is read only at its review sheet: its own sheets may have any headers.
            names = [n for n in book.sheet_names if n.casefold().startswith(REVIEW_SHEET_NAME)] or book.sheet_names
            sheets = [book.sheet(name) for name in names]
    except READ_ERRORS as exc:
        raise unreadable(path, exc) from exc
    first: dict[str, ReviewDecision] = {}  # by question key: one decision per question
    corrections: dict[str, Correction] = {}
    problems: list[Problem] = []
    undecided = 0
    used: list[str] = []
    for sheet in sheets:
        columns = _columns(sheet)
        if columns is None:
            continue
        used.append(sheet.name)
        q_col, d_col, e_col = columns
        extra = _extra_columns(sheet)
        for row in sorted(r for r in sheet.rows if r > 1):
            question = (sheet.text(row, q_col) or "").strip()
            said = " ".join((sheet.text(row, d_col) or "").split())
            place = f"{sheet.name}!{coordinate(row, d_col)}"
            corrected = (sheet.text(row, extra["corrected"]) or "").strip() if "corrected" in extra else ""
            if corrected and question_key(question):
                matched = (sheet.text(row, e_col) or "").strip() if e_col else ""
                decided, _ = _read_decision(said, matched) if said else (matched or None, None)
                corrections.setdefault(question_key(question), Correction(
                    f"{sheet.name}!{coordinate(row, extra['corrected'])}", question, corrected, decided,
                    *((sheet.text(row, extra[k]) or "").strip() or None if k in extra else None for k in ("location", "id")),
                ))
            if not said:
                undecided += bool(question) and not corrected
                continue
            key = question_key(question)
            if not question:
                problems.append(Problem(f"{path}: {place}", f"decision {said!r} on a row without a question"))
                continue
            if not key:
                problems.append(Problem(f"{path}: {place}", "the question of this row has no words to remember it by"))
                continue
            matched = (sheet.text(row, e_col) or "").strip() if e_col else ""
            entry_id, problem = _read_decision(said, matched)
            if problem:
                problems.append(Problem(f"{path}: {place}", problem))
                continue
            earlier = first.setdefault(key, ReviewDecision(place, question, entry_id))
            if earlier.entry_id != entry_id:
                problems.append(Problem(
                    f"{path}: {place}",
                    f"this question is decided as {_said(entry_id)} here and as {_said(earlier.entry_id)} at "
                    f"{earlier.place}; keep one",
                ))
    if not used:
        raise ImportFormatError(
            f"{path}: no sheet has '{QUESTION_HEADER}' and '{DECISION_HEADER}' columns in its first row; give the "
            "review workbook 'trustfill fill' wrote (NAME.review.xlsx) or the internal answer workbook of --format xlsx --internal"
        )
    if problems:
        raise ImportFormatError.from_problems(problems)
    return ReviewedFile(tuple(first.values()), undecided, tuple(used), tuple(corrections.values()))


def _columns(sheet: Sheet) -> tuple[int, int, int | None] | None:
    """Question, Decision and matched-entry columns of the header row, or None when it has no Decision."""
    header = {(cell.text or "").strip().casefold(): col for col, cell in sheet.rows.get(1, {}).items()}
    q_col, d_col = header.get(QUESTION_HEADER.casefold()), header.get(DECISION_HEADER.casefold())
    if q_col is None or d_col is None:
        return None
    e_col = next((header[h.casefold()] for h in ENTRY_HEADERS if h.casefold() in header), None)
    return q_col, d_col, e_col


def _extra_columns(sheet: Sheet) -> dict[str, int]:
    """Corrected answer, Location and Question ID columns of the header row, found by their header text."""
    header = {(cell.text or "").strip().casefold(): col for col, cell in sheet.rows.get(1, {}).items()}
    names = {"corrected": CORRECTED_HEADER, "location": "Location", "id": "Question ID"}
    return {key: header[name.casefold()] for key, name in names.items() if name.casefold() in header}


def _read_decision(said: str, matched: str) -> tuple[str | None, str | None]:
    """(entry id or None for not in bank, problem) of one Decision cell."""
    folded = said.casefold()
    if folded in NOT_IN_BANK:
        return None, None
    if folded in CONFIRM:
        if not matched:
            return None, (f"{said!r} confirms the matched entry, but this row has none; write the bank entry "
                          "that answers the question, or 'not in bank'")
        return matched, None
    if " " in said:
        return None, (f"{said!r} is not a decision; write a bank entry id (e.g. one of the Suggestions), "
                      "'ok' to confirm the matched entry, or 'not in bank'")
    return said, None


def _said(entry_id: str | None) -> str:
    return "not in bank" if entry_id is None else f"'{entry_id}'"
