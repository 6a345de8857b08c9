"""Write answers into a copy of a Word questionnaire, changing nothing else.

Only the main document part (``word/document.xml``) is rewritten. Every other zip entry (styles,
numbering, headers, images, custom XML, relationships, content types) is copied byte for byte,
in the same order with the same compression and timestamps; python-docx is used to edit the
document tree, never to save the package (its ``save`` re-serialises every part it parsed).

What a write does, by address (see :mod:`trustfill.importers.docx` for the address scheme):

* a **table cell**: its paragraphs are replaced by the value (blank-line-separated paragraphs
  become paragraphs, single line breaks become ``w:br``), keeping the first paragraph's
  properties (style, alignment) and the first text run's formatting (font, size, colour). A
  content control wrapping the cell's text goes with it. Nested tables in the cell stay.
* a **checkbox cell or paragraph**: the box of the option whose label equals the value is
  ticked (a glyph becomes ``☒``, a Wingdings ``w:sym`` becomes that font's crossed box, a checkbox
  content control gets ``checked``; a box-bullet list item loses its bullet and starts with
  ``☒`` and a tab at the same indent). Other ticked boxes are cleared. Several labels may be given
  separated by new lines or ``;``. A value that is no option is added as a highlighted paragraph
  in the cell with a note, for a person to resolve.
* ``p{n}`` without checkboxes: the value fills the empty or placeholder paragraph right after
  paragraph ``n``, or goes into a new paragraph inserted after it (the question's paragraph
  properties without list numbering or heading style, its run formatting without bold/italic).

Review (:attr:`SlotWrite.review`): the written runs get a yellow highlight and the note is appended
as a highlighted run ``[Review: note]``. A Word comment would need a new comments part,
relationships and content types, which would break "only document.xml changes".
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError, OutputError
from ..importers._container import input_bytes, parse_xml, read_part
from ..importers._docx_xml import (
    SYM_TICK,
    SYM_UNTICK,
    TICK,
    NumBox,
    Option,
    all_tables,
    body_blocks,
    cell_paragraphs,
    numbering_boxes,
    open_docx,
    paragraph_text,
    parse_options,
    physical_cells,
    table_rows,
    w,
    w14,
)
from ..importers.csv import slot_state
from ..questionnaire import SlotState
from .interface import SlotWrite

UNTICK = "☐"
_CELL = re.compile(r"t(\d+)\.r(\d+)\.c(\d+)")
_PARA = re.compile(r"p(\d+)")
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DROP_FOR_ANSWER = ("b", "bCs", "i", "iCs", "caps", "smallCaps", "highlight")


def _el(tag: str) -> Any:
    from docx.oxml import OxmlElement

    return OxmlElement(tag)


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", text.casefold()).strip()


def _highlight(run: Any) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.run import Run

    Run(run, None).font.highlight_color = WD_COLOR_INDEX.YELLOW  # type: ignore[arg-type]


def _run(text: str, rpr: Any, review: bool) -> Any:
    """A ``w:r`` with ``rpr`` and ``text`` (line breaks become ``w:br``)."""
    r = _el("w:r")
    if rpr is not None:
        r.append(deepcopy(rpr))
    for k, line in enumerate(text.split("\n")):
        if k:
            r.append(_el("w:br"))
        t = _el("w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    if review:
        _highlight(r)
    return r


def _note_run(note: str | None, rpr: Any) -> Any:
    return _run(f" [Review: {note}]" if note else " [Review]", rpr, True)


def _paragraph(text: str, ppr: Any, rpr: Any, review: bool) -> Any:
    p = _el("w:p")
    if ppr is not None:
        p.append(deepcopy(ppr))
    if text:
        p.append(_run(text, rpr, review))
    return p


def _clean(value: str) -> str:
    return _XML_BAD.sub("", value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def _paragraph_texts(value: str) -> list[str]:
    return re.split(r"\n[ \t]*\n+", _clean(value).strip("\n")) or [""]


def _text_rpr(container: Any) -> Any:
    """Formatting of the first run with text, else of the first paragraph mark; placeholder style dropped."""
    for r in container.iter(w("r")):
        if r.find(w("t")) is not None and (r.find(w("t")).text or "").strip():
            rpr = r.find(w("rPr"))
            return _without_placeholder(deepcopy(rpr)) if rpr is not None else None
    mark = container.find(f".//{w('pPr')}/{w('rPr')}")
    if mark is None:
        return None
    rpr = _el("w:rPr")
    for child in mark:
        if child.tag not in (w("ins"), w("del"), w("moveFrom"), w("moveTo"), w("rPrChange")):
            rpr.append(deepcopy(child))
    return _without_placeholder(rpr)


def _without_placeholder(rpr: Any) -> Any:
    style = rpr.find(w("rStyle"))
    if style is not None and "placeholder" in (style.get(w("val")) or "").lower():
        rpr.remove(style)
        for tag in ("color", "vanish"):
            el = rpr.find(w(tag))
            if el is not None:
                rpr.remove(el)
    return rpr


def _fill_cell(tc: Any, write: SlotWrite) -> None:
    """Replace the cell's text with ``write.value``, keeping paragraph and run formatting."""
    paras = cell_paragraphs(tc)
    ppr = paras[0].find(w("pPr")) if paras else None
    rpr = _text_rpr(tc)
    keep = (w("tcPr"), w("tbl"))
    position = next((i for i, child in enumerate(tc) if child.tag not in keep), len(tc))
    for child in [c for c in tc if c.tag not in keep]:
        tc.remove(child)
    new = [_paragraph(text, ppr, rpr, write.review) for text in _paragraph_texts(write.value)]
    if write.review:
        new[-1].append(_note_run(write.note, rpr))
    for k, p in enumerate(new):
        tc.insert(position + k, p)
    if tc[-1].tag != w("p"):  # a cell must end with a paragraph
        tc.append(_el("w:p"))


