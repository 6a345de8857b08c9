"""Matcher decisions: ranking, thesaurus, boilerplate weighting, margins, routing, mappings, explanations."""

from __future__ import annotations

import dataclasses

import pytest
from rapidfuzz import fuzz

from trustfill.errors import BankFormatError
from trustfill.matching import Mappings, Matcher, MatchResult, Scoring, Thresholds
from trustfill.questionnaire import AnswerSlot, QuestionRow, SlotKind

from .conftest import SMALL_BANK, entry

IR = "Do you have a documented incident response plan?"
RETENTION = "Do you have a documented data retention policy?"
BREACHES = "Is there a formal process for responding to security breaches?"


def top(result: MatchResult) -> str | None:
    return result.candidates[0].entry_id if result.candidates else None


def test_plain_token_ratio_is_fooled_by_boilerplate() -> None:
    # The problem the matcher exists for: shared boilerplate outweighs the words that matter.
    assert fuzz.token_set_ratio(IR, RETENTION) > fuzz.token_set_ratio(IR, BREACHES)


def test_incident_response_question_finds_the_breach_entry_not_the_retention_one() -> None:
    bank = [e for e in SMALL_BANK if e.id != "ir-plan"] + [entry("breach-process", BREACHES)]
    matcher = Matcher(bank)
    result = matcher.match(IR)
    assert top(result) == "breach-process"
    scores = {c.entry_id: c.score for c in matcher.score_all(IR)}
    assert scores["breach-process"] > scores["retention-policy"] + 20


def test_breach_wording_finds_the_incident_response_entry(matcher: Matcher) -> None:
    result = matcher.match(BREACHES)
    assert top(result) == "ir-plan"
    assert result.status in ("auto", "review")


def test_real_bank_ranks_the_incident_example(real_matcher: Matcher) -> None:
    assert top(real_matcher.match(BREACHES)) == "incident-response-plan"
    assert top(real_matcher.match(IR)) == "incident-response-plan"


def test_real_bank_answers_host_based_intrusion_detection_with_file_integrity_monitoring(real_matcher: Matcher) -> None:
    # before HIDS had its own concept both were filled, wrongly, with the network IDS answer
    assert top(real_matcher.match("Do you deploy HIDS?")) == "ops-file-integrity-monitoring"
    assert top(real_matcher.match("Is host-based intrusion detection deployed?")) == "ops-file-integrity-monitoring"
    assert top(real_matcher.match("Do you run network intrusion detection?")) == "network-intrusion-detection"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is 2FA enforced for the workforce?", "mfa-workforce"),
        ("Do personnel have to use two-factor authentication?", "mfa-workforce"),
        ("Do you support SAML?", "sso"),
        ("Is PII kept in your product?", "pii"),
        ("Is there a DR plan?", "dr-plan"),
        ("Describe your BCP.", "bcp"),
        ("Do you use institution data to train LLMs?", "ai-training"),
        ("How frequently is a pentest performed?", "pentest"),
        ("Do you run vuln scans?", "vuln-scan"),
        ("Is stored data protected with encryption?", "encrypt-rest"),
        ("Is there a secure SDLC?", "sdlc"),
        ("Are employees vetted before they join?", "background-checks"),
        ("Do you screen staff?", "background-checks"),
    ],
)
def test_thesaurus_synonyms_find_the_entry(matcher: Matcher, question: str, expected: str) -> None:
    assert top(matcher.match(question)) == expected


def test_boilerplate_weighs_less_than_content(matcher: Matcher) -> None:
    weight = matcher.index.weight
    assert weight("@documented") < weight("@incident")
    assert weight("@policy") < weight("@retention")
    explanation = matcher.match(IR, explain=True).explanation
    assert explanation is not None
    terms = [t for t, _ in explanation.weights]
    assert terms.index("@incident") < terms.index("@documented")  # heaviest first


def test_boilerplate_alone_matches_nothing_confidently(matcher: Matcher) -> None:
    result = matcher.match("Do you have a documented policy?")
    assert result.status != "auto"
    assert result.margin < 5  # every documented-policy entry fits equally badly


