"""Does the question apply to this company at all?

Questionnaires group questions by scope: HECVAT's "On-Premises Data Solutions", "Consulting Services" and AI sections,
VSAQ's "Running Own Data Centers". Under such a heading a plain question takes the heading's subject: "Do you
support role-based access control for system administrators?" under *On-Premises Data Solutions* asks about the
software the institution would run, and "Can access be restricted based on source IP address?" under *Consulting*
asks about the consultants' access to the institution's network. The matcher finds an entry for the words alone,
whose answer is about our hosted product; written there it answers a question that was not asked.

The profile says which scopes exist: a SaaS (``deployment.model``) has no on-premises components, a product without
AI features (``ai.features``) has no AI section to fill, a company hosted in a provider's data centers
(``hosting.uses_third_party_datacenters``) runs none of its own, one that offers no professional services
(``company.professional_services``) sends no consultants. A question in a scope the profile rules out is answered
"N/A" with the reason; one in a scope that holds but belongs to another party (consultants) goes to review unless
its answer speaks of that party. The profile stays the single source of truth: a scope whose deciding fact is not
set changes nothing.

Left alone, because they stay true under any heading: facts about the organisation (entries of category
``Company``: years in business, customers in the sector), and yes/no questions answered by an entry about the
scope itself (an AI entry already says "No" or "N/A" for a product without AI features). A heading that joins the
scope to another topic ("Data & AI") gates only the questions that name the scope themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SCOPES", "Gate", "Scope", "denied", "gate"]


@dataclass(frozen=True)
class Scope:
    """A part of a questionnaire that applies only to companies with some property."""

    name: str
    """What the scope is, for notes."""
    heading: re.Pattern[str]
    """Section headings (and, under a mixed heading, question words) that put a question in the scope."""
    fact: str
    """The profile fact that decides whether the scope exists."""
    absent: Callable[[Any], bool]
    """True for a value of ``fact`` that rules the scope out."""
    reason: Callable[[Mapping[str, Any]], str]
    """The one-line reason written as the narrative of an N/A, from the profile's facts."""
    category: re.Pattern[str] | None = None
    """Bank categories of entries about the scope itself: their yes/no answers stand."""
    party: re.Pattern[str] | None = None
    """When the scope is another party's work: what an answer about that party mentions. Where the scope holds, an
    answer that does not mention it goes to review."""
    exists: re.Pattern[str] | None = None
    """A yes/no question asking whether the product has the scope at all ("Does your service use AI ...?"): where
    the profile rules the scope out its answer is "No", never "N/A"."""
    denial: Callable[[Mapping[str, Any]], str] | None = None
    """The narrative of that "No"."""


def _product(facts: Mapping[str, Any]) -> str:
    return str(facts.get("company.product") or "our product")


def _hosted_by(facts: Mapping[str, Any]) -> str:
    provider = facts.get("hosting.provider")
    return f" run by {provider}" if provider else " run by our hosting provider"


