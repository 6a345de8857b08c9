"""Does the answer establish every qualifier the question adds?

"Are physical backups taken off-site (i.e., physically moved off site)?" matches the off-site backup entry, whose
"Yes" is true of cloud backups copied to another region, and says nothing about physical media. "Can you enforce
password complexity requirements (provided by the institution)?" matches the product's password policy, which is
ours, not one the institution sets. "Do you physically and logically separate the institution's data?" matches
tenant isolation, which is logical only. Each question narrows the entry's topic with a qualifier its answer does
not establish, so the entry's "Yes" overstates (and its "No" may be beside the point).

A qualifier is a short, precise pattern on the question and a pattern of what an answer establishing it says. When
the question names one and the rendered narrative says nothing of the kind, the row goes to review with the
reason. The narrative is read, not the entry's phrasings: aliases are written to find the topic, and an alias that
names the qualifier ("Can the institution configure ... ?") does not make the answer say it.

Kept to qualifiers that change what a true answer is; a missed one still needs a match with an answer of the
wrong scope, while a false one only sends a question to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["QUALIFIERS", "Qualifier", "unmet_qualifier"]


@dataclass(frozen=True)
class Qualifier:
    """A narrowing the question may add and what an answer that establishes it says."""

    name: str
    """What it is about, for the review note."""
    question: re.Pattern[str]
    """The words in the question that add it."""
    answer: re.Pattern[str]
    """What a narrative establishing it says; no match means it does not."""


_PARTY = r"(?:institution|customer|client|university|college|campus|organi[sz]ation|tenant|school|agency)"
QUALIFIERS: tuple[Qualifier, ...] = (
    Qualifier(
        "physical media",
        re.compile(r"\bphysical (?:backups?|media|tapes?|copies|disks?|drives?)\b|\bphysically (?:moved|transported|shipped|"
                   r"taken|carried|removed|rotated)\b|\bbackup tapes?\b|\btape (?:backups?|rotation|media)\b|\bremovable media\b", re.I),
        re.compile(r"\b(?:tapes?|physical (?:media|copies|backups?|disks?|drives?)|removable media|couriers?|vaults?|"
                   r"shipped|transported|no physical)\b", re.I),
    ),
    Qualifier(
        "physical separation",
        re.compile(r"\bphysically,? (?:and|&|or) logically\b|\blogically,? (?:and|&) physically\b|\bphysical (?:and|&|or) logical\b"
                   r"|\bphysically (?:separate[ds]?|segregated?|isolated?|distinct)\b|\bphysical (?:separation|segregation|isolation)\b", re.I),
        re.compile(r"\bphysical(?:ly)? (?:separat|segregat|isolat|distinct|dedicated)|\bdedicated (?:hardware|servers?|hosts?|instances?|"
                   r"infrastructure|database servers?)\b|\bsingle[- ]tenant\b|\bno physical\b|\bnot physically\b", re.I),
    ),
    Qualifier(
        "requirements the customer sets",
        re.compile(rf"\b(?:provided|supplied|defined|set|specified|chosen|configured|determined|dictated) by (?:the |your |our |each |an? )?"
                   rf"{_PARTY}s?\b|\b{_PARTY}[- ](?:provided|supplied|defined|specified|configured|determined)\b", re.I),
        re.compile(rf"\b{_PARTY}s?\b[^.]{{0,60}}\b(?:configur\w*|set|sets|define|defines|choose|chooses|customi[sz]e\w*|adjust\w*|"
                   rf"specif(?:y|ies)|own policy)\b|\b(?:configurable|customi[sz]able|adjustable)\b", re.I),
    ),
    Qualifier(
        "data centers the company owns",
        re.compile(r"\b(?:own|owns|owned|operate|operates|run|runs) (?:the |its |your |their |a |any )?(?:own )?(?:physical )?"
                   r"data ?cent(?:er|re)s?\b|\b(?:company|vendor|self)[- ]owned data ?cent(?:er|re)s?\b", re.I),
        re.compile(r"\b(?:our own|company[- ]owned) (?:physical )?data ?cent(?:er|re)s?\b|\bno data ?cent(?:er|re)s? of our own\b"
                   r"|\b(?:we|do not|don't|never) (?:own|operate|run) (?:any |our |the |its |all )?(?:own )?(?:physical )?data ?cent"
                   r"|\bdata ?cent(?:er|re)s? (?:that )?we (?:own|operate|run)\b", re.I),
    ),
    Qualifier(
        "subcontractors",
        re.compile(r"\b(?:sub-?contractors?|sub-?processors?|subservice organi[sz]ations?)\b", re.I),
        re.compile(r"\b(?:sub-?contractors?|sub-?processors?|subservice|vendors?|suppliers?|third[- ]part(?:y|ies)|"
                   r"service providers?)\b", re.I),
    ),
)


def unmet_qualifier(question: str, narrative: str | None) -> str | None:
    """Why the answer ``narrative`` does not establish a qualifier ``question`` adds; None when it adds none or the
    narrative establishes each."""
    for q in QUALIFIERS:
        hit = q.question.search(question)
        if hit is not None and not q.answer.search(narrative or ""):
            return f"the question asks about {q.name} ('{hit.group(0)}'), which the answer does not establish"
    return None