def test_near_identical_entries_go_to_review_not_auto(matcher: Matcher) -> None:
    result = matcher.match("How long do you keep system logs?")
    assert result.status == "review"
    assert {c.entry_id for c in result.candidates[:2]} == {"logs-billing", "logs-payroll"}
    assert result.margin < matcher.thresholds.auto_margin
    assert "two entries fit" in result.reason


def test_clear_winner_is_auto(matcher: Matcher) -> None:
    result = matcher.match("Is customer data encrypted at rest?")
    assert result.status == "auto"
    assert result.entry_id == "encrypt-rest"
    assert result.margin >= matcher.thresholds.auto_margin
    assert 0 <= result.score <= 100


def test_contrast_keeps_customer_and_workforce_apart(matcher: Matcher) -> None:
    question = "Is MFA available for client accounts?"
    assert top(matcher.match(question)) == "mfa-customers"
    clash = matcher.explain(question, "mfa-workforce")
    assert any("customer" in c and "staff" in c for c in clash.contrasts)
    assert matcher.explain(question, "mfa-customers").contrasts == ()


def test_every_alias_is_matched_and_reported(matcher: Matcher) -> None:
    result = matcher.match("Workforce MFA")
    assert result.candidates[0].matched_text == "Workforce MFA"
    assert result.candidates[0].entry_id == "mfa-workforce"


def test_result_types_are_frozen_and_bounded(matcher: Matcher) -> None:
    result = matcher.match("Do you do penetration testing?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "auto"  # type: ignore[misc]
    assert len(result.candidates) <= 3
    assert all(0 <= c.score <= 100 for c in result.candidates)
    assert [c.score for c in result.candidates] == sorted((c.score for c in result.candidates), reverse=True)


def test_match_many_equals_match_one_by_one(matcher: Matcher) -> None:
    questions = [IR, "Company name", "", "Do you encrypt data in transit?", "SSO?", BREACHES]
    assert matcher.match_many(questions) == [matcher.match(q) for q in questions]


def test_explanation_names_shared_terms_and_concepts(matcher: Matcher) -> None:
    result = matcher.match("Do you encrypt customer data at rest?", explain=True)
    ex = result.explanation
    assert ex is not None
    assert ex.alias_used in (SMALL_BANK[7].question, *SMALL_BANK[7].aliases)
    assert {"encrypt", "at_rest"} <= set(ex.thesaurus_hits)
    assert "@encrypt" in ex.shared_terms
    assert matcher.match("Do you encrypt customer data at rest?").explanation is None


def test_typos_one_edit_away_are_read_as_bank_words(matcher: Matcher) -> None:
    assert top(matcher.match("Is custmer data encryptd at rest?")) == "encrypt-rest"
    # two readings that stem differently: left alone rather than guessed
    assert matcher._spelling.get("authenticaton") in (None, "authenticaton")


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Company name", "company.name"),
        ("Legal name of the vendor entity", "company.name"),
        ("Security contact email", "company.security_contact"),
        ("Company website URL", "company.website"),
        ("Headquarters address", "company.headquarters"),
        ("Product name and version being assessed", "company.product"),
        ("Date completed", None),
        ("Signature", None),
        ("Number of employees", None),
    ],
)
def test_non_security_rows_are_skipped_with_their_profile_fact(
    matcher: Matcher, text: str, fact: str | None
) -> None:
    result = matcher.match(text)
    assert result.status == "skipped"
    assert result.profile_fact == fact
    assert result.entry_id is None


