"""The matcher's evaluation set (benchmarks/data/match_eval.yaml) is well-formed and fits the bundled bank."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from rapidfuzz import fuzz

from trustfill.workspace import find_workspace, load_library

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "match_eval.py"

MIN_IN_BANK = 330
MIN_OUT_OF_BANK = 120
MIN_NON_SECURITY = 15
# A phrasing this close to a bank text is a copy and would overstate the matcher's accuracy.
COPY_RATIO = 90


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("match_eval", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def data(script: ModuleType):  # type: ignore[no-untyped-def]
    return script.load_eval()


@pytest.fixture(scope="module")
def bank():  # type: ignore[no-untyped-def]
    lib = load_library(find_workspace(REPO))
    assert lib.entries, "the bundled bank did not load"
    return lib.entries


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def test_counts_reach_the_targets(data) -> None:  # type: ignore[no-untyped-def]
    near = [x for x in data.out_of_bank if x.near]
    assert len(data.in_bank) >= MIN_IN_BANK
    assert len(data.out_of_bank) >= MIN_OUT_OF_BANK
    assert len(near) * 2 >= len(data.out_of_bank), "at least half of out_of_bank must be near-misses"
    assert len(data.non_security) >= MIN_NON_SECURITY


def test_every_label_is_a_bank_entry(data, bank) -> None:  # type: ignore[no-untyped-def]
    labels = {x.entry for x in data.in_bank} | {a for x in data.in_bank for a in x.also}
    nears = {x.near for x in data.out_of_bank if x.near}
    assert sorted(labels - set(bank)) == []
    assert sorted(nears - set(bank)) == []


def test_also_lists_other_entries_once(data) -> None:  # type: ignore[no-untyped-def]
    for item in data.in_bank:
        assert item.entry not in item.also, item.question
        assert len(set(item.also)) == len(item.also), item.question


def test_every_bank_entry_has_a_labelled_question(data, bank) -> None:  # type: ignore[no-untyped-def]
    covered = {x.entry for x in data.in_bank}
    assert sorted(set(bank) - covered) == [], "write a customer phrasing for each new bank entry"


def test_no_question_appears_twice(data) -> None:  # type: ignore[no-untyped-def]
    texts = [x.question for section in (data.in_bank, data.out_of_bank, data.non_security) for x in section]
    repeated = [q for q, n in Counter(_key(t) for t in texts).items() if n > 1]
    assert repeated == []


def test_phrasings_are_not_copies_of_bank_texts(data, bank) -> None:  # type: ignore[no-untyped-def]
    bank_texts = [(e.id, _key(t)) for e in bank.values() for t in (e.question, *e.aliases)]
    copies = []
    for item in [*data.in_bank, *data.out_of_bank]:
        q = _key(item.question)
        for entry_id, text in bank_texts:
            if fuzz.ratio(q, text) >= COPY_RATIO:
                copies.append(f"{item.question!r} ~ {entry_id}: {text!r}")
    assert copies == []


def test_out_of_bank_autos_count_against_precision(script: ModuleType) -> None:
    right = script.Item("q1", "in_bank", frozenset({"a"}))
    oob = script.Item("q2", "out_of_bank", near="a")
    outcomes = [
        script.Outcome(right, "auto", "a", 90.0, 20.0, None),
        script.Outcome(oob, "auto", "a", 85.0, 10.0, None),
    ]
    m = script.metrics(outcomes)
    assert m.auto_precision == pytest.approx(0.5)
    assert m.oob_auto == pytest.approx(1.0)
    assert m.coverage == pytest.approx(1.0)
    assert not script.meets_fill_targets(m)
