"""Learned mappings: recorded, saved atomically, loaded with located errors, applied exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustfill.errors import OutputError, WorkspaceError
from trustfill.matching import Mappings


def test_record_save_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "mappings.yaml"
    m = Mappings()
    m.record(
        "Do you use 2FA?", "iam-mfa-workforce", decided_by="jane@example.com", date=dt.date(2026, 11, 23)
    )
    m.record("Do you use 2FA?", "iam-mfa-customer", customer="Acme University")
    m.record("Do you accept purchase orders?", None)
    m.save(path)

    text = path.read_text(encoding="utf-8")
    assert "entry: null" in text
    assert "customer: Acme University" in text
    assert "date: 2026-11-23" in text
    assert [p.name for p in tmp_path.iterdir()] == ["mappings.yaml"]  # no temporary file left behind

    loaded = Mappings.load(path)
    assert len(loaded) == 3
    found = loaded.lookup("do you use 2fa")
    assert found is not None
    assert (found.entry_id, found.decided_by, found.date) == (
        "iam-mfa-workforce",
        "jane@example.com",
        dt.date(2026, 11, 23),
    )
    not_in_bank = loaded.lookup("Do you accept purchase orders?")
    assert not_in_bank is not None
    assert not_in_bank.entry_id is None


def test_customer_decisions_win_over_global_ones() -> None:
    m = Mappings()
    m.record("Do you use 2FA?", "global-entry")
    m.record("Do you use 2FA?", "acme-entry", customer="Acme University")
    assert m.lookup("Do you use 2FA?", "ACME  university").entry_id == "acme-entry"  # type: ignore[union-attr]
    assert m.lookup("Do you use 2FA?", "Other").entry_id == "global-entry"  # type: ignore[union-attr]
    assert m.lookup("Do you use 2FA?").entry_id == "global-entry"  # type: ignore[union-attr]
    assert m.lookup("Do you use two-factor authentication?") is None  # exact wording only


def test_recording_again_replaces_and_forget_removes() -> None:
    m = Mappings()
    m.record("Q one?", "a-entry")
    m.record("q ONE", "b-entry")
    assert len(m) == 1
    assert m.lookup("Q one?").entry_id == "b-entry"  # type: ignore[union-attr]
    assert m.forget("Q one")
    assert m.lookup("Q one?") is None
    with pytest.raises(ValueError, match=r"should match pattern"):
        m.record("Q two?", "Not An Id!")


def test_missing_or_empty_file_means_no_decisions(tmp_path: Path) -> None:
    assert len(Mappings.load(tmp_path / "absent.yaml")) == 0
    (tmp_path / "empty.yaml").write_text("# nothing decided yet\n", encoding="utf-8")
    assert len(Mappings.load(tmp_path / "empty.yaml")) == 0


def test_the_mappings_key_form_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "mappings.yaml"
    path.write_text(
        "mappings:\n  - question: Do you use 2FA?\n    entry: iam-mfa-workforce\n", encoding="utf-8"
    )
    assert Mappings.load(path).lookup("Do you use 2FA?").entry_id == "iam-mfa-workforce"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- question: Q?\n  entry: a-entry\n  custmer: Acme\n",
            r"mappings.yaml:3:3: mappings\[0\].custmer: unknown key; did you mean 'customer'\?",
        ),
        (
            "- question: Q?\n  entry: Bad Id\n",
            r"mappings.yaml:2:10: mappings\[0\].entry: 'Bad Id' does not match",
        ),
        ("- question: Q?\n", r"mappings.yaml:1:3: mappings\[0\].entry: required key is missing"),
        (
            "- question: Q?\n  entry: a-entry\n  date: 23/11/2026\n",
            r"mappings.yaml:3:9: mappings\[0\].date: not a date: '23/11/2026'; write it as YYYY-MM-DD",
        ),
        (
            "- question: Q one?\n  entry: a-entry\n- question: q ONE\n  entry: b-entry\n",
            r"mappings.yaml:3:13: mappings\[1\].question: this question already has a decision for all customers \(at .*mappings.yaml:1:3\); keep one",
        ),
        (
            "- question: Q?\n  entry: a-entry\n   customer: x\n",
            r"mappings.yaml:3:\d+: mapping values are not allowed",
        ),
    ],
)
def test_file_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mappings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError, match=message):
        Mappings.load(path)


def test_save_reports_an_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    m = Mappings()
    m.record("Q?", "a-entry")
    with pytest.raises(OutputError, match=r"file/mappings.yaml: cannot write the mappings file"):
        m.save(blocker / "mappings.yaml")