@pytest.mark.parametrize("text", ["", "   ", "12.3", "N/A", "SECTION 4: ACCESS CONTROL", "Data Protection:"])
def test_blank_and_heading_rows_are_skipped(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.status == "skipped"
    assert result.profile_fact is None


def test_a_row_with_an_id_is_a_question_not_a_heading(matcher: Matcher) -> None:
    assert matcher.match("4.2 Encryption At Rest").status == "skipped"
    result = matcher.match("4.2 Encryption At Rest", question_id="DP-04")
    assert top(result) == "encrypt-rest"


def test_security_questions_mentioning_contacts_are_not_skipped(matcher: Matcher) -> None:
    for text in ("Do you encrypt email?", "Is there a security contact customers can report incidents to?"):
        assert matcher.match(text).status != "skipped"


def test_mappings_apply_exactly_with_customer_precedence(small_bank: list) -> None:
    mappings = Mappings()
    mappings.record("Do you do 2FA?", "mfa-customers")
    mappings.record("Do you do 2FA?", "mfa-workforce", customer="Acme University")
    mappings.record("Do you accept purchase orders?", None)
    mappings.record("Is there a quantum-safe roadmap?", "gone-entry")
    matcher = Matcher(small_bank, mappings=mappings)

    acme = matcher.match("do you do 2fa", customer="acme university")
    assert (acme.status, acme.entry_id, acme.score) == ("auto", "mfa-workforce", 100.0)
    assert "reviewer" in acme.reason
    assert matcher.match("Do you do 2FA?", customer="Other Corp").entry_id == "mfa-customers"
    assert matcher.match("Do you do 2FA?").entry_id == "mfa-customers"
    # the key is the wording, not the meaning: another question is matched normally
    assert matcher.match("Do you do 2FA for staff?").reason.startswith("reviewer") is False

    none = matcher.match("Do you accept purchase orders?")
    assert none.status == "unmatched"
    assert none.reason.startswith("reviewer marked: not in bank")

    gone = matcher.match("Is there a quantum-safe roadmap?")
    assert gone.status == "review"
    assert "'gone-entry', which is no longer in the bank" in gone.reason


def test_thresholds_are_plain_settings() -> None:
    strict = Thresholds(auto_score=99, auto_margin=50, review_score=95)
    matcher = Matcher(SMALL_BANK, thresholds=strict)
    result = matcher.match("Is customer data encrypted at rest?")
    assert result.status in ("review", "auto")
    assert result.status == ("auto" if result.score >= 99 and result.margin >= 50 else "review")
    with pytest.raises(ValueError, match="review_score <= auto_score"):
        Thresholds(auto_score=50, review_score=60)
    with pytest.raises(ValueError, match="rerank"):
        Scoring(rerank=0)


def test_duplicate_entry_ids_are_refused() -> None:
    with pytest.raises(BankFormatError, match="'dup' is used twice"):
        Matcher([entry("dup", "Is data encrypted at rest?"), entry("dup", "Is data encrypted in transit?")])


def test_an_empty_bank_matches_nothing() -> None:
    result = Matcher([]).match("Do you encrypt data at rest?")
    assert result.status == "unmatched"
    assert result.candidates == ()


def test_score_all_ranks_every_entry(matcher: Matcher) -> None:
    ranked = matcher.score_all("Do you encrypt data in transit?")
    assert len(ranked) == len(SMALL_BANK)
    assert ranked[0].entry_id == "encrypt-transit"
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


# An entry whose words are spread over two aliases, next to one that shares one of them.
SPREAD = [
    entry(
        "cert-renewal",
        "How are TLS certificates managed?",
        "Do you monitor certificate expiry dates?",
        "Are certificates renewed automatically?",
    ),
    entry("tls-version", "Which TLS versions do you support?", "Minimum TLS version"),
    entry("ir-plan", "Do you have a documented incident response plan?"),
]
SPREAD_Q = "Do you monitor expiry and renew automatically?"


def test_the_entry_bag_finds_a_paraphrase_spread_over_aliases() -> None:
    with_bag = Matcher(SPREAD)
    without = Matcher(SPREAD, scoring=Scoring(bag_weight=0.0))
    got = with_bag.match(SPREAD_Q)
    assert top(got) == "cert-renewal"
    assert got.score > without.match(SPREAD_Q).score + 10
    # the suggestion shows a real alias, never the bag
    assert got.candidates[0].matched_text in (SPREAD[0].question, *SPREAD[0].aliases)


def test_bag_scores_agree_between_match_and_score_all() -> None:
    # the index path (match) and the exhaustive path (score_all) must give an entry the same bag score
    matcher = Matcher(SPREAD)
    got = matcher.match(SPREAD_Q)
    exhaustive = matcher.score_all(SPREAD_Q)[0]
    assert (exhaustive.entry_id, round(exhaustive.score, 6)) == (top(got), round(got.score, 6))


def test_bag_weight_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match="bag_weight"):
        Scoring(bag_weight=1.5)