def _set_marker(option: Option, ticked: bool, boxes: dict[tuple[str, str], NumBox]) -> None:
    """Tick or clear one option's box in place."""
    marker = option.marker
    el = marker.element
    if marker.kind == "text":
        glyph = TICK if ticked else UNTICK
        el.text = el.text[: marker.offset] + glyph + el.text[marker.offset + 1 :]
    elif marker.kind == "sym":
        font = (el.get(w("font")) or "").lower()
        if font in SYM_TICK:
            el.set(w("char"), SYM_TICK[font] if ticked else SYM_UNTICK[font])
        else:
            t = _el("w:t")
            t.text = TICK if ticked else UNTICK
            el.addprevious(t)
            el.getparent().remove(el)
    elif marker.kind == "sdt":
        box = el.find(f"{w('sdtPr')}/{w14('checkbox')}")
        state = box.find(w14("checked"))
        if state is None:
            state = box.makeelement(w14("checked"), {})
            box.insert(0, state)
        state.set(w14("val"), "1" if ticked else "0")
        which = box.find(w14("checkedState" if ticked else "uncheckedState"))
        code = which.get(w14("val")) if which is not None else ("2612" if ticked else "2610")
        t = next(el.find(w("sdtContent")).iter(w("t")), None)
        if t is not None:
            t.text = chr(int(code, 16))
    elif marker.kind == "num" and ticked:
        _bullet_to_tick(el, boxes)


def _bullet_to_tick(p: Any, boxes: dict[tuple[str, str], NumBox]) -> None:
    """Replace a box bullet by a literal ``☒`` + tab at the same indent."""
    ppr = p.get_or_add_pPr()
    num = ppr.numPr
    key = (str(num.numId.val) if num.numId is not None else "", str(num.ilvl.val) if num.ilvl is not None else "0")
    box = boxes.get(key)
    num.get_or_add_numId().val = 0  # numId 0 switches numbering off, also when the style numbers
    if ppr.find(w("ind")) is None and box is not None and box.ind is not None:
        ind = ppr.get_or_add_ind()
        for name, value in box.ind.attrib.items():
            ind.set(name, value)
    first = p.find(w("r"))
    rpr = first.find(w("rPr")) if first is not None else None
    r = _run(TICK, rpr, False)
    r.append(_el("w:tab"))
    ppr.addnext(r)


def _choose(options: list[Option], value: str) -> list[Option] | None:
    """Options named by ``value`` (whole, or split on new lines / ';'); None when any part matches none."""
    by_label = {_fold(o.label): o for o in options}
    if _fold(value) in by_label:
        return [by_label[_fold(value)]]
    parts = [p for p in re.split(r"\s*(?:\n|;)\s*", value.strip()) if p]
    chosen = [by_label.get(_fold(p)) for p in parts]
    return [o for o in chosen if o is not None] if parts and all(chosen) else None


def _tick(options: list[Option], write: SlotWrite, boxes: dict[tuple[str, str], NumBox]) -> None:
    """Tick the options ``write.value`` names; otherwise add the value as a flagged paragraph after them."""
    chosen = _choose(options, write.value)
    if chosen is None:
        last = options[-1].paragraph
        ppr = deepcopy(last.find(w("pPr"))) if last.find(w("pPr")) is not None else None
        if ppr is not None and ppr.find(w("numPr")) is not None:
            ppr.remove(ppr.find(w("numPr")))
        p = _paragraph(_clean(write.value), ppr, _text_rpr(last), True)
        labels = ", ".join(o.label for o in options)
        p.append(_note_run(f"not one of the options ({labels}); tick one" + (f"; {write.note}" if write.note else ""), None))
        last.addnext(p)
        return
    for option in options:
        if option.marker.checked and option not in chosen:
            _set_marker(option, False, boxes)
    for option in chosen:
        runs = list(option.runs) if option.marker.kind != "num" else list(option.paragraph.iter(w("r")))
        _set_marker(option, True, boxes)
        if write.review:
            for r in runs:
                _highlight(r)
    if write.review and write.note:
        # A paragraph of its own: appended to the option's line it would read as part of the label.
        last = options[-1].paragraph
        ppr = deepcopy(last.find(w("pPr"))) if last.find(w("pPr")) is not None else None
        if ppr is not None and ppr.find(w("numPr")) is not None:
            ppr.remove(ppr.find(w("numPr")))
        p = _paragraph("", ppr, None, False)
        p.append(_note_run(write.note, _text_rpr(last)))
        last.addnext(p)


