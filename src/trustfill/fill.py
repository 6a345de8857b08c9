"""The main job: match every question, render its answer, and decide what to write where."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .answers import AnswerEngine, RenderedAnswer
from .exporters.interface import SlotWrite
from .fit import SCOPE_SOURCE, fact_fits_field, fit_answer
from .fit.consistency import contradictions, notes_by_row
from .ownership import fit_ownership
from .questionnaire import AnswerSlot, Questionnaire, QuestionRow, SlotKind, SlotState

AUTO, REVIEW, UNMATCHED, SKIPPED = "auto", "review", "unmatched", "skipped"
STATUSES = (AUTO, REVIEW, UNMATCHED, SKIPPED)
EXCEL_CELL_LIMIT = 32_767

# Spellings customers use in dropdowns for the three answers we give.
_EQUIVALENT = {
    "yes": {"yes", "y", "true", "yes compliant", "compliant", "implemented", "yes implemented", "fully implemented"},
    "no": {"no", "n", "false", "not compliant", "not implemented", "no not implemented"},
    "n/a": {"n/a", "na", "n a", "not applicable", "n/a not applicable", "na not applicable", "none", "n/a - not applicable"},
}


def _fold(text: str) -> str:
    # Dropdowns often number their options ("1) Yes", "2 - No"); the number is not part of the answer.
    text = re.sub(r"^\s*[0-9]+\s*[).:\-]\s*", "", text)
    return re.sub(r"[^a-z0-9/]+", " ", text.casefold()).strip()


def fit_choice(short: str, allowed: Sequence[str] | None) -> str | None:
    """The allowed value that means ``short``, spelled as the list spells it; None when none fits."""
    if not allowed:
        return short
    folded = _fold(short)
    for value in allowed:
        if _fold(value) == folded:
            return value
    family = next((group for key, group in _EQUIVALENT.items() if folded == key or folded in group), None)
    if family is None:
        return None
    for value in allowed:
        fv = _fold(value)
        if fv in family or fv.replace("/", " ") in family or (fv.split(" ")[0] in family and len(fv.split(" ")[0]) > 1):
            return value
    return None


@dataclass(frozen=True)
class QuestionResult:
    """What happened to one question."""

    question: QuestionRow
    """The question as imported."""
    status: str
    """auto, review, unmatched or skipped."""
    match: Any
    """The matcher's MatchResult."""
    answer: RenderedAnswer | None
    """The rendered answer, when an entry matched."""
    writes: tuple[SlotWrite, ...] = ()
    """What is written into the customer's file for this question."""
    notes: tuple[str, ...] = ()
    """Why a person must look (review reasons, skipped slots, overwrites)."""
    short_written: str | None = None
    """The short answer as written (spelled as the dropdown spells it)."""
    fact_value: str | None = None
    """For non-security questions routed to a profile fact: the value."""
    past: Any = None
    """The answer library's past answer this result uses (:class:`trustfill.answer_library.store.PastAnswer`)."""


@dataclass(frozen=True)
class FillOptions:
    """How ``fill`` behaves."""

    review_mode: str = "blank"
    """``blank``: leave review answers empty, the suggestion in the report and review sheet (never a wrong answer
    in the customer's file); ``fill``: write them and flag them for a person."""
    overwrite: bool = False
    """Replace answers and formulas already in the file (each is reported)."""
    customer: str | None = None
    """Customer name for per-customer learned mappings."""
    mark_review: bool = True
    """Flag review cells in the customer's file (False with --clean)."""


@dataclass(frozen=True)
class FilledQuestionnaire:
    """A questionnaire with every question's outcome; exporters and the report read this."""

    questionnaire: Questionnaire
    """The imported questionnaire."""
    results: tuple[QuestionResult, ...]
    """One per question, in document order."""
    profile: str
    """Profile used (path as shown)."""
    entries: dict[str, Any] = field(default_factory=dict)
    """Bank entries by id (for categories, explanations)."""
    facts: dict[str, Any] = field(default_factory=dict)
    """Profile facts by dotted name (the answer documents name the company and product)."""

    def totals(self) -> dict[str, int]:
        """Counts per status, plus questions and cells written."""
        counts = Counter(r.status for r in self.results)
        out = {s: counts.get(s, 0) for s in STATUSES}
        out["questions"] = len(self.results)
        out["written"] = sum(len(r.writes) for r in self.results)
        return out

    @property
    def writes(self) -> list[SlotWrite]:
        """Every slot write, in document order."""
        return [w for r in self.results for w in r.writes]