GUARD_BANK = [
    entry("breach-history", "Have you had any security breaches in the past five years?"),
    entry("rto", "What is the recovery time objective (RTO) for the service?"),
    entry("encrypt-rest", "Is customer data encrypted at rest?"),
    entry("pentest", "Do you run annual penetration tests?"),
]
LOOSE = Thresholds(auto_score=30, auto_margin=5, review_score=20)


def test_a_few_shared_words_cannot_auto_fill_a_question_about_something_else() -> None:
    question = "Have any lawsuits or regulatory fines been filed against you in the past five years?"
    unguarded = Matcher(GUARD_BANK, thresholds=dataclasses.replace(LOOSE, auto_coverage=0)).match(question)
    assert (unguarded.status, unguarded.entry_id) == ("auto", "breach-history")
    guarded = Matcher(GUARD_BANK, thresholds=LOOSE).match(question)
    assert (guarded.status, guarded.entry_id) == ("review", "breach-history")
    assert guarded.score == unguarded.score  # the guard decides, it does not rescore
    assert "of the question's weight" in guarded.reason


def test_a_short_question_about_one_concept_still_auto_fills() -> None:
    matcher = Matcher(GUARD_BANK, thresholds=dataclasses.replace(LOOSE, auto_coverage=0.99))
    result = matcher.match("RTO (hours)")  # "hours" is not in the entry, but two terms are "very short"
    assert (result.status, result.entry_id) == ("auto", "rto")
    assert matcher.match("RTO target in hours for the platform").status == "review"


def test_auto_coverage_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="auto_coverage"):
        Thresholds(auto_coverage=1.5)


SCOPE_BANK = [
    entry(
        "server-hardening",
        "Are production servers built from hardened configuration baselines?",
        "Do you use secure configuration standards for operating systems?",
    ),
    entry("laptop-mdm", "Are company laptops managed with MDM?"),
]


def test_an_alias_inherits_the_scope_its_entry_question_names() -> None:
    # The alias names neither servers nor laptops; its entry is about servers, so a question about
    # laptops meets the servers-vs-endpoints contrast through it as well.
    question = "Do you have operating system hardening standards for laptops?"
    matcher = Matcher(SCOPE_BANK)
    explained = matcher.explain(question, "server-hardening")
    assert explained.alias_used == SCOPE_BANK[0].aliases[0]
    assert explained.contrasts, "the alias should carry its entry's server scope"
    assert matcher.match(question).status != "auto"
    assert matcher.match("Do you have operating system hardening standards for servers?").entry_id == "server-hardening"


EXAMPLE_BANK = [
    entry("vendor-assessment", "Do you assess the security of your third-party vendors?"),
    entry("hosting", "Which hosting provider and cloud services run the service (PaaS or IaaS)?"),
    entry("gold-images", "Do you build servers from gold images?"),
]


def test_a_long_list_of_examples_does_not_pull_a_question_towards_them() -> None:
    question = "Do you assess the security of third parties you share data with (e.g., hosting providers, cloud services, PaaS, IaaS, SaaS)?"
    assert top(Matcher(EXAMPLE_BANK).match(question)) == "vendor-assessment"


def test_one_or_two_examples_still_count() -> None:
    # "(e.g. gold images)" names what the question is about
    question = "Do you have a system configuration management process (e.g., secure gold images)?"
    assert top(Matcher(EXAMPLE_BANK).match(question)) == "gold-images"


def test_a_word_differing_from_a_bank_word_in_its_first_letter_is_not_corrected() -> None:
    # "entrusted" is a real word one edit from "untrusted"; reading it as that would invent a term
    matcher = Matcher([entry("untrusted-networks", "Is traffic from untrusted networks filtered?")])
    matcher.match("Are staff entrusted with sensitive data screened?")
    assert matcher._spelling.get("entrusted") is None
    matcher.match("Is traffic from untrsted networks filtered?")
    assert matcher._spelling.get("untrsted") == "untrusted"


