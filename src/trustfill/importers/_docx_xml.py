"""WordprocessingML reading shared by the docx importer and the in-place docx writer: opening safely,
walking tables and paragraphs, and reading checkbox options."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError
from ._container import input_bytes, looks_like_xml, open_zip, parse_xml, read_part

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def w14(tag: str) -> str:
    """Clark name of a Word 2010 tag."""
    return f"{{{W14}}}{tag}"


MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": None,
    "application/vnd.ms-word.document.macroEnabled.main+xml": "a macro-enabled document (.docm); save it as .docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "a Word template (.dotx); save it as .docx",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "a Word template (.dotm); save it as .docx",
}
UNCHECKED = "❏❐❑❒☐□◻▢⬜"
CHECKED = "☑☒⊠"
TICK = "☒"
# Box characters of the Wingdings fonts, as w:sym codes or bullet text (with and without the F0 prefix).
SYM_BOXES = {
    "wingdings": ({"006F", "0071", "0072", "00A8", "F06F", "F071", "F072", "F0A8"}, {"00FD", "00FE", "F0FD", "F0FE"}),
    "wingdings 2": ({"002A", "00A3", "F02A", "F0A3"}, {"0052", "0053", "0054", "F052", "F053", "F054"}),
}
SYM_TICK = {"wingdings": "F0FD", "wingdings 2": "F053"}
SYM_UNTICK = {"wingdings": "F0A8", "wingdings 2": "F0A3"}
RESPONSE_ROLES = ("short", "narrative", "comment")
_NUMBER = re.compile(r"^\s*((?:q\.?\s*)?\d+(?:\.\d+)*(?:\.?[a-z])?(?:\.[ivx]+)?)(?:[.):]\s*|\s+)(?=\S)(.*)$", re.IGNORECASE | re.DOTALL)
_SKIP_TAGS = {w("pPr"), w("rPr"), w("sdtPr"), w("del"), w("moveFrom"), w("instrText"), w("delText"),
              w("drawing"), w("pict"), w("object"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


# --------------------------------------------------------------------------- opening safely


def open_docx(path: Path, data: bytes | None = None) -> Any:
    """Open ``path`` with python-docx after checking the zip and every XML part with defusedxml.

    Raises:
        ImportFormatError: empty, legacy .doc, encrypted, corrupt, bomb, entity bomb, not Word.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    with open_zip(path, "document", data) as zf:
        names = zf.namelist()
        types = parse_xml(read_part(zf, "[Content_Types].xml", path), f"{path}: part [Content_Types].xml")
        main = [(o.get("PartName", ""), o.get("ContentType", "")) for o in types if o.get("ContentType") in MAIN_TYPES]
        if not main:
            if "xl/workbook.xml" in names:
                raise ImportFormatError(f"{path}: this is an Excel workbook named .docx; rename it to .xlsx")
            raise ImportFormatError(f"{path}: not a Word document (no main document part); is the file extension right?")
        if MAIN_TYPES[main[0][1]]:
            raise ImportFormatError(f"{path}: this is {MAIN_TYPES[main[0][1]]}")
        for name in names:
            # Every part whatever its name: python-docx reads the main part by content type, not by suffix.
            part = read_part(zf, name, path)
            if name.endswith((".xml", ".rels")) or looks_like_xml(part):
                parse_xml(part, f"{path}: part {name}")
    try:
        return docx.Document(io.BytesIO(data if data is not None else input_bytes(path)))
    except (PackageNotFoundError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            zipfile.BadZipFile, etree.LxmlError) as exc:
        raise ImportFormatError(f"{path}: Word cannot be read by python-docx ({type(exc).__name__}: {exc}); "
                                f"open and re-save it in Word") from exc


# --------------------------------------------------------------------------- structure


def body_blocks(body: Any) -> list[tuple[str, Any, int | None]]:
    """Body-level ``("p", el, n)`` and ``("tbl", el, None)`` in order; content controls flattened."""
    out: list[tuple[str, Any, int | None]] = []

    def visit(parent: Any) -> None:
        for child in parent:
            if child.tag == w("p"):
                out.append(("p", child, sum(1 for k, _, _ in out if k == "p")))
            elif child.tag == w("tbl"):
                out.append(("tbl", child, None))
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    visit(content)
            elif child.tag == w("customXml"):
                visit(child)

    visit(body)
    return out


def all_tables(body: Any) -> list[Any]:
    """Every ``w:tbl`` in the body, pre-order (the ``t`` of addresses)."""
    return list(body.iter(w("tbl")))


