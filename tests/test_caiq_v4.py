"""CSA CAIQ v4: the layout is understood and a fill writes all four answer columns, nothing else.

The workbook is built in code by examples/make_caiq_v4.py: the real layout (title row above the header,
four answer columns with their lists, two empty columns, CCM reference columns, an Introduction sheet)
with question texts of our own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from trustfill.importers import ImportOptions, load_questionnaire
from trustfill.questionnaire import SlotKind
from trustfill.workspace import default_root

EXAMPLES = default_root() / "examples"
FOUR = (SlotKind.SHORT, SlotKind.OWNERSHIP, SlotKind.NARRATIVE, SlotKind.CUSTOMER_RESPONSIBILITY)


def test_import_finds_every_question_and_no_title_row(caiq_v4: Path, caiq_builder) -> None:
    q = load_questionnaire(caiq_v4, ImportOptions())
    expected = caiq_builder.rows()
    assert len(q.questions) == len(expected)
    assert [x.question_id for x in q.questions] == [r[0] for r in expected]
    assert all(not x.location.endswith("!B1") for x in q.questions)
    assert q.questions[0].location == f"{caiq_builder.SHEET}!B3"
    layout = next(lay for lay in q.layouts if lay.part == caiq_builder.SHEET)
    assert layout.header_row == 2
    assert layout.columns == {"question": "B", "id": "A", "short": "C", "ownership": "D", "narrative": "E",
                              "customer_responsibility": "F", "section": "L"}
    intro = next(lay for lay in q.layouts if lay.part == "Introduction")
    assert intro.questions == 0


def test_each_question_has_four_slots_with_their_allowed_values(caiq_v4: Path, caiq_builder) -> None:
    q = load_questionnaire(caiq_v4, ImportOptions())
    for x in q.questions:
        row = x.location.rpartition("!B")[2]
        assert {s.kind for s in x.slots} == set(FOUR), x.location
        assert x.slot(SlotKind.SHORT).address.endswith(f"!C{row}")
        assert x.slot(SlotKind.OWNERSHIP).address.endswith(f"!D{row}")
        assert x.slot(SlotKind.NARRATIVE).address.endswith(f"!E{row}")
        assert x.slot(SlotKind.CUSTOMER_RESPONSIBILITY).address.endswith(f"!F{row}")
        assert x.slot(SlotKind.SHORT).allowed == caiq_builder.ANSWERS
        assert x.slot(SlotKind.OWNERSHIP).allowed == caiq_builder.OWNERSHIP
        assert x.slot(SlotKind.NARRATIVE).allowed is None
        # the reference columns are context, never answer slots
        assert not any(s.address.rpartition("!")[2][0] in "GHIJKL" for s in x.slots)


def test_the_ccm_domain_title_names_the_section(caiq_v4: Path) -> None:
    q = load_questionnaire(caiq_v4, ImportOptions())
    by_id = {x.question_id: x for x in q.questions}
    assert by_id["A&A-01.1"].section == "Audit & Assurance"
    assert by_id["CEK-01.1"].section == "Cryptography, Encryption & Key Management"
    assert by_id["UEM-02.1"].section == "Universal Endpoint Management"


def test_inspect_shows_the_four_slots(caiq_v4: Path, run_cli) -> None:
    code, out, err = run_cli("inspect", str(caiq_v4), "--json")
    assert code == 0, err
    data = json.loads(out)
    first = data["items"][0]
    assert first["id"] == "A&A-01.1"
    assert [s["kind"] for s in first["slots"]] == ["short", "narrative", "ownership", "customer_responsibility"]
    assert next(s for s in first["slots"] if s["kind"] == "ownership")["allowed"] == [
        "CSP-owned", "CSC-owned", "3rd-party outsourced", "Shared CSP and CSC", "Shared CSP and 3rd-party"]


def _fill(run_cli, src: Path, out: Path, profile: str) -> dict:
    report = out.with_suffix(".json")
    code, _, err = run_cli("fill", str(src), "-o", str(out), "--profile", str(EXAMPLES / profile), "--report", str(report))
    assert code == 0, err
    return json.loads(report.read_text())


def _row(report: dict, qid: str) -> dict:
    return next(q for q in report["questions"] if q["question_id"] == qid)


def test_fill_writes_all_four_columns(caiq_v4: Path, caiq_builder, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "answered.xlsx"
    report = _fill(run_cli, caiq_v4, out, "saas-heroku.yaml")
    ws = load_workbook(out)[caiq_builder.SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    # The customer-MFA question: all four columns, the ownership spelled as the list spells it.
    r = rows["IAM-08.2"]
    assert _row(report, "IAM-08.2")["match"] == "iam-mfa-customer"
    assert ws.cell(r, 3).value == "Yes"
    assert ws.cell(r, 4).value == "Shared CSP and CSC"
    assert ws.cell(r, 5).value.startswith("Yes.")
    assert "MFA" in ws.cell(r, 6).value
    # A data-center control of a SaaS on a cloud provider is shared with that provider.
    r = rows["DCS-05.1"]
    assert ws.cell(r, 3).value == "Yes"
    assert ws.cell(r, 4).value == "Shared CSP and 3rd-party"
    assert ws.cell(r, 6).value is None  # the customer has nothing to do
    assert _row(report, "DCS-05.1")["ownership_basis"].endswith("the service runs in a cloud provider's data centers")
    # Every auto answer has its short answer, ownership and narrative written, all from the lists' values.
    autos = [q for q in report["questions"] if q["status"] == "auto"]
    assert len(autos) >= 50
    for q in autos:
        r = rows[q["question_id"]]
        assert ws.cell(r, 3).value in caiq_builder.ANSWERS, q["question_id"]
        assert ws.cell(r, 4).value in caiq_builder.OWNERSHIP, q["question_id"]
        assert ws.cell(r, 5).value, q["question_id"]
    # "N/A" is written as the list spells it
    assert all(ws.cell(r, 3).value != "N/A" for r in rows.values())


def test_on_prem_leaves_running_the_product_to_the_customer(caiq_v4: Path, caiq_builder, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "answered.xlsx"
    report = _fill(run_cli, caiq_v4, out, "on-prem.yaml")
    ws = load_workbook(out)[caiq_builder.SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    assert _row(report, "BCR-06.3")["ownership"] == "CSC-owned"  # restores from backup
    assert ws.cell(rows["BCR-06.3"], 4).value == "CSC-owned"
    assert ws.cell(rows["HRS-02.1"], 4).value == "CSP-owned"  # background checks of our staff


def test_fill_leaves_the_reference_columns_and_every_other_cell_untouched(caiq_v4: Path, caiq_builder, tmp_path: Path,
                                                                          run_cli) -> None:
    before_bytes = caiq_v4.read_bytes()
    out = tmp_path / "answered.xlsx"
    report = _fill(run_cli, caiq_v4, out, "saas-heroku.yaml")
    assert caiq_v4.read_bytes() == before_bytes  # input never modified
    written = {addr.rpartition("!")[2] for q in report["questions"] for addr in q["written"]}
    assert written
    assert {cell.rstrip("0123456789") for cell in written} <= {"C", "D", "E", "F"}
    before = load_workbook(caiq_v4)[caiq_builder.SHEET]
    after = load_workbook(out)[caiq_builder.SHEET]
    for row in before.iter_rows(min_row=1, max_row=before.max_row, max_col=12):
        for cell in row:
            if cell.coordinate not in written:
                assert after[cell.coordinate].value == cell.value, cell.coordinate
    for col in caiq_builder.REFERENCE_COLUMNS:
        for r in range(1, before.max_row + 1):
            assert after[f"{col}{r}"].value == before[f"{col}{r}"].value
    assert after["A1"].value == caiq_builder.SHEET
    assert after["C1"].value is None


@pytest.mark.libreoffice
def test_libreoffice_opens_the_filled_caiq(caiq_v4: Path, caiq_builder, tmp_path: Path, run_cli) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed (apt-get install libreoffice-calc)")
    out = tmp_path / "answered.xlsx"
    _fill(run_cli, caiq_v4, out, "saas-heroku.yaml")
    conv = tmp_path / "conv"
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
                    "--outdir", str(conv), str(out)], check=True, capture_output=True, timeout=180)
    sheet_csv = next(p for p in conv.glob("*.csv") if caiq_builder.SHEET in p.name)
    text = sheet_csv.read_text(encoding="utf-8")
    assert "Shared CSP and CSC" in text
    assert "Shared CSP and 3rd-party" in text


def test_sig_style_sheets_answer_a_policy_family_question(tmp_path: Path, run_cli) -> None:
    """SIG keeps one sheet per risk domain (Ques Num | Question/Request | Response | Additional Information)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "D. Asset and Info Mgmt"
    ws.append(["Ques Num", "Question/Request", "Response", "Additional Information"])
    ws.append(["D.1", "Are asset management policies and procedures established, documented, approved, communicated and maintained?"])
    ws.append(["D.2", "Is there an inventory of hardware assets?"])
    dv = DataValidation(type="list", formula1='"Yes,No,N/A"')
    ws.add_data_validation(dv)
    dv.add("C2:C3")
    src = tmp_path / "sig.xlsx"
    wb.save(src)
    q = load_questionnaire(src, ImportOptions())
    assert [x.question_id for x in q.questions] == ["D.1", "D.2"]
    assert {s.kind for s in q.questions[0].slots} == {SlotKind.SHORT, SlotKind.NARRATIVE}
    report = _fill(run_cli, src, tmp_path / "out.xlsx", "saas-heroku.yaml")
    row = _row(report, "D.1")
    assert (row["match"], row["status"], row["answer"]) == ("policy-family-established", "auto", "Yes")
    assert [e["id"] for e in row["evidence"]] == ["asset-management-policy"]


