"""Lossless in-place writer for the customer's own .xlsx/.xlsm.

A plain openpyxl load-and-save drops what openpyxl does not model: x14 data validations (the
Yes/No dropdowns of HECVAT), cached formula results, text boxes, threaded comments, newer
conditional formats. This writer instead edits the text of the few parts it must change and
copies every other zip member byte for byte (raw compressed bytes included).

Decisions, documented for callers:

* Strings go in as inline strings (``t="inlineStr"``), so sharedStrings.xml is never touched and
  Excel never evaluates them. Text that Excel would treat as a formula when the cell is edited
  (starting with ``= + - @``, TAB or CR) also gets ``quotePrefix`` through a derived cell format, so
  it stays literal after the user presses F2/Enter; this appends to styles.xml.
* Text over Excel's 32,767-character cell limit is skipped and reported, never truncated.
* A cell holding a formula is skipped unless the write says ``overwrite``; then the formula and its
  calcChain.xml entry go (the calcChain part, its relationship and content type go too when it
  empties). Part of a multi-cell array formula, and the first cell of a shared formula, are skipped.
* ``review_fill=None`` is the clean mode: no fills and no notes. Otherwise a ``review`` write gets the
  fill (a new fill plus a clone of the cell's format, both appended to styles.xml) and any write with
  a ``note`` gets a legacy note, appended to the sheet's existing comments/VML parts when present.
  A note that cannot be added safely is reported as a warning; the fill stays.
* ``force_recalc`` sets ``fullCalcOnLoad`` in workbook.xml so Excel recomputes formulas that read the
  new answers (HECVAT's auto-responses and scores); cached values stay in the file for viewers.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from ..errors import ImportFormatError, OutputError, Problem, UsageError
from ..importers._container import input_bytes, open_zip, parse_xml
from ._review import DECISION_COL, LISTS_SHEET_NAME, LOCATION_COL, ReviewTable, quoted_location
from ._review import WIDTHS as REVIEW_WIDTHS
from ._rows import REVIEW_SHEET_NAME, starts_like_formula
from ._xlsx_app import add_sheet_title, remove_sheet_title
from ._xlsx_fit import FitStyle
from ._xlsx_notes import MAIN_NS, NoteRequest, add_notes
from ._xlsx_package import (
    CT_WORKSHEET,
    RT_CALCCHAIN,
    RT_OFFICE_DOC,
    RT_STYLES,
    ContentTypes,
    PartStore,
    Rels,
    SheetEntry,
    Workbook,
    free_name,
    free_sheet_name,
    rels_path,
    resolve,
)
from ._xlsx_sheet import CellWrite, SheetPatcher
from ._xlsx_styles import StylesPatcher
from ._xlsx_xml import (
    apply_edits,
    attrs_of,
    children,
    clean_text,
    escape_attr,
    escape_text,
    num_to_col,
    parse_ref,
    root_span,
    set_attr,
)
from ._xlsx_zip import write_package
from .interface import SlotWrite

__all__ = ["EXCEL_CELL_LIMIT", "PatchReport", "SkippedCell", "WrittenCell", "patch_xlsx"]

EXCEL_CELL_LIMIT = 32_767
"""Most characters (UTF-16 code units) Excel keeps in one cell."""


@dataclass(frozen=True)
class WrittenCell:
    """One cell the writer set."""

    address: str
    """The address as the caller gave it."""
    sheet: str
    """Sheet name as in workbook.xml."""
    cell: str
    """Cell reference (``C14``)."""
    review_fill: bool = False
    """The review fill colour was applied."""
    note: bool = False
    """A note (legacy comment) was attached."""
    quote_prefix: bool = False
    """The text starts like a formula, so the cell format got ``quotePrefix``."""
    replaced_formula: bool = False
    """The cell held a formula that ``overwrite`` replaced."""


@dataclass(frozen=True)
class SkippedCell:
    """One write the writer refused, and why."""

    address: str
    """The address as the caller gave it."""
    reason: str
    """What was wrong and how to get it written."""

    def __str__(self) -> str:
        return f"{self.address}: {self.reason}"


@dataclass(frozen=True)
class PatchReport:
    """What :func:`patch_xlsx` did."""

    written: tuple[WrittenCell, ...]
    """Cells set, in the order of the writes."""
    skipped: tuple[SkippedCell, ...]
    """Writes not carried out."""
    warnings: tuple[Problem, ...]
    """Things done only partly (a note not added, a fill not applied)."""
    parts_changed: tuple[str, ...]
    """Zip members whose content changed (all others are byte-identical)."""
    parts_added: tuple[str, ...]
    """Zip members created."""
    parts_removed: tuple[str, ...]
    """Zip members dropped (only an emptied calcChain.xml)."""
    review_sheet: str | None = None
    """Name of the review sheet added, if any."""
    full_calc_on_load: bool = False
    """workbook.xml was changed to make Excel recompute formulas on open."""


def _argb(review_fill: str | None) -> str | None:
    if review_fill is None:
        return None
    value = review_fill.strip().lstrip("#").upper()
    if re.fullmatch(r"[0-9A-F]{6}", value):
        value = "FF" + value
    if not re.fullmatch(r"[0-9A-F]{8}", value):
        raise UsageError(f"review_fill: {review_fill!r} is not a colour; give 6 or 8 hex digits such as FFFFF2CC")
    return value


def _split_address(address: str) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """Sheet names to try (as written first: a sheet may be named ``'quoted'``, apostrophes and all) and the cell."""
    sheet, bang, cell = address.rpartition("!")
    if not bang or not sheet:
        return None
    names: tuple[str, ...] = (sheet,)
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        names += (sheet[1:-1].replace("''", "'"),)
    ref = parse_ref(cell)
    return None if ref is None else (names, ref)


def _find_sheet(sheets: list[SheetEntry], name: str) -> SheetEntry | None:
    exact = next((s for s in sheets if s.name == name), None)
    return exact or next((s for s in sheets if s.name.casefold() == name.casefold()), None)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Planned:
    key: int
    write: SlotWrite
    sheet: SheetEntry
    row: int
    col: int
    text: str


def _plan(writes: Sequence[SlotWrite], sheets: list[SheetEntry]) -> tuple[list[_Planned], dict[int, str]]:
    skipped: dict[int, str] = {}
    planned: dict[tuple[str, int, int], _Planned] = {}
    for key, w in enumerate(writes):
        parsed = _split_address(w.address)
        if parsed is None:
            skipped[key] = "not a cell address; expected Sheet!C14"
            continue
        names, (row, col) = parsed
        entry = next((e for e in (_find_sheet(sheets, n) for n in names) if e is not None), None)
        if entry is None:
            skipped[key] = f"no sheet named {names[-1]!r} in the workbook"
            continue
        if not entry.is_worksheet or entry.part is None:
            skipped[key] = f"sheet {entry.name!r} is not a worksheet (chart or dialog sheet)"
            continue
        text = clean_text(w.value)
        if _utf16_len(text) > EXCEL_CELL_LIMIT:
            skipped[key] = (
                f"text is {_utf16_len(text):,} characters, over Excel's {EXCEL_CELL_LIMIT:,}-character cell "
                "limit; shorten the answer (trustfill does not truncate silently)"
            )
            continue
        slot = (entry.part, row, col)
        if slot in planned:
            skipped[planned[slot].key] = "superseded by a later write to the same cell"
        planned[slot] = _Planned(key, w, entry, row, col, text)
    return sorted(planned.values(), key=lambda p: p.key), skipped


def patch_xlsx(
    src: Path,
    dest: Path,
    writes: Sequence[SlotWrite],
    *,
    review_sheet: ReviewTable | Sequence[Sequence[str]] | None = None,
    review_fill: str | None = "FFFFF2CC",
    force_recalc: bool = True,
    data: bytes | None = None,
    fit_rows: bool = False,
) -> PatchReport:
    """Write answers into a copy of an xlsx/xlsm, changing nothing else.

    Args:
        src: The customer's workbook; never modified.
        dest: Where to write the patched copy (a temporary path the caller renames).
        writes: Cells to set; addresses are ``Sheet!C14`` with the sheet name as in the workbook
            (quotes optional) and the anchor cell of a merged area.
        review_sheet: The review table (or rows of strings, first row a header) for an appended sheet
            named "trustfill review"; None adds no sheet. A review sheet (and its hidden lookup sheet) left
            by an earlier run is always dropped first, so a filled workbook filled again never keeps a stale
            one or gains a second.
        review_fill: ARGB fill for ``review`` writes; None is the clean mode (no fills, no notes).
        force_recalc: Ask Excel to recompute formulas on open (changes workbook.xml).
        data: ``src``'s bytes as imported; the copy is made from these, never from a re-read of ``src``.
        fit_rows: Give written cells whose text takes more than one line wrap text (a derived format,
            appended to styles.xml) and their rows a height that shows the text; other rows keep theirs.

    Returns:
        What was written, skipped and changed.

    Raises:
        ImportFormatError: ``src`` cannot be read as a workbook.
        OutputError: ``dest`` cannot be written, or is ``src``.
        UsageError: ``review_fill`` is not a colour.
    """
    src, dest = Path(src), Path(dest)
    fill = _argb(review_fill)
    if dest.exists() and src.exists() and dest.resolve() == src.resolve():
        raise OutputError(f"{dest}: refusing to overwrite the source workbook; write to another path")
    if data is None:
        data = input_bytes(src)
    with open_zip(src, "workbook", data) as zf:
        store = PartStore(zf, src)
        return _patch(store, src, dest, writes, review_sheet, fill, force_recalc, zf, data, fit_rows)


def _patch(
    store: PartStore,
    src: Path,
    dest: Path,
    writes: Sequence[SlotWrite],
    review_rows: ReviewTable | Sequence[Sequence[str]] | None,
    fill: str | None,
    force_recalc: bool,
    zf: zipfile.ZipFile,
    data: bytes,
    fit_rows: bool = False,
) -> PatchReport:
    root_rels = Rels(store.text("_rels/.rels"), "_rels/.rels")
    doc = next(iter(root_rels.by_type(RT_OFFICE_DOC)), None)
    if doc is None:
        raise ImportFormatError(f"{src}: the package names no workbook part; the file is damaged")
    wb_part = resolve("", doc.target)
    wb_data = store.read(wb_part)
    if wb_data is None:
        raise ImportFormatError(f"{src}: part {wb_part} is missing; the file is damaged")
    wb_rels = Rels(store.text(rels_path(wb_part)), rels_path(wb_part))
    wb = Workbook(wb_part, wb_data, wb_rels)
    ctypes = ContentTypes(store.read(ContentTypes.PART) or b"")
    sheets = wb.sheets()
    planned, skip_reasons = _plan(writes, sheets)
    warnings: list[Problem] = []
    marks: dict[int, dict[str, bool]] = {p.key: {} for p in planned}

    styles: StylesPatcher | None = None
    styles_part: str | None = None
    styles_rel = next(iter(wb_rels.by_type(RT_STYLES)), None)
    if styles_rel is not None:
        styles_part = resolve(wb_part, styles_rel.target)
        text = store.text(styles_part)
        if text is not None:
            styles = StylesPatcher(text, f"{src}: {styles_part}")

    by_key = {p.key: p for p in planned}
    by_part: dict[str, list[_Planned]] = {}
    for p in planned:
        by_part.setdefault(p.sheet.part or "", []).append(p)
    removed_formulas: dict[int, set[str]] = {}

    def style_fn(key: int, old: int | None, wrap: bool) -> int | None:
        p = by_key[key]
        want_fill = fill if p.write.review else None
        quote = starts_like_formula(p.text)
        if styles is None or (want_fill is None and not quote and not wrap):
            if want_fill or quote:
                warnings.append(Problem(p.write.address, "styles.xml is missing; review fill/quotePrefix not applied", "warning"))
            return None
        new = styles.derive(old, want_fill, quote, wrap)
        if new is None and want_fill is None and not quote:
            return None  # the format wraps already
        if new is None:
            warnings.append(Problem(p.write.address, "styles.xml has no cell formats; review fill not applied", "warning"))
        else:
            marks[key]["fill"] = want_fill is not None
            marks[key]["quote"] = quote
        return new

    for part, items in by_part.items():
        where = f"{src}: {part}"
        text = store.text(part)
        if text is None:
            for p in items:
                skip_reasons[p.key] = f"the sheet's part {part} is missing; the file is damaged"
            continue
        sheet = SheetPatcher(text, where)
        cw = [CellWrite(p.key, p.row, p.col, p.text, p.write.overwrite) for p in items]
        fit = FitStyle(styles.font_pt, styles.wraps, styles.base_pt) if fit_rows and styles is not None and styles.usable else None
        results, removed = sheet.write_cells(cw, style_fn, fit)
        for res in results:
            if not res.ok:
                skip_reasons[res.key] = res.reason
            elif res.replaced_formula:
                marks[res.key]["formula"] = True
        if removed:
            removed_formulas.setdefault(items[0].sheet.sheet_id, set()).update(removed)
        notes = [
            NoteRequest(p.key, p.row, p.col, p.write.note)
            for p in items
            if fill is not None and p.write.note and p.key not in skip_reasons
        ]
        if notes:
            srels = Rels(store.text(rels_path(part)), rels_path(part))
            done, failed = add_notes(store, part, sheet, srels, ctypes, notes)
            for key in done:
                marks[key]["note"] = True
            for key, why in failed.items():
                warnings.append(Problem(by_key[key].write.address, f"note not added: {why}", "warning"))
            if srels.changed:
                store.put(srels.part, srels.xml)
        store.put(part, sheet.result())

    if removed_formulas:
        _drop_calc_entries(store, wb, ctypes, removed_formulas)
    header_style = styles.bold() if review_rows is not None and styles is not None else None
    if styles is not None and styles.changed and styles_part is not None:
        store.put(styles_part, styles.result())
    dropped = _drop_review_sheets(store, wb, ctypes, root_rels)
    if dropped:
        _drop_calc_entries(store, wb, ctypes, {}, whole=dropped)
    sheet_name = None
    if review_rows is not None:
        sheet_name = _add_review_sheet(store, wb, ctypes, review_rows, warnings, header_style)
        _edit_app_properties(store, root_rels, add_sheet_title, sheet_name)
        if isinstance(review_rows, ReviewTable):
            lists = _add_lists_sheet(store, wb, ctypes, review_rows)
            _edit_app_properties(store, root_rels, add_sheet_title, lists)
    written_any = any(k not in skip_reasons for k in by_key)
    full_calc = force_recalc and written_any and wb.request_full_calc()
    if wb.changed:
        store.put(wb_part, wb.xml)
    if wb_rels.changed:
        store.put(wb_rels.part, wb_rels.xml)
    if ctypes.changed:
        store.put(ContentTypes.PART, ctypes.xml)
    _validate(store, src)
    write_package(src, zf, store.changed, store.removed, store.added, dest, data)

    written = []
    for p in planned:
        if p.key in skip_reasons:
            continue
        m = marks[p.key]
        written.append(
            WrittenCell(
                p.write.address, p.sheet.name, f"{num_to_col(p.col)}{p.row}", m.get("fill", False),
                m.get("note", False), m.get("quote", False), m.get("formula", False),
            )
        )
    return PatchReport(
        written=tuple(written),
        skipped=tuple(SkippedCell(writes[k].address, r) for k, r in sorted(skip_reasons.items())),
        warnings=tuple(warnings),
        parts_changed=tuple(n for n in store.original if n in store.changed),
        parts_added=tuple(store.added),
        parts_removed=tuple(n for n in store.original if n in store.removed),
        review_sheet=sheet_name,
        full_calc_on_load=full_calc,
    )


def _drop_calc_entries(store: PartStore, wb: Workbook, ctypes: ContentTypes, removed: dict[int, set[str]],
                       whole: frozenset[int] = frozenset()) -> None:
    """Remove calcChain entries of cells that no longer hold formulas, and of the sheets (by id) in ``whole``
    that are gone (Excel repairs files that keep them)."""
    rel = next(iter(wb.rels.by_type(RT_CALCCHAIN)), None)
    if rel is None:
        return
    part = resolve(wb.part, rel.target)
    xml = store.text(part)
    if xml is None:
        return
    root = root_span(xml, part)
    edits: list[tuple[int, int, str]] = []
    current = ""
    prev_kept: str | None = None
    kept = 0
    for span in children(xml, root, part):
        attrs = attrs_of(span.attrs)
        has_i = "i" in attrs
        current = attrs.get("i", current)
        sheet_id = int(current) if current.isdigit() else -1
        if sheet_id in whole or attrs.get("r", "").replace("$", "").upper() in removed.get(sheet_id, ()):
            edits.append((span.start, span.end, ""))
            continue
        kept += 1
        if not has_i and prev_kept != current:
            # the entry that carried this sheet id was dropped: carry it here
            edits.append((span.start, span.open_end, set_attr(xml[span.start : span.open_end], "i", current)))
        prev_kept = current
    if kept == 0:
        store.remove(part)
        wb.rels.remove(rel.id)
        ctypes.remove_override(part)
        return
    store.put(part, apply_edits(xml, edits))


def _is_ours(name: str) -> bool:
    folded = name.casefold()
    return folded.startswith((REVIEW_SHEET_NAME, LISTS_SHEET_NAME))


def _drop_review_sheets(store: PartStore, wb: Workbook, ctypes: ContentTypes, root_rels: Rels) -> frozenset[int]:
    """Remove review and lookup sheets an earlier run added (with their parts); returns their sheet ids."""
    gone: set[int] = set()
    for entry in [s for s in wb.sheets() if _is_ours(s.name)]:
        removed = wb.remove_sheet(entry.name)
        if removed is None:
            continue
        gone.add(removed.sheet_id)
        _edit_app_properties(store, root_rels, remove_sheet_title, removed.name)
        if removed.part is None:
            continue
        srels_part = rels_path(removed.part)
        srels = Rels(store.text(srels_part), srels_part)
        store.remove(removed.part)
        store.remove(srels_part)
        ctypes.remove_override(removed.part)
        # parts only this sheet used (a reviewer's notes, a printer setup Excel added on save) go with it
        for rel in srels.all():
            if rel.external:
                continue
            target = resolve(removed.part, rel.target)
            if not any(_references(store, other, target) for other in store.names() if other.endswith(".rels")):
                store.remove(target)
                store.remove(rels_path(target))
                ctypes.remove_override(target)
    return frozenset(gone)


def _references(store: PartStore, rels_part: str, target: str) -> bool:
    source = rels_part.replace("_rels/", "").removesuffix(".rels")
    rels = Rels(store.text(rels_part), rels_part)
    return any(not r.external and resolve(source, r.target) == target for r in rels.all())


def _add_review_sheet(
    store: PartStore, wb: Workbook, ctypes: ContentTypes, rows: ReviewTable | Sequence[Sequence[str]],
    warnings: list[Problem], header_style: int | None = None,
) -> str:
    table = rows if isinstance(rows, ReviewTable) else None
    matrix = table.matrix() if table is not None else rows
    name = free_sheet_name([s.name for s in wb.sheets()], REVIEW_SHEET_NAME)
    part = free_name({n.lower() for n in store.names()}, "xl/worksheets/sheet%d.xml")
    widths: dict[int, int] = {}
    body = []
    for r, row in enumerate(matrix, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            text = clean_text(str(value))
            if _utf16_len(text) > EXCEL_CELL_LIMIT:
                text = text[: EXCEL_CELL_LIMIT - 20] + " … [truncated]"
                warnings.append(Problem(f"{name}!{num_to_col(c)}{r}", "review text truncated to Excel's cell limit", "warning"))
            widths[c] = max(widths.get(c, 8), min(len(max(text.splitlines() or [""], key=len)) + 2, 80))
            style = f' s="{header_style}"' if r == 1 and header_style is not None else ""
            if text:
                cells.append(
                    f'<c r="{num_to_col(c)}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{escape_text(text)}</t></is></c>'
                )
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    extra_after_data, links = "", ""
    if table is not None:
        widths = dict(enumerate(REVIEW_WIDTHS, start=1))
        last = max(len(matrix), 2)
        extra_after_data = f'<autoFilter ref="A1:{num_to_col(len(table.header))}{last}"/>'
        decision = num_to_col(DECISION_COL + 1)
        source = f"{quoted_location(LISTS_SHEET_NAME + '!A1').rpartition('!')[0]}!$A$1:$A${max(len(table.choices), 1)}"
        validation = (
            '<dataValidations count="1"><dataValidation type="list" errorStyle="warning" allowBlank="1" '
            f'showInputMessage="1" showErrorMessage="1" sqref="{decision}2:{decision}{last}">'
            f"<formula1>{escape_text(source)}</formula1></dataValidation></dataValidations>"
        )
        hyperlinks = "".join(
            f'<hyperlink ref="{num_to_col(LOCATION_COL + 1)}{r}" location="{escape_attr(quoted_location(row.target))}"/>'
            for r, row in enumerate(table.rows, start=2) if row.target is not None
        )
        links = validation + (f"<hyperlinks>{hyperlinks}</hyperlinks>" if hyperlinks else "")
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in sorted(widths.items()))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f"<sheetData>{''.join(body)}</sheetData>"
        + extra_after_data
        + links
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )
    wb.add_sheet(name, part)
    ctypes.ensure(part, CT_WORKSHEET)
    store.put(part, xml)
    return name


def _add_lists_sheet(store: PartStore, wb: Workbook, ctypes: ContentTypes, table: ReviewTable) -> str:
    """The hidden sheet whose column A feeds the review sheet's Decision dropdown."""
    part = free_name({n.lower() for n in store.names()}, "xl/worksheets/sheet%d.xml")
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t xml:space="preserve">{escape_text(clean_text(v))}</t></is></c></row>'
        for i, v in enumerate(table.choices, start=1)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN_NS}"><sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="40" '
        f'customWidth="1"/></cols><sheetData>{rows}</sheetData></worksheet>'
    )
    wb.add_hidden_sheet(LISTS_SHEET_NAME, part)
    ctypes.ensure(part, CT_WORKSHEET)
    store.put(part, xml)
    return LISTS_SHEET_NAME


