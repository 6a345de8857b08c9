"""Word (.docx) questionnaires.

Layouts found, in this order:

1. **Response tables** (the OSI layout): a body paragraph that reads as a question ("12. Which
   services can be disabled?") followed by a small table of labels ("Response", "Evidence /
   demonstration", "Comments") and empty cells. Each label's value cell is the cell to its right,
   or below it when there is none. A lone "Response"-type label is a NARRATIVE slot (a free-text
   box); with a "Comments" label too it is SHORT and comments NARRATIVE; "Evidence" is COMMENT.
2. **Question tables**: a header row (one of the first three rows) naming a question column by its
   words ("Question", "Practice", "Requirement", "Control"...), plus answer / comments / evidence /
   id / section columns. Rows are matched to header columns by grid position, so merged cells
   work. A table with questions but **no answer column** (OpenChain self-certification) yields its
   questions with no slots, and its Layout note says so: there is nowhere to write that would not
   change the customer's table structure.
3. **Checkbox cells**: a cell whose options carry box marks (``❏ Yes ❏ No``, ``☐``, Wingdings
   ``w:sym`` boxes, Word checkbox content controls, or list paragraphs whose bullet is a box glyph
   as in the OpenChain M&A worksheets) is a SHORT slot whose allowed values are the option labels.
   Headerless tables count too when a row holds question text and a checkbox cell. A headerless
   table whose rows mostly read "question? | answer cell" (two rows at least) is read the same way,
   the last cell taking the answer; label/value forms ("Organization | ...") are not questions.
4. **Paragraph questions**, only when no table gave a question: body paragraphs ending in "?" or
   numbered ("3. Describe ..."). The answer goes in a new paragraph after the question.

Addresses (0-based): ``t{table}.r{row}.c{cell}`` where ``table`` indexes every ``w:tbl`` of the
body in document order, nested tables included right after their parent's start (pre-order; equal
to ``Document.tables`` when nothing is nested or inside a content control), ``row`` the ``w:tr``
and ``cell`` the physical ``w:tc`` in that row (a cell merged across columns counts once, unlike
python-docx's ``row.cells``). ``p{n}`` is the n-th body-level paragraph (paragraphs inside
block-level content controls counted in place; not inside tables): the writer ticks the options
of that paragraph if it has checkboxes, else fills the empty or placeholder paragraph right after
it, else inserts a new paragraph after it. Human locations are 1-based: ``table 3 row 2``,
``paragraph 17``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from ..errors import Problem
from ..questionnaire import AnswerSlot, Layout, Questionnaire, QuestionRow, SlotKind, SlotState
from ._docx_xml import (
    _NUMBER,
    RESPONSE_ROLES,
    NumBox,
    all_tables,
    body_blocks,
    cell_paragraphs,
    cell_text,
    is_vmerge_continuation,
    numbering_boxes,
    open_docx,
    paragraph_text,
    parse_options,
    physical_cells,
    row_cells,
    table_rows,
    w,
)
from .csv import (
    header_role,
    header_roles,
    looks_like_question,
    looks_like_section,
    normalise_header,
    slot_state,
)
from .interface import Importer, ImportOptions

# Every ImportOptions field is a spreadsheet/CSV layout override; Word tables honour none of them
_SPREADSHEET_OPTIONS = tuple(f.name for f in fields(ImportOptions))


def _style_names(document: Any) -> dict[str, str]:
    try:
        return {s.style_id: s.name or "" for s in document.styles}
    except (KeyError, ValueError, AttributeError):  # a document with no or odd styles part
        return {}


def _is_heading(p: Any, styles: dict[str, str]) -> bool:
    ppr = p.find(w("pPr"))
    if ppr is None:
        return False
    style = ppr.find(w("pStyle"))
    name = styles.get(style.get(w("val"), ""), style.get(w("val"), "")) if style is not None else ""
    if name.lower().startswith("heading"):
        return True
    outline = ppr.find(w("outlineLvl"))
    return outline is not None and outline.get(w("val"), "9") not in ("9",)


def split_number(text: str) -> tuple[str | None, str]:
    """``"12. Which ...?"`` -> ``("12", "Which ...?")``; text without a number label is returned whole."""
    match = _NUMBER.match(text)
    if match and match.group(2).strip() and len(match.group(2).split()) >= 2:
        return match.group(1), match.group(2).strip()
    return None, text.strip()


def is_paragraph_question(text: str) -> bool:
    """Body text that asks: ends with '?', or a number label followed by a question."""
    stripped = text.strip()
    if len(stripped.split()) < 3:
        return False
    number, rest = split_number(stripped)
    return stripped.endswith("?") or (number is not None and looks_like_question(rest) and ("?" in rest or
                                                                                            _imperative(rest)))


def _imperative(text: str) -> bool:
    return re.match(r"(describe|explain|provide|list|identify|state|specify|confirm|indicate|outline|detail|attach|"
                    r"demonstrate|show|give|supply|submit|share|document|summari[sz]e|upload)\b",
                    text, re.IGNORECASE) is not None


def _asks(text: str) -> bool:
    """Looser than :func:`is_paragraph_question`, for paragraphs followed by a Response table."""
    number, rest = split_number(text)
    return is_paragraph_question(text) or (number is not None and len(rest.split()) >= 3) or looks_like_question(text)


@dataclass
class _Scan:
    """Mutable state of one import."""

    path: Path
    document: Any
    boxes: dict[tuple[str, str], NumBox]
    tables: list[Any]
    styles: dict[str, str]
    questions: list[tuple[tuple[int, ...], QuestionRow]] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    used_tables: set[int] = field(default_factory=set)

    def tid(self, tbl: Any) -> int:
        return self.tables.index(tbl)


def _cell_slot(scan: _Scan, tc: Any, kind: SlotKind, address: str) -> AnswerSlot:
    """A slot for a table cell: checkbox options when it has them, else its text state."""
    _, options = parse_options(cell_paragraphs(tc), scan.boxes)
    if options:
        ticked = [o.label for o in options if o.marker.checked]
        state = SlotState.ANSWERED if ticked else SlotState.EMPTY
        return AnswerSlot(SlotKind.SHORT, address, state, "; ".join(ticked) or None, tuple(o.label for o in options))
    state, current = slot_state(cell_text(tc))
    return AnswerSlot(kind, address, state, current)


def _response_table(scan: _Scan, tbl: Any, question_p: Any, order: tuple[int, ...], section: str | None,
                    p_index: int) -> bool:
    """Layout 1: a label/value table right after a question paragraph. True when it was one."""
    rows = table_rows(tbl)
    if not rows or len(rows) > 6:
        return False
    grid = [physical_cells(tr) for tr in rows]
    if any(len(cells) > 4 for cells in grid):
        return False
    labels: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(grid):
        for c, tc in enumerate(cells):
            text = cell_text(tc)
            role = header_role(text) if text else None
            if role in ("question", "id", "section"):
                return False
            if role in RESPONSE_ROLES and len(text.split()) <= 4 and not re.search(r"[.!?]\s*$", text):
                labels[(r, c)] = role  # a label, not an answer that happens to say "response"
    if 2 * len(labels) < len(rows):  # label/value pairs, side by side or one under the other
        return False
    if not labels:
        return False
    t = scan.tid(tbl)
    roles = set(labels.values())
    kinds = {"short": SlotKind.SHORT if "narrative" in roles else SlotKind.NARRATIVE,
             "narrative": SlotKind.NARRATIVE, "comment": SlotKind.COMMENT}
    slots: list[AnswerSlot] = []
    for (r, c), role in labels.items():
        if c + 1 < len(grid[r]) and (r, c + 1) not in labels:
            vr, vc = r, c + 1
        elif r + 1 < len(grid) and c < len(grid[r + 1]) and (r + 1, c) not in labels:
            vr, vc = r + 1, c
        else:
            continue
        slots.append(_cell_slot(scan, grid[vr][vc], kinds[role], f"t{t}.r{vr}.c{vc}"))
    if not slots:
        return False
    number, text = split_number(paragraph_text(question_p))
    scan.questions.append((order, QuestionRow(f"paragraph {p_index + 1}", text, tuple(slots), number, section)))
    scan.used_tables.add(t)
    return True


def _header(scan: _Scan, rows: list[Any]) -> tuple[int, dict[str, int]] | None:
    """Index of the header row among the first three and its role -> grid column map."""
    for r, tr in enumerate(rows[:3]):
        cells = row_cells(tr)
        roles = header_roles([cell_text(tc) for tc, _, _ in cells])
        if "question" in roles and len(roles) >= 2:
            return r, {role: cells[i][1] for role, i in roles.items()}
    return None


def _at(cells: list[tuple[Any, int, int]], col: int) -> tuple[int, Any] | None:
    """Physical index and cell covering grid column ``col``."""
    for i, (tc, start, span) in enumerate(cells):
        if start <= col < start + max(span, 1):
            return i, tc
    return None


def _question_table(scan: _Scan, tbl: Any, order: tuple[int, ...], section: str | None) -> None:
    """Layouts 2 and 3: a table with a header row, or headerless rows of question + checkbox cell."""
    t = scan.tid(tbl)
    rows = table_rows(tbl)
    found = _header(scan, rows)
    if found is None:
        _checkbox_rows(scan, tbl, rows, order, section)
        return
    head, roles = found
    head_cells = row_cells(rows[head])
    head_question = normalise_header(cell_text(_at(head_cells, roles["question"])[1]))  # type: ignore[index]
    kinds = {"short": SlotKind.SHORT, "narrative": SlotKind.NARRATIVE, "comment": SlotKind.COMMENT}
    count = 0
    for r in range(head + 1, len(rows)):
        cells = row_cells(rows[r])
        q_at = _at(cells, roles["question"])
        if q_at is None or is_vmerge_continuation(q_at[1]):
            continue
        text = cell_text(q_at[1])
        if "section" in roles and (s_at := _at(cells, roles["section"])) and s_at[1] is not q_at[1] and cell_text(s_at[1]):
            section = cell_text(s_at[1])
        if not text or normalise_header(text) == head_question:
            continue
        texts = {cell_text(tc) for tc, _, _ in cells} - {""}
        if texts == {text} and (len(cells) == 1 or looks_like_section(text)):
            section = text  # a row holding only a heading
            continue
        qid = None
        if "id" in roles and (i_at := _at(cells, roles["id"])) and i_at[1] is not q_at[1]:
            qid = cell_text(i_at[1]) or None
        slots = []
        for role, kind in kinds.items():
            if role in roles and (s := _at(cells, roles[role])) and s[1] is not q_at[1]:
                slots.append(_cell_slot(scan, s[1], kind, f"t{t}.r{r}.c{s[0]}"))
        scan.questions.append(((*order, r), QuestionRow(f"table {t + 1} row {r + 1}", text, tuple(slots), qid, section)))
        count += 1
    columns = {role: str(col + 1) for role, col in roles.items()}
    note = f"header row {head + 1}: " + ", ".join(f"{role}={cell_text(_at(head_cells, col)[1])!r}"  # type: ignore[index]
                                                  for role, col in roles.items())
    if not any(role in roles for role in kinds):
        note += "; no answer column: questions are listed but there is no cell to write answers in"
    score = 0.9 if "short" in roles else 0.7 if any(role in roles for role in kinds) else 0.4
    scan.layouts.append(Layout(f"table {t + 1}", head + 1, columns, score, count, note))
    scan.used_tables.add(t)


def _checkbox_rows(scan: _Scan, tbl: Any, rows: list[Any], order: tuple[int, ...], section: str | None) -> None:
    """Headerless rows: question text in one cell and checkbox options in a later cell (or after it)."""
    t = scan.tid(tbl)
    found: list[tuple[tuple[int, ...], QuestionRow]] = []
    for r, tr in enumerate(rows):
        cells = physical_cells(tr)
        for c, tc in enumerate(cells):
            lead, options = parse_options(cell_paragraphs(tc), scan.boxes)
            if not options:
                continue
            text = lead
            if not looks_like_question(text):
                text = next((cell_text(cells[k]) for k in range(c - 1, -1, -1) if looks_like_question(cell_text(cells[k]))), "")
            if text:
                qid, text = split_number(text)
                slot = _cell_slot(scan, tc, SlotKind.SHORT, f"t{t}.r{r}.c{c}")
                found.append(((*order, r), QuestionRow(f"table {t + 1} row {r + 1}", text, (slot,), qid, section)))
            break
    note = "no header row; rows of question text and checkbox options"
    if not found:
        found, note = _question_answer_rows(scan, t, rows, order, section), "no header row; rows of a question and an answer cell"
    if found:
        scan.questions.extend(found)
        scan.layouts.append(Layout(f"table {t + 1}", None, {}, 0.6 if "checkbox" in note else 0.5, len(found), note))
        scan.used_tables.add(t)
    elif len(rows) > 1:
        scan.layouts.append(Layout(f"table {t + 1}", None, {}, 0.0, 0, "skipped: no header row naming a question column and no checkbox options"))


def _question_answer_rows(scan: _Scan, t: int, rows: list[Any], order: tuple[int, ...],
                          section: str | None) -> list[tuple[tuple[int, ...], QuestionRow]]:
    """Headerless rows whose first cell asks (``...?``) and whose last cell takes the answer.

    Needs two such rows and at least half of the table, so label/value forms ("Organization | ___")
    are not mistaken for questionnaires.
    """
    found: list[tuple[tuple[int, ...], QuestionRow]] = []
    for r, tr in enumerate(rows):
        cells = physical_cells(tr)
        if len(cells) < 2:
            continue
        text = cell_text(cells[0]) if len(cells) == 2 else next(
            (cell_text(tc) for tc in cells[:-1] if is_paragraph_question(cell_text(tc))), "")
        if not is_paragraph_question(text):
            continue
        qid, text = split_number(text)
        if len(cells) > 2 and not qid and len(cell_text(cells[0])) <= 12 and cell_text(cells[0]) != text:
            qid = cell_text(cells[0]) or None  # "No. | Question | Answer" without a header
        slot = _cell_slot(scan, cells[-1], SlotKind.SHORT, f"t{t}.r{r}.c{len(cells) - 1}")
        found.append(((*order, r), QuestionRow(f"table {t + 1} row {r + 1}", text, (slot,), qid, section)))
    return found if len(found) >= 2 and 2 * len(found) >= len(rows) else []


def _paragraph_questions(scan: _Scan, blocks: list[tuple[str, Any, int | None]]) -> None:
    """Layout 4: question paragraphs answered in a new paragraph (or by ticking the options after them)."""
    section = None
    count = 0
    for i, (kind, el, n) in enumerate(blocks):
        if kind != "p" or n is None:
            continue
        text = paragraph_text(el).strip()
        if _is_heading(el, scan.styles):
            section = text or section
            continue
        if not is_paragraph_question(text):
            continue
        number, qtext = split_number(text)
        nxt = next(((k, e, m) for k, e, m in blocks[i + 1:] if k != "p" or paragraph_text(e).strip()), None)
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        slot: AnswerSlot | None = None
        if nxt is not None and nxt[0] == "p" and nxt[2] is not None:
            _, options = parse_options([nxt[1]], scan.boxes)
            if options:
                ticked = [o.label for o in options if o.marker.checked]
                slot = AnswerSlot(SlotKind.SHORT, f"p{nxt[2]}", SlotState.ANSWERED if ticked else SlotState.EMPTY,
                                  "; ".join(ticked) or None, tuple(o.label for o in options))
        if slot is None:
            state = SlotState.EMPTY
            if following is not None and following[0] == "p":
                state = slot_state(paragraph_text(following[1]))[0]
                state = state if state is SlotState.PLACEHOLDER else SlotState.EMPTY
            slot = AnswerSlot(SlotKind.NARRATIVE, f"p{n}", state)
        scan.questions.append(((i,), QuestionRow(f"paragraph {n + 1}", qtext, (slot,), number, section)))
        count += 1
    if count:
        scan.layouts.append(Layout("document", None, {}, 0.5, count,
                                   "question paragraphs (ending in '?' or numbered); answers go in a new paragraph after each"))


def scan_document(path: Path, document: Any) -> _Scan:
    """Run every layout over an opened document."""
    body = document.element.body
    scan = _Scan(path, document, numbering_boxes(document), all_tables(body), _style_names(document))
    blocks = body_blocks(body)
    section: str | None = None
    caption: str | None = None
    last_p: tuple[Any, int] | None = None
    responses = 0
    for i, (kind, el, n) in enumerate(blocks):
        if kind == "p":
            text = paragraph_text(el).strip()
            if not text:
                continue
            if _is_heading(el, scan.styles):
                section, caption, last_p = text, None, None
                continue
            last_p = (el, n) if n is not None else None
            caption = text if len(text.split()) <= 12 and not text.endswith("?") else None
            continue
        # A label table is strong evidence: any question-ish or numbered paragraph before it is the question.
        if last_p is not None and _asks(paragraph_text(last_p[0])) and \
                _response_table(scan, el, last_p[0], (i,), section, last_p[1]):
            responses += 1
            last_p = None
            continue
        last_p = None
        for tbl in el.iter(w("tbl")):  # the table itself, then tables nested in it
            if scan.tid(tbl) not in scan.used_tables:
                _question_table(scan, tbl, (i, scan.tid(tbl)), caption or section)
    if responses:
        scan.layouts.insert(0, Layout("document", None, {}, 0.9, responses,
                                      "question paragraphs each followed by a Response / Evidence table"))
    if not scan.questions:
        _paragraph_questions(scan, blocks)
    return scan


class DocxImporter(Importer):
    """Reads Word questionnaires: response tables, question tables, checkbox cells and question paragraphs."""

    format: ClassVar[str] = "docx"
    suffixes: ClassVar[tuple[str, ...]] = (".docx",)

    def collect(self, path: Path, options: ImportOptions) -> Questionnaire:
        """Find every question and answer slot of ``path``. Column overrides do not apply to Word tables
        (a warning says so when some are given)."""
        document = open_docx(path)
        scan = scan_document(path, document)
        ordered = [q for _, q in sorted(scan.questions, key=lambda pair: pair[0])]
        problems = list(scan.problems)
        seen: dict[str, str] = {}
        for q in ordered:
            if q.question_id:
                if q.question_id in seen:
                    problems.append(Problem(f"{path}: {q.location}", f"id {q.question_id!r} repeats {seen[q.question_id]}", "warning"))
                seen.setdefault(q.question_id, q.location)
        if not ordered:
            problems.append(Problem(str(path), "no questions found: no question table, response table or question paragraph", "warning"))
        ignored = [f"--{name.replace('_', '-')}" for name in _SPREADSHEET_OPTIONS if getattr(options, name) is not None]
        if ignored:
            # silently ignoring a flag the user typed would leave them wondering why nothing changed
            problems.append(Problem(
                str(path),
                f"{', '.join(ignored)} ignored: layout overrides apply to spreadsheets and CSV; "
                "Word tables are detected from their header cells",
                "warning",
            ))
        return Questionnaire(path, "docx", tuple(ordered), tuple(scan.layouts), tuple(problems))

