"""Patch cells of one worksheet part as text, leaving every other byte of the part as it was."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ._xlsx_fit import FitStyle, SheetGeometry, chars_per_line, height_for, wrapped_lines
from ._xlsx_package import REL_NS
from ._xlsx_xml import (
    _ATTRS,
    ATTR_RE,
    Span,
    attrs_of,
    children,
    escape_text,
    ns_prefix,
    num_to_col,
    parse_range,
    parse_ref,
    prefix_of,
    root_span,
    set_attr,
)

# Elements that come after <legacyDrawing> in CT_Worksheet (ECMA-376 Part 1, 18.3.1.99).
_AFTER_LEGACY = frozenset(
    {"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
     "extLst", "AlternateContent"}
)
# Cell attributes that describe the old value and would be wrong for a plain string.
_DROP_CELL_ATTRS = frozenset({"t", "cm", "vm"})


@dataclass(frozen=True)
class CellWrite:
    """One cell to set to a string."""

    key: int
    """Caller's handle, echoed in the result."""
    row: int
    col: int
    text: str
    overwrite: bool


@dataclass
class CellResult:
    """What happened to one :class:`CellWrite`."""

    key: int
    ok: bool = False
    reason: str = ""
    replaced_formula: bool = False


@dataclass
class _Row:
    index: int
    start: int
    open_end: int
    close_start: int
    end: int
    attrs: str
    writes: list[CellWrite] = field(default_factory=list)


StyleFn = Callable[[int, "int | None", bool], "int | None"]
"""(write key, the cell's current style index or None, wrap text) -> new style index, or None to keep it."""


