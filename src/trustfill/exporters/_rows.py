"""The flat rows every new answer document shows, grouped by category."""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace
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


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula, also once compatibility characters fold
    (full-width ``＝ ＋ － ＠`` and small ``﹦`` become ``= + - @`` under NFKC, and cp1252 output folds them)."""
    return unicodedata.normalize("NFKC", text[:8]).startswith(FORMULA_START) or text.startswith(FORMULA_START)


def safe_cell_text(text: str) -> str:
    """Text that spreadsheet programs will not evaluate as a formula when opened from csv."""
    return "'" + text if starts_like_formula(text) else text


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
    section: str = ""
    """The customer's section heading the question sits under, or ''."""
    delivered: bool = True
    """The answer is one the customer may see: answered automatically, written after review (``--review-mode
    fill``) or a company detail. False for a suggestion still waiting for a person."""

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


def match_detail(result: Any) -> str:
    """Why the matched entry was chosen, in one line a reviewer can check: lexical score and shared terms beside
    semantic similarity and the entry's nearest phrasing (the semantic matcher's), on auto and review rows."""
    m = result.match
    if m is None or result.status not in ("auto", "review") or not m.entry_id:
        return ""
    parts = []
    if getattr(m, "lexical", None) is not None:
        parts.append(f"lexical {m.lexical:.0f}")
    e = getattr(m, "explanation", None)
    if e is not None and e.shared_terms:
        parts.append("shared terms: " + ", ".join(t.lstrip("@") for t in e.shared_terms[:8]))
    if getattr(m, "semantic", None) is not None:
        parts.append(f"semantic similarity {m.semantic:.2f}")
    if getattr(m, "nearest", None):
        parts.append(f"nearest phrasing: {m.nearest}")
    return "; ".join(parts)


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
            r.question.section or "", r.status == "auto" or bool(r.writes) or (r.status == "skipped" and bool(r.fact_value)),
        ))
    return rows


def customer_rows(filled: Any) -> list[AnswerRow]:
    """Rows for the customer's copy, in the customer's order: answers not yet decided by a person are blank
    (never a guess), and internal evidence is left out."""
    out = []
    for row in answer_rows(filled):
        if row.delivered:
            row = replace(row, evidence=tuple(e for e in row.evidence if e.visibility != "internal"))
        else:
            row = replace(row, short="", narrative="", evidence=())
        out.append(row)
    return out


def by_section(rows: list[AnswerRow]) -> list[tuple[str, list[AnswerRow]]]:
    """Runs of consecutive rows under the same customer section, in the customer's order."""
    groups: list[tuple[str, list[AnswerRow]]] = []
    for row in rows:
        if groups and groups[-1][0] == row.section:
            groups[-1][1].append(row)
        else:
            groups.append((row.section, [row]))
    return groups


DEMO_PREFIX = "DEMO DATA"
"""How the session names the profile of a ``--demo`` run (see :func:`trustfill.session.open_session`)."""


def demo_label(filled: Any) -> str | None:
    """The warning a ``--demo`` answer document carries at its top; None for a real company's answers."""
    if not str(getattr(filled, "profile", "")).startswith(DEMO_PREFIX):
        return None
    return "DEMO DATA, a fictional company: these answers describe no real company; do not send them to a customer."


def company_title(filled: Any) -> tuple[str, str]:
    """(company name, product name) from the profile facts, '' when the profile does not say."""
    facts = getattr(filled, "facts", None) or {}
    return str(facts.get("company.name") or ""), str(facts.get("company.product") or "")


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
