"""The in-place xlsx writer on the real HECVAT workbooks in ../shared (skipped when absent)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element

import openpyxl
import pytest
from defusedxml import ElementTree as SafeET

from trustfill.exporters.interface import SlotWrite
from trustfill.exporters.xlsx_patch import PatchReport, patch_xlsx

pytestmark = pytest.mark.shared

HECVATS = ["hecvat-4.1.4.xlsx", "hecvat-full-3.06.xlsx", "hecvat-lite-2.11.xlsx", "hecvat-triage-2.10.xlsx"]
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
XM = "{http://schemas.microsoft.com/office/excel/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NARRATIVE = "Encrypted at rest (AES-256) & in transit <TLS 1.2+>; see the 'Security Policy' §4 — reviewed yearly."


# -- finding answer cells -------------------------------------------------------------------------


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = []
    for sheet in wb.iter(f"{M}sheet"):
        target = targets[sheet.get(R_ID)]
        out.append((sheet.get("name"), "xl/" + target.lstrip("/").removeprefix("xl/")))
    return out


def _expand(sqref: str) -> list[tuple[str, int]]:
    cells = []
    for part in sqref.split():
        first, _, last = part.partition(":")
        last = last or first
        col = "".join(ch for ch in first if ch.isalpha())
        if col != "C" or "".join(ch for ch in last if ch.isalpha()) != "C":
            continue
        lo = int(first[len(col) :])
        hi = int(last[len(col) :])
        cells += [(col, r) for r in range(lo, hi + 1)]
    return cells


@lru_cache(maxsize=8)
def answer_cells(path: Path, count: int = 20) -> list[tuple[str, str, int]]:
    """(sheet, part, row) of Yes/No answer cells: column C under a list dropdown, next to a question."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name, part in _sheet_parts(zf):
            data = zf.read(part)
            if b'type="list"' not in data:
                continue
            root = SafeET.fromstring(data)
            rows = set()
            for dv in root.iter(f"{M}dataValidation"):
                if dv.get("type") == "list":
                    rows |= {r for _, r in _expand(dv.get("sqref", ""))}
            for dv in root.iter(f"{X14}dataValidation"):
                ref = dv.find(f"{XM}sqref")
                if dv.get("type") == "list" and ref is not None:
                    rows |= {r for _, r in _expand(ref.text or "")}
            cells = {c.get("r"): c for c in root.iter(f"{M}c")}
            for row in sorted(rows):
                question = cells.get(f"B{row}")
                has_text = question is not None and (question.findtext(f"{M}v") or "").strip()
                no_formula = all(cells.get(f"{c}{row}") is None or cells[f"{c}{row}"].find(f"{M}f") is None for c in "CD")
                if has_text and no_formula:
                    found.append((name, part, row))
    assert len(found) >= 10, f"{path.name}: only {len(found)} answer cells found"
    count = min(count, len(found))  # HECVAT Triage has 11
    step = len(found) / count
    return [found[int(i * step)] for i in range(count)]


def writes_for(cells: list[tuple[str, str, int]], review: bool) -> list[SlotWrite]:
    writes = []
    for i, (sheet, _, row) in enumerate(cells):
        flag = review and i % 3 == 0
        note = f"trustfill: check answer {i}" if flag else None
        writes.append(SlotWrite(f"{sheet}!C{row}", "Yes" if i % 2 else "No", review=flag, note=note))
        writes.append(SlotWrite(f"'{sheet.replace(chr(39), chr(39) * 2)}'!D{row}", f"{NARRATIVE} [{i}]"))
    return writes


# -- comparing ------------------------------------------------------------------------------------




def sig(el: Element) -> tuple[object, ...]:
    """Structural identity of an element (tag, attributes, text, children): cheaper than tostring."""
    return (el.tag, sorted(el.attrib.items()), el.text, el.tail, [sig(c) for c in el])


def _without_sheet_data(root: Element) -> list[tuple[object, ...]]:
    skip = (f"{M}sheetData", f"{M}legacyDrawing")
    return [sig(child) for child in root if child.tag not in skip]