def answer_questionnaire(
    questionnaire: Questionnaire,
    engine: AnswerEngine,
    matcher: Any,
    profile_name: str,
    options: FillOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    library: Any = None,
) -> FilledQuestionnaire:
    """Match, render and plan the writes for every question of ``questionnaire``.

    ``library``: the answer library's reuse step (:class:`trustfill.answer_library.reuse.LibraryReuse`); each
    question's result passes through its ``apply`` after matching.
    """
    options = options or FillOptions()
    questions = questionnaire.questions
    results = []
    # rows, not bare texts: the matcher reads each question's id too (a row with an id is never a heading)
    # explain: the report and the review sheet show why each entry was chosen (shared terms); it costs little
    for start, matches in match_in_chunks(matcher, questions, customer=options.customer, explain=True):
        for i, (question, match) in enumerate(zip(questions[start:start + len(matches)], matches, strict=True), start):
            result = _one(question, match, engine, options)
            results.append(library.apply(result, engine, options) if library is not None else result)
            if progress is not None:
                progress(i + 1, len(questions))
    return FilledQuestionnaire(questionnaire, tuple(_consistent(results, engine, options)), profile_name, engine.entries,
                               engine.flat_facts)


def _consistent(results: list[QuestionResult], engine: AnswerEngine, options: FillOptions) -> list[QuestionResult]:
    """Send both rows of every pair of answers that contradict each other to review (blank unless --review-mode fill)."""
    rows = []
    for r in results:
        # A past answer from the answer library may belong to no bank entry: it then takes part in no relation.
        entry_id = r.answer.entry_id if r.answer is not None and r.answer.entry_id in engine.entries else ""
        if r.answer is not None and r.answer.source.endswith(SCOPE_SOURCE):
            entry_id = ""  # answered from the question's scope (N/A), not from the entry: it asserts none of its facts
        rows.append((f"{r.question.question_id} ({r.question.location})" if r.question.question_id else r.question.location,
                     entry_id,
                     engine.render(entry_id).short if entry_id and r.status in (AUTO, REVIEW) else None))
    notes = notes_by_row(rows, contradictions(rows, engine.entries))
    out = list(results)
    for i, extra in notes.items():
        r = out[i]
        keep = options.review_mode == "fill"
        writes = tuple(SlotWrite(w.address, w.value, review=options.mark_review, note="; ".join(extra), overwrite=w.overwrite)
                       for w in r.writes) if keep else ()
        out[i] = replace(r, status=REVIEW, writes=writes, notes=r.notes + tuple(extra),
                         short_written=r.short_written if keep else None)
    return out


MATCH_CHUNK = 2_000
"""Questions matched per call: each row is matched on its own, but a batch's score arrays grow with its size
(a 100k-row file took 6.5 GB in one batch); chunks keep the peak flat and the speed of batching."""


def match_in_chunks(matcher: Any, rows: Sequence[QuestionRow], chunk: int = MATCH_CHUNK,
                    **kwargs: Any) -> Iterator[tuple[int, list[Any]]]:
    """(first index, results) per chunk of ``rows``; only each chunk's results are kept, never its scores."""
    for start in range(0, len(rows), chunk):
        yield start, matcher.match_many(list(rows[start:start + chunk]), **kwargs)


