"""Legacy cell notes (comments part + VML shapes) added to a sheet without disturbing existing ones.

Excel shows a note only when both the ``commentN.xml`` entry and a VML shape exist. When the sheet
already has a comments part or a VML drawing (HECVAT sheets do), new entries are appended to them:
a second comments part per sheet is invalid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._xlsx_package import (
    CT_COMMENTS,
    CT_VML,
    RT_COMMENTS,
    RT_VML,
    ContentTypes,
    PartStore,
    Rels,
    free_name,
    relative,
    resolve,
)
from ._xlsx_sheet import SheetPatcher
from ._xlsx_xml import (
    Span,
    apply_edits,
    attrs_of,
    children,
    decode_part,
    escape_text,
    find_child,
    num_to_col,
    parse_ref,
    prefix_of,
    root_span,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_VML_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}
MAX_NOTE = 32_767
AUTHOR = "trustfill"

_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


@dataclass(frozen=True)
class NoteRequest:
    """A note to attach to one cell."""

    key: int
    row: int
    col: int
    text: str


def _shape(shape_id: int, z: int, row: int, col: int, decl: str) -> str:
    """A hidden note box anchored next to the cell (row/col 1-based here, 0-based in VML)."""
    r0, c0 = row - 1, col - 1
    return (
        f'<v:shape{decl} id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        f'margin-top:1.5pt;width:216pt;height:86pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox><div style="text-align:left"></div></v:textbox>'
        '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{c0 + 1}, 15, {max(r0 - 1, 0)}, 10, {c0 + 4}, 15, {r0 + 4}, 4</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{r0}</x:Row><x:Column>{c0}</x:Column></x:ClientData></v:shape>"
    )


def _vml_ok(vml: str) -> bool:
    """True for the ``<xml>...</xml>`` wrapper Excel and openpyxl write (we only append inside it)."""
    return vml.lstrip().startswith("<xml") and vml.rstrip().endswith("</xml>")


def _local_decls(vml: str) -> str:
    """Namespace declarations a new shape needs when the root does not bind v/o/x (openpyxl's VML)."""
    head = vml[: vml.find(">") + 1]
    bound = all(re.search(rf"xmlns:{p}\s*=\s*[\"']{re.escape(uri)}[\"']", head) for p, uri in _VML_NS.items())
    return "" if bound else "".join(f' xmlns:{p}="{uri}"' for p, uri in _VML_NS.items())


def _idmaps(store: PartStore) -> list[int]:
    """Every ``o:idmap`` block number used by the package's VML drawings."""
    out: list[int] = []
    for name in store.names():
        if name.lower().endswith(".vml"):
            data = store.read(name) or b""
            for m in re.finditer(rb'idmap[^>]*data\s*=\s*"([0-9, ]+)"', data):
                out += [int(x) for x in m.group(1).replace(b" ", b"").split(b",") if x]
    return out


def add_notes(
    store: PartStore,
    sheet_part: str,
    sheet: SheetPatcher,
    rels: Rels,
    ctypes: ContentTypes,
    notes: list[NoteRequest],
) -> tuple[set[int], dict[int, str]]:
    """Attach ``notes`` to the sheet; returns the keys added and, per key not added, the reason."""
    failed: dict[int, str] = {}
    comments_rel = next(iter(rels.by_type(RT_COMMENTS)), None)
    comments_part = resolve(sheet_part, comments_rel.target) if comments_rel else None
    if comments_part is not None and not store.exists(comments_part):
        return set(), {n.key: f"the sheet's comments part {comments_part} is missing" for n in notes}
    vml_rid = sheet.legacy_drawing_rid()
    vml_rel = rels.by_id(vml_rid) if vml_rid else None
    vml_part = resolve(sheet_part, vml_rel.target) if vml_rel is not None and not vml_rel.external else None
    vml_text: str | None = None
    if vml_part is not None:
        raw = store.read(vml_part)
        try:
            vml_text = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError:
            vml_text = None
        if vml_text is None or not _vml_ok(vml_text):
            reason = f"the sheet's drawing {vml_part} has a layout trustfill does not edit"
            return set(), {n.key: reason for n in notes}
    elif comments_part is not None:
        return set(), {n.key: "the sheet has comments but no legacy drawing for them" for n in notes}

    # Comments: existing part or a new one.
    if comments_part is not None:
        xml = decode_part(store.read(comments_part) or b"", comments_part)
    else:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<comments xmlns="{MAIN_NS}"><authors></authors><commentList></commentList></comments>'
        )
    root = root_span(xml, comments_part or "comments")
    where = comments_part or "comments"
    p = prefix_of(root.qname)
    authors = find_child(xml, root, "authors", where)
    comment_list = find_child(xml, root, "commentList", where)
    if authors is None or comment_list is None:
        return set(), {n.key: f"{comments_part}: no <authors>/<commentList>" for n in notes}
    author_spans = [s for s in children(xml, authors, where) if s.local == "author"]
    names = [xml[s.open_end : s.close_start] for s in author_spans]
    edits: list[tuple[int, int, str]] = []
    if AUTHOR in names:
        author_id = names.index(AUTHOR)
    else:
        author_id = len(names)
        edits.append(_append_edit(xml, authors, f"<{p}author>{AUTHOR}</{p}author>"))
    existing: list[tuple[tuple[int, int], Span]] = []
    for span in children(xml, comment_list, where):
        ref = parse_ref(attrs_of(span.attrs).get("ref", ""))
        if ref is not None:
            existing.append((ref, span))
    taken = {ref for ref, _ in existing}
    added: list[NoteRequest] = []
    for note in notes:
        if (note.row, note.col) in taken:
            failed[note.key] = "the cell already has a comment; trustfill leaves it as it is"
            continue
        taken.add((note.row, note.col))
        added.append(note)
    if not added:
        return set(), failed
    for note in sorted(added, key=lambda n: (n.row, n.col)):
        text = note.text if len(note.text) <= MAX_NOTE else note.text[: MAX_NOTE - 1] + "…"
        body = (
            f'<{p}comment ref="{num_to_col(note.col)}{note.row}" authorId="{author_id}"><{p}text>'
            f'<{p}t xml:space="preserve">{escape_text(text)}</{p}t></{p}text></{p}comment>'
        )
        after = next((s for ref, s in existing if ref > (note.row, note.col)), None)
        if after is not None:
            edits.append((after.start, after.start, body))
        else:
            edits.append(_append_edit(xml, comment_list, body))
    xml = apply_edits(xml, edits)

    # VML: append shapes to the sheet's drawing, or make one.
    if vml_text is None:
        block = max(_idmaps(store), default=0) + 1
        vml_text = (
            f'<xml xmlns:v="{_VML_NS["v"]}" xmlns:o="{_VML_NS["o"]}" xmlns:x="{_VML_NS["x"]}">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            f"{_SHAPETYPE}</xml>"
        )
        next_id = block * 1024 + 1
    else:
        ids = [int(x) for x in re.findall(r"_x0000_s(\d+)", vml_text)]
        blocks = [int(x) for m in re.findall(r'idmap[^>]*data\s*=\s*"([0-9, ]+)"', vml_text) for x in m.split(",") if x.strip()]
        next_id = max(ids, default=(blocks[0] if blocks else 1) * 1024) + 1
    decl = _local_decls(vml_text)
    if 'id="_x0000_t202"' not in vml_text:
        vml_text = _before_close(vml_text, _SHAPETYPE.replace("<v:shapetype", f"<v:shapetype{decl}", 1))
    z = len(re.findall(r"<\w+:shape\b", vml_text)) + 1
    shapes = "".join(_shape(next_id + i, z + i, n.row, n.col, decl) for i, n in enumerate(added))
    vml_text = _before_close(vml_text, shapes)

    # Parts, relationships, content types.
    if comments_part is None:
        used = {n.lower() for n in store.names()}
        comments_part = free_name(used, "xl/comments%d.xml")
        rels.add(RT_COMMENTS, relative(sheet_part, comments_part))
    ctypes.ensure(comments_part, CT_COMMENTS)
    store.put(comments_part, xml)
    if vml_part is None:
        used = {n.lower() for n in store.names()}
        vml_part = free_name(used, "xl/drawings/vmlDrawing%d.vml")
        rid = rels.add(RT_VML, relative(sheet_part, vml_part))
        sheet.add_legacy_drawing(rid)
    if ctypes.content_type(vml_part) is None:
        ctypes.ensure(vml_part, CT_VML)
    store.put(vml_part, vml_text)
    return {n.key for n in added}, failed


def _append_edit(xml: str, parent: Span, tag: str) -> tuple[int, int, str]:
    if parent.empty:
        head = xml[parent.start : parent.end][:-2].rstrip() + ">"
        return parent.start, parent.end, f"{head}{tag}</{parent.qname}>"
    return parent.close_start, parent.close_start, tag




def _before_close(vml: str, text: str) -> str:
    at = vml.rstrip().rfind("</xml>")
    return vml[:at] + text + vml[at:]

