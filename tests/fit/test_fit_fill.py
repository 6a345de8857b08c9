"""The answer written fits the question as asked: fill and ``answer`` with the bundled bank, questionnaires built in code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustfill.fill import AUTO, REVIEW, FillOptions, answer_questionnaire
from trustfill.pipeline import answer_one
from trustfill.questionnaire import AnswerSlot, Questionnaire, QuestionRow, SlotKind
from trustfill.session import open_session
from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
YES_NO = ("Yes", "No")


@pytest.fixture(scope="module")
def session():
    return open_session(None, EXAMPLES / "saas-heroku.yaml")


def _row(i: int, text: str, allowed: tuple[str, ...] | None = YES_NO, qid: str | None = None) -> QuestionRow:
    slots = (AnswerSlot(SlotKind.SHORT, f"Sheet1!C{i}", allowed=allowed), AnswerSlot(SlotKind.NARRATIVE, f"Sheet1!D{i}"))
    return QuestionRow(f"Sheet1!B{i}", text, slots, qid or f"Q-{i:02d}")


def _fill(session, rows: list[QuestionRow], mode: str = "blank"):
    questionnaire = Questionnaire(Path("in-code.xlsx"), "xlsx", tuple(rows))
    filled = answer_questionnaire(questionnaire, session.engine, session.matcher, session.profile_name,
                                  FillOptions(review_mode=mode))
    return {r.question.question_id: r for r in filled.results}


def _written(result) -> dict[str, str]:
    return {w.address.rsplit("!", 1)[1][0]: w.value for w in result.writes}


def test_law_enforcement_without_a_warrant_gets_the_declared_no(session) -> None:
    r = _fill(session, [_row(5, "Do you share any institutional data with law enforcement without a valid warrant or subpoena?*")])["Q-05"]
    assert r.match.entry_id == "data-government-requests"
    assert r.short_written == "No"
    cells = _written(r)
    assert cells["C"] == "No"
    assert cells["D"].startswith("No. We disclose customer data to authorities only when legally compelled")
    assert any("asks the opposite" in n for n in r.notes)


@pytest.mark.parametrize("mode", ["blank", "fill"])
def test_plaintext_and_hard_coded_passwords_never_get_yes(session, mode: str) -> None:
    results = _fill(session, [_row(7, "Are there any passwords/passphrases hard-coded into your systems or solutions?*"),
                              _row(8, "Are you storing any passwords in plaintext?*")], mode)
    for r in results.values():
        assert r.answer is not None, r.notes
        assert r.answer.short == "No", r.notes
        assert "Yes" not in _written(r).values()
        assert r.short_written in (None, "No")


def test_negated_question_without_a_declared_inversion_is_never_written(session) -> None:
    # The hashing entry declares an inversion only for its "Yes"; under a profile without a hashing algorithm its
    # "No" ("we are replacing the storage") says nothing about plain text, so a person must answer.
    facts = dict(session.engine.flat_facts)
    facts["crypto.password_hashing"] = ""  # no hashing algorithm: the entry's "No" case
    from trustfill.answers import AnswerEngine

    engine = AnswerEngine(session.engine.entries, facts, session.engine.evidence, session.engine.env)
    questionnaire = Questionnaire(Path("x.xlsx"), "xlsx", (_row(8, "Do you store passwords in clear text?"),))
    for mode in ("blank", "fill"):
        [r] = answer_questionnaire(questionnaire, engine, session.matcher, "p", FillOptions(review_mode=mode)).results
        if r.match.entry_id != "crypto-password-hashing":
            pytest.skip(f"matched {r.match.entry_id}")
        assert r.status == REVIEW
        assert r.writes == ()
        assert r.answer is None  # not even offered as a suggestion in an answer document
        assert any("declares no safe inversion" in n for n in r.notes)


def test_open_question_gets_the_narrative_never_a_bare_yes(session) -> None:
    rows = [_row(38, "Please describe how you validate user inputs.", allowed=None),
            _row(26, "Please describe the capabilities of your solution's AI features.", allowed=None),
            _row(30, "Where is the customer's data hosted? Describe the hosting provider.", allowed=YES_NO)]
    for r in _fill(session, rows, "fill").values():
        values = list(_written(r).values())
        assert values, r.notes
        for v in values:
            assert v.strip().rstrip(".") not in ("Yes", "No", "N/A")
            assert len(v.split()) >= 3
            assert not v.startswith(("Yes.", "No."))
        assert r.short_written is None


def test_open_question_with_a_choice_cell_leaves_the_choice_empty(session) -> None:
    r = _fill(session, [_row(30, "Describe how you validate user inputs.", allowed=YES_NO)], "fill")["Q-30"]
    assert set(_written(r)) == {"D"}


def test_value_fields_get_a_value_of_their_type(session) -> None:
    rows = [_row(13, "Solution Provider Name", None, "GNRL-01"), _row(20, "Country of Company Headquarters", None, "GNRL-08"),
            _row(14, "Vendor Contact Phone Number", None, "GNRL-08b"), _row(15, "Vendor Contact Email", None, "GNRL-07"),
            _row(16, "Web Link to Product Privacy Notice", None, "GNRL-04")]
    results = _fill(session, rows)
    got = {qid: r.fact_value or r.short_written for qid, r in results.items()}
    assert got == {"GNRL-01": "Acme Notes", "GNRL-08": "United States", "GNRL-08b": "+1 512 555 0142",
                   "GNRL-07": "security@acmenotes.example", "GNRL-04": "https://acmenotes.example/privacy"}
    assert _written(results["GNRL-04"]) == {"C": "https://acmenotes.example/privacy"}


def test_a_value_field_whose_fact_has_another_type_stays_blank(session) -> None:
    facts = dict(session.engine.flat_facts)
    facts["company.phone"] = "phone@acmenotes.example"  # a profile mistake: an address where a number belongs
    from trustfill.answers import AnswerEngine

    engine = AnswerEngine(session.engine.entries, facts, session.engine.evidence, session.engine.env)
    questionnaire = Questionnaire(Path("x.xlsx"), "xlsx", (_row(14, "Vendor Contact Phone Number", None),))
    [r] = answer_questionnaire(questionnaire, engine, session.matcher, "p").results
    assert r.status == REVIEW
    assert r.writes == ()
    assert "phone field" in r.notes[0]


def test_contradicting_answers_go_to_review_with_both_rows_named(session, tmp_path: Path) -> None:
    # AI training opt-in while the profile says the product has no AI features (the AIGN-04 case)
    profile = yaml.safe_load((EXAMPLES / "saas-heroku.yaml").read_text())
    profile["ai"]["training_on_customer_data"] = "opt_in"
    profile["ai"]["consent_mechanism"] = "a consent form"
    profile["ai"]["prohibit_control"] = "in their settings"
    path = tmp_path / "contradicting.yaml"
    path.write_text(yaml.safe_dump(profile))
    contradicting = open_session(None, path)
    rows = [_row(26, "Does the product include AI or machine learning features?", qid="AIGN-01"),
            _row(40, "Is customer data used to train AI/ML models?", qid="AIML-02"),
            _row(41, "Do you have a documented incident response plan?", qid="HFIH-01")]
    results = _fill(contradicting, rows, "fill")
    assert results["AIGN-01"].answer.short == "No"
    assert results["AIML-02"].answer.short == "Yes"
    assert results["AIGN-01"].status == results["AIML-02"].status == REVIEW
    assert any("AIML-02 (Sheet1!B40)" in n for n in results["AIGN-01"].notes)
    assert any("AIGN-01 (Sheet1!B26)" in n for n in results["AIML-02"].notes)
    assert all(w.review for w in results["AIGN-01"].writes)
    assert results["HFIH-01"].status == AUTO
    # the consistent example profile: no contradiction
    fine = _fill(session, rows, "fill")
    assert not any("contradicts" in n for r in fine.values() for n in r.notes)


def test_pci_card_data_and_service_provider_answer_no_for_a_processor_only_profile(session) -> None:
    rows = [_row(67, "Do your systems or solutions store, process, or transmit cardholder (payment/credit/debt card) data?"),
            _row(68, "Are you classified as a service provider?")]
    results = _fill(session, rows, "fill")
    assert [r.match.entry_id for r in results.values()] == ["compliance-pci-card-data", "compliance-pci-service-provider"]
    assert [r.answer.short for r in results.values()] == ["No", "No"]


def test_answer_command_shows_the_narrative_for_an_open_question(session) -> None:
    view = answer_one(session, "Where is our data hosted?")
    assert view.fit is not None
    assert view.fit.form.kind == "open"
    assert view.answer is None or (view.answer.short == "" and len(view.answer.narrative.split()) > 3)
    negated = answer_one(session, "Do you share customer data with law enforcement without a warrant?")
    assert negated.answer is not None
    assert negated.answer.short == "No"


@pytest.mark.parametrize(("question", "entry", "short"), [
    ("Do you use Telnet or other unencrypted protocols to manage servers?", "infra-cleartext-protocols", "No"),
    ("Do you commit never to sell personal data?", "privacy-sale-sharing", "Yes"),
    ("Do you sell personal data?", "privacy-sale-sharing", "No"),
])
def test_entries_phrased_negatively_answer_both_polarities(session, question: str, entry: str, short: str) -> None:
    view = answer_one(session, question)
    assert view.entry is not None
    assert view.entry.id == entry
    assert view.answer is not None
    assert view.answer.short == short


def test_a_yes_that_misses_the_questions_time_bar_goes_to_review(session) -> None:
    r = _fill(session, [_row(12, "Do you have a technology roadmap, for at least the next two years, for enhancements and bug fixes?")])["Q-12"]
    assert r.match.entry_id == "lifecycle-product-roadmap"
    assert r.status == REVIEW
    assert any("lifecycle.roadmap_horizon_months is 12" in n for n in r.notes)
