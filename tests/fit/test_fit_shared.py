"""Issue 15's examples on the real questionnaires in ../shared (skipped when absent), and its targets over every file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustfill.fill import answer_questionnaire
from trustfill.fit.form import classify_form, value_type
from trustfill.fit.polarity import negated
from trustfill.importers import load_questionnaire
from trustfill.session import open_session
from trustfill.workspace import default_root

FILES = ["hecvat-4.1.4.xlsx", "hecvat-full-3.06.xlsx", "hecvat-lite-2.11.xlsx", "hecvat-triage-2.10.xlsx",
         "vsaq-infrastructure.json", "vsaq-physical_and_datacenter.json", "vsaq-security_privacy_programs.json",
         "vsaq-webapp.json", "osi-procurement-security-questionnaire.docx"]


@pytest.fixture(scope="module")
def session():
    return open_session(None, default_root() / "examples" / "saas-heroku.yaml")


@pytest.fixture(scope="module")
def filled(session):
    cache: dict[str, dict] = {}

    def get(shared: Path, name: str) -> dict:
        if name not in cache:
            result = answer_questionnaire(load_questionnaire(shared / name), session.engine, session.matcher, session.profile_name)
            cache[name] = {r.question.question_id or r.question.location: r for r in result.results}
        return cache[name]
    return get


def _values(r) -> list[str]:
    return [w.value for w in r.writes]


def test_hecvat4_issue_examples(shared: Path, filled) -> None:
    rows = filled(shared, "hecvat-4.1.4.xlsx")
    prpo12 = rows["PRPO-12"]  # law enforcement without a warrant
    assert prpo12.short_written == "No"
    assert prpo12.answer.narrative.startswith("No.")
    for qid in ("AAAI-07", "AAAI-08"):  # hard-coded / plaintext passwords
        assert rows[qid].answer.short == "No"
        assert "Yes" not in _values(rows[qid])
    assert rows["PCID-04"].answer.short == "No"  # card data never reaches our systems
    assert rows["PCID-06"].match.entry_id == "compliance-pci-service-provider"
    assert rows["PCID-06"].answer.short == "No"
    for qid in ("AISC-04", "AIGN-04"):  # "Please describe ...": the narrative, never a bare Yes/No
        assert rows[qid].short_written is None
        assert all(v not in ("Yes", "No", "N/A") and len(v.split()) > 3 for v in _values(rows[qid]))
    assert rows["GNRL-01"].fact_value == "Acme Notes"
    assert _values(rows["GNRL-01"]) == ["Acme Notes"]
    assert rows["GNRL-08"].fact_value == "United States"
    assert rows["GNRL-07"].fact_value == "+1 512 555 0142"


def test_hecvat_lite_contact_phone_gets_a_phone_number(shared: Path, filled) -> None:
    rows = filled(shared, "hecvat-lite-2.11.xlsx")
    assert rows["GNRL-08"].question.text.startswith("Vendor Contact Phone")
    assert _values(rows["GNRL-08"]) == ["+1 512 555 0142"]
    assert "@" in _values(rows["GNRL-07"])[0]


@pytest.mark.parametrize("name", FILES)
def test_targets_hold_on_every_shared_file(shared: Path, filled, session, name: str) -> None:
    if not (shared / name).is_file():
        pytest.skip(f"{name} is not present")
    entries = session.engine.entries
    for qid, r in filled(shared, name).items():
        form = classify_form(r.question.text)
        values = _values(r)
        if form.kind == "open" and r.status == "auto":
            assert not any(re.fullmatch(r"(?:yes|no|n/a)\.?", v.strip(), re.I) for v in values), (qid, values)
        if form.kind == "value" and values and r.status in ("auto", "skipped"):
            fact = getattr(r.match, "profile_fact", None) or "answer"
            assert all(value_type(fact, v) in (None, form.value_type) for v in values), (qid, values)
        if r.status in ("auto", "review") and r.match.entry_id in entries and r.answer is not None:
            own = session.engine.render(r.match.entry_id).short
            if negated(r.question.text, entries[r.match.entry_id].question) and own in ("Yes", "No"):
                assert r.answer.short != own, (qid, "negated question got the entry's own answer")


def test_rows_the_blind_second_labelling_found_wrong(shared: Path, filled) -> None:
    """Scope and qualifier errors a blind second labelling found (shared_answer_labels_second.yaml)."""
    rows = filled(shared, "hecvat-4.1.4.xlsx")
    for qid in ("DATA-13", "AAAI-03", "HIPA-04", "CONS-04"):  # physical backups; institution's rules; subcontractors; consultants
        assert rows[qid].status == "review", qid
        assert rows[qid].writes == (), qid
    for qid in ("OPEM-01", "OPEM-02", "OPEM-04", "AISC-04", "AIGN-04"):  # on-premises / AI sections of a SaaS without AI
        values = _values(rows[qid])
        assert values, qid
        assert all(v.startswith("Not applicable:") for v in values), (qid, values)
    assert rows["OPEM-10"].answer.short == "Yes"  # a fact about the company stays true under any heading
    assert rows["DPAI-01"].answer.short == "No"  # "Does your service use AI ...?" is No, not N/A
    assert rows["AIQU-01"].answer.short == "No"
    lite = filled(shared, "hecvat-lite-2.11.xlsx")
    assert lite["HLDA-01"].status == "review"  # physically and logically separate: only logical holds
    vsaq = filled(shared, "vsaq-physical_and_datacenter.json")
    assert "yes" not in [v.casefold() for v in _values(vsaq["dc_policy"])]  # running own data centers
