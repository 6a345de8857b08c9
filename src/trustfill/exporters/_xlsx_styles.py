"""Derive cell formats in styles.xml by appending only: one fill, and clones of existing ``cellXfs`` entries
(with the fill, ``quotePrefix`` and/or wrap text added).

Appending keeps every existing style index valid, so no other cell of the workbook changes look.
"""

from __future__ import annotations

import re

from ._xlsx_xml import Span, attrs_of, children, find_child, prefix_of, root_span, set_attr

_SIZE = re.compile(r"<(?:\w+:)?sz\b[^>]*\bval=[\"']([0-9.]+)[\"']")
_ALIGNMENT = re.compile(r"<((?:\w+:)?alignment)\b([^>]*?)(/?)>")


class StylesPatcher:
    """Hands out style indexes for "this cell's format, plus a fill and/or quotePrefix"."""

    def __init__(self, xml: str, where: str) -> None:
        self.xml = xml
        self.where = where
        root = root_span(xml, where)
        self.p = prefix_of(root.qname)
        self.fills = find_child(xml, root, "fills", where)
        self.cell_xfs = find_child(xml, root, "cellXfs", where)
        self.xfs: list[Span] = (
            [s for s in children(xml, self.cell_xfs, where) if s.local == "xf"] if self.cell_xfs else []
        )
        self.fill_count = (
            sum(1 for s in children(xml, self.fills, where) if s.local == "fill") if self.fills else 0
        )
        fonts = find_child(xml, root, "fonts", where)
        self.fonts = fonts
        self.new_fonts: list[str] = []
        self.font_sizes: list[float] = []
        for font in children(xml, fonts, where) if fonts else ():
            m = _SIZE.search(xml, font.open_end, font.close_start) if not font.empty else None
            self.font_sizes.append(float(m.group(1)) if m else 11.0)
        self.new_fills: list[str] = []
        self.fill_ids: dict[str, int] = {}
        self.new_xfs: list[str] = []
        self.derived: dict[tuple[int, str | None, bool, bool], int] = {}
        self._bold: int | None = None

    @property
    def usable(self) -> bool:
        """False when styles.xml lacks the lists we append to (then no cell can be marked)."""
        return self.fills is not None and self.cell_xfs is not None and bool(self.xfs)

    @property
    def changed(self) -> bool:
        """True once a fill or format was added."""
        return bool(self.new_xfs)

    def _fill_id(self, argb: str) -> int:
        if argb not in self.fill_ids:
            p = self.p
            self.new_fills.append(
                f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{argb}"/>'
                f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>'
            )
            self.fill_ids[argb] = self.fill_count + len(self.new_fills) - 1
        return self.fill_ids[argb]

    @property
    def base_pt(self) -> float:
        """Size of the default font (the first), the unit of column widths."""
        return self.font_sizes[0] if self.font_sizes else 11.0

    def _xf(self, index: int | None) -> Span | None:
        if not self.xfs:
            return None
        return self.xfs[index if index is not None and 0 <= index < len(self.xfs) else 0]

    def font_pt(self, index: int | None) -> float:
        """Font size in points of cell format ``index``."""
        xf = self._xf(index)
        font = attrs_of(xf.attrs).get("fontId", "0") if xf is not None else "0"
        n = int(font) if font.isdigit() else 0
        return self.font_sizes[n] if 0 <= n < len(self.font_sizes) else self.base_pt

    def wraps(self, index: int | None) -> bool:
        """True when cell format ``index`` already wraps text."""
        xf = self._xf(index)
        if xf is None or xf.empty:
            return False
        m = _ALIGNMENT.search(self.xml, xf.open_end, xf.close_start)
        return m is not None and attrs_of(m.group(2)).get("wrapText") in ("1", "true")

    def derive(self, base: int | None, fill: str | None, quote_prefix: bool, wrap: bool = False) -> int | None:
        """Index of ``base`` (default format when None) with ``fill`` (ARGB), quotePrefix and/or wrap text;
        None = keep."""
        wrap = wrap and not self.wraps(base)
        if fill is None and not quote_prefix and not wrap:
            return None
        if not self.usable:
            return None
        index = base if base is not None and 0 <= base < len(self.xfs) else 0
        key = (index, fill, quote_prefix, wrap)
        if key not in self.derived:
            span = self.xfs[index]
            tag = self.xml[span.start : span.open_end]
            inner = "" if span.empty else self.xml[span.open_end : span.close_start]
            if fill is not None:
                tag = set_attr(set_attr(tag, "fillId", str(self._fill_id(fill))), "applyFill", "1")
            if quote_prefix:
                tag = set_attr(tag, "quotePrefix", "1")
            if wrap:
                tag = set_attr(tag, "applyAlignment", "1")
                m = _ALIGNMENT.search(inner)
                if m is not None:
                    inner = inner[: m.start()] + set_attr(m.group(0), "wrapText", "1") + inner[m.end() :]
                else:  # alignment is the first child of xf (ECMA-376 Part 1, 18.8.45)
                    inner = f'<{self.p}alignment wrapText="1"/>' + inner
            if span.empty and inner:
                tag = tag[:-2].rstrip() + ">"
            close = f"</{span.qname}>" if (not span.empty or inner) else ""
            self.new_xfs.append(tag + inner + close)
            self.derived[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self.derived[key]

    def bold(self) -> int | None:
        """Index of a format like the default one with its font in bold (for a header row); None when the
        file has no font list to add to."""
        if not self.usable or self.fonts is None or self.fonts.empty:
            return None
        if self._bold is not None:
            return self._bold
        first = next(iter(children(self.xml, self.fonts, self.where)))
        inner = "" if first.empty else self.xml[first.open_end : first.close_start]
        self.new_fonts.append(f"<{self.p}font><{self.p}b/>{inner}</{self.p}font>")
        font_id = len(self.font_sizes) + len(self.new_fonts) - 1
        span = self.xfs[0]
        tag = set_attr(set_attr(self.xml[span.start : span.open_end], "fontId", str(font_id)), "applyFont", "1")
        self.new_xfs.append(tag + self.xml[span.open_end : span.end])
        self._bold = len(self.xfs) + len(self.new_xfs) - 1
        return self._bold

    def result(self) -> str:
        """styles.xml with the new fonts, fills and formats appended (counts updated)."""
        if not self.new_xfs:
            return self.xml
        edits: list[tuple[int, int, str]] = []
        for span, added, total in (
            (self.fonts, self.new_fonts, len(self.font_sizes) + len(self.new_fonts)),
            (self.fills, self.new_fills, self.fill_count + len(self.new_fills)),
            (self.cell_xfs, self.new_xfs, len(self.xfs) + len(self.new_xfs)),
        ):
            if span is None or not added:
                continue
            tag = set_attr(self.xml[span.start : span.open_end], "count", str(total))
            if span.empty:
                tag = tag[:-2].rstrip() + ">"
                edits.append((span.start, span.end, tag + "".join(added) + f"</{span.qname}>"))
            else:
                edits.append((span.start, span.open_end, tag))
                edits.append((span.close_start, span.close_start, "".join(added)))
        out, pos = [], 0
        for s, e, t in sorted(edits, key=lambda x: (x[0], x[1])):
            out.append(self.xml[pos:s])
            out.append(t)
            pos = e
        out.append(self.xml[pos:])
        return "".join(out)

