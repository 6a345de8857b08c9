"""Google VSAQ questionnaire templates (``questionnaires/*.json`` in google/vsaq).

The templates are JSON with two JavaScript habits: ``//`` and ``/* */`` comments, and long strings
split as ``"a" + "b"``. :func:`clean_vsaq_text` removes both with a small scanner that knows where
strings start and end (a ``//`` inside a URL string stays), and keeps a map back to the original
offsets so a syntax error names the real ``path:line:col``. Nothing is ever evaluated.

What counts as a question (the rule that gives 95 / 29 / 45 / 73 items for the infrastructure,
physical_and_datacenter, security_privacy_programs and webapp templates):

* value items with an id: ``line`` and ``box`` (free text), ``yesno``, stand-alone ``radio`` and
  ``check``, and ``upload``;
* choice groups ``radiogroup`` and ``checkgroup`` whose caption is not empty once HTML is stripped.
  A group's answer lives on its choices (``{choice_id: "checked"}``), so the group is one question
  whose allowed values are the choice captions. Caption-less groups are the questionnaire's own
  scoping switches (e.g. "Sensitive data / Remote access only") and are not questions.

Not questions: ``block`` (its caption becomes the section), ``info``, ``spacer``, and ``tip``. A tip
with ``why`` shows a clarification box only when the user picked a risky answer; answering it is
the reviewer's job, not something a question bank can do up front.

Slot addresses are item ids. A group without its own id is addressed by its first choice's id,
which is unique in VSAQ's item registry too (see :mod:`trustfill.exporters.vsaq_answers`).
"""

from __future__ import annotations

import html
import json
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..errors import ImportFormatError, Problem
from ..questionnaire import AnswerSlot, Layout, Questionnaire, QuestionRow, SlotKind
from ._container import read_input
from .interface import Importer, ImportOptions

MAX_BYTES = 4 * 1024 * 1024  # the largest real template is ~140 KB; parsing keeps an offset per character
TEXT_TYPES = {"line": SlotKind.NARRATIVE, "box": SlotKind.NARRATIVE}
GROUP_TYPES = ("radiogroup", "checkgroup")
STRUCTURE_TYPES = {"block", "info", "spacer", "tip"}


@dataclass(frozen=True)
class VsaqItem:
    """One answerable VSAQ item, as the importer and the answers writer both need it."""

    address: str
    """The slot address: the item id, or the first choice id for an id-less group."""
    type: str
    """VSAQ item type (``radiogroup``, ``yesno``, ``line``...)."""
    text: str
    """Caption with HTML stripped."""
    choices: tuple[tuple[str, str], ...] = ()
    """``(choice_id, caption)`` pairs for groups; ``(('yes', Yes), ('no', No))`` for yesno."""
    section: str | None = None
    """Caption of the innermost enclosing block that has one."""


_BLOCK_TAGS = frozenset({"br", "p", "li", "div", "ul", "ol", "tr", "td"})
_TAG_START = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)|<[!?]")


def strip_html(fragment: str) -> str:
    """The text of an HTML fragment, entities decoded and whitespace collapsed; block tags become spaces.

    A linear scan, not an HTML parser: captions are customer-controlled, and html.parser is quadratic on
    some inputs (many unclosed ``<``) and raises on others (``<![``). A ``<`` that opens no tag stays text.
    """
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    out: list[str] = []
    i, n = 0, len(fragment)
    no_gt = no_comment_end = False  # once a search fails it fails for every later start: never search again
    while i < n:
        j = fragment.find("<", i)
        if j < 0:
            out.append(fragment[i:])
            break
        out.append(fragment[i:j])
        if fragment.startswith("<!--", j) and not no_comment_end:
            k = fragment.find("-->", j + 4)
            if k >= 0:
                i = k + 3
                continue
            no_comment_end = True
        m = _TAG_START.match(fragment, j)
        k = -1 if m is None or no_gt else fragment.find(">", j)
        if k < 0:
            no_gt = no_gt or m is not None
            out.append("<")
            i = j + 1
            continue
        if m is not None and (m.group(1) or "").lower() in _BLOCK_TAGS:
            out.append(" ")
        i = k + 1
    return " ".join(html.unescape("".join(out)).split())