def test_a_caiq_saved_as_csv_gets_the_four_columns_too(caiq_v4: Path, tmp_path: Path, run_cli) -> None:
    import csv

    ws = load_workbook(caiq_v4, read_only=True)["CAIQv4.0.3"]
    src = tmp_path / "caiq.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)])
    q = load_questionnaire(src, ImportOptions())
    assert q.questions[0].question_id == "A&A-01.1"
    assert {s.kind for s in q.questions[0].slots} == set(FOUR)
    out = tmp_path / "answered.csv"
    report = _fill(run_cli, src, out, "saas-heroku.yaml")
    row = _row(report, "IAM-08.2")
    assert row["ownership"] == "Shared CSP and CSC"
    written = next(r for r in csv.reader(out.open(encoding="utf-8")) if r and r[0] == "IAM-08.2")
    assert written[2:6] == ["Yes", "Shared CSP and CSC", row["narrative"], row["customer_responsibility"]]


def test_reference_cells_are_byte_identical_in_the_sheet_xml(caiq_v4: Path, caiq_builder, tmp_path: Path, run_cli) -> None:
    import re
    import zipfile

    out = tmp_path / "answered.xlsx"
    _fill(run_cli, caiq_v4, out, "saas-heroku.yaml")

    def sheet_xml(path: Path) -> str:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml").decode()
            rid = re.search(rf'<sheet [^>]*name="{re.escape(caiq_builder.SHEET)}"[^>]*r:id="([^"]+)"', book).group(1)
            rels = zf.read("xl/_rels/workbook.xml.rels").decode()
            target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
                rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
            return zf.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/")).decode()

    def reference_cells(xml: str) -> dict[str, str]:
        return {m.group(1): m.group(0) for m in re.finditer(r'<c r="(([A-Z]+)\d+)"[^>]*?(?:/>|>.*?</c>)', xml)
                if m.group(2) in caiq_builder.REFERENCE_COLUMNS}

    before, after = reference_cells(sheet_xml(caiq_v4)), reference_cells(sheet_xml(out))
    assert len(before) == 4 * len(caiq_builder.rows()) + 4  # header row + every question row
    assert after == before