def compare_sheet(old: bytes, new: bytes, targets: dict[str, str], clean: bool) -> None:
    """Only the target cells differ; everything else in the sheet is as it was."""
    old_root, new_root = SafeET.fromstring(old), SafeET.fromstring(new)
    old_cells = {c.get("r"): c for c in old_root.iter(f"{M}c")}
    new_cells = {c.get("r"): c for c in new_root.iter(f"{M}c")}
    assert set(new_cells) == set(old_cells) | set(targets)
    for ref, cell in new_cells.items():
        if ref in targets:
            assert cell.get("t") == "inlineStr"
            assert "".join(cell.find(f"{M}is").itertext()) == targets[ref]
            assert cell.find(f"{M}f") is None
            if clean and ref in old_cells:
                assert cell.get("s") == old_cells[ref].get("s")  # style kept
        else:
            assert sig(cell) == sig(old_cells[ref]), ref
    old_rows = {r.get("r"): r.attrib for r in old_root.iter(f"{M}row")}
    new_rows = {r.get("r"): r.attrib for r in new_root.iter(f"{M}row")}
    assert all(new_rows[r] == a for r, a in old_rows.items())  # row attributes kept
    assert new_root.attrib == old_root.attrib
    assert _without_sheet_data(new_root) == _without_sheet_data(old_root)
    # the raw text around sheetData: XML declaration, namespaces, mc:Ignorable, x14 extensions
    head = old.index(b"<sheetData")
    assert new[:head] == old[:head]
    if clean:
        assert new[new.index(b"</sheetData>") :] == old[old.index(b"</sheetData>") :]
    assert new.count(b"<x14:dataValidation ") == old.count(b"<x14:dataValidation ")
    cached = sum(1 for c in old_cells.values() if c.find(f"{M}f") is not None and c.find(f"{M}v") is not None)
    assert sum(1 for c in new_cells.values() if c.find(f"{M}f") is not None and c.find(f"{M}v") is not None) == cached


def run(shared: Path, tmp_path: Path, name: str, review: bool) -> tuple[Path, Path, PatchReport, list[tuple[str, str, int]]]:
    src = shared / name
    cells = answer_cells(src)
    dest = tmp_path / f"patched-{name}"
    if review:
        rows = [["Cell", "Why"]] + [[w.address, w.note or ""] for w in writes_for(cells, True) if w.review]
        report = patch_xlsx(src, dest, writes_for(cells, True), review_sheet=rows)
    else:
        report = patch_xlsx(src, dest, writes_for(cells, False), review_fill=None, force_recalc=False)
    return src, dest, report, cells


# -- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HECVATS)
def test_clean_mode_changes_only_the_touched_sheets(shared: Path, tmp_path: Path, name: str, raw_members) -> None:
    src, dest, report, cells = run(shared, tmp_path, name, review=False)
    assert report.skipped == ()
    assert len(report.written) == 2 * len(cells)
    touched = {part for _, part, _ in cells}
    assert set(report.parts_changed) == touched
    assert report.parts_added == ()
    old, new = raw_members(src), raw_members(dest)
    assert list(new) == list(old)
    for member in old:
        if member not in touched:
            assert new[member] == old[member], member
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest) as b:
        for part in touched:
            targets = {}
            for i, (_, p, row) in enumerate(cells):
                if p == part:
                    targets[f"C{row}"] = "Yes" if i % 2 else "No"
                    targets[f"D{row}"] = f"{NARRATIVE} [{i}]"
            compare_sheet(a.read(part), b.read(part), targets, clean=True)


@pytest.mark.parametrize("name", HECVATS)
# openpyxl, used here only as an independent reader, drops HECVAT's x14 extensions with a warning; the file keeps them
@pytest.mark.filterwarnings("ignore:.* extension is not supported and will be removed:UserWarning")
def test_review_mode_touches_only_the_parts_marking_needs(shared: Path, tmp_path: Path, name: str, raw_members) -> None:
    src, dest, report, cells = run(shared, tmp_path, name, review=True)
    assert report.skipped == ()
    assert report.review_sheet == "trustfill review"
    touched = {part for _, part, _ in cells}
    allowed = touched | {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "docProps/app.xml",  # lists the review sheet's name (see test_xlsx_app.py)
    }
    marking = ("xl/comments", "xl/drawings/vmlDrawing", "xl/worksheets/_rels/")
    for part in report.parts_changed:
        assert part in allowed or part.startswith(marking), part
    new_sheets = [p for p in report.parts_added if p.startswith("xl/worksheets/sheet")]
    assert len(new_sheets) == 1  # the review sheet
    for part in report.parts_added:
        assert part in new_sheets or part.startswith(marking), part
    assert "xl/sharedStrings.xml" not in report.parts_changed
    old, new = raw_members(src), raw_members(dest)
    assert list(new)[: len(old)] == list(old)
    for member in old:
        if member not in report.parts_changed:
            assert new[member] == old[member], member
    assert sum(w.note for w in report.written) == sum(1 for i in range(len(cells)) if i % 3 == 0)
    assert report.warnings == ()
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest) as b:
        for part in touched:
            targets = {}
            for i, (_, p, row) in enumerate(cells):
                if p == part:
                    targets[f"C{row}"] = "Yes" if i % 2 else "No"
                    targets[f"D{row}"] = f"{NARRATIVE} [{i}]"
            compare_sheet(a.read(part), b.read(part), targets, clean=False)
    wb = openpyxl.load_workbook(dest, read_only=True)
    assert wb.sheetnames[-1] == "trustfill review"
    sheet, _, row = cells[0]
    assert wb[sheet][f"C{row}"].value == "No"
    assert wb[sheet][f"D{row}"].value == f"{NARRATIVE} [0]"
    wb.close()
    assert fill_of(dest, cells[0][1], f"C{row}") == "FFFFF2CC"
    assert fill_of(dest, cells[0][1], f"D{row}") != "FFFFF2CC"
    assert comment_text(dest, cells[0][1], f"C{row}") == "trustfill: check answer 0"
    if name == "hecvat-4.1.4.xlsx":  # a full openpyxl load is slow; one workbook is enough
        first = openpyxl.load_workbook(dest)[sheet][f"C{row}"]
        assert first.comment is not None
        assert first.comment.text == "trustfill: check answer 0"
        assert first.fill.fgColor.rgb == "FFFFF2CC"