# extended properties ("docProps/app.xml") in both the transitional and the strict namespace
RT_EXTENDED = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
)


def _edit_app_properties(store: PartStore, root_rels: Rels, edit: Callable[[str, str], str | None], sheet_name: str) -> None:
    """Apply ``edit`` (add or remove a worksheet title) to docProps/app.xml; a list it cannot read stays as is."""
    for rel_type in RT_EXTENDED:
        for rel in root_rels.by_type(rel_type):
            part = resolve("", rel.target)
            xml = store.text(part) if not rel.external else None
            updated = edit(xml, sheet_name) if xml is not None else None
            if updated is not None:
                store.put(part, updated)


def _validate(store: PartStore, src: Path) -> None:
    """Re-parse every XML part we wrote: a bug here must not reach the customer as a broken file."""
    for name in list(store.changed) + list(store.added):
        if name.lower().endswith((".xml", ".rels")):
            try:
                _well_formed(store.read(name) or b"", name)
            except ImportFormatError as exc:
                raise OutputError(
                    f"{src}: {name}: patching produced invalid XML ({exc}); nothing was written. "
                    "This is a trustfill bug: please report it with the file"
                ) from exc


def _well_formed(data: bytes, where: str) -> None:
    """Raise ImportFormatError unless ``data`` is well-formed XML; without a DTD no entity can expand, so the C
    parser checks it without building a tree (defusedxml's tree took seconds on a 100k-row review sheet)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        parse_xml(data, where)
        return
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ImportFormatError(f"{where}: invalid XML ({exc})") from exc