def _answer_paragraph(p: Any, after: Any, write: SlotWrite, styles: dict[str, str]) -> None:
    """Fill the empty/placeholder paragraph ``after``, or insert the answer after question ``p``."""
    texts = _paragraph_texts(write.value)
    if after is not None and after.tag == w("p") and slot_state(paragraph_text(after))[0] in (SlotState.EMPTY, SlotState.PLACEHOLDER):
        ppr, rpr = after.find(w("pPr")), _text_rpr(after)
        for child in [c for c in after if c.tag != w("pPr")]:
            after.remove(child)
        after.append(_run("\n".join(texts[:1]), rpr, write.review))
        anchor = after
        rest = texts[1:]
    else:
        ppr = deepcopy(p.find(w("pPr"))) if p.find(w("pPr")) is not None else None
        if ppr is not None:
            for tag in ("numPr", "outlineLvl", "rPr"):
                if ppr.find(w(tag)) is not None:
                    ppr.remove(ppr.find(w(tag)))
            style = ppr.find(w("pStyle"))
            if style is not None and re.match(r"(heading|title|list)", styles.get(style.get(w("val"), ""), ""), re.I):
                ppr.remove(style)
        rpr = _text_rpr(p)
        if rpr is not None:
            for tag in _DROP_FOR_ANSWER:
                if rpr.find(w(tag)) is not None:
                    rpr.remove(rpr.find(w(tag)))
        anchor, rest = p, texts
    for text in rest:
        new = _paragraph(text, ppr, rpr, write.review)
        anchor.addnext(new)
        anchor = new
    if write.review:
        anchor.append(_note_run(write.note, rpr))


def _apply(document: Any, writes: Sequence[SlotWrite], src: Path) -> None:
    body = document.element.body
    tables = all_tables(body)
    blocks = body_blocks(body)
    paragraphs = [(i, el) for i, (kind, el, _) in enumerate(blocks) if kind == "p"]
    boxes = numbering_boxes(document)
    try:
        styles = {s.style_id: s.name or "" for s in document.styles}
    except (KeyError, ValueError, AttributeError):
        styles = {}
    for write in writes:
        cell = _CELL.fullmatch(write.address)
        para = _PARA.fullmatch(write.address)
        if cell:
            t, r, c = (int(g) for g in cell.groups())
            try:
                tc = physical_cells(table_rows(tables[t])[r])[c]
            except IndexError:
                raise OutputError(f"{src}: slot {write.address} does not exist in this document "
                                  f"({len(tables)} tables); was it imported from another file?") from None
            _, options = parse_options(cell_paragraphs(tc), boxes)
            if options:
                _tick(options, write, boxes)
            else:
                _fill_cell(tc, write)
        elif para:
            n = int(para.group(1))
            if n >= len(paragraphs):
                raise OutputError(f"{src}: slot {write.address} does not exist ({len(paragraphs)} body paragraphs)")
            i, p = paragraphs[n]
            _, options = parse_options([p], boxes)
            if options:
                _tick(options, write, boxes)
            else:
                after = blocks[i + 1][1] if i + 1 < len(blocks) else None
                _answer_paragraph(p, after, write, styles)
        else:
            raise OutputError(f"{src}: {write.address!r} is not a Word slot address (t<table>.r<row>.c<cell> or p<n>)")


def write_docx(src: Path, dest: Path, writes: Sequence[SlotWrite], data: bytes | None = None) -> None:
    """Copy ``src`` to ``dest`` with every write applied to the main document part only.

    Args:
        src: The customer's .docx (never modified).
        data: Its bytes as imported; the copy is made from these, never from a re-read of ``src``.
        dest: Where to write the filled copy (must differ from ``src``).
        writes: Slot writes with addresses from :class:`~trustfill.importers.docx.DocxImporter`.

    Raises:
        OutputError: ``src`` no longer reads, an address does not exist, or ``dest`` cannot be written.
    """
    if dest.resolve() == src.resolve():
        raise OutputError(f"{dest}: refusing to write over the source questionnaire; choose another output path")
    if data is None:
        data = input_bytes(src)
    try:
        document = open_docx(src, data)
    except ImportFormatError as exc:
        raise OutputError(f"{src}: cannot read it again: {exc}") from exc
    _apply(document, writes, src)
    main = document.part.partname.lstrip("/")
    xml = document.part.blob
    try:
        parse_xml(xml, f"{dest}: part {main}")
    except ImportFormatError as exc:  # never hand the customer a document Word will not open
        raise OutputError(f"{src}: the written document part does not parse ({exc}); nothing was written") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(dest, "w") as zout:
            zout.comment = zin.comment
            for info in zin.infolist():
                zout.writestr(info, xml if info.filename == main else read_part(zin, info.filename, src))
    except (OSError, zipfile.BadZipFile) as exc:
        raise OutputError(f"{dest}: cannot write: {getattr(exc, 'strerror', None) or exc}") from exc
