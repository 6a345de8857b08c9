"""A small, hand-written bank for matcher tests, and the real bank of this repo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustfill.matching import Matcher
from trustfill.models import AnswerSpec, BankEntry, BankFile

REPO = Path(__file__).resolve().parents[2]
_ANSWER = AnswerSpec(cases=[{"short": "Yes", "narrative": "Yes."}])


def entry(entry_id: str, question: str, *aliases: str, category: str = "Test") -> BankEntry:
    """A bank entry with just what the matcher reads."""
    return BankEntry(
        id=entry_id,
        question=question,
        aliases=list(aliases),
        category=category,
        explanation="x",
        rationale="x",
        answer=_ANSWER,
    )


# Boilerplate on purpose: "documented", "policy", "process", "do you have" recur across entries, as in
# real banks, so IDF has something to learn.
SMALL_BANK = [
    entry(
        "ir-plan",
        "Do you have a documented incident response plan?",
        "Describe how you respond to security incidents.",
        "Incident response plan",
    ),
    entry(
        "retention-policy",
        "Do you have a documented data retention policy?",
        "How long do you keep customer data?",
        "Data retention schedule",
    ),
    entry(
        "mfa-workforce",
        "Do you require multi-factor authentication for employees?",
        "Is MFA enforced for all staff accounts?",
        "Is there a documented policy requiring MFA for employees?",
        "Workforce MFA",
    ),
    entry(
        "mfa-customers",
        "Can customers enforce multi-factor authentication for their users?",
        "Does the product support 2FA for client accounts?",
        "Customer MFA",
    ),
    entry(
        "sso",
        "Does the product support single sign-on with SAML?",
        "SSO integration with our identity provider",
    ),
    entry(
        "pentest",
        "Do you perform annual penetration tests?",
        "How often is the application pen tested?",
        "Is penetration testing required by a documented policy?",
    ),
    entry(
        "vuln-scan",
        "Do you scan your systems for vulnerabilities?",
        "Vulnerability scanning frequency",
        "Is there a documented vulnerability management policy?",
    ),
    entry(
        "encrypt-rest",
        "Is customer data encrypted at rest?",
        "Do you encrypt stored data?",
        "Is there a documented encryption policy for data at rest?",
        "Encryption at rest",
    ),
    entry("encrypt-transit", "Is data encrypted in transit?", "Do you use TLS for data in transit?"),
    entry(
        "dr-plan",
        "Do you have a documented disaster recovery plan?",
        "DR plan for the hosted service",
        "Is disaster recovery covered by a documented policy?",
    ),
    entry("bcp", "Do you have a documented business continuity plan?", "Business continuity planning"),
    entry(
        "background-checks",
        "Do you perform background checks on employees?",
        "Are personnel screened before hiring?",
        "Is there a documented screening policy for new hires?",
    ),
    entry(
        "awareness",
        "Do employees receive security awareness training?",
        "Annual security training for the workforce",
    ),
    entry(
        "pii",
        "Do you process personal data?",
        "Is personally identifiable information stored in the service?",
    ),
    entry("sdlc", "Do you follow a secure software development lifecycle?", "Secure SDLC policy"),
    entry(
        "ai-training",
        "Is customer data used to train AI models?",
        "Do you train machine learning models on client data?",
    ),
    entry(
        "access-review",
        "Are user access rights reviewed periodically?",
        "Quarterly access reviews",
        "Does a documented policy require access reviews?",
    ),
    entry("change-mgmt", "Do you have a documented change management policy?", "Change control process"),
    entry(
        "logging",
        "Are security events logged centrally?",
        "Centralized audit logging",
        "Is there a documented logging policy?",
    ),
    entry(
        "vendor-risk", "Do you assess the security of your third-party vendors?", "Supplier risk assessments"
    ),
    entry("password-policy", "Do you have a documented password policy?", "Password complexity requirements"),
    entry("physical", "Are your offices protected by badge access?", "Physical access controls at offices"),
    entry("soc2-report", "Can you share your SOC 2 Type II report?", "SOC 2 report"),
    # a near-identical pair: they differ only in a word a customer rarely writes
    entry("logs-billing", "How long are billing system logs kept?", "Billing system log retention"),
    entry("logs-payroll", "How long are payroll system logs kept?", "Payroll system log retention"),
]


@pytest.fixture(scope="session")
def small_bank() -> list[BankEntry]:
    return list(SMALL_BANK)


@pytest.fixture(scope="session")
def matcher(small_bank: list[BankEntry]) -> Matcher:
    return Matcher(small_bank)


def _real_entries() -> list[BankEntry]:
    out: list[BankEntry] = []
    for path in sorted((REPO / "question_bank").glob("*.yaml")):
        out.extend(BankFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).entries)
    return out


@pytest.fixture(scope="session")
def real_matcher() -> Matcher:
    entries = _real_entries()
    if len(entries) < 50:
        pytest.skip("the real question bank is not here")
    return Matcher(entries)
