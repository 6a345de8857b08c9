"""Package plumbing for the in-place xlsx writer: relationships, content types, workbook sheet list."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from ..importers._container import read_part, refuse_unsafe_part
from ._xlsx_xml import (
    Span,
    attrs_of,
    children,
    decode_part,
    escape_attr,
    find_child,
    ns_prefix,
    root_span,
    set_attr,
)

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = REL_NS + "/"
RT_WORKSHEET = RT + "worksheet"
RT_COMMENTS = RT + "comments"
RT_VML = RT + "vmlDrawing"
RT_CALCCHAIN = RT + "calcChain"
RT_STYLES = RT + "styles"
RT_OFFICE_DOC = RT + "officeDocument"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def rels_path(part: str) -> str:
    """``xl/worksheets/sheet1.xml`` -> ``xl/worksheets/_rels/sheet1.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """Zip member name a relationship target points at."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    """Relationship target for ``target_part`` seen from ``source_part``."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


@dataclass(frozen=True)
class Rel:
    """One relationship."""

    id: str
    type: str
    target: str
    external: bool


class Rels:
    """A ``.rels`` part edited as text; relationships are only ever added or removed."""

    EMPTY = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    )

    def __init__(self, xml: str | None, part: str) -> None:
        self.part = part  # the .rels member name
        self.xml = xml if xml is not None else self.EMPTY
        self.created = xml is None
        self.changed = False

    def _spans(self) -> list[tuple[Span, dict[str, str]]]:
        root = root_span(self.xml, self.part)
        return [(s, attrs_of(s.attrs)) for s in children(self.xml, root, self.part) if s.local == "Relationship"]

    def all(self) -> list[Rel]:
        """Every relationship in document order."""
        return [
            Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""), a.get("TargetMode") == "External")
            for _, a in self._spans()
        ]

    def by_type(self, rel_type: str) -> list[Rel]:
        """Relationships of one type (exact URI)."""
        return [r for r in self.all() if r.type == rel_type]

    def by_id(self, rid: str) -> Rel | None:
        """The relationship with ``rid``."""
        return next((r for r in self.all() if r.id == rid), None)

    def add(self, rel_type: str, target: str) -> str:
        """Append a relationship with a fresh ``rIdN`` and return its id."""
        used = {r.id for r in self.all()}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        root = root_span(self.xml, self.part)
        pre = root.qname[: -len(root.local)]
        tag = f'<{pre}Relationship Id="{rid}" Type="{escape_attr(rel_type)}" Target="{escape_attr(target)}"/>'
        self.xml = _append_child(self.xml, root, tag)
        self.changed = True
        return rid

    def remove(self, rid: str) -> None:
        """Drop the relationship ``rid``."""
        for span, attrs in self._spans():
            if attrs.get("Id") == rid:
                self.xml = self.xml[: span.start] + self.xml[span.end :]
                self.changed = True
                return


def _append_child(xml: str, parent: Span, tag: str) -> str:
    """Insert ``tag`` as the last child of ``parent`` (expanding ``<x/>``)."""
    if parent.empty:
        open_tag = xml[parent.start : parent.end]
        head = open_tag[:-2].rstrip() + ">"
        return xml[: parent.start] + head + tag + f"</{parent.qname}>" + xml[parent.end :]
    return xml[: parent.close_start] + tag + xml[parent.close_start :]


