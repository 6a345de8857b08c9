"""The main job on the real questionnaires in ../shared: lossless output, every file opens in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from trustfill.fill import answer_questionnaire
from trustfill.importers import load_questionnaire
from trustfill.output import OutputFormat, write_output
from trustfill.session import open_session
from trustfill.workspace import default_root

HECVATS = ["hecvat-4.1.4.xlsx", "hecvat-full-3.06.xlsx", "hecvat-lite-2.11.xlsx", "hecvat-triage-2.10.xlsx"]
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def session():
    return open_session(None, default_root() / "examples" / "saas-heroku.yaml")


def _fill(session, src: Path, dest: Path, fmt: OutputFormat = OutputFormat.AUTO, *, clean: bool = False):
    """``clean=False`` is ``--review-in-file``: review colours, notes and sheet in the output."""
    questionnaire = load_questionnaire(src)
    filled = answer_questionnaire(questionnaire, session.engine, session.matcher, session.profile_name)
    write_output(filled, dest, fmt, clean=clean, review_sheet=not clean)
    return filled


def _cells(data: bytes) -> dict[str, str]:
    root = ET.fromstring(data)
    return {c.get("r"): ET.tostring(c) for c in root.iter(f"{NS}c")}


@pytest.mark.parametrize("name", HECVATS)
def test_clean_fill_changes_only_answer_cells(shared: Path, session, tmp_path: Path, name: str) -> None:
    src = shared / name
    before = src.read_bytes()
    out = tmp_path / name
    filled = _fill(session, src, out, clean=True)
    assert src.read_bytes() == before
    written = filled.writes
    assert written, "nothing was written"
    targets: dict[str, set[str]] = {}
    for w in written:
        sheet, cell = w.address.rsplit("!", 1)
        targets.setdefault(sheet.strip("'"), set()).add(cell)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        for part in changed:
            assert part.startswith("xl/worksheets/sheet") or part == "xl/styles.xml", part
            if part == "xl/styles.xml":
                continue  # appended quotePrefix formats only, for answers that look like formulas
            old, new = _cells(a.read(part)), _cells(b.read(part))
            differing = {ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref)}
            all_targets = set().union(*targets.values())
            assert differing <= all_targets, sorted(differing - all_targets)[:5]


@pytest.mark.parametrize("name", HECVATS)
def test_review_fill_adds_review_sheet_and_keeps_other_parts(shared: Path, session, tmp_path: Path, name: str) -> None:
    src = shared / name
    out = tmp_path / name
    filled = _fill(session, src, out)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        for part in a.namelist():
            if a.read(part) != b.read(part):
                assert part.startswith(("xl/worksheets/", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml",
                                        "xl/_rels/", "xl/comments", "xl/drawings/", "docProps/")), part
        assert any("trustfill review" in b.read(n).decode("utf-8", "replace") for n in b.namelist() if n == "xl/workbook.xml")
    assert filled.totals()["questions"] > 30


def test_osi_docx_fill_keeps_other_parts(shared: Path, session, tmp_path: Path) -> None:
    src = shared / "osi-procurement-security-questionnaire.docx"
    out = tmp_path / "osi.docx"
    filled = _fill(session, src, out)
    assert filled.totals()["questions"] == 40
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed in ([], ["word/document.xml"])


@pytest.mark.libreoffice
@pytest.mark.parametrize(("name", "fmt"), [("hecvat-4.1.4.xlsx", OutputFormat.AUTO), ("hecvat-lite-2.11.xlsx", OutputFormat.DOCX),
                                           ("osi-procurement-security-questionnaire.docx", OutputFormat.AUTO)])
def test_libreoffice_opens_the_result(shared: Path, session, tmp_path: Path, name: str, fmt: OutputFormat) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed (apt-get install libreoffice-calc libreoffice-writer)")
    suffix = ".docx" if fmt is OutputFormat.DOCX else Path(name).suffix
    out = tmp_path / f"filled{suffix}"
    _fill(session, shared / name, out, fmt)
    result = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    pdf = tmp_path / "filled.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.is_file()
    assert pdf.stat().st_size > 1000
