"""Policy questions come in families: one answer for every topic a policy document covers.

CAIQ and the CCM ask the same two questions of every domain ("Are <topic> policies and procedures
established, documented, approved, communicated, applied, evaluated and maintained?" and "... reviewed and
updated at least annually?"), and SIG does much the same per section. Rather than one bank entry per topic,
the evidence index says which topics each policy document covers (``covers:``), and one bank entry per
family (``policy_family: established`` or ``reviewed``) answers for any covered topic, citing the document.

How a question's topic is found, so a reviewer can follow it:

1. :func:`family_of` recognises the family from the wording: "policies and procedures" (or "policy and
   procedures") with at least three of the lifecycle verbs (established, documented, approved,
   communicated, applied, evaluated, maintained, implemented, enforced), or with "reviewed" (revisited,
   re-approved, updated) and a yearly cadence ("at least annually", "yearly", "every 12 months").
2. :func:`topic_of` takes the words that name the policy ("Are <topic> policies ..." or "... policies and
   procedures for <topic> ..."), less the family's own words and stop words: "Are cryptography, encryption
   and key management policies and procedures ..." leaves *cryptography, encryption, key management*. A
   question that names no topic ("Are policies and procedures reviewed ...?") takes its section's
   (:func:`topic_of_section`: CAIQ's CCM domain title, a SIG sheet's name).
3. :func:`find_policy` compares the topic with each document's ``covers`` phrases after the matcher's
   normalisation (case, stemming, thesaurus concepts, so "cryptographic" meets "cryptography"). A
   phrase applies when all its terms are in the topic; a document covers the topic when the phrases
   that apply account for every term of the topic. A topic some word of which no phrase of one
   document accounts for ("e-discovery" beside "incident management") is not covered: the question goes
   to review with the words left over, never to a policy that covers only part of what is asked. Two
   documents that both cover it fully: the one whose longest applying phrase is longer wins, and a tie
   goes to review.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .models import EvidenceItem

_POLICIES = re.compile(r"\bpolic(?:y|ies)\s*(?:,|and|&|/)\s*(?:the\s+)?procedures?\b", re.IGNORECASE)
_LIFECYCLE = re.compile(
    r"\b(established|documented|approved|communicated|applied|evaluated|maintained|implemented|enforced)\b",
    re.IGNORECASE,
)
_REVIEWED = re.compile(r"\b(?:reviewed|revisited|re-?approved|re-?assessed|updated)\b", re.IGNORECASE)
_YEARLY = re.compile(
    r"\b(?:at least )?(?:annually|yearly|once a year|every year|each year|every (?:12|twelve) months)\b", re.IGNORECASE
)
# Words of the family's own wording: they say what is asked about the policy, never which policy.
_FAMILY_WORDS = frozenset(re.findall(r"\S+", """
    are is do does have has there a an the your our any of for to on in by with and or that which
    policy policies procedure procedures established establish documented document approved approve communicated
    communicate applied apply evaluated evaluate maintained maintain implemented implement enforced enforce
    reviewed review revisited revisit reapproved re-approved reassessed re-assessed updated update at least annually yearly once year every each twelve 12 months month
    organization organisation organizational organisational company formal formally written relevant related
    """))


def family_of(question: str) -> str | None:
    """``established`` or ``reviewed`` when ``question`` has the policy family's wording, else None."""
    if not _POLICIES.search(question):
        return None
    if _REVIEWED.search(question) and _YEARLY.search(question):
        return "reviewed"
    if len({m.lower() for m in _LIFECYCLE.findall(question)}) >= 3:
        return "established"
    return None


@dataclass(frozen=True)
class Topic:
    """What a policy-family question is about."""

    text: str
    """The topic in the question's own words, e.g. ``cryptography, encryption and key management``."""
    terms: frozenset[str]
    """Its normalised terms (stems and thesaurus concepts), what documents are compared on."""


def topic_of(question: str) -> Topic | None:
    """The topic a policy-family question names, or None when it names none ("Are policies and procedures ...")."""
    # The topic's own span is analysed, not the whole question: the thesaurus would read "security policies" of
    # "application security policies" as one concept and lose the topic's last word.
    text = _topic_text(question)
    terms = _terms(text) - _family_terms()
    if not terms:
        return None
    return Topic(text, frozenset(terms))