class ContentTypes:
    """``[Content_Types].xml`` edited as text."""

    PART = "[Content_Types].xml"

    def __init__(self, data: bytes) -> None:
        self.xml = decode_part(data, self.PART)
        self.changed = False

    def _entries(self) -> list[tuple[Span, dict[str, str]]]:
        root = root_span(self.xml, self.PART)
        return [(s, attrs_of(s.attrs)) for s in children(self.xml, root, self.PART)]

    def content_type(self, part: str) -> str | None:
        """Content type of zip member ``part`` (override first, then extension default)."""
        name = "/" + part
        ext = part.rpartition(".")[2].lower()
        default = None
        for span, attrs in self._entries():
            if span.local == "Override" and attrs.get("PartName", "").lower() == name.lower():
                return attrs.get("ContentType")
            if span.local == "Default" and attrs.get("Extension", "").lower() == ext:
                default = attrs.get("ContentType")
        return default

    def ensure(self, part: str, content_type: str) -> None:
        """Make ``part`` resolve to ``content_type``, adding an Override when needed."""
        if self.content_type(part) == content_type:
            return
        root = root_span(self.xml, self.PART)
        pre = root.qname[: -len(root.local)]
        tag = f'<{pre}Override PartName="/{escape_attr(part)}" ContentType="{escape_attr(content_type)}"/>'
        self.xml = _append_child(self.xml, root, tag)
        self.changed = True

    def remove_override(self, part: str) -> None:
        """Drop the Override for ``part`` if any."""
        for span, attrs in self._entries():
            if span.local == "Override" and attrs.get("PartName", "").lower() == "/" + part.lower():
                self.xml = self.xml[: span.start] + self.xml[span.end :]
                self.changed = True
                return


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of workbook.xml."""

    name: str
    sheet_id: int
    rid: str
    part: str | None
    """Zip member of the sheet, None when the relationship is missing."""
    is_worksheet: bool
    """False for chartsheets and dialog sheets."""


class Workbook:
    """workbook.xml plus its rels, edited as text."""

    def __init__(self, part: str, data: bytes, rels: Rels) -> None:
        self.part = part
        self.xml = decode_part(data, part)
        self.rels = rels
        self.changed = False
        root = root_span(self.xml, part)
        self.r_prefix = ns_prefix(root.attrs, REL_NS)

    def _sheets_span(self) -> Span | None:
        root = root_span(self.xml, self.part)
        return find_child(self.xml, root, "sheets", self.part)

    def sheets(self) -> list[SheetEntry]:
        """Sheets in tab order."""
        span = self._sheets_span()
        if span is None:
            return []
        out = []
        for child in children(self.xml, span, self.part):
            if child.local != "sheet":
                continue
            attrs = attrs_of(child.attrs)
            # the r: prefix may be declared on the root or (openpyxl) on each <sheet>
            prefix = ns_prefix(child.attrs, REL_NS) or self.r_prefix
            rid = attrs.get(f"{prefix}:id", "") if prefix else ""
            rel = self.rels.by_id(rid)
            part = resolve(self.part, rel.target) if rel is not None and not rel.external else None
            sid = attrs.get("sheetId", "0")
            out.append(
                SheetEntry(
                    attrs.get("name", ""),
                    int(sid) if sid.isdigit() else 0,
                    rid,
                    part,
                    rel is not None and rel.type == RT_WORKSHEET,
                )
            )
        return out

    def add_sheet(self, name: str, part: str) -> None:
        """Append a worksheet tab named ``name`` stored at ``part``."""
        span = self._sheets_span()
        if span is None:
            raise OutputError(f"{self.part}: the workbook has no <sheets>; the file is damaged")
        rid = self.rels.add(RT_WORKSHEET, relative(self.part, part))
        sheet_id = max((s.sheet_id for s in self.sheets()), default=0) + 1
        pre = span.qname[: -len(span.local)]
        rattr = f"{self.r_prefix}:id" if self.r_prefix else f'xmlns:r="{REL_NS}" r:id'
        tag = f'<{pre}sheet name="{escape_attr(name)}" sheetId="{sheet_id}" {rattr}="{rid}"/>'
        self.xml = _append_child(self.xml, span, tag)
        self.changed = True

    def add_hidden_sheet(self, name: str, part: str) -> None:
        """Append a hidden worksheet tab (a lookup list nobody edits by hand)."""
        self.add_sheet(name, part)
        span = self._sheets_span()
        assert span is not None
        last = [c for c in children(self.xml, span, self.part) if c.local == "sheet"][-1]
        tag = self.xml[last.start : last.end]
        self.xml = self.xml[: last.start] + set_attr(tag, "state", "hidden") + self.xml[last.end :]

    def remove_sheet(self, name: str) -> SheetEntry | None:
        """Drop the tab ``name`` and its relationship, keeping defined names and the active tab pointing where
        they pointed; returns the removed entry (its part is the caller's to drop), None when absent."""
        span = self._sheets_span()
        if span is None:
            return None
        tabs = [c for c in children(self.xml, span, self.part) if c.local == "sheet"]
        entries = self.sheets()
        index = next((i for i, e in enumerate(entries) if e.name == name), None)
        if index is None:
            return None
        gone = entries[index]
        edits: list[tuple[int, int, str]] = [(tabs[index].start, tabs[index].end, "")]
        root = root_span(self.xml, self.part)
        names = find_child(self.xml, root, "definedNames", self.part)
        quoted = ("'" + name.replace("'", "''") + "'!").casefold()
        if names is not None:
            for dn in children(self.xml, names, self.part):
                local = attrs_of(dn.attrs).get("localSheetId", "")
                body = self.xml[dn.open_end : dn.close_start].casefold()
                if local == str(index) or quoted in body or (name.casefold() + "!") in body:
                    edits.append((dn.start, dn.end, ""))
                elif local.isdigit() and int(local) > index:
                    tag = self.xml[dn.start : dn.open_end]
                    edits.append((dn.start, dn.open_end, set_attr(tag, "localSheetId", str(int(local) - 1))))
        views = find_child(self.xml, root, "bookViews", self.part)
        if views is not None:
            for view in children(self.xml, views, self.part):
                tag = self.xml[view.start : view.open_end]
                attrs = attrs_of(view.attrs)
                for key in ("activeTab", "firstSheet"):
                    value = attrs.get(key, "")
                    if value.isdigit() and int(value) >= index and int(value) > 0:
                        tag = set_attr(tag, key, str(int(value) - 1) if int(value) > index or index == len(tabs) - 1 else value)
                if tag != self.xml[view.start : view.open_end]:
                    edits.append((view.start, view.open_end, tag))
        out, pos = [], 0
        for s, e, t in sorted(edits):
            out.append(self.xml[pos:s])
            out.append(t)
            pos = e
        out.append(self.xml[pos:])
        self.xml = "".join(out)
        self.rels.remove(gone.rid)
        self.changed = True
        return gone

    def request_full_calc(self) -> bool:
        """Set ``fullCalcOnLoad`` so Excel recomputes formulas fed by the new answers; False if already set."""
        root = root_span(self.xml, self.part)
        calc = find_child(self.xml, root, "calcPr", self.part)
        if calc is None:
            # calcPr sits after definedNames and before oleSize/customWorkbookViews/.../extLst.
            pre = root.qname[: -len(root.local)]
            later = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                     "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
            at = next((c.start for c in children(self.xml, root, self.part) if c.local in later), root.close_start)
            self.xml = self.xml[:at] + f'<{pre}calcPr fullCalcOnLoad="1"/>' + self.xml[at:]
            self.changed = True
            return True
        if attrs_of(calc.attrs).get("fullCalcOnLoad") in ("1", "true"):
            return False
        tag = self.xml[calc.start : calc.open_end]
        self.xml = self.xml[: calc.start] + set_attr(tag, "fullCalcOnLoad", "1") + self.xml[calc.open_end :]
        self.changed = True
        return True


def free_name(existing: set[str], pattern: str) -> str:
    """First ``pattern % n`` (n = 1, 2, ...) not in ``existing`` (compared case-insensitively)."""
    lower = {e.lower() for e in existing}
    n = 1
    while (pattern % n).lower() in lower:
        n += 1
    return pattern % n


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def free_sheet_name(existing: list[str], wanted: str) -> str:
    """``wanted`` made a legal, unused sheet name (31 characters, no ``[]:*?/\\``)."""
    base = _BAD_SHEET_CHARS.sub(" ", wanted).strip("'")[:31] or "trustfill"
    lower = {e.lower() for e in existing}
    name, n = base, 2
    while name.lower() in lower:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name


class PartStore:
    """The source package plus the edits made so far (changed, added and removed members)."""

    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        self.zf = zf
        self.path = path
        self.original = [i.filename for i in zf.infolist()]
        self._original_set = set(self.original)
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.removed: set[str] = set()

    def exists(self, name: str) -> bool:
        """True when ``name`` is in the package being built."""
        return (name in self._original_set and name not in self.removed) or name in self.added

    def names(self) -> list[str]:
        """Every member of the package being built."""
        return [n for n in self.original if n not in self.removed] + list(self.added)

    def read(self, name: str) -> bytes | None:
        """Current bytes of ``name``, None when absent."""
        if name in self.added:
            return self.added[name]
        if name in self.changed:
            return self.changed[name]
        if name in self._original_set and name not in self.removed:
            data = read_part(self.zf, name, self.path)
            if name.lower().endswith((".xml", ".rels")):
                refuse_unsafe_part(data, f"{self.path}: part {name}")
            return data
        return None

    def text(self, name: str) -> str | None:
        """Current text of XML part ``name``, None when absent."""
        data = self.read(name)
        return None if data is None else decode_part(data, f"{self.path}: {name}")

    def put(self, name: str, data: str | bytes) -> None:
        """Set the content of ``name`` (a change for original members, an addition otherwise)."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if name in self._original_set and name not in self.removed:
            if read_part(self.zf, name, self.path) == payload:
                self.changed.pop(name, None)
            else:
                self.changed[name] = payload
        else:
            self.added[name] = payload

    def remove(self, name: str) -> None:
        """Drop ``name`` from the package."""
        self.added.pop(name, None)
        self.changed.pop(name, None)
        if name in self._original_set:
            self.removed.add(name)
