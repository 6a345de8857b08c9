"""The flat rows every new answer document shows, grouped by category."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..answers import EvidenceRef

UNMATCHED_CATEGORY = "Questions for a person to answer"
PROFILE_CATEGORY = "Company details"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REVIEW_SHEET_NAME = "trustfill review"
DECISION_HEADER = "Decision"
"""The empty last column of the review sheet and the answer workbook, where a reviewer writes what
``trustfill learn --from`` records (see :mod:`trustfill.review_decisions`)."""
CORRECTED_HEADER = "Corrected answer"
"""The column right after Decision: a reviewer's corrected answer text, which ``trustfill learn --from`` stores
in the answer library (owned by ``--by``) so the next fill reuses it. Read back by its header, not its position."""


def safe_cell_text(text: str) -> str:
    """Text that spreadsheet programs will not evaluate as a formula when opened from csv."""
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class AnswerRow:
    """One question as shown in an answer document."""

    location: str
    """Where the question is in the customer's file."""
    question_id: str
    """The customer's id, or ''."""
    question: str
    """The customer's question text."""
    category: str
    """Bank category of the matched entry, or a catch-all heading."""
    status: str
    """auto, review, unmatched, skipped."""
    score: float
    """Match score 0-100."""
    entry_id: str
    """Matched bank entry id, or ''."""
    short: str
    """Short answer."""
    narrative: str
    """Narrative answer."""
    evidence: tuple[EvidenceRef, ...]
    """Evidence to attach."""
    notes: str
    """Why a person must look."""
    suggestions: str = ""
    """Other entries a reviewer may pick (review and unmatched rows), e.g. ``iam-sso (48); asset-mdm (34)``."""

    @property
    def needs_review(self) -> bool:
        """Review or unmatched: a person must act."""
        return self.status in ("review", "unmatched")


def suggestions(result: Any) -> str:
    """The entries a reviewer may pick instead, with scores: the matcher's top three without the matched entry
    (an unmatched row has none), on rows that need a decision only."""
    m = result.match
    if m is None or result.status not in ("review", "unmatched"):
        return ""
    return "; ".join(f"{c.entry_id} ({c.score:.0f})" for c in m.candidates if c.entry_id != m.entry_id)


def answer_rows(filled: Any) -> list[AnswerRow]:
    """Rows in document order."""
    rows = []
    for r in filled.results:
        m, a = r.match, r.answer
        entry = filled.entries.get(m.entry_id) if m is not None and m.entry_id else None
        if r.status == "skipped":
            category = PROFILE_CATEGORY
        elif entry is None or r.status == "unmatched":
            category = UNMATCHED_CATEGORY
        else:
            category = entry.category
        short = r.short_written or (a.short if a is not None and a.short else "") or (r.fact_value or "")
        narrative = a.narrative if a is not None and a.narrative else ""
        rows.append(AnswerRow(
            r.question.location, r.question.question_id or "", r.question.text, category, r.status,
            float(m.score) if m is not None else 0.0, (m.entry_id or "") if m is not None and r.status != "unmatched" else "",
            short, narrative, a.evidence if a is not None else (), "; ".join(r.notes), suggestions(r),
        ))
    return rows


def by_category(rows: list[AnswerRow]) -> OrderedDict[str, list[AnswerRow]]:
    """Rows grouped by category: bank categories in first-seen order, then company details, then unmatched."""
    groups: OrderedDict[str, list[AnswerRow]] = OrderedDict()
    for row in rows:
        if row.category not in (UNMATCHED_CATEGORY, PROFILE_CATEGORY):
            groups.setdefault(row.category, []).append(row)
    for special in (PROFILE_CATEGORY, UNMATCHED_CATEGORY):
        members = [r for r in rows if r.category == special]
        if members:
            groups[special] = members
    return groups


def evidence_appendix(rows: list[AnswerRow]) -> list[tuple[EvidenceRef, int]]:
    """Each evidence document cited, with how many answers cite it (internal documents excluded)."""
    counts: dict[str, int] = {}
    refs: dict[str, EvidenceRef] = {}
    for row in rows:
        for ref in row.evidence:
            if ref.visibility == "internal":
                continue
            refs[ref.id] = ref
            counts[ref.id] = counts.get(ref.id, 0) + 1
    return [(refs[i], counts[i]) for i in sorted(refs, key=lambda i: refs[i].title)]
