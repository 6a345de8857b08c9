"""The coverage benchmark's ground truth (benchmarks/data/shared_labels.yaml, and the second labeller's sample in
shared_labels_second.yaml) fits the bundled bank.

Runs without ../shared: it checks the labels against the bank and a fixed list of questionnaire file names, so a
renamed or deleted bank entry, or a typo in a file name, fails here instead of silently lowering the measured
accuracy in benchmarks/coverage.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from trustfill.workspace import find_workspace, load_library

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "benchmarks" / "data" / "shared_labels.yaml"
SECOND = REPO / "benchmarks" / "data" / "shared_labels_second.yaml"

# The questionnaires listed in ../shared/questionnaires/SOURCES.md; labels may only name these.
KNOWN_FILES = frozenset({
    "hecvat-4.1.4.xlsx",
    "hecvat-full-3.06.xlsx",
    "hecvat-lite-2.11.xlsx",
    "hecvat-triage-2.10.xlsx",
    "openchain-license-compliance-2.0-questionnaire.docx",
    "openchain-oss-practices-ma-assessment.docx",
    "osi-procurement-security-questionnaire.docx",
    "vsaq-infrastructure.json",
    "vsaq-physical_and_datacenter.json",
    "vsaq-security_privacy_programs.json",
    "vsaq-webapp.json",
})
# A question id ("HLAP-01", "dc_access") or a cell location ("Sheet1!C14"); anything longer is probably copied text,
# which must not enter the repository.
# The label of a row that is not a security question (company details, feedback); never a bank id.
SKIP = "skip"
KEY = re.compile(r"^[\w.\-' ]{1,60}(![A-Z]{1,3}\d{1,7})?$")


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path}: expected a mapping of file name -> labels"
    return data


@pytest.fixture(scope="module", params=[LABELS, SECOND], ids=["first", "second"])
def labels(request: pytest.FixtureRequest) -> dict:
    return _load(request.param)


def test_the_second_labelling_is_a_sample_of_the_first() -> None:
    first, second = _load(LABELS), _load(SECOND)
    extra = sorted(f"{name}:{qid}" for name, rows in second.items() for qid in rows if qid not in first.get(name, {}))
    assert not extra, f"{SECOND}: questions the first labelling does not have: {extra[:5]}"
    assert sum(len(rows) for rows in second.values()) == 300


@pytest.fixture(scope="module")
def bank_ids() -> set[str]:
    lib = load_library(find_workspace(REPO))
    assert lib.entries, "the bundled bank did not load"
    return set(lib.entries)


def test_every_file_key_is_a_known_questionnaire(labels: dict) -> None:
    unknown = sorted(set(labels) - KNOWN_FILES)
    assert not unknown, f"labels: unknown questionnaire file names {unknown}"


def test_each_file_labels_questions_with_short_keys(labels: dict) -> None:
    for name, file_labels in labels.items():
        assert isinstance(file_labels, dict), f"labels: {name}: expected a mapping of question id -> entry id"
        assert file_labels, f"labels: {name} has no labels"
        bad = [k for k in file_labels if not isinstance(k, str) or not KEY.match(k)]
        assert not bad, f"labels: {name}: keys that are not question ids or locations: {bad[:5]}"


def test_every_labelled_entry_exists_in_the_bank(labels: dict, bank_ids: set[str]) -> None:
    missing = sorted(
        f"{name}:{qid}->{entry}"
        for name, file_labels in labels.items()
        for qid, entries in file_labels.items()
        for entry in (entries if isinstance(entries, list) else [entries])
        if entry not in (None, SKIP) and entry not in bank_ids
    )
    assert not missing, f"labels: labels name entries the bank does not have: {missing}"


def test_labels_are_entry_ids_null_or_skip(labels: dict) -> None:
    for name, file_labels in labels.items():
        bad = [qid for qid, entry in file_labels.items() if entry is not None and not isinstance(entry, (str, list))]
        assert not bad, f"labels: {name}: labels must be an entry id, a list of them, null or {SKIP}: {bad}"
        for qid, entry in file_labels.items():
            if isinstance(entry, list):
                # every listed entry answers the question; null and skip are not answers, and a repeat is a typo
                ok = len(entry) >= 2 and len(set(entry)) == len(entry) and all(isinstance(e, str) and e != SKIP for e in entry)
                assert ok, f"labels: {name}:{qid}: a list label needs two or more different entry ids: {entry}"


def test_some_questions_are_in_the_bank_and_some_are_not() -> None:
    # All-null or all-labelled files would mean the labelling was skipped, not judged.
    for name, file_labels in _load(LABELS).items():
        values = list(file_labels.values())
        assert any(v in (None, SKIP) for v in values), f"{name}: no question is labelled out of the bank or skip"
        assert any(v not in (None, SKIP) for v in values), f"{name}: no question is labelled with an entry"
