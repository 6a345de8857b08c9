"""Make the answer written fit the question as asked.

The matcher finds the entry whose topic the question is about; this package decides whether that entry's answer
is a true answer to the question *as asked*, and in what form it goes into the customer's file:

- :mod:`.polarity`: a question that asks the opposite of the entry's question ("passwords stored in plaintext?")
  gets the entry's declared inverted answer (``negation:`` in the bank) or goes to review; never the entry's
  answer unchanged.
- :mod:`.form`: an open question gets the narrative, never a bare Yes/No; a value field gets exactly one fact
  value of its type (a phone field never an e-mail address) or stays blank for review.
- :mod:`.quantity`: a "Yes" to "at least two years" must rest on facts that meet the bar (a 12-month roadmap does not).
- :mod:`.consistency`: answers written into one file must not contradict each other (declared ``implies``).
- :mod:`.applicability`: a question under a heading whose scope the profile rules out ("On-Premises Data Solutions"
  for a SaaS) gets "N/A" with the reason, not the answer of an entry about something else.
- :mod:`.qualifier`: a qualifier the question adds and the answer does not establish ("physical backups", "provided
  by the institution", "physically and logically") sends the row to review.

It acts on the match result and the question text only, so it works whichever matcher ranked the entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..answers import OK, RenderedAnswer
from .applicability import denied, gate
from .form import Form, classify_form, value_type
from .polarity import negated
from .qualifier import unmet_qualifier
from .quantity import unmet_bar

__all__ = ["SCOPE_SOURCE", "Fitted", "fact_fits_field", "fit_answer"]

# Value types an entry's answer may fill: checkable from the value itself. A name or an address read by an
# entry's template ("company.product" in a narrative) is rarely the one a field asks for ("Accessibility Contact Name").
_ENTRY_VALUE_TYPES = ("email", "phone", "url", "date", "number", "country")
SCOPE_SOURCE = " (scope)"
"""Ends the ``source`` of an answer written from a question's scope (N/A, or No to "does it have ...?"), not from its
entry: such a row asserts nothing about the entry's facts, so it takes part in no consistency relation."""
_NOT_APPLICABLE = re.compile(r"(?:\d+\s*[).:-]\s*)?(?:n/?a|not applicable)(?:\b.*)?", re.I)
_LEADING_SHORT = re.compile(r"^(?:yes|no)(?:,[^.]*)?\.\s+(?=\S)", re.I)


@dataclass(frozen=True)
class Fitted:
    """The answer to write for one question, fitted to the question's polarity and form."""

    answer: RenderedAnswer | None
    """What to write; None when nothing the bank holds fits and a person must answer (never written, even with
    ``--review-mode fill``)."""
    form: Form
    """The question's form."""
    text_only: bool = False
    """Write ``answer.narrative`` as the answer text (open question or value field), with no Yes/No beside it."""
    review: bool = False
    """A person must check the answer."""
    notes: tuple[str, ...] = ()
    """Why, one sentence each."""
    negated: str | None = None
    """The words that make the question ask the opposite of the entry's question, if any."""


def fit_answer(text: str, allowed: tuple[str, ...] | None, entry: Any, answer: RenderedAnswer, engine: Any,
               section: str | None = None) -> Fitted:
    """Fit ``answer`` (entry ``entry``'s answer, status ok) to the question ``text`` whose short slot allows ``allowed``,
    under the heading ``section``."""
    form = classify_form(text, allowed)
    facts = getattr(engine, "flat_facts", {})
    scoped = gate(text, section, form.kind == "yes_no", entry, answer.narrative, facts)
    if scoped is not None and scoped.not_applicable:
        if form.kind in ("open", "value") or (allowed and not any(_NOT_APPLICABLE.fullmatch(a.strip()) for a in allowed)):
            # a dropdown without N/A (HECVAT's Yes/No) stays empty: the reason goes to the free-text cell beside it
            return Fitted(_from_scope(answer, scoped.scope.fact, facts, "", scoped.reason), form, text_only=True,
                          notes=(scoped.note,))
        return Fitted(_from_scope(answer, scoped.scope.fact, facts, "N/A", scoped.reason), form, notes=(scoped.note,))
    no = denied(text, answer.short, facts) if form.kind == "yes_no" else None
    if no is not None:
        scope, narrative = no
        return Fitted(_from_scope(answer, scope.fact, facts, "No", narrative), form,
                      notes=(f"the question asks whether the product has {scope.name}; {scope.fact} is "
                             f"{facts[scope.fact]}: answered No instead of entry {entry.id}'s N/A",))
    fitted = _fit(form, text, allowed, entry, answer, engine)
    if fitted.answer is None or fitted.review:
        return fitted
    if scoped is not None:
        return replace(fitted, review=True, notes=(*fitted.notes, scoped.note))
    unmet = unmet_qualifier(text, fitted.answer.narrative) if form.kind != "value" else None
    if unmet is not None:
        return replace(fitted, review=True, notes=(*fitted.notes, f"{unmet} (entry {entry.id}): check it, or answer it by hand"))
    return fitted