OPTION_BANK = [
    entry("https-only", "Is the web application served over HTTPS only?", "Is all traffic to the application encrypted with TLS?"),
    entry("password-storage", "How are user passwords stored?", "Are passwords hashed with a salted key derivation function?"),
]


def _choice_row(text: str, *captions: str) -> QuestionRow:
    return QuestionRow("item q1", text, (AnswerSlot(SlotKind.SHORT, "q1", allowed=captions),), "q1")


def test_a_choice_question_without_a_topic_is_read_with_its_options_and_goes_to_review() -> None:
    matcher = Matcher(OPTION_BANK)
    row = _choice_row(
        "Select the option that best describes your setup:",
        "The web application is served over HTTPS only.",
        "Users can reach it over HTTP or HTTPS.",
    )
    assert matcher.match(row.text).status == "unmatched"
    result = matcher.match_many([row])[0]
    assert (result.status, result.entry_id) == ("review", "https-only")
    assert "answer options" in result.reason


def test_yes_no_options_add_nothing_and_a_matched_stem_ignores_its_options() -> None:
    matcher = Matcher(OPTION_BANK)
    plain = _choice_row("Select the option that best describes your setup:", "Yes", "No", "N/A")
    assert matcher.match_many([plain])[0].status == "unmatched"
    # the stem alone finds its entry: the options (about passwords) are never read
    stem = _choice_row("Is the web application served over HTTPS only?", "Passwords are hashed", "Passwords are stored")
    assert matcher.match_many([stem])[0] == matcher.match(stem.text)


SENTENCE_BANK = [
    entry("network-closets", "Are network equipment rooms in your offices locked?", "Is access to wiring closets restricted?"),
    entry("visitor-log", "Do you keep a log of office visitors?", "Are visitors signed in and escorted?"),
    entry("service-encryption", "Is traffic between services encrypted?"),
]
PREAMBLE = (
    "Attackers who reach a switch or router can intercept the traffic of every employee, contractor and guest, "
    "and pivot into other systems from there. "
)


def test_a_question_lost_in_its_preamble_is_found_by_its_sentence_and_goes_to_review() -> None:
    matcher = Matcher(SENTENCE_BANK)
    question = PREAMBLE + "Are network equipment rooms in your offices locked?"
    whole = matcher._run([(question, None)], customer=None, explain=False)[0]
    assert whole.status == "unmatched"  # the preamble's words drown the question
    result = matcher.match(question)
    assert (result.status, result.entry_id) == ("review", "network-closets")  # never auto on a part
    assert "one of its sentences ('Are network equipment rooms" in result.reason
    assert f"{whole.score:.1f}" in result.reason
    assert matcher.match_many([question])[0] == result


def test_sentences_are_not_read_apart_when_the_whole_question_matches_or_a_reviewer_decided() -> None:
    matcher = Matcher(SENTENCE_BANK)
    question = "Are network equipment rooms in your offices locked? Who holds the keys?"
    whole = matcher.match(question)
    assert whole.status in ("auto", "review")
    assert "sentences" not in whole.reason
    mappings = Mappings()
    mappings.record(PREAMBLE + "Are network equipment rooms in your offices locked?", None)
    result = Matcher(SENTENCE_BANK, mappings=mappings).match(PREAMBLE + "Are network equipment rooms in your offices locked?")
    assert (result.status, result.entry_id) == ("unmatched", None)
    assert result.reason.startswith("reviewer marked")


def test_a_short_real_word_is_not_corrected_into_a_bank_word() -> None:
    # "kinds" is one letter from "kids" (children's data); reading it so auto-filled a testing question
    matcher = Matcher([entry("children", "Do you collect data from children?", "Kids' data")])
    matcher.match("What kinds of security testing are done internally?")
    assert matcher._spelling.get("kinds") is None
    matcher.match("Do you collect data from chilren?")
    assert matcher._spelling.get("chilren") == "children"