def row_cells(tr: Any) -> list[tuple[Any, int, int]]:
    """``(tc, first grid column, span)`` of each physical cell of a row (also inside cell content controls)."""
    cells: list[tuple[Any, int, int]] = []
    grid = 0
    trpr_before = tr.find(w("trPr"))
    grid_before = trpr_before.find(w("gridBefore")) if trpr_before is not None else None
    if grid_before is not None:
        grid = int(grid_before.get(w("val"), "0") or 0)
    for tc in physical_cells(tr):
        span_el = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
        span = int(span_el.get(w("val"), "1")) if span_el is not None else 1
        cells.append((tc, grid, span))
        grid += max(span, 1)
    return cells


def physical_cells(tr: Any) -> list[Any]:
    """The ``w:tc`` of a row in order (the ``c`` of addresses), looking through content controls."""
    return [tc for tc in tr.iter(w("tc")) if _nearest(tc, w("tr")) is tr]


def _nearest(el: Any, tag: str) -> Any:
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def table_rows(tbl: Any) -> list[Any]:
    """The ``w:tr`` of a table (the ``r`` of addresses), not those of nested tables."""
    return [tr for tr in tbl.iter(w("tr")) if _nearest(tr, w("tbl")) is tbl]


def cell_paragraphs(tc: Any) -> list[Any]:
    """Paragraphs of a cell in order, including those in cell-level content controls, not nested tables."""
    return [p for p in tc.iter(w("p")) if _nearest(p, w("tc")) is tc]


def is_vmerge_continuation(tc: Any) -> bool:
    """True for the lower parts of a vertically merged cell."""
    vmerge = tc.find(f"{w('tcPr')}/{w('vMerge')}")
    return vmerge is not None and vmerge.get(w("val"), "continue") == "continue"


# --------------------------------------------------------------------------- text and checkboxes


@dataclass(frozen=True)
class NumBox:
    """A list level whose bullet is a box glyph."""

    checked: bool
    """The bullet is a ticked box."""
    ind: Any
    """The level's ``w:ind`` (copied to the paragraph when the writer removes the bullet), or None."""


def numbering_boxes(document: Any) -> dict[tuple[str, str], NumBox]:
    """``(numId, ilvl)`` -> box bullet, read without making python-docx create a numbering part."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    numbering = next((rel.target_part.element for rel in document.part.rels.values()
                      if rel.reltype == RT.NUMBERING and not rel.is_external), None)
    if numbering is None:
        return {}
    abstract: dict[str, dict[str, Any]] = {}
    for an in numbering.iter(w("abstractNum")):
        abstract[an.get(w("abstractNumId"), "")] = {lvl.get(w("ilvl"), "0"): lvl for lvl in an.iter(w("lvl"))}
    boxes: dict[tuple[str, str], NumBox] = {}
    for num in numbering.iter(w("num")):
        ref = num.find(w("abstractNumId"))
        levels = dict(abstract.get(ref.get(w("val"), "") if ref is not None else "", {}))
        for override in num.iter(w("lvlOverride")):
            lvl = override.find(w("lvl"))
            if lvl is not None:
                levels[override.get(w("ilvl"), "0")] = lvl
        for ilvl, lvl in levels.items():
            box = _bullet_box(lvl)
            if box is not None:
                ind = lvl.find(f"{w('pPr')}/{w('ind')}")
                boxes[(num.get(w("numId"), ""), ilvl)] = NumBox(box, ind)
    return boxes


def _bullet_box(lvl: Any) -> bool | None:
    """True/False when a list level's bullet is a ticked/empty box, else None."""
    fmt = lvl.find(w("numFmt"))
    text = lvl.find(w("lvlText"))
    if fmt is None or fmt.get(w("val")) != "bullet" or text is None:
        return None
    glyph = text.get(w("val"), "")
    if glyph in UNCHECKED:
        return False
    if glyph in CHECKED:
        return True
    fonts = lvl.find(f"{w('rPr')}/{w('rFonts')}")
    font = (fonts.get(w("ascii")) or fonts.get(w("hAnsi")) or "").lower() if fonts is not None else ""
    if font in SYM_BOXES and len(glyph) == 1:
        code = f"{ord(glyph):04X}"
        unchecked, checked = SYM_BOXES[font]
        if code in unchecked:
            return False
        if code in checked:
            return True
    return None


def sym_box(sym: Any) -> bool | None:
    """True/False when a ``w:sym`` is a ticked/empty box, else None."""
    font = (sym.get(w("font")) or "").lower()
    code = (sym.get(w("char")) or "").upper().rjust(4, "0")
    if font in SYM_BOXES:
        unchecked, checked = SYM_BOXES[font]
        return False if code in unchecked else True if code in checked else None
    try:
        char = chr(int(code, 16))
    except ValueError:
        return None
    return False if char in UNCHECKED else True if char in CHECKED else None


