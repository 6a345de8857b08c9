"""Text-level XML helpers for patching OOXML parts without re-serialising them.

ElementTree rewrites namespace prefixes and drops the prefixes named in ``mc:Ignorable``, which makes
Excel repair the file. So the patcher edits the original text in place and uses these helpers only to
find element spans; every changed part is re-parsed afterwards as a safety net.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from ..errors import OutputError

_NAME = r"[^\s/>!?=<]+"
_ATTRS = r"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
ATTR_RE = re.compile(r"([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
# Every markup token: comments, PIs, CDATA, declarations, end tags, start/empty tags.
TOKEN_RE = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!.*?>"
    rf"|</({_NAME})\s*>"
    rf"|<({_NAME}){_ATTRS}\s*(/?)>",
    re.S,
)
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Excel reads _xHHHH_ in cell and comment text as an escaped character; escape the underscore so
# literal text such as "_x000D_" survives (ECMA-376 Part 1, 22.9.2.19 ST_Xstring).
_XESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class Span:
    """One element located in a text: its qualified name and character offsets."""

    qname: str
    """Qualified name as written (``row``, ``x:row``)."""
    start: int
    """Offset of ``<``."""
    open_end: int
    """Offset just past the start tag's ``>``."""
    close_start: int
    """Offset of the end tag (equals ``end`` for an empty element)."""
    end: int
    """Offset just past the element."""
    attrs: str
    """Raw attribute text of the start tag."""

    @property
    def local(self) -> str:
        """Local name without prefix."""
        return self.qname.rpartition(":")[2]

    @property
    def empty(self) -> bool:
        """True for ``<x/>``."""
        return self.close_start == self.end


def attrs_of(raw: str) -> dict[str, str]:
    """Attribute dict (values unescaped for the few entities attribute values use)."""
    return {k: unescape(v[1:-1]) for k, v in ATTR_RE.findall(raw)}