class SheetPatcher:
    """Collects edits against the original text of one worksheet and applies them at once."""

    def __init__(self, xml: str, where: str) -> None:
        self.xml = xml
        self.where = where
        self.root = root_span(xml, where)
        self.p = prefix_of(self.root.qname)
        self.top = list(children(xml, self.root, where, jump=frozenset({"sheetData"})))
        sheet_data = next((s for s in self.top if s.local == "sheetData"), None)
        if sheet_data is None:
            from ..errors import OutputError

            raise OutputError(f"{where}: the worksheet has no <sheetData>; the file is damaged")
        self.sheet_data: Span = sheet_data
        self.edits: list[tuple[int, int, str]] = []
        self.merges = self._merges()
        self._fit_style: FitStyle | None = None
        self._geo: SheetGeometry | None = None

    # -- locating ---------------------------------------------------------------------------------

    def _merges(self) -> list[tuple[int, int, int, int]]:
        span = next((s for s in self.top if s.local == "mergeCells"), None)
        if span is None:
            return []
        out = []
        for child in children(self.xml, span, self.where):
            rng = parse_range(attrs_of(child.attrs).get("ref", ""))
            if rng is not None:
                out.append(rng)
        return out

    def _rows(self) -> list[_Row]:
        p = re.escape(self.p)
        row_re = re.compile(rf"<{p}row(?=[\s/>]){_ATTRS}\s*(/?)>")
        close_tag = f"</{self.p}row>"
        sd = self.sheet_data
        rows: list[_Row] = []
        pos, last = sd.open_end, 0
        while pos < sd.close_start:
            m = row_re.search(self.xml, pos, sd.close_start)
            if m is None:
                break
            r = attrs_of(m.group(1)).get("r", "")
            index = int(r) if r.isdigit() else last + 1
            if m.group(2):
                close_start = end = m.end()
            else:
                close_start = self.xml.find(close_tag, m.end(), sd.close_start)
                if close_start < 0:
                    from ..errors import OutputError

                    raise OutputError(f"{self.where}: row {index} is not closed; the file is damaged")
                end = close_start + len(close_tag)
            rows.append(_Row(index, m.start(), m.end(), close_start, end, m.group(1)))
            last, pos = index, end
        return rows

    def _array_ranges(self) -> list[tuple[int, int, int, int]]:
        """Ranges of multi-cell array and data-table formulas (a part of one cannot be changed)."""
        p = re.escape(self.p)
        out = []
        f_re = re.compile(rf"<{p}f(?=[\s/>]){_ATTRS}")
        for m in f_re.finditer(self.xml, self.sheet_data.open_end, self.sheet_data.close_start):
            raw = m.group(1)
            if "array" not in raw and "dataTable" not in raw:
                continue
            attrs = attrs_of(raw)
            rng = parse_range(attrs.get("ref", ""))
            if attrs.get("t") in ("array", "dataTable") and rng is not None and rng[0:2] != rng[2:4]:
                out.append(rng)
        return out

    def legacy_drawing_rid(self) -> str | None:
        """The r:id of ``<legacyDrawing>`` (the sheet's VML part), if any."""
        span = next((s for s in self.top if s.local == "legacyDrawing"), None)
        if span is None:
            return None
        for name, value in ATTR_RE.findall(span.attrs):
            if name.endswith(":id") or name == "id":
                return value[1:-1]
        return None

    # -- editing ----------------------------------------------------------------------------------

    def geometry(self) -> SheetGeometry:
        """Column widths and default sizes from ``<cols>`` and ``<sheetFormatPr>``."""
        fmt = next((s for s in self.top if s.local == "sheetFormatPr"), None)
        attrs = attrs_of(fmt.attrs) if fmt is not None else {}

        def number(key: str, default: float) -> float:
            try:
                return float(attrs.get(key, default))
            except ValueError:
                return default

        default_width = number("defaultColWidth", number("baseColWidth", 8.0) + 0.71)
        widths: dict[int, float] = {}
        cols = next((s for s in self.top if s.local == "cols"), None)
        for col in children(self.xml, cols, self.where) if cols is not None else ():
            a = attrs_of(col.attrs)
            try:
                lo, hi, width = int(a["min"]), int(a["max"]), float(a.get("width", default_width))
            except (KeyError, ValueError):
                continue
            if a.get("hidden") in ("1", "true"):
                width = 0.0
            for c in range(lo, min(hi, lo + 512) + 1):  # a <col> may span to column 16384
                widths[c] = width
        return SheetGeometry(widths, default_width, number("defaultRowHeight", 15.0))

    def _fit(self, w: CellWrite, style: int | None, fit: FitStyle, geo: SheetGeometry, heights: dict[int, float]) -> bool:
        """Whether ``w`` needs wrap text; records the height its row needs in ``heights``."""
        merge = next(((r1, c1, r2, c2) for r1, c1, r2, c2 in self.merges if (r1, c1) == (w.row, w.col)), None)
        first, last = (merge[1], merge[3]) if merge else (w.col, w.col)
        pt = fit.font_pt(style)
        lines = wrapped_lines(w.text, chars_per_line(geo.width(first, last), pt, fit.base_pt))
        if lines <= 1 and "\n" not in w.text:
            return False
        if merge is None or merge[0] == merge[2]:  # over several rows, the area is tall already: wrap only
            heights[w.row] = max(heights.get(w.row, 0.0), height_for(lines, pt))
        return True

    def write_cells(self, writes: list[CellWrite], style_fn: StyleFn,
                    fit: FitStyle | None = None) -> tuple[list[CellResult], list[str]]:
        """Plan the cell writes; returns per-write results and the refs whose formulas were removed.

        With ``fit``, a written text that takes more than one line gets wrap text, and its row a height that
        shows it (only ever taller; hidden rows are left alone).
        """
        self._fit_style = fit
        self._geo = self.geometry() if fit is not None else None
        results = {w.key: CellResult(w.key) for w in writes}
        arrays = self._array_ranges() if writes else []
        todo: list[CellWrite] = []
        for w in writes:
            hit = self._merge_member(w.row, w.col)
            inside = next((a for a in arrays if a[0] <= w.row <= a[2] and a[1] <= w.col <= a[3]), None)
            if hit is not None:
                results[w.key].reason = f"inside merged area {hit}; write to its first cell instead"
            elif inside is not None:
                rng = f"{num_to_col(inside[1])}{inside[0]}:{num_to_col(inside[3])}{inside[2]}"
                results[w.key].reason = f"part of the array formula over {rng}; Excel cannot change part of an array"
            else:
                todo.append(w)
        rows = self._rows()
        by_index = {r.index: r for r in rows}
        new_rows: dict[int, list[CellWrite]] = {}
        for w in todo:
            if w.row in by_index:
                by_index[w.row].writes.append(w)
            else:
                new_rows.setdefault(w.row, []).append(w)
        removed_formulas: list[str] = []
        touched: list[tuple[int, int]] = []
        for row in rows:
            if row.writes:
                text = self._patch_row(row, style_fn, results, removed_formulas)
                self.edits.append((row.start, row.end, text))
                touched += [(w.row, w.col) for w in row.writes if results[w.key].ok]
        if new_rows:
            self._insert_rows(rows, new_rows, style_fn, results)
            touched += [(w.row, w.col) for ws in new_rows.values() for w in ws]
        if touched:
            self._grow_dimension(touched)
        return [results[w.key] for w in writes], removed_formulas

    def _merge_member(self, row: int, col: int) -> str | None:
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                return f"{num_to_col(c1)}{r1}:{num_to_col(c2)}{r2}"
        return None

    def _cell_xml(self, ref: str, raw_attrs: str | None, text: str, style: int | None) -> str:
        parts: list[str] = []
        if raw_attrs is None:
            parts.append(f'r="{ref}"')
        else:
            for name, value in ATTR_RE.findall(raw_attrs):
                if name in _DROP_CELL_ATTRS or (name == "s" and style is not None):
                    continue
                parts.append(f"{name}={value}")
        if style is not None:
            parts.append(f's="{style}"')
        p = self.p
        if not text:
            return f"<{p}c {' '.join(parts)}/>"
        parts.append('t="inlineStr"')
        return f'<{p}c {" ".join(parts)}><{p}is><{p}t xml:space="preserve">{escape_text(text)}</{p}t></{p}is></{p}c>'

    def _patch_row(
        self,
        row: _Row,
        style_fn: StyleFn,
        results: dict[int, CellResult],
        removed_formulas: list[str],
    ) -> str:
        p = re.escape(self.p)
        cell_re = re.compile(rf"<{p}c(?=[\s/>]){_ATTRS}\s*(?:/>|>(.*?)</{p}c>)", re.S)
        f_re = re.compile(rf"<{p}f(?=[\s/>]){_ATTRS}\s*/?>")
        cells: list[tuple[int, int, int, str, str]] = []  # col, start, end, attrs, inner
        last = 0
        for m in cell_re.finditer(self.xml, row.open_end, row.close_start):
            ref = parse_ref(attrs_of(m.group(1)).get("r", ""))
            col = ref[1] if ref is not None else last + 1
            cells.append((col, m.start(), m.end(), m.group(1), m.group(2) or ""))
            last = col
        by_col = {c[0]: c for c in cells}
        edits: list[tuple[int, int, str]] = []
        heights: dict[int, float] = {}
        max_col = 0
        for w in sorted(row.writes, key=lambda w: w.col):
            ref = f"{num_to_col(w.col)}{w.row}"
            res = results[w.key]
            found = by_col.get(w.col)
            if found is None:
                at = next((c[1] for c in cells if c[0] > w.col), cells[-1][2] if cells else row.open_end)
                edits.append((at, at, self._cell_xml(ref, None, w.text, style_fn(w.key, None, self._wrap(w, None, heights)))))
                max_col = max(max_col, w.col)
                res.ok = True
                continue
            _, start, end, raw_attrs, inner = found
            fm = f_re.search(inner)
            if fm is not None:
                if not w.overwrite:
                    res.reason = "holds a formula; pass overwrite to replace it"
                    continue
                fattrs = attrs_of(fm.group(1))
                rng = parse_range(fattrs.get("ref", ""))
                if fattrs.get("t") == "shared" and rng is not None and rng[0:2] != rng[2:4]:
                    res.reason = (
                        "holds the master of a shared formula that other cells reuse; "
                        "clear it in Excel first"
                    )
                    continue
                res.replaced_formula = True
                removed_formulas.append(ref)
            old = attrs_of(raw_attrs).get("s")
            old_index = int(old) if old and old.isdigit() else None
            style = style_fn(w.key, old_index, self._wrap(w, old_index, heights))
            edits.append((start, end, self._cell_xml(ref, raw_attrs, w.text, style)))
            res.ok = True
        row_tag = self.xml[row.start : row.open_end]
        if max_col:
            row_tag = _widen_spans(row_tag, max_col)
        if row.index in heights:
            row_tag = self._taller(row_tag, heights[row.index])
        if row.close_start == row.end:  # <row/>: expand to hold the new cells
            row_tag = row_tag[:-2].rstrip() + ">"
            inner = "".join(t for _, _, t in sorted(edits, key=lambda x: (x[0], x[1])))
            return f"{row_tag}{inner}</{self.p}row>"
        out, pos = [row_tag], row.open_end
        for s, e, t in sorted(edits, key=lambda x: (x[0], x[1])):
            out.append(self.xml[pos:s])
            out.append(t)
            pos = e
        out.append(self.xml[pos : row.end])
        return "".join(out)

    def _insert_rows(
        self, rows: list[_Row], new_rows: dict[int, list[CellWrite]], style_fn: StyleFn, results: dict[int, CellResult]
    ) -> None:
        sd = self.sheet_data
        grouped: dict[int, list[str]] = {}
        for index in sorted(new_rows):
            cells = []
            heights: dict[int, float] = {}
            for w in sorted(new_rows[index], key=lambda w: w.col):
                style = style_fn(w.key, None, self._wrap(w, None, heights))
                cells.append(self._cell_xml(f"{num_to_col(w.col)}{w.row}", None, w.text, style))
                results[w.key].ok = True
            tag = self._taller(f'<{self.p}row r="{index}">', heights[index]) if index in heights else f'<{self.p}row r="{index}">'
            text = f'{tag}{"".join(cells)}</{self.p}row>'
            at = next((r.start for r in rows if r.index > index), sd.close_start)
            grouped.setdefault(at, []).append(text)
        if sd.empty:
            head = self.xml[sd.start : sd.end][:-2].rstrip() + ">"
            body = "".join(t for _, ts in sorted(grouped.items()) for t in ts)
            self.edits.append((sd.start, sd.end, f"{head}{body}</{sd.qname}>"))
            return
        for at, texts in grouped.items():
            self.edits.append((at, at, "".join(texts)))

    def _wrap(self, w: CellWrite, style: int | None, heights: dict[int, float]) -> bool:
        fit, geo = self._fit_style, self._geo
        if fit is None or geo is None or not w.text:
            return False
        return self._fit(w, style, fit, geo, heights)

    def _taller(self, row_tag: str, needed: float) -> str:
        """``row_tag`` with a custom height of at least ``needed`` points (hidden rows stay as they are)."""
        attrs = attrs_of(row_tag)
        if attrs.get("hidden") in ("1", "true"):
            return row_tag
        geo = self._geo
        if "ht" not in attrs and geo is not None and geo.default_height <= 0:
            return row_tag  # zeroHeight sheets hide rows without a height: not ours to show
        try:
            current = float(attrs["ht"]) if "ht" in attrs else (geo.default_height if geo else 15.0)
        except ValueError:
            current = geo.default_height if geo else 15.0
        if needed <= current + 0.5:
            return row_tag
        return set_attr(set_attr(row_tag, "ht", f"{needed:g}"), "customHeight", "1")

    def _grow_dimension(self, cells: list[tuple[int, int]]) -> None:
        span = next((s for s in self.top if s.local == "dimension"), None)
        if span is None:
            return
        tag = self.xml[span.start : span.end]
        rng = parse_range(attrs_of(span.attrs).get("ref", ""))
        if rng is None:
            return
        r1 = min([rng[0]] + [r for r, _ in cells])
        c1 = min([rng[1]] + [c for _, c in cells])
        r2 = max([rng[2]] + [r for r, _ in cells])
        c2 = max([rng[3]] + [c for _, c in cells])
        if (r1, c1, r2, c2) == rng:
            return
        self.edits.append((span.start, span.end, set_attr(tag, "ref", f"{num_to_col(c1)}{r1}:{num_to_col(c2)}{r2}")))

    def add_legacy_drawing(self, rid: str) -> None:
        """Insert ``<legacyDrawing r:id=rid/>`` at its schema position."""
        r = ns_prefix(self.root.attrs, REL_NS)
        attr = f'{r}:id="{rid}"' if r else f'xmlns:r="{REL_NS}" r:id="{rid}"'
        at = next(
            (s.start for s in self.top if s.start > self.sheet_data.start and s.local in _AFTER_LEGACY),
            self.root.close_start,
        )
        self.edits.append((at, at, f"<{self.p}legacyDrawing {attr}/>"))

    def result(self) -> str:
        """The patched text."""
        if not self.edits:
            return self.xml
        out, pos = [], 0
        for s, e, t in sorted(self.edits, key=lambda x: (x[0], x[1])):
            out.append(self.xml[pos:s])
            out.append(t)
            pos = e
        out.append(self.xml[pos:])
        return "".join(out)


def _widen_spans(row_tag: str, col: int) -> str:
    """Widen the optional ``spans`` hint of a row start tag so it covers ``col``."""
    spans = attrs_of(row_tag).get("spans")
    if not spans:
        return row_tag
    ranges = []
    for part in spans.split():
        lo, _, hi = part.partition(":")
        if not (lo.isdigit() and hi.isdigit()):
            return row_tag
        ranges.append([int(lo), int(hi)])
    if any(lo <= col <= hi for lo, hi in ranges):
        return row_tag
    if col < ranges[0][0]:
        ranges[0][0] = col
    else:
        ranges[-1][1] = max(ranges[-1][1], col)
    return set_attr(row_tag, "spans", " ".join(f"{lo}:{hi}" for lo, hi in ranges))
