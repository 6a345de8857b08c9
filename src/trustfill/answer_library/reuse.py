"""Reuse past answers in ``fill``: the same question gets the answer the company already gave.

Rules, strictest first (see the README, "harvest"):

* **Same question**: the same wording after normalisation (:func:`~trustfill.matching.normalize.question_key`),
  or the same customer id in the same questionnaire family with near-identical text. The past answer is used,
  its source (file, cell, date, customer) in the notes, the report and the review sheet.
* It goes to **review, never auto**, when it contradicts what the profile renders today for the linked entry,
  when it is older than the workspace's ``library_max_age_months``, or when it is customer-specific (names a
  customer, or their contract) and this questionnaire is for someone else.
* **Merely similar** (another wording the matcher links to the same entry): a note for the reviewer only;
  the answer written is still the profile's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from ..answers import RenderedAnswer
from ..fill import AUTO, REVIEW, SKIPPED, FillOptions, QuestionResult, fit_choice, plan_writes
from ..matching.normalize import question_key
from ..questionnaire import QuestionRow
from .store import (
    AnswerLibrary,
    PastAnswer,
    family_of,
    library_dir,
    library_files,
    load_answer_library,
)

SAME_ID_SIMILARITY = 90.0
"""token_sort_ratio (0-100) of the normalised texts above which a same-id question counts as the same question.
Different versions of one questionnaire family reword a little ("Do you" / "Does your company"); a lower bar
would let a renumbered id point at a different question."""


MIN_WORDS = 4
"""Questions shorter than this are the same question only in the same section."""


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


class LibraryReuse:
    """Looks each question up in the answer library and turns a hit into a fill result."""

    def __init__(self, library: AnswerLibrary, *, family: str, customer: str | None = None,
                 max_age_months: int = 12, today: dt.date | None = None) -> None:
        self.library = library
        self.family = family
        self.customer = customer
        self.max_age_months = max_age_months
        self.today = today or dt.date.today()

    def find(self, question: QuestionRow) -> tuple[PastAnswer, str] | None:
        """The past answer to the same question, and why it is the same (``same wording`` / ``same id``)."""
        key = question_key(question.text)
        if key:
            # "Describe." or "Other (explain)" is the same wording for many different questions: a short question
            # is the same question only in the same section (and never without one).
            section = None
            if len(key.split()) < MIN_WORDS:
                section = question_key(question.section or "") or "\0"
            hit = self.library.best(key, customer=self.customer, section=section)
            if hit is not None:
                return hit, "same wording"
        past = self.library.first_same_id(self.family, question.question_id,
                                          lambda k: fuzz.token_sort_ratio(key, k) >= SAME_ID_SIMILARITY)
        if past is not None:
            return past, f"same id {question.question_id} in the {self.family} family, near-identical text"
        return None

    def apply(self, result: QuestionResult, engine: Any, options: FillOptions) -> QuestionResult:
        """``result`` with the past answer used (same question) or noted (similar question)."""
        if result.status == SKIPPED:
            return result
        found = self.find(result.question)
        if found is None:
            return self._similar(result)
        past, why = found
        if not (past.shown_short or past.narrative):
            return result
        reasons = self._reasons(past, result, engine)
        entry_id = _entry_of(past, result)
        answer = RenderedAnswer(entry_id or "", f"library: {past.source()}", "ok", past.shown_short,
                                past.narrative or past.shown_short)
        notes = [f"past answer ({why}) from {past.source()}", *reasons]
        status = REVIEW if reasons else AUTO
        if status == REVIEW and options.review_mode == "blank":
            notes.append(f"suggested past answer: {past.shown_short or past.narrative[:80]!r}; confirm it or answer anew")
            return replace(result, status=REVIEW, answer=answer, writes=(), notes=tuple(notes), short_written=None, past=past)
        profile_answer = result.answer if result.answer is not None and result.answer.status == "ok" else None
        if any(" contradicts the profile's answer" in r for r in reasons) and profile_answer is not None:
            # --review-mode fill writes a flagged answer: the profile's, true today by the team's own facts; the past
            # one stays in the notes.
            answer = profile_answer
            notes.append(f"written: the profile's answer; the past answer was {past.shown_short!r}")
        plan = plan_writes(result.question, answer, review=status == REVIEW, options=options,
                           note="; ".join(reasons) if reasons else None)
        if plan.needs_review:
            status = REVIEW
        return replace(result, status=status, answer=answer, writes=plan.writes, notes=tuple(notes + list(plan.notes)),
                       short_written=plan.short_written, past=past)

    def _reasons(self, past: PastAnswer, result: QuestionResult, engine: Any) -> list[str]:
        reasons = []
        entry_id = _entry_of(past, result)
        if entry_id and entry_id in engine.entries and past.shown_short:
            now = engine.render(entry_id)
            entry = engine.entries[entry_id]
            then = fit_choice(past.shown_short, entry.answer.choices)
            if now.status == "ok" and then is not None and then != now.short:
                reasons.append(f"the past answer '{then}' contradicts the profile's answer today, '{now.short}' "
                               f"(entry {entry_id}); check which is true")
        age = months_between(past.date, self.today)
        if age > self.max_age_months or self.max_age_months == 0:
            reasons.append(f"the past answer is {age} months old (over the workspace's {self.max_age_months}-month "
                           "limit, library_max_age_months); check it is still true")
        if past.flags and not self._same_customer(past):
            reasons.append("the past answer is customer-specific (" + "; ".join(past.flags) + "); make it generic")
        elif not self._same_customer(past):
            text = " ".join(t for t in (past.short, past.narrative, past.evidence) if t).casefold()
            named = [c for c in self.library.customers() if len(c) >= 3 and c.casefold() in text
                     and not (self.customer and c.casefold() == self.customer.casefold())]
            if named:
                reasons.append(f"the past answer names another customer ({', '.join(sorted(named))}); make it generic")
        return reasons

    def _same_customer(self, past: PastAnswer) -> bool:
        return bool(self.customer and past.customer and past.customer.casefold() == self.customer.casefold())

    def _similar(self, result: QuestionResult) -> QuestionResult:
        entry_id = result.match.entry_id if result.match is not None else None
        past = self.library.newest_for_entry(entry_id) if entry_id else None
        if past is None:
            return result
        note = (f"a similar past question, answered '{past.shown_short or (past.narrative or '')[:60]}': "
                f"{past.question[:90]!r} ({past.source()}); a suggestion only")
        return replace(result, notes=(*result.notes, note))


def _entry_of(past: PastAnswer, result: QuestionResult) -> str | None:
    """The bank entry a past answer speaks for: its own confident link, else today's confident match.

    A review link is the matcher's guess (often the opposite polarity: "passwords in plaintext?" near "are
    passwords hashed?"); comparing against it would call a right answer a contradiction.
    """
    if past.entry_id and past.match in ("auto", "reviewer"):
        return past.entry_id
    if result.match is not None and result.match.status == AUTO and result.match.entry_id:
        return result.match.entry_id
    return None


def reuse_for_fill(workspace_root: Path, src: Path, customer: str | None, *,
                   today: dt.date | None = None) -> LibraryReuse | None:
    """The reuse step for filling ``src`` from the workspace's library; None when the workspace has none."""
    folder = library_dir(workspace_root)
    if not library_files(folder):
        return None
    from ..settings import load_settings
    from ..workspace import shown

    library = load_answer_library(folder, shown(folder))
    if not len(library):
        return None
    settings = load_settings(workspace_root)
    return LibraryReuse(library, family=family_of(src), customer=customer,
                        max_age_months=settings.library_max_age_months, today=today)