def _from_scope(answer: RenderedAnswer, fact: str, facts: Any, short: str, narrative: str) -> RenderedAnswer:
    """The answer the question's scope gives (marked by :data:`SCOPE_SOURCE`): it rests on the one fact that decides
    the scope, not on the entry's facts, evidence or customer responsibilities."""
    return replace(answer, source=answer.source + SCOPE_SOURCE, short=short, narrative=narrative, evidence=(),
                   facts=((fact, facts[fact]),), customer_responsibility=None)


def _fit(form: Form, text: str, allowed: tuple[str, ...] | None, entry: Any, answer: RenderedAnswer, engine: Any) -> Fitted:
    marker = negated(text, entry.question)
    if marker is not None:
        opposite = f"the question asks the opposite of entry {entry.id} ('{marker}')"
        if form.kind in ("open", "value"):
            return Fitted(None, form, review=True, negated=marker,
                          notes=(f"{opposite}; its answer does not describe this case: answer it by hand",))
        inverted = engine.render_negated(entry.id)
        if inverted is None or inverted.status != OK:
            why = "" if entry.negation is None else f" for the answer '{answer.short}'"
            return Fitted(None, form, review=True, negated=marker, notes=(
                f"{opposite}; writing its answer '{answer.short}' would say the opposite, and the entry declares no "
                f"safe inversion{why}: answer it by hand",))
        return Fitted(inverted, form, negated=marker,
                      notes=(f"{opposite}: answered '{inverted.short}' from the entry's declared negation",))
    if form.kind == "open":
        narrative = (answer.narrative or "").strip()
        body = _LEADING_SHORT.sub("", narrative)
        if len(body.split()) < 3:
            return Fitted(None, form, review=True,
                          notes=(f"an open question, and entry {entry.id} has no narrative that answers it: write one",))
        body = body[0].upper() + body[1:]
        return Fitted(replace(answer, short="", narrative=body), form, text_only=True)
    if form.kind == "value":
        return _value(form, entry, answer)
    if form.kind == "choice" and not (allowed and not _yes_no(allowed)) and answer.short in ("Yes", "No"):
        return Fitted(None, form, review=True, notes=(
            f"an either/or question: '{answer.short}' (entry {entry.id}) answers neither alternative; write which",))
    short_of = unmet_bar(text, answer.facts) if answer.short == "Yes" else None
    if short_of is not None:
        return Fitted(answer, form, review=True, notes=(short_of,))
    return Fitted(answer, form)


def _yes_no(allowed: tuple[str, ...]) -> bool:
    return {a.strip().casefold() for a in allowed} <= {"yes", "no", "n/a", "na"}


def _value(form: Form, entry: Any, answer: RenderedAnswer) -> Fitted:
    kind = form.value_type or ""
    values = list(dict.fromkeys(str(v) for f, v in answer.facts if value_type(f, v) == kind)) if kind in _ENTRY_VALUE_TYPES else []
    if len(values) != 1:
        found = f"{len(values)} {kind} values" if values else f"no {kind}"
        return Fitted(None, form, review=True,
                      notes=(f"a {kind} field, and the answer of entry {entry.id} holds {found}: fill it in",))
    return Fitted(replace(answer, short=values[0], narrative=values[0]), form, text_only=True)


def fact_fits_field(text: str, fact: str, value: Any) -> str | None:
    """Why the profile fact ``fact`` (holding ``value``) must not fill the field ``text``; None when it fits.

    A "Contact Phone Number" row routed to an e-mail address is the failure this prevents.
    """
    form = classify_form(text)
    if form.kind != "value" or form.value_type is None:
        return None
    have = value_type(fact, value)
    if have is None or have == form.value_type:
        return None
    return f"a {form.value_type} field, but profile fact {fact} holds a {have} ({value}): fill it in"
