"""CSV import: encodings, delimiters, header detection, column overrides, sections and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustfill.errors import ImportFormatError, UsageError
from trustfill.importers.csv import (
    CsvImporter,
    allowed_from_header,
    header_role,
    looks_like_section,
    sniff_csv,
)
from trustfill.importers.interface import ImportOptions
from trustfill.questionnaire import SlotKind, SlotState

BASIC = (
    "Vendor security questionnaire\n"
    "Please answer every question.\n"
    "\n"
    "Question ID,Question,Response (Yes/No/N/A),Comments\n"
    "Access Control,,,\n"
    "AC-1,Do you enforce MFA for administrators?,,\n"
    "AC-2,\"Describe how access is reviewed, and how often.\",Yes,Quarterly\n"
    "AC-3,Are passwords stored with a salted hash?,Select,\n"
    "AC-4,Is there a formal offboarding procedure?,=IF(A1,1,0),\n"
)


def write(tmp_path: Path, text: str, name: str = "q.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def collect(path: Path, **options: object):  # type: ignore[no-untyped-def]
    return CsvImporter().collect(path, ImportOptions(**options))  # type: ignore[arg-type]


def test_header_row_is_found_below_title_rows(tmp_path: Path) -> None:
    q = collect(write(tmp_path, BASIC))
    layout = q.layouts[0]
    assert layout.header_row == 4
    assert layout.columns == {"id": "1", "question": "2", "short": "3", "narrative": "4"}
    assert [row.question_id for row in q.questions] == ["AC-1", "AC-2", "AC-3", "AC-4"]


def test_slots_addresses_states_and_allowed_values(tmp_path: Path) -> None:
    rows = collect(write(tmp_path, BASIC)).questions
    first = rows[0]
    assert first.location == "row 6"
    assert first.section == "Access Control"
    short = first.slot(SlotKind.SHORT)
    assert short is not None
    assert short.address == "6:3"
    assert short.allowed == ("Yes", "No", "N/A")
    assert short.state is SlotState.EMPTY
    assert first.slot(SlotKind.NARRATIVE).address == "6:4"  # type: ignore[union-attr]
    assert rows[1].text == "Describe how access is reviewed, and how often."
    assert rows[1].slot(SlotKind.SHORT).state is SlotState.ANSWERED  # type: ignore[union-attr]
    assert rows[1].slot(SlotKind.NARRATIVE).current == "Quarterly"  # type: ignore[union-attr]
    assert rows[2].slot(SlotKind.SHORT).state is SlotState.PLACEHOLDER  # type: ignore[union-attr]
    assert rows[3].slot(SlotKind.SHORT).state is SlotState.FORMULA  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_encodings_are_detected_and_reported(tmp_path: Path, encoding: str, reported: str) -> None:
    text = "ID,Question,Answer\nQ1,Do you encrypt data at rest — with AES-256 and “managed” keys?,\n"
    q = collect(write(tmp_path, text, encoding=encoding))
    assert q.questions[0].text == "Do you encrypt data at rest — with AES-256 and “managed” keys?"
    assert f"encoding {reported}" in q.layouts[0].note
    assert q.questions[0].question_id == "Q1"  # no BOM glued to the first header


def test_encoding_hint_wins_and_bad_hint_is_clear(tmp_path: Path) -> None:
    path = write(tmp_path, "ID,Question,Answer\nQ1,Café policy in place?,\n", encoding="latin-1")
    assert collect(path, encoding="latin-1").questions[0].text == "Café policy in place?"
    with pytest.raises(ImportFormatError, match=r"q\.csv: not valid utf-8 \(byte"):
        collect(path, encoding="utf-8")
    with pytest.raises(UsageError, match="unknown encoding 'klingon'"):
        collect(path, encoding="klingon")


@pytest.mark.parametrize(("delimiter", "name"), [(",", "q.csv"), (";", "q.csv"), ("\t", "q.tsv"), ("\t", "q.txt")])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [["#", "Question", "Answer", "Notes"], ["1", "Do you log access, changes; and deletes?", "", ""],
            ["2", "Is data backed up daily?", "", ""]]
    text = "".join(delimiter.join(f'"{c}"' if ("," in c or ";" in c) else c for c in r) + "\r\n" for r in rows)
    path = write(tmp_path, text, name)
    assert sniff_csv(path).delimiter == delimiter
    q = collect(path)
    assert [r.text for r in q.questions] == ["Do you log access, changes; and deletes?", "Is data backed up daily?"]


def test_multiline_cells_keep_record_numbers(tmp_path: Path) -> None:
    text = 'ID,Question,Answer\nQ1,"Describe your SDLC:\nreviews, tests",\nQ2,Do you pen test yearly?,\n'
    rows = collect(write(tmp_path, text)).questions
    assert rows[0].text == "Describe your SDLC:\nreviews, tests"
    assert rows[1].location == "row 3"  # record 3 although it starts on line 4
    assert rows[1].slot(SlotKind.SHORT).address == "3:3"  # type: ignore[union-attr]


def test_overrides_by_name_letter_and_index(tmp_path: Path) -> None:
    text = "Ref,Text,Vendor reply box,Extra\nR1,Do you scan for vulnerabilities?,,\n"
    path = write(tmp_path, text)
    by_name = collect(path, question_col="Text", answer_col="Vendor reply box", id_col="Ref")
    by_letter = collect(path, question_col="B", answer_col="C", comment_col="D", header_row=1)
    by_index = collect(path, question_col="2", answer_col="3")
    assert by_name.questions[0].slot(SlotKind.SHORT).address == "2:3"  # type: ignore[union-attr]
    assert by_letter.questions[0].slot(SlotKind.NARRATIVE).address == "2:4"  # type: ignore[union-attr]
    assert by_index.questions[0].text == "Do you scan for vulnerabilities?"
    assert by_name.layouts[0].score == 1.0
    with pytest.raises(UsageError, match=r"--answer-col 'Reply!!' names no column"):
        collect(path, question_col="Text", answer_col="Reply!!")


def test_no_question_header_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no header row naming a question column"):
        collect(write(tmp_path, "a,b,c\n1,2,3\n"))


def test_no_answer_column_lists_questions_without_slots(tmp_path: Path) -> None:
    q = collect(write(tmp_path, "ID,Question\nQ1,Do you have a DPO?\n"))
    assert q.questions[0].slots == ()
    assert "no answer column" in q.layouts[0].note


def test_duplicate_ids_and_id_without_text_are_problems(tmp_path: Path) -> None:
    text = "ID,Question,Answer\nQ1,Do you have a CISO?,\nQ1,Do you have a DPO?,\nQ2,,\n"
    q = collect(write(tmp_path, text))
    assert len(q.questions) == 2
    messages = [p.message for p in q.problems]
    assert "row 3: id 'Q1' repeats row 2" in messages
    assert any("id 'Q2' but no question text" in m for m in messages)
    assert all(p.level == "warning" for p in q.problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest-of-zip", "this is a zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "legacy Office file"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor cp1252"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        collect(path)


def test_header_words() -> None:
    assert header_role("Question ID") == "id"
    assert header_role("Response comments") == "narrative"
    assert header_role("Vendor Response") == "short"
    assert header_role("Supporting documentation") == "comment"
    assert header_role("Do you have an access control policy that covers all systems?") is None
    assert allowed_from_header("Answer (Yes / No / N/A)") == ("Yes", "No", "N/A")
    assert allowed_from_header("Answer") is None


def test_section_heuristics() -> None:
    assert looks_like_section("Access Control")
    assert looks_like_section("3. NETWORK SECURITY")
    assert not looks_like_section("MFA for administrators")
    assert not looks_like_section("Do you encrypt backups?")

