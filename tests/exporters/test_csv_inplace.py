"""CSV in-place writer: same dialect and encoding, untouched rows byte-identical, formulas guarded."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustfill.errors import OutputError
from trustfill.exporters.csv_inplace import guard_formula, write_csv
from trustfill.exporters.interface import SlotWrite
from trustfill.importers.csv import CsvImporter, records
from trustfill.importers.interface import ImportOptions
from trustfill.questionnaire import SlotKind


def test_untouched_records_are_byte_identical_and_source_is_kept(tmp_path: Path) -> None:
    text = ('Title row;;\r\nID;Question;Answer;Notes\r\n'
            'Q1;"Do you; or not?";;\r\nQ2;Is MFA on?;  ;keep   spacing\r\nQ3;"Multi\nline";;')
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode("cp1252"))
    before = src.read_bytes()
    q = CsvImporter().collect(src, ImportOptions())
    assert "encoding utf-8" in q.layouts[0].note  # pure ASCII decodes as utf-8
    dest = tmp_path / "out.csv"
    slot = q.questions[0].slot(SlotKind.SHORT)
    assert slot is not None
    write_csv(src, dest, [SlotWrite(slot.address, "Yes; see policy"), SlotWrite("5:3", "Yes")])
    assert src.read_bytes() == before
    out = dest.read_bytes().decode("utf-8")
    lines = out.split("\r\n")
    assert lines[0] == "Title row;;"
    assert lines[2] == 'Q1;"Do you; or not?";"Yes; see policy";'
    assert lines[3] == "Q2;Is MFA on?;  ;keep   spacing"
    assert lines[4] == 'Q3;"Multi\nline";Yes;'  # last record keeps having no line ending


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encoding_and_bom_are_kept(tmp_path: Path, encoding: str) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("ID,Question,Answer\nQ1,Café policy?,\n".encode(encoding))
    dest = tmp_path / "out.csv"
    write_csv(src, dest, [SlotWrite("2:3", "Oui — déjà")], encoding=encoding)
    data = dest.read_bytes()
    assert data.decode(encoding) == "ID,Question,Answer\nQ1,Café policy?,Oui — déjà\n"
    assert data[:3] == src.read_bytes()[:3]  # BOM (or its absence) preserved


def test_characters_outside_the_encoding_degrade_instead_of_failing(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("ID,Question,Answer\nQ1,Retention?,\n".encode("cp1252"))
    dest = tmp_path / "out.csv"
    write_csv(src, dest, [SlotWrite("2:3", "≥ 90 days ✓")], encoding="cp1252")
    assert dest.read_bytes().decode("cp1252").splitlines()[1] == "Q1,Retention?,? 90 days ?"


@pytest.mark.parametrize(
    ("value", "written"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("Yes", "Yes"), ("a=b", "a=b")],
)
def test_formula_guard(value: str, written: str) -> None:
    assert guard_formula(value) == written


def test_guard_applies_in_the_file(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("ID,Question,Answer\nQ1,Cmd?,\n", encoding="utf-8")
    dest = tmp_path / "out.csv"
    write_csv(src, dest, [SlotWrite("2:3", "=cmd|' /C calc'!A0")])
    assert dest.read_text(encoding="utf-8").splitlines()[1] == "Q1,Cmd?,'=cmd|' /C calc'!A0"


def test_quote_all_sources_stay_quote_all_and_short_rows_grow(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('"ID","Question","Answer","Notes"\n"Q1","Backups?"\n', encoding="utf-8")
    dest = tmp_path / "out.csv"
    write_csv(src, dest, [SlotWrite("2:4", "Daily")])
    assert dest.read_text(encoding="utf-8").splitlines()[1] == '"Q1","Backups?","","Daily"'


@pytest.mark.parametrize(("address", "message"), [("9:1", "past the last row"), ("x", "not a CSV slot address"),
                                                  ("0:1", "not a CSV slot address")])
def test_bad_addresses(tmp_path: Path, address: str, message: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text("ID,Question,Answer\nQ1,Backups?,\n", encoding="utf-8")
    with pytest.raises(OutputError, match=message):
        write_csv(src, tmp_path / "out.csv", [SlotWrite(address, "x")])


def test_round_trip_reimports_the_answers(tmp_path: Path) -> None:
    src = tmp_path / "in.tsv"
    src.write_text("ID\tQuestion\tAnswer\tComments\nQ1\tDo you encrypt?\t\t\nQ2\tDo you log?\t\t\n", encoding="utf-8")
    q = CsvImporter().collect(src, ImportOptions())
    writes = [SlotWrite(row.slot(SlotKind.SHORT).address, "Yes") for row in q.questions]  # type: ignore[union-attr]
    writes.append(SlotWrite(q.questions[1].slot(SlotKind.NARRATIVE).address, "All access,\n\"quoted\""))  # type: ignore[union-attr]
    dest = tmp_path / "out.tsv"
    write_csv(src, dest, writes)
    again = CsvImporter().collect(dest, ImportOptions())
    assert [r.slot(SlotKind.SHORT).current for r in again.questions] == ["Yes", "Yes"]  # type: ignore[union-attr]
    assert again.questions[1].slot(SlotKind.NARRATIVE).current == 'All access,\n"quoted"'  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab,;"\t\n\r =-é')), max_size=25), st.sampled_from([",", ";", "\t"]))
def test_any_value_reads_back_as_written(tmp_path_factory: pytest.TempPathFactory, value: str, delimiter: str) -> None:
    folder = tmp_path_factory.mktemp("rt")
    src = folder / "in.csv"
    src.write_text(delimiter.join(["ID", "Question", "Answer"]) + "\n" + delimiter.join(["Q1", "Backups daily?", ""]) + "\n",
                   encoding="utf-8")
    dest = folder / "out.csv"
    write_csv(src, dest, [SlotWrite("2:3", value)], delimiter=delimiter)
    rows = records(dest.read_bytes().decode("utf-8"), delimiter)
    assert rows[1].cells[2] == guard_formula(value.replace("\r\n", "\n").replace("\r", "\n"))  # guarded as stored
    assert rows[0].raw == src.read_bytes().decode("utf-8").splitlines(keepends=True)[0]
