"""What kind of answer a customer's question asks for, and what kind of value a fact holds.

A yes/no question takes the short answer; an open question ("Describe how you validate user inputs") takes the
narrative and never a bare "Yes"; a value field ("Vendor Contact Phone Number", "Web Link to Product Privacy
Notice") takes exactly one value of its type. Choice questions are those whose answer slot lists allowed values
other than yes/no.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["VALUE_TYPES", "Form", "classify_form", "value_type"]

FormKind = Literal["yes_no", "choice", "open", "value"]
VALUE_TYPES = ("email", "phone", "url", "country", "date", "address", "number", "name")


@dataclass(frozen=True)
class Form:
    """The form of one question."""

    kind: FormKind
    """``yes_no``, ``choice`` (the slot's allowed values), ``open`` (describe, explain, list, how ...) or ``value``."""
    value_type: str | None = None
    """For value fields: email, phone, url, country, date, address, number or name."""


_YES_NO_START = frozenset(
    ["do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "shall", "should", "may", "must", "am"]
)
_OPEN_START = frozenset(
    ["describe", "explain", "list", "outline", "detail", "summarize", "summarise", "elaborate", "provide", "give", "specify", "identify", "state", "indicate", "how", "what", "what's", "whats", "where", "which", "who", "whom", "whose", "when", "why", "name"]
)
_LEAD = re.compile(r"^(?:[\w.-]*\d[\w.-]*\s+)?(?:(?:please|kindly)\s+)?(?:also\s+)?", re.I)
_LABELS = re.compile(r"\b(?:description|overview|summary|details|explanation|comments?)\b", re.I)
# Value fields: a label naming one value. Order matters: "Contact Phone Number" is a phone, not a number.
_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"\be-?mail(?: address)?\b", re.I)),
    ("phone", re.compile(r"\b(?:tele)?phone\b|\bmobile (?:number|no)\b|\bfax\b", re.I)),
    ("url", re.compile(r"\b(?:url|web ?link|link to|hyperlink|web ?site|web address|web page|homepage)\b", re.I)),
    ("country", re.compile(r"\bcountry\b", re.I)),
    ("date", re.compile(r"\bdate\b", re.I)),
    ("address", re.compile(r"\b(?:street |postal |mailing |physical |office )?address\b", re.I)),
    ("number", re.compile(r"\b(?:number of|how many|count of|headcount)\b", re.I)),
    ("name", re.compile(r"\bnames?\b", re.I)),
)
_MAX_LABEL_WORDS = 12


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.casefold())


# "Is intrusion monitoring performed internally or by a third-party service?" asks which, not whether: Yes/No
# answers neither half. Kept to who-does-it alternatives, where a Yes/No is never the answer.
_EITHER_OR = re.compile(
    r"\b(?:internally|in[- ]house|on[- ]site|by (?:your|our) own (?:staff|team|employees))\s*,?\s+or\s+(?:by\s+|through\s+|via\s+)?"
    r"(?:an?\s+|the\s+)?(?:third[- ]part|external|outsourc|vendor|provider|partner|contractor|managed)"
    r"|\b(?:third[- ]part(?:y|ies)|externally|outsourced)\s+or\s+(?:internally|in[- ]house)\b",
    re.I,
)


def classify_form(text: str, allowed: tuple[str, ...] | None = None) -> Form:
    """The form of the question ``text`` whose short-answer slot allows ``allowed`` (None: free text)."""
    stripped = _LEAD.sub("", text.strip())
    words = _words(stripped)
    first = words[0] if words else ""
    if first in _YES_NO_START:
        return Form("choice") if _EITHER_OR.search(stripped) and not (allowed and not _yes_no_choices(allowed)) else Form("yes_no")
    if allowed and not _yes_no_choices(allowed):
        return Form("choice")
    if len(words) <= _MAX_LABEL_WORDS:
        for kind, pattern in _VALUE_PATTERNS:
            if pattern.search(stripped) and not _LABELS.search(stripped):
                # "What is your data retention period?" is open; "Provide a link to ..." is a URL field
                if kind == "name" and first in ("what", "which", "how"):
                    break
                return Form("value", kind)
    if first in _OPEN_START or (_LABELS.search(stripped) and "?" not in stripped):
        return Form("open")
    return Form("yes_no")


def _yes_no_choices(allowed: tuple[str, ...]) -> bool:
    folded = {re.sub(r"[^a-z/]+", " ", a.casefold()).strip() for a in allowed}
    return bool(folded) and folded <= {"yes", "no", "n/a", "na", "y", "n", "not applicable", "true", "false", "partially", "partial"}


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,}(?:\s*(?:ext\.?|x)\s*\d+)?$", re.I)


def value_type(fact: str, value: Any) -> str | None:
    """The value type of a profile fact's value (email, phone, url, ...), or None when it is none of them."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int):
        return "number"
    text = str(value).strip()
    leaf = fact.rsplit(".", 1)[-1]
    if _EMAIL.match(text):
        return "email"
    if _URL.match(text):
        return "url"
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 7:
        return "phone"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return "date"
    if "country" in leaf:
        return "country"
    if "headquarters" in leaf or "address" in leaf:
        return "address"
    if leaf.endswith("name") or leaf in ("product", "legal_name", "contact_title"):
        return "name"
    return None
