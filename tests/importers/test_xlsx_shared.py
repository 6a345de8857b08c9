"""XlsxImporter on the real HECVAT workbooks in ../shared/questionnaires (skipped when absent)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from trustfill.importers.interface import ImportOptions
from trustfill.importers.xlsx import XlsxImporter
from trustfill.questionnaire import Questionnaire, QuestionRow, SlotKind, SlotState

pytestmark = pytest.mark.shared

_CACHE: dict[str, Questionnaire] = {}


def load(shared: Path, name: str) -> Questionnaire:
    """Import once per file per session: these workbooks take a few hundred ms each."""
    if name not in _CACHE:
        _CACHE[name] = XlsxImporter().collect(shared / name, ImportOptions())
    return _CACHE[name]


def by_id(q: Questionnaire) -> dict[str, QuestionRow]:
    return {x.question_id: x for x in q.questions if x.question_id}


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("hecvat-4.1.4.xlsx", 331),
        ("hecvat-full-3.06.xlsx", 255),
        ("hecvat-lite-2.11.xlsx", 74),
        ("hecvat-triage-2.10.xlsx", 38),
    ],
)
def test_every_question_id_once(shared: Path, name: str, ids: int) -> None:
    q = load(shared, name)

    found = [x.question_id for x in q.questions]
    assert None not in found
    assert len(set(found)) == ids
    assert len(found) == ids  # no id counted twice across sheets
    assert all(x.text.strip() for x in q.questions)
    assert all(x.slots for x in q.questions)


@pytest.mark.parametrize(
    ("name", "qid", "allowed"),
    [
        ("hecvat-4.1.4.xlsx", "DOCU-01", ("Yes", "No")),  # x14 list on a hidden sheet
        ("hecvat-4.1.4.xlsx", "THRD-01", ("Yes", "No", "N/A")),
        ("hecvat-4.1.4.xlsx", "HFIH-01", ("Yes", "No")),
        ("hecvat-full-3.06.xlsx", "QUAL-01", ("Yes", "No")),  # named range 'yes' on hidden 'Values'
        ("hecvat-full-3.06.xlsx", "HFIH-01", ("Yes", "No")),
        ("hecvat-lite-2.11.xlsx", "DOCU-01", ("Yes", "No")),  # named range 'YesNo'
        ("hecvat-triage-2.10.xlsx", "USCA-11", ("Yes", "No")),  # x14 range on hidden 'Values'
    ],
)
def test_yes_no_dropdowns_on_answer_cells(
    shared: Path, name: str, qid: str, allowed: tuple[str, ...]
) -> None:
    short = by_id(load(shared, name))[qid].slot(SlotKind.SHORT)

    assert short is not None
    assert short.allowed == allowed
    assert short.state is SlotState.EMPTY


def test_yes_no_dropdowns_cover_most_hecvat_answers(shared: Path) -> None:
    counts = {}
    for name in ("hecvat-4.1.4.xlsx", "hecvat-full-3.06.xlsx", "hecvat-lite-2.11.xlsx"):
        shorts = [x.slot(SlotKind.SHORT) for x in load(shared, name).questions]
        counts[name] = sum(
            1 for s in shorts if s is not None and s.allowed and {"Yes", "No"} <= set(s.allowed)
        )
    assert counts == {"hecvat-4.1.4.xlsx": 302, "hecvat-full-3.06.xlsx": 222, "hecvat-lite-2.11.xlsx": 58}


def test_hecvat4_takes_each_id_from_the_sheet_that_takes_input(shared: Path) -> None:
    q = load(shared, "hecvat-4.1.4.xlsx")
    ids = by_id(q)

    # GNRL and REQU ids repeat on every tab with formula answers copied from START HERE.
    assert ids["GNRL-01"].location == "START HERE!B13"
    assert ids["REQU-01"].location == "START HERE!B29"
    assert ids["REQU-01"].section == "Required Questions"
    assert "AILM-07" not in ids  # only on the hidden Questions sheet
    assert all(s.state is not SlotState.FORMULA for x in q.questions for s in x.slots)
    # Question text is a VLOOKUP into the hidden Questions sheet; its cached value is read.
    assert ids["DOCU-01"].text.startswith("Do you have a well-documented business continuity plan")
    assert ids["DOCU-01"].section == "Documentation"
    notes = {lay.part: lay.note for lay in q.layouts}
    assert notes["Questions"].startswith("skipped: hidden sheet")
    assert notes["Institution Evaluation"].startswith("skipped: its answer cells are formulas")
    assert notes["Privacy Analyst Evaluation"].startswith("skipped: its answer cells are formulas")
    organization = next(lay for lay in q.layouts if lay.part == "Organization")
    assert organization.columns == {"question": "B", "id": "A", "short": "C", "narrative": "D"}
    assert organization.questions == 43


def test_hecvat_full_merged_areas_and_placeholders(shared: Path) -> None:
    q = load(shared, "hecvat-full-3.06.xlsx")
    ids = by_id(q)
    sheet = "HECVAT - Full | Vendor Response"

    # C8:E8 holds the sample text "Vendor Name"; C35:D35 is a merged free-text area.
    assert [(s.kind, s.address, s.state) for s in ids["GNRL-01"].slots] == [
        (SlotKind.NARRATIVE, f"{sheet}!C8", SlotState.PLACEHOLDER)
    ]
    assert [(s.kind, s.address, s.state) for s in ids["COMP-01"].slots] == [
        (SlotKind.NARRATIVE, f"{sheet}!C35", SlotState.EMPTY)
    ]
    assert ids["DATE-01"].slot(SlotKind.NARRATIVE).state is SlotState.PLACEHOLDER  # "mm/dd/yyyy"
    assert ids["QUAL-01"].section == "Qualifiers"
    report = next(lay for lay in q.layouts if lay.part == "Analyst Report")
    assert report.questions == 0
    assert report.note.startswith("skipped:")


def test_hecvat_lite_reference_copy_is_left_out(shared: Path) -> None:
    notes = {lay.part: lay.note for lay in load(shared, "hecvat-lite-2.11.xlsx").layouts}
    assert (
        notes["Analyst Reference"]
        == "skipped: repeats the questions of sheet 'HECVAT - Lite' (a report or reference copy)"
    )


def test_hecvat_lite_and_triage_sections(shared: Path) -> None:
    lite = by_id(load(shared, "hecvat-lite-2.11.xlsx"))
    triage = by_id(load(shared, "hecvat-triage-2.10.xlsx"))

    assert lite["DOCU-01"].section == "Documentation"
    assert lite["HLAP-01"].section == "Application/Service Security"
    assert triage["USCA-01"].section == "Use Case Information"
    assert triage["USCA-01"].slots[0].kind is SlotKind.NARRATIVE  # merged C23:D23, no dropdown
    assert triage["GNRL-13"].slot(SlotKind.NARRATIVE).state is SlotState.PLACEHOLDER  # "Vendor Contact Name"


@pytest.mark.parametrize(
    "name", ["hecvat-4.1.4.xlsx", "hecvat-full-3.06.xlsx", "hecvat-lite-2.11.xlsx", "hecvat-triage-2.10.xlsx"]
)
def test_real_files_are_not_modified(shared: Path, name: str) -> None:
    path = shared / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    XlsxImporter().collect(path, ImportOptions(sheet=None))

    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