def clean_vsaq_text(src: str) -> tuple[str, array[int]]:
    """Strip comments and join ``"a" + "b"`` outside strings.

    Returns:
        The JSON text, and for every character of it the offset in ``src`` it came from.
    """
    out: list[str] = []
    origin = array("q")  # one machine word per character, not one Python int
    n = len(src)

    def skip_blank(j: int) -> int:
        while j < n:
            if src[j].isspace():
                j += 1
            elif src.startswith("//", j):
                k = src.find("\n", j)
                j = n if k < 0 else k
            elif src.startswith("/*", j):
                k = src.find("*/", j + 2)
                j = n if k < 0 else k + 2
            else:
                break
        return j

    i = 0
    while i < n:
        c = src[i]
        if c == '"':
            out.append(c)
            origin.append(i)
            i += 1
            while i < n:
                c = src[i]
                if c == "\\" and i + 1 < n:
                    out.append(src[i : i + 2])
                    origin.extend((i, i + 1))
                    i += 2
                    continue
                if c == '"':
                    # "a" + "b": continue the same string instead of closing it.
                    j = skip_blank(i + 1)
                    if j < n and src[j] == "+":
                        k = skip_blank(j + 1)
                        if k < n and src[k] == '"':
                            i = k + 1
                            continue
                    out.append(c)
                    origin.append(i)
                    i += 1
                    break
                out.append(c)
                origin.append(i)
                i += 1
        elif src.startswith("//", i) or src.startswith("/*", i):
            i = skip_blank(i)
        else:
            out.append(c)
            origin.append(i)
            i += 1
    return "".join(out), origin