def _one(question: QuestionRow, match: Any, engine: AnswerEngine, options: FillOptions) -> QuestionResult:
    if match.status == SKIPPED:
        return _profile_fact(question, match, engine, options)
    if match.status == UNMATCHED or match.entry_id is None or match.entry_id not in engine.entries:
        notes = (match.reason,) if match.reason else ()
        return QuestionResult(question, UNMATCHED, match, None, notes=notes)
    answer = engine.render(match.entry_id, question.text, question.section)
    status = match.status
    notes: list[str] = []
    if status == REVIEW:
        why = f" ({match.reason})" if match.reason else ""
        notes.append(f"not a confident match{why}; check that entry {match.entry_id} answers this question")
    if answer.status != "ok":
        status = REVIEW
        notes.extend(answer.problems)
        return QuestionResult(question, status, match, answer, notes=tuple(notes))
    short_slot = question.slot(SlotKind.SHORT)
    fitted = fit_answer(question.text, short_slot.allowed if short_slot else None, engine.entries[match.entry_id], answer, engine,
                        question.section)
    notes.extend(fitted.notes)
    if fitted.answer is None:
        # Nothing the bank holds answers the question as asked: never written in any mode, and not offered as a
        # suggestion either (answer documents show a review row's answer), so a person writes it.
        return QuestionResult(question, REVIEW, match, None, notes=tuple(notes))
    answer = fitted.answer
    if fitted.review:
        status = REVIEW
    if status == REVIEW and options.review_mode == "blank":
        shown = answer.short or answer.narrative
        notes.append(f"suggested answer: {shown} (entry {match.entry_id}); confirm it, then rerun with a learned mapping or fill it in")
        return QuestionResult(question, status, match, answer, notes=tuple(notes))
    plan = plan_writes(question, answer, review=status == REVIEW, options=options, note="; ".join(notes) if notes else None,
                       text_only=fitted.text_only)
    writes = plan.writes
    if plan.needs_review and status == AUTO:
        status = REVIEW
        writes = tuple(SlotWrite(w.address, w.value, review=options.mark_review, note="; ".join(plan.notes), overwrite=w.overwrite)
                       for w in writes)
    notes.extend(plan.notes)
    return QuestionResult(question, status, match, answer, writes, tuple(notes), plan.short_written)


def _profile_fact(question: QuestionRow, match: Any, engine: AnswerEngine, options: FillOptions) -> QuestionResult:
    fact = getattr(match, "profile_fact", None)
    value = engine.flat_facts.get(fact) if fact else None
    if value is None:
        return QuestionResult(question, SKIPPED, match, None, notes=(match.reason,) if match.reason else ())
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    misfit = fact_fits_field(question.text, fact, value) if fact else None
    if misfit is not None:
        return QuestionResult(question, REVIEW, match, None, notes=(misfit,))
    slot = question.slot(SlotKind.NARRATIVE) or question.slot(SlotKind.SHORT)
    if slot is None or slot.allowed or not (slot.writable or options.overwrite):
        return QuestionResult(question, SKIPPED, match, None, fact_value=text)
    write = SlotWrite(slot.address, text, overwrite=not slot.writable)
    return QuestionResult(question, SKIPPED, match, None, (write,), (f"filled from profile fact {fact}",), fact_value=text)


def _writable(slot: AnswerSlot, options: FillOptions, notes: list[str]) -> bool:
    if slot.writable:
        return True
    what = "a formula" if slot.state is SlotState.FORMULA else "an answer"
    if options.overwrite:
        notes.append(f"{slot.address}: replaced {what} already there ({(slot.current or '')[:40]!r})")
        return True
    notes.append(f"{slot.address}: left as is; it already holds {what} (use --overwrite to replace)")
    return False


@dataclass(frozen=True)
class WritePlan:
    """What goes into a question's slots."""

    writes: tuple[SlotWrite, ...]
    """Slot writes in slot order."""
    short_written: str | None
    """The short answer as written."""
    notes: tuple[str, ...]
    """Things a person should know (slots left alone, overwrites, choices that did not fit)."""
    needs_review: bool
    """True when a slot problem means an auto answer must be reviewed."""


