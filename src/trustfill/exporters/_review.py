"""The review table: what a person needs to decide each question, shared by the review workbook and the
review sheet embedded with ``--review-in-file``.

Rows that need a decision come first (review, then unmatched), then the answers written automatically,
then the rows that are not security questions. Within each group, questions the customer's workbook marks
critical or required come first (see :mod:`trustfill.importers._priority`), then the customer's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..importers._priority import RANK, STANDARD, question_priorities
from ._rows import CORRECTED_HEADER, DECISION_HEADER, match_detail, suggestions

HEADER = ("Location", "Question ID", "Question", "Status", "Importance", "Score", "Proposed answer", "Written",
          "Matched entry", "Entry question", "Suggestions", "Why matched", "Evidence to attach", "Facts used", "Notes",
          DECISION_HEADER, CORRECTED_HEADER)
WIDTHS = (16, 11, 60, 10, 11, 7, 70, 8, 28, 50, 36, 40, 36, 36, 50, 24, 60)
"""Column widths (characters) of the header above."""
LOCATION_COL, DECISION_COL = 0, HEADER.index(DECISION_HEADER)
LISTS_SHEET_NAME = "trustfill lists"
"""The hidden sheet holding the Decision column's dropdown values."""
DECISION_CHOICES = ("ok", "not in bank")
"""The dropdown's first values; every bank entry id follows them."""
_ORDER = {"review": 0, "unmatched": 1, "auto": 2, "skipped": 3}


@dataclass(frozen=True)
class ReviewRow:
    """One question in the review table."""

    values: tuple[str, ...]
    """The cells, in :data:`HEADER` order."""
    target: str | None
    """``Sheet!C14``: the customer-file cell the Location links to (the answer cell), or None."""
    status: str
    """auto, review, unmatched or skipped."""


@dataclass(frozen=True)
class ReviewTable:
    """The header, the rows in decision order, and the values the Decision dropdown offers."""

    rows: tuple[ReviewRow, ...]
    choices: tuple[str, ...]

    @property
    def header(self) -> tuple[str, ...]:
        """Column titles; ``trustfill learn --from`` finds its columns by these names."""
        return HEADER

    def matrix(self) -> list[list[str]]:
        """Header and rows as plain strings."""
        return [list(HEADER)] + [list(r.values) for r in self.rows]


def proposed_answer(result: Any) -> str:
    """The answer a person is asked to accept, in words: written or suggested, short answer and narrative."""
    a = result.answer
    if a is not None and a.status == "ok" and a.short is not None:
        short = result.short_written or a.short
        narrative = a.narrative or ""
        if not narrative or narrative.casefold().startswith(short.casefold()):
            return narrative or short
        return f"{short}. {narrative}"
    return result.fact_value or ""


def _target(result: Any) -> str | None:
    if result.writes:
        return result.writes[0].address
    slot = next(iter(result.question.slots), None)
    return slot.address if slot is not None else None


def _priorities(q: Any) -> dict[str, str]:
    """The customer's critical/required marks, read from the bytes that were answered (never a second read of a file
    that may have changed since)."""
    from ..importers._container import InputSnapshot, reading_snapshot

    data = getattr(q, "data", None)
    if data is None:
        return question_priorities(q.path)
    with reading_snapshot(InputSnapshot(q.path, data)):
        return question_priorities(q.path)


def review_table(filled: Any) -> ReviewTable:
    """The review table of a filled questionnaire."""
    q = filled.questionnaire
    levels = _priorities(q) if q.format == "xlsx" else {}

    def level(r: Any) -> str:
        return levels.get(r.question.question_id or "", STANDARD)

    ordered = sorted(enumerate(filled.results), key=lambda ir: (_ORDER.get(ir[1].status, 4), RANK[level(ir[1])], ir[0]))
    rows = []
    for _, r in ordered:
        a, m = r.answer, r.match
        entry_id = (m.entry_id or "") if m is not None and r.status != "unmatched" else ""
        entry = filled.entries.get(entry_id) if entry_id else None
        values = (
            r.question.location, r.question.question_id or "", r.question.text, r.status, level(r),
            f"{m.score:.0f}" if m is not None else "",
            proposed_answer(r),
            "yes" if r.writes else "no",
            entry_id,
            entry.question if entry is not None else "",
            suggestions(r),
            match_detail(r),
            "; ".join(e.title for e in a.evidence) if a else "",
            "; ".join(f"{k}={v}" for k, v in a.facts) if a else "",
            "; ".join(r.notes),
            "",
            "",
        )
        rows.append(ReviewRow(values, _target(r), r.status))
    return ReviewTable(tuple(rows), DECISION_CHOICES + tuple(sorted(filled.entries)))


def quoted_location(address: str) -> str:
    """``Sheet 1!C14`` -> ``'Sheet 1'!C14``: the form a hyperlink location and a formula need."""
    sheet, _, cell = address.rpartition("!")
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        return address
    return "'" + sheet.replace("'", "''") + "'!" + cell
