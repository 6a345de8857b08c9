"""Shared detection helpers for tabular questionnaires (xlsx, csv): header roles, question-likeness, ids,
placeholders and boilerplate.

The API is small on purpose; every function takes plain strings so any tabular importer can use it:

- :class:`Role` and :func:`header_role` -- what a header cell names (question, short answer, narrative, ...).
- :func:`find_header_row` -- the most header-like row among the first rows of a table.
- :func:`question_score` -- 0-1, how much a text reads like a question.
- :func:`looks_like_id` -- whether a short text is a question id (``HFIH-01``, ``A&A-01``, ``1.2.3``).
- :func:`is_placeholder` / :func:`slot_state` -- instruction text in an answer cell vs a real answer.
- :func:`is_boilerplate` -- copyright / licence lines and "End Table Data"-style markers.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..questionnaire import SlotState


class Role(str, enum.Enum):
    """What a column holds. The values are the keys of ``Layout.columns``."""

    QUESTION = "question"
    SHORT = "short"
    NARRATIVE = "narrative"
    COMMENT = "comment"
    ID = "id"
    SECTION = "section"
    OWNERSHIP = "ownership"
    """Who owns the control (CAIQ's 'SSRM Control Ownership')."""
    CUSTOMER_RESPONSIBILITY = "customer_responsibility"
    """What the customer must do (CAIQ's 'CSC Responsibilities')."""
    OTHER = "other"
    """A recognised header that must not receive answers: guidance, analyst notes, scores..."""


def normalize(text: str) -> str:
    """Lowercase, '&' -> 'and', punctuation to spaces (keeping '#' and '?'), single spaces."""
    t = text.lower().replace("&", " and ").replace("’", "'").replace("e-mail", "email")
    t = re.sub(r"[^a-z0-9#?]+", " ", t)
    return " ".join(t.split())


# Order matters: a header is tested against these in turn and the first match wins.
_OTHER = re.compile(
    r"\b(guidance|analyst|analysts|reviewer|assessor|auditor|internal use|official use|score|scoring|weight|"
    r"importance|override|compliant response|expected|reason for|default|scorecard|mapping|crosswalk|hint|"
    r"help text|instructions?|example|sample|institution s|for institution|risk rating|priority|owner|assignee)\b"
)
_ID = re.compile(
    r"^(?:(?:question|ques|q|item|control|requirement|req|criteria|ref|reference|sig|caiq)\s)?"
    r"(?:id|ids|ref|ref no|ref number|reference id|no|num|number|#|code|identifier|key|serial|sl no|sr no|s no)"
    r"(?:\s(?:no|#|number))?$"
)
_Q_ID = re.compile(r"^q\s?#$|^#$")
# CAIQ v4's shared-responsibility columns, named after the cloud security shared responsibility model (SSRM).
_OWNERSHIP = re.compile(r"\b(ssrm|control ownership|shared responsibility)\b")
_CUSTOMER_RESPONSIBILITY = re.compile(r"\b(csc|customer|consumer|tenant) responsibilit(?:y|ies)\b")
_NARRATIVE = re.compile(
    r"\b(implementation description|comments?|notes?|remarks?|explanation|explain|additional (?:information|info|details?|comments?)|"
    r"details?|justification|elaborat\w*|narrative|clarification|description of (?:the )?(?:response|answer|control)|"
    r"response details?|supporting information|free text|context)\b"
)
_COMMENT = re.compile(
    r"\b(evidence|references?|links?|urls?|attachments?|artifacts?|documentation|supporting documents?|"
    r"document (?:name|link|reference)|proof|policy reference)\b"
)
_SHORT = re.compile(
    r"\b(answers?|responses?|reply|yes no|y n|yes no n a|compliance|compliant|implemented|in place|"
    r"selection|choice|status|vendor input|your input)\b"
)
_QUESTION = re.compile(
    r"\b(questions?|requirements?|controls?|description|item|items|criteria|criterion|query|queries|"
    r"statement|assessment question|control objective|ask)\b"
)
_SECTION = re.compile(
    r"^(?:ccm |control )?(category|section|domain|topic|area|group|heading|chapter|subject|control family|family)"
    r"(?: title| name)?$"
)


@functools.lru_cache(maxsize=65536)
def header_role(text: str | None) -> Role | None:
    """The role a header cell names, or None when it names none we know.

    Examples: ``"Question"`` -> QUESTION, ``"Vendor Answers"`` -> SHORT, ``"Additional Information"`` ->
    NARRATIVE, ``"Evidence"`` -> COMMENT, ``"Ref #"`` -> ID, ``"Analyst Notes"`` -> OTHER.
    """
    if not text:
        return None
    t = normalize(text)
    if not t or len(t) > 60:
        return None
    if _ID.match(t) or _Q_ID.match(t):
        return Role.ID
    if _OTHER.search(t):
        return Role.OTHER
    if _SECTION.match(t):
        return Role.SECTION
    if _OWNERSHIP.search(t):
        return Role.OWNERSHIP
    if _CUSTOMER_RESPONSIBILITY.search(t):
        return Role.CUSTOMER_RESPONSIBILITY
    if _NARRATIVE.search(t):
        return Role.NARRATIVE
    if _COMMENT.search(t):
        return Role.COMMENT
    if _SHORT.search(t):
        return Role.SHORT
    if _QUESTION.search(t):
        return Role.QUESTION
    return None


@dataclass(frozen=True)
class HeaderGuess:
    """A header row found by :func:`find_header_row`."""

    row: int
    """0-based index into the rows given."""
    roles: dict[Role, int]
    """Role -> 0-based column index (first column naming it; OTHER omitted)."""
    score: float
    """0-1: 1 when question, short answer and narrative columns are all named."""


def find_header_row(rows: Sequence[Sequence[str | None]], max_rows: int = 30) -> HeaderGuess | None:
    """The most header-like row among the first ``max_rows``, or None.

    A row counts when it names at least one answer-ish role (short, narrative) plus a question or id
    column, or two roles of any kind; long or question-like cells disqualify a row (that is data).
    """
    best: HeaderGuess | None = None
    for i, row in enumerate(rows[:max_rows]):
        roles: dict[Role, int] = {}
        bad = False
        for j, cell in enumerate(row):
            if cell is None or not str(cell).strip():
                continue
            text = str(cell)
            if len(text) > 60 or text.strip().endswith("?"):
                bad = True
                break
            role = header_role(text)
            if role is not None and role is not Role.OTHER and role not in roles:
                roles[role] = j
        if bad or len(roles) < 2:
            continue
        score = (
            0.3 * (Role.QUESTION in roles) + 0.3 * (Role.SHORT in roles) + 0.15 * (Role.NARRATIVE in roles)
        )
        score += 0.1 * (Role.ID in roles) + 0.1 * (Role.COMMENT in roles) + 0.05 * (Role.SECTION in roles)
        if best is None or score > best.score:
            best = HeaderGuess(i, roles, round(min(score, 1.0), 2))
    return best


_INTERROGATIVE = re.compile(
    r"^(?:\d+[.)]\s*)?(do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|shall|may|must|"
    r"how|what|which|who|whom|whose|where|when|why|describe|explain|provide|list|identify|indicate|specify|"
    r"please|state|detail|confirm|outline|summarize|summarise|attach|share|select|if so|if yes|if no|"
    r"to what extent|in what|use this)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|all rights reserved|licen[cs]ed under|creative commons|\bcc by\b|"
    r"^end (?:of )?(?:the )?(?:table|data|section|questionnaire|sheet|worksheet|workbook|document|form|survey)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=65536)
def question_score(text: str | None) -> float:
    """0-1: how much ``text`` reads like a question or a request for information.

    1.0 for text ending in '?', 0.8 for text starting with Do/Does/Is/Describe/Provide..., 0.4 for a long
    sentence, 0.15 for a short phrase, 0 for ids, numbers and boilerplate.
    """
    if not text:
        return 0.0
    t = text.strip()
    if len(t) < 3 or is_boilerplate(t) or looks_like_id(t):
        return 0.0
    if re.fullmatch(r"[\d\s.,%$-]+", t):
        return 0.0
    if re.search(r"\?\s*[*)]?\s*$", t) or "? " in t[-40:]:
        return 1.0
    if _INTERROGATIVE.match(t):
        return 0.8
    words = len(t.split())
    if words >= 6 and len(t) >= 40:
        return 0.4
    if words >= 2:
        return 0.15
    return 0.05


_ID_PATTERNS = (
    re.compile(
        r"^[A-Za-z][A-Za-z&/.]{0,11}[-_ .]?\d{1,4}(?:[-_.]\d{1,4})*[A-Za-z]?$"
    ),  # HFIH-01 A&A-01 AC-2 A.5.1
    re.compile(r"^\d{1,4}(?:\.\d{1,4})*\.?[A-Za-z]?$"),  # 1, 1.2, 1.2.3, 12a
    re.compile(r"^[A-Za-z]{1,3}\d{1,4}(?:\.\d{1,4})*$"),  # Q1, Q1.2
)


@functools.lru_cache(maxsize=65536)
def looks_like_id(text: str | None) -> bool:
    """True for question ids: ``HFIH-01``, ``A&A-01``, ``AC-2``, ``IAM.01``, ``1.2.3``, ``Q12``."""
    if not text:
        return False
    t = text.strip()
    if not t or len(t) > 24:
        return False
    return any(p.match(t) for p in _ID_PATTERNS)


@functools.lru_cache(maxsize=65536)
def is_boilerplate(text: str | None) -> bool:
    """True for copyright / licence lines and end-of-table markers ("End Table Data")."""
    return text is not None and _BOILERPLATE.search(text.strip()) is not None


_PLACEHOLDER_TEXTS = """
    select|select one|select an option|select option|select from list|select from the list|select from dropdown|
    select from drop down|select from drop-down|select response|select answer|please select|please choose|choose|
    choose one|choose an item|choose an option|choose from list|pick one|enter response here|enter text here|
    enter answer here|enter answer|enter response|enter your response|enter your answer|enter your answer here|
    enter your response here|enter comments|enter comments here|enter text|type here|type answer|type answer here|
    type your answer|type your answer here|type response|insert response|insert answer|insert text|your answer|
    your answer here|your response|your response here|answer here|response here|add response|add comments|
    click here to enter text|click or tap here to enter text|click here to enter a date|click or tap to enter a date|
    yes no|yes no n a|y n|tbd|xxx|mm dd yyyy|dd mm yyyy|yyyy mm dd|mm yyyy|date|555 555 5555|
    see instructions tab for guidance|see instructions|n a or comment|optional|required
    """
_PLACEHOLDERS = {normalize(p) for p in _PLACEHOLDER_TEXTS.split("|")}
_PLACEHOLDER_RE = re.compile(
    r"^(?:\[[^\]]*\]|<[^>]*>|\{[^}]*\}|-+\s*select[^-]*-+|\.{3,}|_+|e\.?\s?g\.?[\s,].*|"
    r"\(?\s*(?:select|choose|enter|type|insert|click)\s+(?:an?|one|your|the|response|answer|text|here|from|option|"
    r"value|date|comments?|all)\b.{0,40})$|vendor\.domain|yourdomain|example\.(?:com|org|net)|"
    r"\b(?:mm|dd)[/.-](?:dd|mm)[/.-]yy(?:yy)?\b|^(?:a )?(?:brief|short) (?:summary|description|overview) of\b",
    re.IGNORECASE,
)


def is_placeholder(text: str | None, question: str | None = None) -> bool:
    """True when an answer cell holds instructions rather than an answer.

    Catches "Select", "Choose one", "Enter response here", "[Type answer]", "<answer>", "e.g., CRM, LMS",
    "mm/dd/yyyy", "555-555-5555", example domains, and text that only echoes the question ("Vendor Name"
    under the question "Vendor Name", "Vendor Contact E-mail Address" under "Vendor Contact Email").
    """
    if not text:
        return False
    t = text.strip()
    n = normalize(t)
    if n in _PLACEHOLDERS or _PLACEHOLDER_RE.search(t):
        return True
    if question:
        return _echoes(n, normalize(question))
    return False


_STOP = {"of", "the", "a", "an", "and", "or", "to", "for", "in", "on", "your", "our", "its", "if", "is", "be"}


def _echoes(answer: str, question: str) -> bool:
    """True when a short answer is mostly the question's own words (a template's sample text)."""
    a = [w for w in answer.split() if len(w) > 1 and w not in _STOP]
    if not a or len(a) > 8:
        return False
    if answer == question or answer.startswith(question + " ") or question.startswith(answer + " "):
        return True
    q = set(question.split()) | {_stem(w) for w in question.split()}
    shared = sum(1 for w in a if w in q or _stem(w) in q)
    return len(a) >= 2 and shared / len(a) >= 0.6


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s", "e"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def slot_state(text: str | None, *, formula: bool = False, question: str | None = None) -> SlotState:
    """The state of an answer cell from its text: FORMULA, EMPTY, PLACEHOLDER or ANSWERED."""
    if formula:
        return SlotState.FORMULA
    if text is None or not text.strip():
        return SlotState.EMPTY
    if is_placeholder(text, question):
        return SlotState.PLACEHOLDER
    return SlotState.ANSWERED
