"""Recognise rows that are not security questions: profile fields, form fields, headings, blanks.

Questionnaires open with a vendor-information block ("Company name", "Security contact email",
"Website", "Date", "Signature") and break questions up with section headings. Those rows must not
reach the fuzzy matcher, where "Vendor name" could drift towards some vendor-management entry.
Profile fields that trustfill can fill from the company profile carry the fact name
(``company.name`` ...); the rest are skipped without one.

The patterns are a small table (:data:`FIELDS`), each a regular expression that must match the
*whole* folded text after lead-ins such as "please provide" or "what is your" are removed, so
"Contact email" is a field and "Do you encrypt email?" is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .normalize import tokens

__all__ = ["FIELDS", "NonSecurity", "classify"]

Kind = Literal["empty", "heading", "profile", "form"]


@dataclass(frozen=True)
class NonSecurity:
    """Why a row is not matched against the bank."""

    kind: Kind
    """``empty`` (blank or no words), ``heading`` (section title, instructions), ``profile`` (a
    company-profile field trustfill can fill) or ``form`` (another form field: date, signature ...)."""
    reason: str
    """Human explanation, e.g. "not a security question: company name"."""
    profile_fact: str | None = None
    """The profile fact that answers it (``profile`` only), e.g. ``company.name``."""


_ORG = r"(?:solution provider|company|vendor|supplier|organization|organisation|business|firm|entity|legal entity|vendor entity|provider|service provider|bidder|respondent|contractor|corporation|institution)"
_QUAL = (
    r"(?:legal|registered|full|official|trading|corporate|business|company|vendor|supplier|organization|your)"
)
_PRODUCT = r"(?:product|products|solution|solutions|service|services|application|software|platform|system|offering|tool)"
_CONTACT_ROLE = r"(?:primary|main|technical|security|information security|infosec|privacy|vendor|company|business|designated|responsible|key|support|emergency|incident)"
_CONTACT_DETAIL = r"(?:name|names|title|job title|email|email address|e mail|e mail address|mail address|phone|phone number|telephone|telephone number|mobile|mobile number|cell|contact number|number|details|information|info)"
_PERSON = r"(?:person|individual|people|employee|representative)"
_RESPONDENT = rf"(?:respondent|submitter|preparer|signatory|{_PERSON} (?:completing|filling in|filling out|responding to|submitting) (?:this|the) (?:questionnaire|form|assessment|survey|document))"
_IDS = r"(?:duns|d u n s|tax id|tax identification|taxpayer id|ein|fein|vat|vat id|vat registration|company registration|business registration|registration|cage code|uei|lei|abn|ssn)(?: number| no| id| code)?"

# (profile fact or None, label, patterns). Patterns are full matches over the folded text, after
# lead-ins ("please provide your") and trailers ("for this contract", "being assessed") are removed.
FIELDS: tuple[tuple[str | None, str, tuple[str, ...]], ...] = (
    (
        "company.name",
        "company name",
        (
            rf"(?:{_QUAL} )*{_ORG}(?: {_QUAL})*(?: legal)? names?",
            rf"(?:legal|registered|full|official|trading) names?(?: of (?:the |your )?{_ORG})?",
            rf"names? of (?:the |your )?(?:{_QUAL} )*{_ORG}",
            r"(?:doing business as|dba|trade name|trading as)",
            rf"{_ORG}",
        ),
    ),
    (
        "company.product",
        "product name",
        (
            rf"(?:{_QUAL} )?{_PRODUCT}(?: or {_PRODUCT})?(?: names?| name s)(?: and version(?: number)?)?",
            rf"names? of (?:the |your )?{_PRODUCT}(?: or {_PRODUCT})?",
            rf"{_PRODUCT}(?: or {_PRODUCT})?(?: name)? (?:and|or) version(?: number)?",
        ),
    ),
    (
        None,
        "respondent details",
        (
            rf"(?:{_CONTACT_DETAIL}|title|job title|position|role)(?: and (?:{_CONTACT_DETAIL}|title))? of (?:the )?{_RESPONDENT}",
            rf"{_RESPONDENT}(?: {_CONTACT_DETAIL}| title| job title| position| role| and)*",
            r"(?:completed|prepared|submitted|filled in|filled out) by(?: name)?",
            r"(?:your |contact |respondent |job |position )?(?:title|job title|position|role|job role|designation)",
            r"(?:your |full |printed |print |first |last )?(?:name|names|full name|first name|last name|surname)(?: and (?:title|email|phone))?",
            r"(?:name|email|phone)(?: address| number)? of (?:the |your )?(?:account manager|account executive|sales representative|sales contact|relationship manager|customer success manager)",
            r"(?:account manager|account executive|sales representative|sales contact|relationship manager|customer success manager)(?: name| email| phone| contact details)*",
        ),
    ),
    (
        "company.security_contact",
        "contact",
        (
            rf"(?:{_ORG} )?(?:{_CONTACT_ROLE} )*(?:point of )?contact(?: person| persons| s)?(?: {_CONTACT_DETAIL}| address)*(?: for (?:security|this questionnaire|questions|this assessment|security questions|security incidents|security matters|follow up questions))?",
            rf"{_CONTACT_DETAIL}(?: and {_CONTACT_DETAIL})?(?: of)?(?: the| your)?(?: {_CONTACT_ROLE})*(?: point of)? contact(?: person)?(?: for .*)?",
            rf"{_CONTACT_DETAIL}(?: address)? of (?:the )?{_PERSON} (?:we|to) (?:should )?contact(?: .*)?",
            rf"who (?:is|are|should we contact as) (?:the |your )?(?:{_CONTACT_ROLE} )*(?:point of )?contacts?(?: person)?(?: for .*)?",
            r"(?:your )?(?:email|email address|e mail|e mail address|phone|phone number|telephone|telephone number|mobile number)",
            r"(?:email|phone)(?: and| or) (?:email|email address|phone|phone number)",
        ),
    ),
    (
        "company.website",
        "website",
        (
            rf"(?:{_QUAL} |public |main )*(?:web ?site|web address|url|homepage|home page|web page)(?: address| url| link)?(?: of (?:the |your )?{_ORG})?",
            rf"(?:{_ORG}|{_QUAL}) (?:web ?site|url|homepage)(?: address| url)?",
        ),
    ),
    (
        "company.headquarters",
        "headquarters",
        (
            rf"(?:(?:{_QUAL}|{_ORG}|office|registered|mailing|physical|street|postal|primary|main|business|headquarters|head office) )*(?:address|addresses|location|office location)(?: of (?:the |your )?(?:{_ORG}|headquarters|head office|registered office|main office|principal office))?",
            r"(?:corporate |company |global |vendor )?(?:headquarters|headquarter|head office|head quarters|hq|registered office|principal place of business|principal office|main office)(?: location| address| street address| country| city)?",
            r"where (?:is|are) (?:the |your )?(?:company |corporate |vendor |organization )?(?:headquarters|head office|hq|main office|offices?) (?:located|based)",
            rf"(?:country|state|jurisdiction) of (?:(?:the |your )?{_ORG} )?(?:incorporation|registration|headquarters|domicile|origin)",
            r"(?:city|state|province|state province|country|zip|zip code|postal code|postcode|city state zip|city state|street)",
        ),
    ),
    (
        None,
        "date",
        (
            r"(?:today |todays |current |submission |completion |response |assessment |effective |review |signature |signed |last updated |completed )?dates?(?: completed| submitted| signed| of (?:completion|submission|assessment|response|signature|review))?(?: mm dd yyyy| dd mm yyyy| yyyy mm dd)?",
            r"(?:date|dates) (?:and|or) (?:signature|time|place)",
        ),
    ),
    (
        None,
        "signature",
        (
            r"(?:authorized |authorised |vendor |respondent |customer )?(?:signature|signatures|signed|sign here|signatory|e signature|electronic signature|digital signature|initials)(?: name)?(?: and (?:date|title|name))?(?: date)?(?: of (?:authorized|authorised) (?:representative|officer|signatory))?",
            r"(?:signed|signature) by",
            r"(?:printed |print )?name and (?:signature|title)",
        ),
    ),
    (
        None,
        "company facts",
        (
            r"(?:total )?(?:number|no|count|#) of (?:employees|staff|personnel|ftes|fte|full time employees|full time equivalents|workers|people employed|locations|offices|customers|clients)(?: worldwide| globally| in total)?",
            rf"how many (?:employees|staff|people|personnel|ftes|full time employees|customers|clients|offices|locations)(?: do you have| does (?:the |your )?{_ORG} (?:have|employ)| are employed(?: by (?:the |your )?{_ORG})?| work (?:for|at) (?:the |your )?{_ORG})?",
            r"(?:employee|staff) (?:count|headcount|numbers?)",
            rf"(?:{_ORG} )?(?:size|headcount|annual revenue|revenue|turnover|industry|sector|ownership|parent company|parent organization|ticker|stock ticker|stock symbol)",
            rf"(?:year|date) (?:founded|established|of (?:incorporation|establishment)|{_ORG} (?:was )?(?:founded|established))",
            r"(?:years|how long) (?:in business|has (?:the |your )?(?:company|vendor|organization) been in business)",
            rf"(?:{_ORG} )?{_IDS}(?: (?:and |or )?{_IDS}){{0,2}}",
            r"(?:is (?:the |your )?(?:company|vendor|organization) )?(?:publicly traded|public or private|privately held)",
        ),
    ),
)

# One alternation with a named group per field: a single fullmatch instead of dozens.
_FIELD_RE = re.compile(
    "|".join(f"(?P<f{i}>{'|'.join(patterns)})" for i, (_, _, patterns) in enumerate(FIELDS))
)

# Lead-ins and trailers a form field may carry: "Please provide your company name (legal entity)".
_LEAD_IN = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?:(?:please|kindly)\s+)?(?:(?:provide|enter|state|list|give|indicate|specify|insert|supply|add|type|write|confirm|fill in)\s+)?"
    r"(?:(?:what|which) (?:is|are)\s+|what s\s+)?(?:(?:the|your|our|its)\s+)?"
)
_TRAILER = re.compile(
    r"(?:\s+(?:here|below|above|if applicable|if any|optional|required)"
    r"|\s+for (?:this|the) (?:contract|engagement|questionnaire|assessment|rfp|rfi|proposal|agreement|review)"
    r"|\s+(?:being|to be) (?:assessed|evaluated|reviewed|proposed|offered|provided|purchased)|\s+(?:under review|in scope)"
    r"|\s+including\s.*)$"
)
_PAREN = re.compile(r"\([^)]*\)")

_SECTION = re.compile(
    r"^(?:section|part|chapter|appendix|annex|domain|category|module|schedule|exhibit|tab)\s+[\w.]+", re.I
)
_NUMBERED_TITLE = re.compile(
    r"^(?:[A-Z]|\d+)(?:\.\d+)*\.?\s+[A-Z][A-Za-z]*(?:[ ,&/-]+[A-Za-z][A-Za-z]*){0,4}$"
)
_INSTRUCTIONS = re.compile(
    r"^(?:instructions?|guidance|general instructions|notes?|note:|comments?|additional comments|additional information|"
    r"other|remarks|n/?a|none|yes|no|response|answer|explanation)\b[:.]?\s*$"
    r"|^(?:please )?(?:answer|complete|fill in|fill out|respond to|read)\s+(?:all|each|every|the following|these|this|the)\b",
    re.I,
)
_QUESTION_WORDS = frozenset(
    {
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "must",
        "describe",
        "explain",
        "provide",
        "list",
        "how",
        "what",
        "which",
        "who",
        "where",
        "when",
        "why",
        "please",
    }
)


def _field_text(text: str, words: list[str]) -> str:
    folded = " ".join(tokens(_PAREN.sub(" ", text)) if "(" in text else words)
    folded = _LEAD_IN.sub("", folded, count=1)
    return _TRAILER.sub("", folded)


# A contact or headquarters row names which detail it wants; each detail is its own fact, so a phone field never
# gets the security e-mail address (see trustfill.fit for the check that the value's type fits the field).
_DETAIL_FACTS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "company.security_contact": (
        (re.compile(r"\b(?:phone|telephone|mobile|cell|contact number|number)\b"), "company.phone"),
        (re.compile(r"\b(?:title|job title|position|role)\b"), "company.contact_title"),
        (re.compile(r"\bnames?\b"), "company.contact_name"),
    ),
    # the country of incorporation or registration need not be the head office's: left to company.headquarters
    "company.headquarters": ((re.compile(r"\bcountry\b(?!.*\b(?:incorporation|registration|domicile|origin)\b)"),
                              "company.headquarters_country"),),
}


def _by_detail(fact: str | None, field: str) -> str | None:
    for pattern, detail_fact in _DETAIL_FACTS.get(fact or "", ()):
        if pattern.search(field):
            return detail_fact
    return fact


def classify(text: str | None, *, question_id: str | None = None) -> NonSecurity | None:
    """Decide whether a row is something other than a security question.

    Args:
        text: The row's text as the customer wrote it.
        question_id: The customer's id for the row, if the importer found one; a row with an id is
            taken to be a question, so short title-case rows are not treated as headings then.

    Returns:
        A :class:`NonSecurity` saying why the row is skipped, or None for a security question.
    """
    raw = (text or "").strip()
    words = tokens(raw)
    if not raw or not any(any(c.isalpha() for c in w) for w in words) or len(raw) < 3:
        return NonSecurity("empty", "no question text")
    if len(words) <= 20:
        field = _field_text(raw, words)
        hit = _FIELD_RE.fullmatch(field) if field and field.count(" ") < 14 else None
        if hit is not None and hit.lastgroup is not None:
            fact, label, _ = FIELDS[int(hit.lastgroup[1:])]
            fact = _by_detail(fact, field)
            kind: Kind = "profile" if fact else "form"
            return NonSecurity(kind, f"not a security question: {label}", fact)
    if "?" in raw:
        return None
    if _INSTRUCTIONS.match(raw):
        return NonSecurity("heading", "instructions or a column label, not a question")
    starts_like_question = bool(words) and words[0] in _QUESTION_WORDS
    if starts_like_question:
        return None
    if _SECTION.match(raw) and len(words) <= 10:
        return NonSecurity("heading", "section heading")
    letters = [c for c in raw if c.isalpha()]
    if len(words) <= 8 and len(letters) >= 3 and all(c.isupper() for c in letters):
        return NonSecurity("heading", "section heading (all capitals)")
    if raw.endswith(":") and len(words) <= 6:
        return NonSecurity("heading", "label ending in a colon")
    if question_id is None and _NUMBERED_TITLE.match(raw) and len(words) <= 5:
        return NonSecurity("heading", "numbered section heading")
    if len(words) == 1:
        return NonSecurity("heading", "a single word, not a question")
    return None