@dataclass(frozen=True)
class Marker:
    """Where one checkbox mark is, so the writer can tick it."""

    kind: str
    """``text`` (a glyph inside ``w:t``), ``sym`` (``w:sym``), ``sdt`` (checkbox content control) or ``num`` (list bullet)."""
    element: Any
    """The ``w:t``, ``w:sym``, ``w:sdt`` or ``w:p``."""
    checked: bool
    """Ticked now."""
    offset: int = 0
    """Character offset of the glyph in the ``w:t`` text."""


@dataclass
class Option:
    """One checkbox option of a cell or paragraph."""

    label: str
    """The option's text, e.g. ``Yes``."""
    marker: Marker
    """Its box."""
    paragraph: Any
    """The ``w:p`` holding the box."""
    runs: list[Any] = field(default_factory=list)
    """Runs carrying the label (highlighted for review)."""


def _segments(p: Any, boxes: dict[tuple[str, str], NumBox]) -> list[tuple[str, Any, Any]]:
    """A paragraph as ``("text", str, run)`` and ``("mark", Marker, run)`` pieces in order."""
    out: list[tuple[str, Any, Any]] = []
    num = p.find(f"{w('pPr')}/{w('numPr')}")
    if num is not None and boxes:
        num_id, ilvl = num.find(w("numId")), num.find(w("ilvl"))
        key = (num_id.get(w("val"), "") if num_id is not None else "", ilvl.get(w("val"), "0") if ilvl is not None else "0")
        if key in boxes:
            out.append(("mark", Marker("num", p, boxes[key].checked), None))

    def visit(el: Any, run: Any) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP_TAGS or not isinstance(tag, str):
                continue
            if tag == w("sdt") and child.find(f"{w('sdtPr')}/{w14('checkbox')}") is not None:
                state = child.find(f"{w('sdtPr')}/{w14('checkbox')}/{w14('checked')}")
                ticked = state is not None and state.get(w14("val"), "1") in ("1", "true")
                out.append(("mark", Marker("sdt", child, ticked), run))
            elif tag == w("t"):
                text = child.text or ""
                start = 0
                for i, ch in enumerate(text):
                    if ch in UNCHECKED or ch in CHECKED:
                        if i > start:
                            out.append(("text", text[start:i], run))
                        out.append(("mark", Marker("text", child, ch in CHECKED, i), run))
                        start = i + 1
                if start < len(text):
                    out.append(("text", text[start:], run))
            elif tag == w("sym"):
                box = sym_box(child)
                if box is not None:
                    out.append(("mark", Marker("sym", child, box), run))
            elif tag in (w("tab"), w("ptab")):
                out.append(("text", "\t", run))
            elif tag in (w("br"), w("cr")):
                out.append(("text", "\n", run))
            else:
                visit(child, child if tag == w("r") else run)

    visit(p, None)
    return out


def paragraph_text(p: Any) -> str:
    """Visible text of a paragraph (deleted revisions and field codes left out; boxes as ☐/☒)."""
    return "".join(
        piece if kind == "text" else (TICK if piece.checked else "☐") for kind, piece, _ in _segments(p, {})
    )


def cell_text(tc: Any) -> str:
    """Text of a cell, one line per paragraph, stripped."""
    return "\n".join(paragraph_text(p) for p in cell_paragraphs(tc)).strip()


def parse_options(paragraphs: list[Any], boxes: dict[tuple[str, str], NumBox]) -> tuple[str, list[Option]]:
    """Checkbox options of some paragraphs, and the text before the first box (the lead).

    Labels follow their box (``☐ Yes ☐ No``), or precede it when every box ends its text (``Yes ☐ No ☐``).
    """
    lead: list[str] = []
    options: list[Option] = []
    for p in paragraphs:
        segs = _segments(p, boxes)
        marks = [i for i, (kind, _, _) in enumerate(segs) if kind == "mark"]
        if not marks:
            if not options:
                lead.append("".join(s for _, s, _ in segs) + "\n")
            continue
        groups: list[list[tuple[str, Any, Any]]] = []
        current: list[tuple[str, Any, Any]] = []
        for seg in segs:
            if seg[0] == "mark":
                groups.append(current)
                current = []
            else:
                current.append(seg)
        groups.append(current)  # groups[0] before the first box, groups[k] after box k
        texts = ["".join(s for _, s, _ in g).strip(" \t\n/|,;") for g in groups]
        before = texts[-1] == "" and texts[0] != "" and len(marks) >= 1 and not options
        if not before and not options:
            lead.append(texts[0])
        for k, i in enumerate(marks):
            g = groups[k] if before else groups[k + 1]
            label = texts[k] if before else texts[k + 1]
            if label:
                options.append(Option(label, segs[i][1], p, [r for _, _, r in g if r is not None]))
    return "".join(lead).strip(), options


# --------------------------------------------------------------------------- layouts


_HEADING = re.compile(r"^(heading|title)\b", re.IGNORECASE)