def fill_of(path: Path, part: str, ref: str) -> str | None:
    """The fgColor rgb of a cell's fill, read the way Excel does: cell s -> cellXfs -> fills."""
    with zipfile.ZipFile(path) as zf:
        cell = next(c for c in SafeET.fromstring(zf.read(part)).iter(f"{M}c") if c.get("r") == ref)
        styles = SafeET.fromstring(zf.read("xl/styles.xml"))
    xf = list(styles.find(f"{M}cellXfs"))[int(cell.get("s", "0"))]
    fill = list(styles.find(f"{M}fills"))[int(xf.get("fillId", "0"))]
    fg = fill.find(f"{M}patternFill/{M}fgColor")
    return None if fg is None else fg.get("rgb")


def comment_text(path: Path, sheet_part: str, ref: str) -> str | None:
    """Text of the legacy note on ``ref``, following the sheet's comments relationship."""
    with zipfile.ZipFile(path) as zf:
        rels_name = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        rels = SafeET.fromstring(zf.read(rels_name))
        target = next(r.get("Target") for r in rels if r.get("Type", "").endswith("/comments"))
        part = "xl/" + target.replace("../", "") if not target.startswith("/") else target[1:]
        root = SafeET.fromstring(zf.read(part))
    for comment in root.iter(f"{M}comment"):
        if comment.get("ref") == ref:
            return "".join(comment.find(f"{M}text").itertext())
    return None


def test_existing_hecvat_comments_are_kept_and_extended(shared: Path, tmp_path: Path) -> None:
    # HECVAT Lite's answer tab already has notes (xl/comments1.xml + vmlDrawing1.vml): append to them.
    src = shared / "hecvat-lite-2.11.xlsx"
    dest = tmp_path / "lite.xlsx"
    report = patch_xlsx(src, dest, [SlotWrite("HECVAT - Lite!C24", "Yes", review=True, note="check")])
    assert report.parts_added == ()
    assert {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"} <= set(report.parts_changed)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest) as b:
        old_c, new_c = a.read("xl/comments1.xml"), b.read("xl/comments1.xml")
        old_v, new_v = a.read("xl/drawings/vmlDrawing1.vml"), b.read("xl/drawings/vmlDrawing1.vml")
    assert new_c.count(b"<comment ") == old_c.count(b"<comment ") + 1
    assert new_v.count(b"<v:shape ") == old_v.count(b"<v:shape ") + 1
    assert new_v.startswith(old_v[: old_v.rindex(b"</xml>")])  # existing shapes untouched
    assert comment_text(dest, "xl/worksheets/sheet3.xml", "C24") == "check"
    assert comment_text(dest, "xl/worksheets/sheet3.xml", "B23") == comment_text(src, "xl/worksheets/sheet3.xml", "B23")
    assert comment_text(src, "xl/worksheets/sheet3.xml", "B23")  # one of the existing notes


@pytest.mark.libreoffice
def test_libreoffice_opens_a_patched_hecvat_4(shared: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed")
    _, dest, report, cells = run(shared, tmp_path, "hecvat-4.1.4.xlsx", review=True)
    assert report.written
    done = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(dest)],
        capture_output=True, timeout=180, check=False,
    )
    pdf = tmp_path / (dest.stem + ".pdf")
    assert done.returncode == 0, done.stderr
    assert pdf.exists()
    assert pdf.stat().st_size > 10_000
    # and it reads our answers: export every sheet as CSV (LibreOffice 7.2+ sheet=-1)
    done = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(tmp_path / "csv"), str(dest)],
        capture_output=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    sheet, _, row = cells[0]
    text = (tmp_path / "csv" / f"{dest.stem}-{sheet}.csv").read_text(encoding="utf-8")
    line = text.splitlines()[row - 1]
    assert ",No," in line
    assert "Encrypted at rest (AES-256) & in transit <TLS 1.2+>" in line
    assert (tmp_path / "csv" / f"{dest.stem}-trustfill review.csv").exists()
