"""Policy questions come in families: recognised by wording, topic looked up in the evidence index's covers lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustfill.models import EvidenceItem
from trustfill.policies import family_of, find_policy, topic_of
from trustfill.session import open_session
from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
ESTABLISHED = "Are {} policies and procedures established, documented, approved, communicated, applied, evaluated and maintained?"
REVIEWED = "Are {} policies and procedures reviewed and updated at least annually?"


def _doc(doc_id: str, *covers: str) -> EvidenceItem:
    return EvidenceItem(id=doc_id, title=doc_id.replace("-", " ").title(), path=f"docs/{doc_id}.md", owner="a@example.com",
                        visibility="nda", covers=list(covers))


@pytest.mark.parametrize(("question", "family"), [
    (ESTABLISHED.format("logging and monitoring"), "established"),
    (REVIEWED.format("logging and monitoring"), "reviewed"),
    ("Are policies and procedures for asset classification established, documented, approved and maintained?", "established"),
    ("Is the key management policy and procedures reviewed yearly?", "reviewed"),
    # not the family: no "policies and procedures", or too few lifecycle verbs, or no yearly cadence
    ("Are information security policies reviewed and updated at least annually?", None),
    ("Do you have documented policies and procedures for incident response?", None),
    ("Are logging policies and procedures reviewed after major changes?", None),
    ("Do you have a documented access control policy?", None),
])
def test_family_is_recognised_by_its_wording(question: str, family: str | None) -> None:
    assert family_of(question) == family


def test_topic_is_what_the_family_words_leave() -> None:
    topic = topic_of(ESTABLISHED.format("cryptography, encryption and key management"))
    assert topic is not None
    assert topic.text == "cryptography, encryption and key management"
    assert topic_of("Are policies and procedures for asset classification established, documented and approved?").text == "asset classification"
    assert topic_of("Are policies and procedures established, documented, approved and maintained?") is None


def test_a_document_covers_a_topic_only_when_its_phrases_account_for_every_word() -> None:
    docs = [_doc("crypto-policy", "cryptography", "encryption", "key management"),
            _doc("ir-plan", "incident response", "security incident management"),
            _doc("privacy-notice", "privacy")]
    hit = find_policy(topic_of(ESTABLISHED.format("cryptography, encryption and key management")), docs)
    assert hit.document is not None
    assert hit.document.id == "crypto-policy"
    assert set(hit.phrases) == {"cryptography", "encryption", "key management"}
    # stems and thesaurus concepts: "cryptographic keys" is the same topic words
    assert find_policy(topic_of(REVIEWED.format("cryptographic key management")), docs).document.id == "crypto-policy"
    # part of the topic covered is not enough: e-discovery is not incident management
    partial = find_policy(topic_of(ESTABLISHED.format("security incident management and e-discovery")), docs)
    assert partial.document is None
    assert partial.reason.startswith("ir-plan covers part of 'security incident management and e-discovery' but not:")
    assert "discovery" in partial.reason
    none = find_policy(topic_of(ESTABLISHED.format("interoperability and portability")), docs)
    assert none.document is None
    assert none.reason == "no document in evidence/index.yaml covers 'interoperability and portability'"


def test_two_documents_covering_a_topic_equally_go_to_review() -> None:
    docs = [_doc("a-policy", "logging and monitoring"), _doc("b-standard", "logging and monitoring")]
    found = find_policy(topic_of(ESTABLISHED.format("logging and monitoring")), docs)
    assert found.document is None
    assert "both a-policy and b-standard cover" in found.reason
    # the more specific phrase wins
    docs = [_doc("a-policy", "monitoring", "logging"), _doc("b-standard", "logging and monitoring")]
    assert find_policy(topic_of(ESTABLISHED.format("logging and monitoring")), docs).document.id == "b-standard"


def test_the_bundled_bank_answers_a_covered_topic_citing_its_document() -> None:
    session = open_session(None, EXAMPLES / "saas-heroku.yaml")
    q = ESTABLISHED.format("threat and vulnerability management")
    match = session.matcher.match(q)
    assert (match.status, match.entry_id) == ("auto", "policy-family-established")
    answer = session.engine.render(match.entry_id, q)
    assert answer.status == "ok"
    assert answer.short == "Yes"
    assert "Vulnerability and Patch Management Policy" in answer.narrative
    assert "threat and vulnerability management" in answer.narrative
    assert [e.id for e in answer.evidence] == ["vulnerability-management-policy"]
    assert answer.ownership == "CSP-owned"
    review = session.engine.render("policy-family-reviewed", REVIEWED.format("logging and monitoring"))
    assert review.short == "Yes"
    assert [e.id for e in review.evidence] == ["logging-monitoring-standard"]


def test_an_uncovered_topic_goes_to_review_never_a_guess() -> None:
    session = open_session(None, EXAMPLES / "saas-heroku.yaml")
    answer = session.engine.render("policy-family-established", ESTABLISHED.format("interoperability and portability"))
    assert answer.status == "needs_input"
    assert answer.short is None
    assert answer.problems == ("needs input: no document in evidence/index.yaml covers 'interoperability and portability'; "
                               "list the topic under covers: of the policy document that covers it",)


def test_family_routing_leaves_other_policy_questions_to_the_scorer() -> None:
    session = open_session(None, EXAMPLES / "saas-heroku.yaml")
    match = session.matcher.match("Are information security policies reviewed and updated at least annually?")
    assert match.entry_id == "governance-policy-review"
    # family entries are never proposed by score either
    for cand in session.matcher.match("Do you have documented policies and procedures?").candidates:
        assert not cand.entry_id.startswith("policy-family")


def test_a_reviewers_mapping_wins_over_family_routing() -> None:
    from trustfill.matching import Matcher
    from trustfill.matching.mappings import Decision, Mappings

    session = open_session(None, EXAMPLES / "saas-heroku.yaml")
    q = ESTABLISHED.format("cryptography, encryption and key management")
    mappings = Mappings([Decision("crypto-policy", q, None, None, None)])
    matcher = Matcher(list(session.lib.entries.values()), mappings=mappings)
    assert matcher.match(q).entry_id == "crypto-policy"


def test_fill_of_a_family_question_cites_the_covering_document(caiq_v4: Path, tmp_path: Path, run_cli) -> None:
    import json

    out, report = tmp_path / "a.xlsx", tmp_path / "a.json"
    code, _, err = run_cli("fill", str(caiq_v4), "-o", str(out), "--profile", str(EXAMPLES / "saas-heroku.yaml"),
                           "--report", str(report))
    assert code == 0, err
    rows = {q["question_id"]: q for q in json.loads(report.read_text())["questions"]}
    assert rows["CEK-01.1"]["status"] == "auto"
    assert [e["id"] for e in rows["CEK-01.1"]["evidence"]] == ["cryptography-policy"]
    assert rows["LOG-01.2"]["evidence"][0]["id"] == "logging-monitoring-standard"
    assert rows["IPY-01.1"]["status"] == "review"
    assert rows["IPY-01.1"]["written"] == []


def test_match_preview_agrees_with_fill_on_uncovered_topics(caiq_v4: Path, run_cli) -> None:
    import json

    code, out, err = run_cli("match", str(caiq_v4), "--json", "--profile", str(EXAMPLES / "saas-heroku.yaml"))
    assert code == 0, err
    data = json.loads(out)
    rows = {r["id"]: r for r in data["questions"]}
    assert rows["CEK-01.1"]["status"] == "auto"
    assert rows["IPY-01.1"]["status"] == "review"
    assert "no document in evidence/index.yaml covers 'interoperability and portability'" in rows["IPY-01.1"]["reason"]
    code, out, err = run_cli("match", str(caiq_v4), "--profile", str(EXAMPLES / "saas-heroku.yaml"))
    assert code == 0, err
    assert f"review: {data['totals']['review']}" in out


def test_a_family_question_without_a_topic_takes_its_sections() -> None:
    session = open_session(None, EXAMPLES / "saas-heroku.yaml")
    q = "Are policies and procedures reviewed and updated at least annually?"
    assert topic_of(q) is None
    answer = session.engine.render("policy-family-reviewed", q, "Logging and Monitoring")
    assert answer.status == "ok"
    assert [e.id for e in answer.evidence] == ["logging-monitoring-standard"]
    lost = session.engine.render("policy-family-reviewed", q, "CAIQv4.0.3")
    assert lost.status == "needs_input"
    assert lost.problems[0].startswith("needs input: the question names no policy topic and, for its section, no document")
    assert session.engine.render("policy-family-reviewed", q).problems[0].startswith(
        "needs input: the question names no policy topic;")


FAMILY_ENTRY = """\
  - id: policy-family-established
    question: Are policies and procedures for a topic established, documented, approved and maintained?
    category: Governance
    policy_family: established
    explanation: e
    rationale: r
    customer_responsibility: "{{ sso.enabled }}"
    answer:
      cases:
        - short: "Yes"
          narrative: Yes. Our {{ policy.title }} covers {{ policy.topic }}.
"""


def test_check_warns_of_a_family_without_covers_and_lints_the_new_templates(mini_workspace: Path, run_cli) -> None:
    bank = mini_workspace / "question_bank" / "core.yaml"
    bank.write_text(bank.read_text() + FAMILY_ENTRY)
    code, out, err = run_cli("check", cwd=mini_workspace)
    assert code == 1
    lines = (out + err).splitlines()
    assert "question_bank/core.yaml:43:30: error: customer_responsibility uses fact 'sso.enabled', which no question_bank file declares" in lines
    assert any(line.startswith("question_bank/core.yaml:37:9: warning: policy-family-established: a policy-family entry, but no document")
               for line in lines)
    assert "policy.title" not in out + err  # the narrative's policy variables are not facts