def topic_of_section(section: str | None) -> Topic | None:
    """The topic a section heading names ("Logging and Monitoring"), for a family question that names none."""
    if not section:
        return None
    terms = _terms(section) - _family_terms()
    return Topic(section.strip(), frozenset(terms)) if terms else None


@dataclass(frozen=True)
class PolicyMatch:
    """The outcome of looking a topic up in the evidence index."""

    topic: Topic
    """The question's topic."""
    document: EvidenceItem | None
    """The document that covers the topic, or None."""
    phrases: tuple[str, ...] = ()
    """The document's covers phrases that applied."""
    reason: str = ""
    """Why no document was chosen (empty when one was)."""


def find_policy(topic: Topic, documents: Iterable[EvidenceItem]) -> PolicyMatch:
    """The evidence document whose ``covers`` phrases account for every term of ``topic`` (see module doc)."""
    full: list[tuple[int, EvidenceItem, tuple[str, ...]]] = []
    best_partial: tuple[int, EvidenceItem, frozenset[str]] | None = None
    for doc in documents:
        applying = [(p, t) for p in doc.covers if (t := _terms(p)) and t <= topic.terms]
        if not applying:
            continue
        # A phrase accounts for its concepts and for its plain words: the thesaurus reads "cryptographic key
        # management" as key_management + "management", and "key management" covers both.
        covered = frozenset().union(*(t | _stems(p) for p, t in applying))
        if covered >= topic.terms:
            full.append((max(len(t) for _, t in applying), doc, tuple(p for p, _ in applying)))
        elif best_partial is None or len(covered) > best_partial[0]:
            best_partial = (len(covered), doc, covered)
    if full:
        full.sort(key=lambda f: -f[0])
        if len(full) > 1 and full[0][0] == full[1][0]:
            names = " and ".join(f"{f[1].id}" for f in full[:2])
            return PolicyMatch(topic, None, reason=f"both {names} cover '{topic.text}'; name one in a learned mapping or narrow their covers lists")
        return PolicyMatch(topic, full[0][1], full[0][2])
    if best_partial is not None:
        left = ", ".join(sorted(_words_for(topic, topic.terms - best_partial[2])))
        return PolicyMatch(topic, None, reason=f"{best_partial[1].id} covers part of '{topic.text}' but not: {left}")
    return PolicyMatch(topic, None, reason=f"no document in evidence/index.yaml covers '{topic.text}'")


def _topic_text(question: str) -> str:
    """The question's words that name the topic, in order, for the narrative and the notes."""
    text = " ".join(question.split()).rstrip("?. ")
    # "Are <topic> policies and procedures ..." or "... policies and procedures for <topic> ..."
    before = re.match(r"^(?:are|is|do|does|have|has)\s+(?:there\s+)?(?:the\s+|your\s+|any\s+)?(.+?)\s+polic(?:y|ies)\b", text, re.IGNORECASE)
    if before:
        return before.group(1).strip(" ,")
    after = re.search(r"polic(?:y|ies)\s*(?:,|and|&|/)\s*procedures?\s+(?:for|on|covering|about|related to|governing)\s+(.+?)(?:\s+(?:established|documented|approved|reviewed|that|which|been|are|is)\b|$)", text, re.IGNORECASE)
    if after:
        return after.group(1).strip(" ,")
    return " ".join(w for w in re.findall(r"[\w&'-]+", text) if w.lower() not in _FAMILY_WORDS)


def _words_for(topic: Topic, terms: Iterable[str]) -> list[str]:
    """The topic's own words behind some of its terms (for a note a person reads)."""
    wanted = set(terms)
    words = [w for w in re.findall(r"[\w'-]+", topic.text) if _terms(w) & wanted]
    return words or sorted(wanted)


@functools.lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    from .matching.thesaurus import load_thesaurus

    return frozenset(load_thesaurus().analyze(text).terms)


@functools.lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    from .matching.thesaurus import load_thesaurus

    normalizer = load_thesaurus()
    raw, stems = normalizer.stemmed(text)
    return frozenset(s for w, s in zip(raw, stems, strict=True) if w not in normalizer.stop_words)


@functools.lru_cache(maxsize=1)
def _family_terms() -> frozenset[str]:
    return frozenset().union(*(_terms(w) for w in _FAMILY_WORDS))