def plan_writes(question: QuestionRow, answer: RenderedAnswer, *, review: bool, options: FillOptions,
                note: str | None = None, text_only: bool = False) -> WritePlan:
    """Decide what goes into each slot of ``question``; with ``text_only`` (an open question or a value field) the
    answer's narrative is the whole answer, written once, and ``answer.short`` (empty, or the value) goes nowhere else."""
    assert answer.short is not None
    assert answer.narrative is not None
    notes: list[str] = []
    demote = False
    writes: list[SlotWrite] = []
    flag = review and options.mark_review
    short_slot = question.slot(SlotKind.SHORT)
    narrative_slot = question.slot(SlotKind.NARRATIVE)
    comment_slot = question.slot(SlotKind.COMMENT)
    short_written = None
    narrative = answer.narrative
    if text_only:
        # A choice cell cannot hold a description or a value; the text goes to the free-text cell beside it.
        target = short_slot if short_slot is not None and not short_slot.allowed else narrative_slot
        if target is not None and _writable(target, options, notes):
            writes.append(SlotWrite(target.address, narrative, flag, note, not target.writable))
            short_written = answer.short or None
        short_slot = narrative_slot = None
    if short_slot is not None and _writable(short_slot, options, notes):
        if short_slot.allowed:
            short_written = fit_choice(answer.short, short_slot.allowed)
            if short_written is None:
                demote = True
                notes.append(f"{short_slot.address}: our answer '{answer.short}' is not one of the cell's choices ({', '.join(short_slot.allowed)}); pick one")
            else:
                writes.append(SlotWrite(short_slot.address, short_written, flag, note, not short_slot.writable))
        elif narrative_slot is None:
            # One free-text answer column: the narrative carries the short answer in words.
            short_written = answer.short
            text = narrative if _starts_with(narrative, answer.short) else f"{answer.short}. {narrative}"
            writes.append(SlotWrite(short_slot.address, text, flag, note, not short_slot.writable))
        else:
            short_written = answer.short
            writes.append(SlotWrite(short_slot.address, answer.short, flag, note, not short_slot.writable))
    if narrative_slot is not None and _writable(narrative_slot, options, notes):
        text = narrative if short_slot is not None or _starts_with(narrative, answer.short) else f"{answer.short}. {narrative}"
        writes.append(SlotWrite(narrative_slot.address, text, flag, note, not narrative_slot.writable))
    shareable = [e for e in answer.evidence if e.visibility != "internal"]
    if comment_slot is not None and shareable and _writable(comment_slot, options, notes):
        writes.append(SlotWrite(comment_slot.address, "Evidence: " + "; ".join(e.title for e in shareable), flag, note,
                                not comment_slot.writable))
    writes += _ssrm_writes(question, answer, options, notes, flag, note)
    for w in writes:
        if len(w.value) > EXCEL_CELL_LIMIT:
            demote = True
            notes.append(f"{w.address}: answer is {len(w.value):,} characters, over Excel's {EXCEL_CELL_LIMIT:,}-character cell limit")
    if not writes and not notes:
        demote = True
        notes.append(f"{question.location}: no answer slot found for this question")
    return WritePlan(tuple(writes), short_written, tuple(notes), demote)


def _ssrm_writes(question: QuestionRow, answer: RenderedAnswer, options: FillOptions, notes: list[str], flag: bool,
                 note: str | None) -> list[SlotWrite]:
    """CAIQ's shared-responsibility columns: the control's owner and what the customer must do."""
    out: list[SlotWrite] = []
    slot, owner = question.slot(SlotKind.OWNERSHIP), answer.ownership
    if slot is not None and owner is None:
        notes.append(f"{slot.address}: control ownership left empty ({answer.ownership_basis or 'unknown'}); "
                     "set ownership: in the entry or the facts it depends on")
    elif slot is not None and owner is not None and _writable(slot, options, notes):
        value = fit_ownership(owner, slot.allowed)
        if value is None:
            notes.append(f"{slot.address}: ownership '{answer.ownership}' is not one of the cell's choices ({', '.join(slot.allowed or ())}); pick one")
        else:
            out.append(SlotWrite(slot.address, value, flag, note, not slot.writable))
    slot = question.slot(SlotKind.CUSTOMER_RESPONSIBILITY)
    if slot is not None and answer.customer_responsibility and _writable(slot, options, notes):
        out.append(SlotWrite(slot.address, answer.customer_responsibility, flag, note, not slot.writable))
    return out


def _starts_with(narrative: str, short: str) -> bool:
    return _fold(narrative).startswith(_fold(short)) or (short == "N/A" and narrative.lower().startswith("not applicable"))