def unescape(text: str) -> str:
    """Undo XML escaping in attribute or text content."""
    if "&" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        ent = m.group(1)
        if ent.startswith("#x"):
            return chr(int(ent[2:], 16))
        if ent.startswith("#"):
            return chr(int(ent[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(ent, m.group(0))

    return re.sub(r"&(#x[0-9A-Fa-f]+|#[0-9]+|\w+);", repl, text)


def clean_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _INVALID_XML.sub("", text)


def escape_text(text: str) -> str:
    """Escape text content; CR becomes ``&#13;`` because parsers normalise a literal CR away."""
    text = _XESCAPE.sub(r"_x005F_\1", clean_text(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attr(text: str) -> str:
    """Escape an attribute value for double quotes."""
    text = clean_text(text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def set_attr(tag: str, name: str, value: str | None) -> str:
    """Return start tag ``tag`` with attribute ``name`` set to ``value`` (removed when None)."""
    pat = re.compile(rf"(\s+){re.escape(name)}\s*=\s*(\"[^\"]*\"|'[^']*')")
    m = pat.search(tag)
    if value is None:
        return tag if m is None else tag[: m.start()] + tag[m.end() :]
    new = f'{name}="{escape_attr(value)}"'
    if m is not None:
        return tag[: m.start()] + m.group(1) + new + tag[m.end() :]
    close = len(tag) - 2 if tag.endswith("/>") else len(tag) - 1
    while close > 0 and tag[close - 1].isspace():
        close -= 1
    return f"{tag[:close]} {new}{tag[close:]}"


def root_span(xml: str, where: str) -> Span:
    """The document element: its start tag and end tag offsets."""
    for m in TOKEN_RE.finditer(xml):
        if m.group(2):
            qname = m.group(2)
            if m.group(4):
                return Span(qname, m.start(), m.end(), m.end(), m.end(), m.group(3))
            close = xml.rfind(f"</{qname}")
            if close < m.end():
                raise OutputError(f"{where}: the XML has no end tag for <{qname}>; the part is damaged")
            return Span(qname, m.start(), m.end(), close, xml.index(">", close) + 1, m.group(3))
    raise OutputError(f"{where}: the part has no XML root element; it is damaged")


def children(xml: str, parent: Span, where: str, jump: frozenset[str] = frozenset()) -> Iterator[Span]:
    """Direct children of ``parent``; elements whose local name is in ``jump`` are skipped over by search."""
    depth = 0
    stack: list[tuple[str, int, int, str]] = []
    pos = parent.open_end
    limit = parent.close_start
    while pos < limit:
        m = TOKEN_RE.search(xml, pos, limit)
        if m is None:
            break
        pos = m.end()
        end_name, start_name = m.group(1), m.group(2)
        if start_name:
            if m.group(4):
                if depth == 0:
                    yield Span(start_name, m.start(), m.end(), m.end(), m.end(), m.group(3))
                continue
            if depth == 0 and start_name.rpartition(":")[2] in jump:
                close = xml.find(f"</{start_name}>", m.end(), limit)
                if close < 0:
                    raise OutputError(f"{where}: <{start_name}> is not closed; the part is damaged")
                pos = close + len(start_name) + 3
                yield Span(start_name, m.start(), m.end(), close, pos, m.group(3))
                continue
            stack.append((start_name, m.start(), m.end(), m.group(3)))
            depth += 1
        elif end_name:
            if not stack or stack[-1][0] != end_name:
                raise OutputError(f"{where}: mismatched </{end_name}>; the part is damaged")
            name, start, open_end, attrs = stack.pop()
            depth -= 1
            if depth == 0:
                yield Span(name, start, open_end, m.start(), m.end(), attrs)


def find_child(xml: str, parent: Span, local: str, where: str, jump: frozenset[str] = frozenset()) -> Span | None:
    """First direct child of ``parent`` with local name ``local``."""
    for span in children(xml, parent, where, jump):
        if span.local == local:
            return span
    return None


def prefix_of(qname: str) -> str:
    """``x:`` for ``x:worksheet``, empty for ``worksheet``."""
    pre, _, _ = qname.rpartition(":")
    return f"{pre}:" if pre else ""


def decode_part(data: bytes, where: str) -> str:
    """Decode a UTF-8 XML part (refuses other encodings, which Office never writes)."""
    head = data[:200].lower()
    m = re.search(rb"encoding\s*=\s*[\"']([^\"']+)[\"']", head)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (m and m.group(1) not in (b"utf-8", b"utf8")):
        raise OutputError(f"{where}: the part is not UTF-8 encoded; open and re-save the file in Excel, then retry")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OutputError(f"{where}: the part is not valid UTF-8 ({exc}); the file is damaged") from exc


def ns_prefix(root_attrs: str, uri: str) -> str | None:
    """The prefix (``r``) bound to ``uri`` on the root element, ``""`` for the default namespace."""
    for name, value in attrs_of(root_attrs).items():
        if value == uri and (name == "xmlns" or name.startswith("xmlns:")):
            return name[6:] if ":" in name else ""
    return None


# openpyxl's converters, under the names the writer modules use.
col_to_num = column_index_from_string
num_to_col = get_column_letter


def apply_edits(xml: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace each ``(start, end)`` span of ``xml`` by its text; spans must not overlap."""
    out, pos = [], 0
    for start, end, text in sorted(edits, key=lambda x: (x[0], x[1])):
        out.append(xml[pos:start])
        out.append(text)
        pos = end
    out.append(xml[pos:])
    return "".join(out)


CELL_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``C14`` -> (row 14, col 3); None when not a cell reference inside Excel's grid."""
    m = CELL_REF_RE.fullmatch(ref.strip())
    if m is None:
        return None
    col, row = col_to_num(m.group(1).upper()), int(m.group(2))
    if not (1 <= col <= 16384 and 1 <= row <= 1048576):
        return None
    return row, col


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """``A1:C3`` -> (row1, col1, row2, col2) normalised; a single cell gives a 1x1 range."""
    first, _, last = ref.strip().partition(":")
    a = parse_ref(first)
    b = parse_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