def _line_col(src: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``src``."""
    line = src.count("\n", 0, offset) + 1
    col = offset - (src.rfind("\n", 0, offset) + 1) + 1
    return line, col


def load_vsaq(path: Path) -> dict[str, Any]:
    """Read and parse a VSAQ template; raise ImportFormatError with ``path:line:col`` on bad syntax."""
    data = read_input(path)
    if len(data) > MAX_BYTES:
        raise ImportFormatError(f"{path}: {len(data):,} bytes is far larger than any VSAQ template; refusing to read it")
    try:
        src = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not UTF-8 text (byte {exc.start}); VSAQ templates are UTF-8 JSON") from exc
    text, origin = clean_vsaq_text(src)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        at = origin[exc.pos] if exc.pos < len(origin) else len(src)
        line, col = _line_col(src, at)
        raise ImportFormatError(f"{path}:{line}:{col}: not valid VSAQ JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise ImportFormatError(f"{path}: nested too deeply to be a VSAQ template") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits (Python's int conversion limit)
        raise ImportFormatError(f"{path}: not a VSAQ template ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("questionnaire"), list):
        raise ImportFormatError(
            f'{path}: not a VSAQ template (no top-level "questionnaire" list); trustfill reads .json files only in VSAQ format'
        )
    return doc


def looks_like_vsaq(path: Path) -> bool:
    """True when the start of ``path`` has a top-level ``"questionnaire": [`` key (content sniffing)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    text, _ = clean_vsaq_text(head)
    return re.match(r'\s*\{[^\[]*?"questionnaire"\s*:\s*\[', text) is not None


def _choices(raw: Any) -> tuple[tuple[str, str], ...]:
    """``[{id: caption}, ...]`` as pairs; anything malformed is skipped."""
    pairs: list[tuple[str, str]] = []
    for choice in raw if isinstance(raw, list) else ():
        if isinstance(choice, dict) and len(choice) == 1:
            (cid, caption), = choice.items()
            pairs.append((str(cid), strip_html(str(caption))))
    return tuple(pairs)


def vsaq_items(doc: dict[str, Any]) -> tuple[list[VsaqItem], list[str]]:
    """Walk the template in document order.

    Returns:
        The answerable items, and problems (bad items) as ``message`` strings naming the item.
    """
    items: list[VsaqItem] = []
    problems: list[str] = []

    def walk(nodes: Any, section: str | None, trail: str) -> None:
        if not isinstance(nodes, list):
            problems.append(f'{trail}: "items" is not a list; skipped')
            return
        for pos, node in enumerate(nodes):
            where = f"{trail}[{pos}]"
            if not isinstance(node, dict):
                problems.append(f"{where}: not an object; skipped")
                continue
            kind = str(node.get("type", ""))
            ident = node.get("id")
            text = strip_html(str(node.get("text") or ""))
            if kind == "block":
                walk(node.get("items", []), text or section, f"{where}.items")
                continue
            if kind in STRUCTURE_TYPES:
                continue
            if kind in GROUP_TYPES:
                choices = _choices(node.get("choices"))
                if not text or not choices:
                    continue
                address = str(ident) if ident else choices[0][0]
                items.append(VsaqItem(address, kind, text, choices, section))
            elif kind in ("line", "box", "yesno", "radio", "check", "upload"):
                if not ident:
                    problems.append(f"{where}: {kind} item without an id; skipped (VSAQ cannot store its answer)")
                    continue
                choices = ()
                if kind == "yesno":
                    choices = (("yes", strip_html(str(node.get("yes") or "Yes"))), ("no", strip_html(str(node.get("no") or "No"))))
                items.append(VsaqItem(str(ident), kind, text or str(ident), choices, section))
            else:
                problems.append(f"{where}: unknown item type {kind!r}; skipped")

    walk(doc["questionnaire"], None, "questionnaire")
    return items, problems


def _slot(item: VsaqItem) -> AnswerSlot:
    """The one answer slot of an item."""
    if item.type in TEXT_TYPES:
        return AnswerSlot(TEXT_TYPES[item.type], item.address)
    if item.type == "upload":
        return AnswerSlot(SlotKind.COMMENT, item.address)
    if item.type in ("radio", "check"):
        return AnswerSlot(SlotKind.SHORT, item.address, allowed=("Yes", "No"))
    return AnswerSlot(SlotKind.SHORT, item.address, allowed=tuple(caption for _, caption in item.choices))


class VsaqImporter(Importer):
    """Reads Google VSAQ question templates; answers go to a separate ``{item_id: value}`` file."""

    format: ClassVar[str] = "vsaq"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    @staticmethod
    def sniff(path: Path) -> bool:
        """True when ``path`` looks like a VSAQ template whatever its suffix."""
        return looks_like_vsaq(path)

    def collect(self, path: Path, options: ImportOptions) -> Questionnaire:
        """Find every answerable item of a VSAQ template. ``options`` has nothing to override here."""
        doc = load_vsaq(path)
        items, bad = vsaq_items(doc)
        problems = [Problem(str(path), msg, "warning") for msg in bad]
        seen: set[str] = set()
        rows: list[QuestionRow] = []
        for item in items:
            if item.address in seen:
                problems.append(Problem(str(path), f"item id {item.address!r} appears twice; VSAQ keeps only one answer", "warning"))
            seen.add(item.address)
            rows.append(QuestionRow(f"item {item.address}", item.text, (_slot(item),), item.address, item.section))
        layout = Layout(
            part="items",
            header_row=None,
            columns={},
            score=1.0 if rows else 0.0,
            questions=len(rows),
            note="VSAQ template: value items and captioned choice groups are questions; blocks are sections; tips are skipped",
        )
        return Questionnaire(path, "vsaq", tuple(rows), (layout,), tuple(problems))
