"""Completed questionnaires of a made-up company, Northwind Ledger, written in code at test time.

The answers are hand-written rules (a vendor answers "Yes" to most control questions, "No" to AI and on-premises
questions, describes itself in free-text cells), plus hand-picked answers per HECVAT id that contradict each other
across versions and contradict the example profile, and one narrative that names the customer and their contract.
Nothing here is a real company's answer; the fixtures are built into a temporary folder and never committed.
"""

from __future__ import annotations

import re
from pathlib import Path

from trustfill.exporters.interface import SlotWrite
from trustfill.importers import load_questionnaire
from trustfill.questionnaire import SlotKind

COMPANY = "Northwind Ledger"

# (pattern over the question, short answer, narrative): the first that matches wins.
RULES: tuple[tuple[str, str, str], ...] = (
    (r"\b(ai|artificial intelligence|machine learning|ml|llm|large language)\b", "No",
     "Northwind Ledger does not use AI or machine-learning features, and never trains models on customer data."),
    (r"\bon[- ]prem|installed locally|self[- ]hosted|client software|mobile app", "No",
     "Northwind Ledger is delivered only as a hosted service; nothing is installed on customer systems."),
    (r"\bhipaa|\bphi\b|health information|\bpci\b|cardholder|credit card", "No",
     "Northwind Ledger does not process health or payment card data."),
    (r"hard-?coded|plain ?text|unsupported|end[- ]of[- ]life", "No", "No."),
    (r"\bencrypt", "Yes", "Yes. Customer data is encrypted with AES-256 at rest and TLS 1.2+ in transit."),
    (r"multi[- ]factor|\bmfa\b|two[- ]factor|2fa", "Yes", "Yes. Multi-factor authentication is enforced for all staff."),
    (r"\bsso\b|single sign|saml", "Yes", "Yes. SAML 2.0 single sign-on is supported for every customer."),
    (r"incident", "Yes", "Yes. Our incident response plan is tested twice a year."),
    (r"backup|disaster|continuity", "Yes", "Yes. Backups run daily and are restored in a yearly exercise."),
    (r"vulnerab|penetration|scan", "Yes", "Yes. An independent firm tests the service every year."),
    (r"policy|policies|documented", "Yes", "Yes. The policy is approved by leadership and reviewed every year."),
    (r".*", "Yes", "Yes. Northwind Ledger has this in place; details in our SOC 2 Type II report."),
)

FREE_TEXT = {
    r"(vendor|provider|company) name": COMPANY,
    r"(product|solution) name": "Northwind Ledger Cloud",
    r"(product|solution) description": "A hosted general-ledger service for universities.",
    r"website|url": "https://northwind-ledger.example",
    r"e-?mail": "security@northwind-ledger.example",
    r"phone": "+1 555 0100",
    r"name of (the )?(vendor )?contact|contact name|your name": "Dana Reyes",
    r"title": "Head of Security",
    r"date": "2026-09-01",
}

# Hand-picked per HECVAT id and version: answers that contradict the other version and the example profile.
OVERRIDES: dict[str, dict[str, tuple[str, str]]] = {
    "hecvat-4.1.4": {
        # The example profile (saas-heroku) supports SSO; this past answer said No (asked in both versions).
        "AAAI-01": ("No", "Not yet; single sign-on is on the roadmap."),
        "HFIH-01": ("Yes", "Yes, as set out in our Master Services Agreement with Lakeside University."),
    },
    "hecvat-full-3.06": {
        # The example: past "No" to MFA for administrators, the profile says Yes today.
        "DCTR-15": ("No", "Cloud administrators sign in with passwords."),
        # Contradicts the 4.1.4 answer to the same question.
        "HFIH-01": ("No", "No formal plan; incidents are handled by the engineering lead."),
    },
}


# A second made-up company, Fernhill Forms: a young vendor that says No to much of what Northwind has. Its rules
# were written after the draft-profile code, and are not used to tune it (a held-out check).
FERNHILL_RULES: tuple[tuple[str, str, str], ...] = (
    (r"\b(ai|artificial intelligence|machine learning|ml|llm|large language)\b", "Yes",
     "Fernhill Forms offers an optional AI form-filling assistant; customers opt in."),
    (r"hard-?coded|plain ?text|unsupported|end[- ]of[- ]life", "No", "No."),
    (r"soc ?2|ssae|iso 27001|certif|audit", "No", "Not yet; a SOC 2 audit is planned for next year."),
    (r"penetration|pen test", "No", "No third-party penetration test yet."),
    (r"\bsso\b|single sign|saml", "No", "Single sign-on is not supported yet."),
    (r"24 ?x ?7|24/7|dedicated.*(team|staff|office)|officer|\bdpo\b", "No", "We are a team of eight; no dedicated role."),
    (r"\bencrypt", "Yes", "Yes. Data is encrypted at rest and in transit by our cloud provider."),
    (r"multi[- ]factor|\bmfa\b|two[- ]factor|2fa", "Yes", "Yes, for staff."),
    (r"backup|disaster|continuity", "Yes", "Yes, daily backups by our cloud provider."),
    (r".*", "Yes", "Yes."),
)
COMPANIES = {"northwind": RULES, "fernhill": FERNHILL_RULES}


def answer_for(text: str, question_id: str | None, version: str, company: str = "northwind") -> tuple[str, str]:
    """The (short, narrative) the company gives to one question."""
    override = OVERRIDES.get(version, {}).get(question_id or "") if company == "northwind" else None
    if override:
        return override
    folded = text.casefold()
    for pattern, short, narrative in COMPANIES[company]:
        if re.search(pattern, folded):
            return short, narrative
    raise AssertionError("the last rule matches everything")


def free_text(text: str) -> str | None:
    """The answer to a company-detail question, when it is one."""
    folded = text.casefold()
    return next((value for pattern, value in FREE_TEXT.items() if re.search(pattern, folded) and len(folded) < 60), None)


def complete_xlsx(src: Path, dest: Path, version: str, company: str = "northwind") -> int:
    """Write the company's answers into a copy of ``src``; returns how many questions were answered."""
    from trustfill.exporters.xlsx_patch import patch_xlsx

    writes: list[SlotWrite] = []
    answered = 0
    for q in load_questionnaire(src).questions:
        short_slot, narrative_slot = q.slot(SlotKind.SHORT), q.slot(SlotKind.NARRATIVE)
        detail = free_text(q.text)
        if detail is not None and (short_slot is None or not short_slot.allowed):
            slot = narrative_slot if short_slot is None else short_slot
            if slot is not None and slot.writable:
                writes.append(SlotWrite(slot.address, detail))
                answered += 1
            continue
        short, narrative = answer_for(q.text, q.question_id, version, company)
        wrote = False
        if short_slot is not None and short_slot.writable:
            if short_slot.allowed and short not in short_slot.allowed:
                short = short_slot.allowed[0]
            writes.append(SlotWrite(short_slot.address, short))
            wrote = True
        if narrative_slot is not None and narrative_slot.writable:
            writes.append(SlotWrite(narrative_slot.address, narrative))
            wrote = True
        answered += wrote
    patch_xlsx(src, dest, writes, review_fill=None, force_recalc=False)
    return answered