SCOPES: tuple[Scope, ...] = (
    Scope(
        "on-premises components",
        re.compile(r"\bon[- ]?prem(?:ise|ises)?\b|\bself[- ]hosted\b|\b(?:institution|customer|client)[- ]hosted\b", re.I),
        "deployment.model",
        lambda v: v == "saas",
        lambda f: f"Not applicable: {_product(f)} is a hosted service (SaaS); it has no on-premises components for the institution to run.",
    ),
    Scope(
        "data centers of our own",
        re.compile(r"\b(?:own|private) data ?cent(?:er|re)s?\b|\bdata ?cent(?:er|re)s? (?:you|we) (?:own|operate|run)\b", re.I),
        "hosting.uses_third_party_datacenters",
        lambda v: v is True,
        lambda f: f"Not applicable: we run no data centers of our own; {_product(f)} is hosted in data centers{_hosted_by(f)}.",
    ),
    Scope(
        "AI features",
        re.compile(r"\bAI\b|\bML\b|\bLLMs?\b|\bGenAI\b|(?i:\bartificial intelligence\b|\bmachine learning\b|\blarge language models?\b"
                   r"|\bgenerative\b)"),
        "ai.features",
        lambda v: v is False,
        lambda f: f"Not applicable: {_product(f)} has no AI or machine-learning features.",
        category=re.compile(r"\bAI\b|machine learning", re.I),
        exists=re.compile(r"^(?!.*\bplans?\b)(?:does|do|is|are|will)\b[^?]{0,40}\byour (?:solution|service|product|application|"
                          r"platform|system|software)s?\b[^?]{0,20}?\b(?:use|uses|using|leverage|leverages|employ|employs|have|has|"
                          r"include|includes|incorporate|incorporates|rel(?:y|ies) on|contain|contains|offer|offers)\b[^?]{0,20}?"
                          r"\b(?:AI|artificial intelligence|machine learning|ML|LLMs?|large language models?|generative AI)"
                          r"(?:[- ](?:features?|capabilit(?:y|ies)|functionality|functions|components?|models?|tools?|services?))?"
                          r"\s*(?:[?.]|$|\b(?:for|to|in|on|when|within|as|or|and|with)\b)", re.I),
        denial=lambda f: f"No. {_product(f)} has no AI or machine-learning features.",
    ),
    Scope(
        "consultants' work for the institution",
        re.compile(r"\bconsult(?:ing|ants?|ancy)\b|\bprofessional services\b", re.I),
        "company.professional_services",
        lambda v: v == "none",
        lambda f: "Not applicable: we provide no consulting or professional services.",
        party=re.compile(r"\bconsult\w*|\bprofessional services\b|\bon[- ]?site (?:staff|personnel|engineers?|work)\b", re.I),
    ),
)
_MIXED = re.compile(r"\s(?:and|&|\+)\s|,", re.I)
_ORGANISATION = "company"


@dataclass(frozen=True)
class Gate:
    """What the scope of a question's section does to its answer."""

    scope: Scope
    not_applicable: bool
    """True: write N/A with ``reason``; False: the answer goes to review with ``note``."""
    reason: str
    """The narrative of the N/A (not_applicable), else empty."""
    note: str
    """Why, for the report and the review sheet."""


def gate(question: str, section: str | None, yes_no: bool, entry: Any, narrative: str | None,
         facts: Mapping[str, Any]) -> Gate | None:
    """The scope ``section`` puts ``question`` in, when it changes the answer of ``entry`` (whose rendered narrative is
    ``narrative``); None when the question is in no scope, the scope's fact is not set, or the answer stands."""
    if not section or (getattr(entry, "category", "") or "").strip().casefold() == _ORGANISATION:
        return None
    for scope in SCOPES:
        hit = scope.heading.search(section)
        if hit is None or scope.fact not in facts:
            continue
        if _MIXED.search(section) and not scope.heading.search(question):
            continue  # "Data & AI": only the questions about AI are in the AI scope
        value = facts[scope.fact]
        if scope.absent(value):
            if yes_no and scope.category is not None and scope.category.search(getattr(entry, "category", "") or ""):
                return None
            return Gate(scope, True, scope.reason(facts),
                        f"the section '{section}' is about {scope.name}, which the profile rules out ({scope.fact}: {value}): "
                        f"answered N/A instead of entry {entry.id}'s answer")
        if scope.party is not None and not scope.party.search(narrative or ""):
            return Gate(scope, False, "", f"the section '{section}' asks about {scope.name}; entry {entry.id}'s answer is "
                                          f"about something else: check it answers this question")
        return None
    return None


def denied(question: str, short: str | None, facts: Mapping[str, Any]) -> tuple[Scope, str] | None:
    """(scope, narrative) when ``question`` asks whether the product has a scope the profile rules out and the
    answer ``short`` is "N/A": the true answer is "No". None otherwise."""
    if (short or "").strip().casefold() not in ("n/a", "na"):
        return None
    for scope in SCOPES:
        if (scope.exists is not None and scope.denial is not None and scope.fact in facts and scope.absent(facts[scope.fact])
                and scope.exists.search(question.strip())):
            return scope, scope.denial(facts)
    return None
