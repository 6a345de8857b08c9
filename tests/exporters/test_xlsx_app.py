"""docProps/app.xml lists an added review sheet, and is left alone when it cannot be read safely."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from trustfill.exporters._xlsx_app import add_sheet_title, remove_sheet_title
from trustfill.exporters.xlsx_patch import patch_xlsx

NS = (
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
)


def app_xml(groups: list[tuple[str, list[str]]]) -> str:
    """An Excel-style app.xml with these (label, titles) groups."""
    pairs = "".join(
        f"<vt:variant><vt:lpstr>{label}</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(titles)}</vt:i4></vt:variant>"
        for label, titles in groups
    )
    titles = [t for _, ts in groups for t in ts]
    lp = "".join(f"<vt:lpstr>{t}</vt:lpstr>" for t in titles)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties {NS}><Application>Microsoft Excel</Application>'
        f'<HeadingPairs><vt:vector size="{2 * len(groups)}" baseType="variant">{pairs}</vt:vector></HeadingPairs>'
        f'<TitlesOfParts><vt:vector size="{len(titles)}" baseType="lpstr">{lp}</vt:vector></TitlesOfParts>'
        "<AppVersion>16.0300</AppVersion></Properties>"
    )


def titles_of(xml: str) -> list[str]:
    body = xml[xml.index("<TitlesOfParts>") :]
    return re.findall(r"<vt:lpstr>(.*?)</vt:lpstr>", body)


def test_the_sheet_goes_after_the_last_worksheet_and_before_named_ranges() -> None:
    xml = app_xml([("Worksheets", ["Intro", "Questions"]), ("Named Ranges", ["Questions!Print_Area", "YesNo"])])
    out = add_sheet_title(xml, "trustfill review & <notes>")
    assert out is not None
    assert titles_of(out) == ["Intro", "Questions", "trustfill review &amp; &lt;notes&gt;", "Questions!Print_Area", "YesNo"]
    assert '<vt:vector size="5" baseType="lpstr">' in out
    assert "<vt:i4>3</vt:i4>" in out
    assert "<vt:i4>2</vt:i4>" in out
    # everything outside the two lists keeps its bytes
    assert out.split("<HeadingPairs>")[0] == xml.split("<HeadingPairs>")[0]
    assert out.split("</TitlesOfParts>")[1] == xml.split("</TitlesOfParts>")[1]


def test_a_localised_worksheet_label_is_recognised() -> None:
    xml = app_xml([("Arbeitsblätter", ["Fragen"])])
    out = add_sheet_title(xml, "review")
    assert out is not None
    assert titles_of(out) == ["Fragen", "review"]


@pytest.mark.parametrize(
    "xml",
    [
        '<Properties><Application>openpyxl</Application></Properties>',  # no list at all
        app_xml([("Diagramme inconnu", ["Chart1"])]),  # no group we know is the worksheets
        app_xml([("Worksheets", ["A", "B"])]).replace("<vt:i4>2</vt:i4>", "<vt:i4>3</vt:i4>"),  # counts disagree
    ],
)
def test_a_list_it_cannot_read_safely_is_left_alone(xml: str) -> None:
    assert add_sheet_title(xml, "review") is None


def test_the_review_sheet_is_listed_in_a_patched_workbook(tmp_path: Path, shared: Path) -> None:
    src = shared / "hecvat-lite-2.11.xlsx"
    out = tmp_path / "out.xlsx"
    report = patch_xlsx(src, out, [], review_sheet=[["Cell", "Why"], ["x", "y"]])
    with zipfile.ZipFile(out) as z:
        app = z.read("docProps/app.xml").decode()
    assert report.review_sheet in titles_of(app)
    with zipfile.ZipFile(src) as z:
        before = z.read("docProps/app.xml").decode()
    assert len(titles_of(app)) == len(titles_of(before)) + 1


def test_removing_a_sheet_title_undoes_adding_it() -> None:
    xml = app_xml([("Worksheets", ["Intro", "Questions"]), ("Named Ranges", ["Questions!Print_Area"])])
    added = add_sheet_title(xml, "trustfill review")
    assert added is not None
    assert remove_sheet_title(added, "trustfill review") == xml
    assert remove_sheet_title(xml, "trustfill review") is None  # not listed: left alone
    assert remove_sheet_title(xml, "Questions!Print_Area") is None  # only worksheet titles are removed
