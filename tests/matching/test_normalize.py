"""Normalisation and the thesaurus: spellings, stems, boilerplate and synonyms reduce to the same terms."""

from __future__ import annotations

import pytest

from trustfill.matching import load_thesaurus, question_key
from trustfill.matching.normalize import fold, stem, tokens

N = load_thesaurus()


def terms(text: str) -> tuple[str, ...]:
    return N.analyze(text).terms


def test_fold_handles_case_quotes_contractions_and_numbers() -> None:
    assert tokens("Don’t you ENCRYPT the vendor’s data?") == [
        "do",
        "not",
        "you",
        "encrypt",
        "the",
        "vendor",
        "data",
    ]
    assert tokens("1,000 users, 24/7, 99.9% uptime, 3rd party") == [
        "1000",
        "users",
        "24x7",
        "99.9",
        "percent",
        "uptime",
        "3",
        "party",
    ]
    assert tokens("twelve months") == ["12", "months"]
    assert tokens("TLS 1.2") == ["tls", "1.2"]
    assert tokens("organisation") == tokens("organization")
    assert "login" in tokens("Are users logged in?")
    assert fold("A & B") == "a  and  b"


@pytest.mark.parametrize(
    "words",
    [
        "encrypt encrypted encrypting encryption encrypts",
        "document documented documents documentation",
        "authenticate authenticated authentication authenticating",
        "policy policies",
        "log logs logged logging",
        "control controls controlled controlling",
        "update updates updated updating",
        "manage managed management managing",
        "notify notified notifying notification notifications",
        "comply complies compliance compliant",
        "respond response responding responses",
        "retain retained retention",
    ],
)
def test_related_words_share_a_stem(words: str) -> None:
    assert len({stem(w) for w in words.split()}) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("access", "assess"), ("process", "procedure"), ("use", "user"), ("form", "formal")]
)
def test_different_words_keep_different_stems(a: str, b: str) -> None:
    assert stem(a) != stem(b)


@pytest.mark.parametrize(
    "group",
    [
        [
            "MFA",
            "2FA",
            "two-factor authentication",
            "multi-factor authentication",
            "multifactor authentication",
        ],
        ["SSO", "single sign-on", "SAML"],
        ["PII", "personal data", "personally identifiable information", "personal information"],
        ["DR", "disaster recovery"],
        ["BCP", "business continuity"],
        ["AI", "ML", "artificial intelligence", "machine learning", "LLM", "model"],
        ["client", "customer", "institution", "tenant", "user organization"],
        ["breach", "incident", "compromise", "security incident"],
        ["staff", "employee", "personnel", "workforce"],
        ["pen test", "penetration test", "pentest", "penetration testing"],
        ["encrypt", "encryption", "encrypted", "cryptography"],
        ["vuln", "vulnerability", "vulnerabilities"],
        ["SDLC", "software development lifecycle", "secure development lifecycle"],
        ["third party", "3rd-party", "vendors", "suppliers", "companies", "outside firms"],
        ["open source", "GPL", "copyleft", "AGPL"],
        ["collect", "gather", "gathering", "collection"],
        ["develop", "developers", "coding"],
        ["timeframe", "how quickly", "without undue delay", "within what timeframe"],
        ["overseas", "abroad", "other countries", "offshore"],
    ],
)
def test_thesaurus_groups_reduce_to_one_concept(group: list[str]) -> None:
    reduced = {terms(t) for t in group}
    assert len(reduced) == 1, reduced
    (only,) = reduced
    assert len(only) == 1
    assert only[0].startswith("@")


def test_longest_phrase_wins_and_small_words_count_inside_phrases() -> None:
    assert terms("threat model") == ("@threat_modeling",)
    assert terms("data at rest") == ("@at_rest",)
    assert terms("rest api") == ("@api",)
    assert terms("IR plan") == ("@incident", "@respond", "@process")  # abbreviation expanded first


def test_stop_phrases_remove_questionnaire_boilerplate_and_self_references() -> None:
    assert terms("Does the vendor encrypt data?") == terms("Do you encrypt data?") == terms("encrypt data")
    assert terms("Please describe your organization's backup process, if applicable.") == terms(
        "backup process"
    )
    # "vendor" alone is a third party; "the vendor" is the company answering
    assert terms("Do you assess your vendors?") == ("assess", "@third_party")


def test_the_vendor_itself_is_no_third_party_but_other_companies_are() -> None:
    assert terms("Does your company encrypt data?") == terms("encrypt data")
    assert terms("Which companies process customer data?")[0] == "@third_party"


def test_insurance_of_any_kind_is_not_cyber_insurance() -> None:
    assert terms("general liability insurance") == ("general", "liabil", "@insurance")
    assert terms("cyber liability insurance") == terms("data breach insurance") == ("@cyber_insurance",)


def test_sibling_details_get_their_own_concepts() -> None:
    assert "@byok" in terms("Can we supply our own encryption key?")
    assert "@rto" in terms("How soon is the application available again after a disaster?")
    assert "@minimization" in terms("Do you avoid collecting more than is needed?")


def test_at_least_sixty_concept_groups() -> None:
    concepts = {repl for options in N.thesaurus._by_first.values() for _, repl in options}
    assert len(concepts) >= 60


def test_question_key_ignores_case_punctuation_and_spacing_only() -> None:
    assert question_key("  Do you use MFA?? ") == question_key("do YOU use mfa")
    assert question_key("Do you use MFA?") != question_key("Do you use 2FA?")


def test_look_alike_phrases_keep_their_own_concepts() -> None:
    # "log out" is signing out, not the audit log; prompt injection is an LLM attack, not SQL injection
    assert "@logout" in terms("Does the log out button end the session?")
    assert "@log" not in terms("Does the log out button end the session?")
    assert terms("Do you test for prompt injection?") == terms("Do you test for jailbreak attempts?")
    assert "@injection" not in terms("Do you test for prompt injection?")
    # "ISO/IEC 27001" folds to "iso iec 27001", which must still be the certification
    assert "@iso27001" in terms("Are you certified to ISO/IEC 27001?")
    assert terms("Is every form protected against XSRF?") == terms("Is every form protected against CSRF?")
    # host-based intrusion detection is file and process monitoring on a host, not network IDS
    assert "@hids" in terms("Do you employ host-based intrusion detection?")
    assert "@ids" not in terms("Do you employ host-based intrusion detection?")
