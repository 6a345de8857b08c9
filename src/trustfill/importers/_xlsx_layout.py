"""Find the question table(s) on one worksheet: columns, header rows, sections, question rows, slots.

Detection works from both ends and scores what it finds:

* header cells name roles (``_detect.header_role``); header rows may sit anywhere and repeat per section,
  each repeat starting a *block* whose columns it names (HECVAT repeats "Answer | Additional
  Information | Guidance" under every section heading);
* content picks the question column (texts that read like questions), the id column (short unique
  codes left of it) and, when no header names it, the answer column (list dropdowns, unlocked cells on a
  protected sheet, Yes/No values, or the first empty column right of the questions);
* rows are then classified: header, section heading, question, or noise (instructions, boilerplate).

Decisions worth knowing:

* Merged areas: a value is carried *down* a vertical merge in its own column only (an id or section
  spanning rows); a horizontal merge's interior is empty, so an instruction line merged across A:E
  never becomes a question. An answer area merged over C:D is one slot at its anchor (C); when it
  spans the short and narrative columns it is a NARRATIVE slot unless it carries a dropdown.
* Hidden rows inside a table count only when their text reads like a question (ends in '?' or starts
  with Do/Does/Is/Describe...): templates hide helper and #REF! rows, rarely real questions.
* Hidden columns never receive answers.
* On a protected sheet, unlocked cells are where answers go: they identify the answer column when no
  header does, and locked cells in a column that has unlocked ones get no slot.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import Problem
from ..questionnaire import AnswerSlot, Layout, QuestionRow, SlotKind, SlotState
from ._detect import Role, header_role, is_boilerplate, looks_like_id, question_score, slot_state
from ._xlsx_book import EMPTY_RUN_LIMIT, Sheet, col_letter, coordinate, display
from ._xlsx_formula import FormulaEvaluator
from ._xlsx_validation import DropdownResolver

MAX_ROLE_COL = 64
"""Columns beyond BL are not considered for roles: questionnaire tables are narrow, report sheets wide."""
_ANSWER_ROLES = (Role.SHORT, Role.NARRATIVE, Role.COMMENT, Role.OWNERSHIP, Role.CUSTOMER_RESPONSIBILITY)
_KIND = {Role.SHORT: SlotKind.SHORT, Role.NARRATIVE: SlotKind.NARRATIVE, Role.COMMENT: SlotKind.COMMENT,
         Role.OWNERSHIP: SlotKind.OWNERSHIP, Role.CUSTOMER_RESPONSIBILITY: SlotKind.CUSTOMER_RESPONSIBILITY}
_NUMERIC = re.compile(r"^-?[\d.,]+%?$")
_VERSION = re.compile(r"^[A-Za-z&]*\s?v(?:ersion\s?)?\d+(?:\.\d+)+[A-Za-z]?$", re.IGNORECASE)
"""A version string in a title row's id cell (``CAIQv4.0.3``, ``v2.1``)."""
_YES_NO = {"yes", "no", "n/a", "na", "y", "n", "true", "false", "not applicable", "partial", "partially"}
_NAME_HINTS = (
    (
        "instructions sheet",
        ("instruction", "introduction", "read me", "readme", "how to", "overview", "guide"),
    ),
    ("lookup sheet", ("values", "lists", "lookup", "dropdown", "config", "settings")),
    (
        "summary / report sheet",
        ("summary", "report", "dashboard", "score", "evaluation", "analyst", "results"),
    ),
    ("reference sheet", ("crosswalk", "mapping", "reference", "glossary", "definitions")),
    ("change log", ("change log", "changelog", "version", "acknowledg", "credits", "history")),
)


@dataclass(frozen=True)
class Overrides:
    """Column numbers (1-based) and header row the user fixed; None = detect."""

    question: int | None = None
    short: int | None = None
    narrative: int | None = None
    id: int | None = None
    header_row: int | None = None


@dataclass
class SheetResult:
    """What one sheet yielded."""

    layout: Layout
    questions: list[QuestionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    has_question_column: bool = False


def name_hint(sheet_name: str) -> str | None:
    """What a sheet's name suggests it is (``instructions sheet``, ``lookup sheet``...), if anything."""
    low = sheet_name.lower()
    return next((label for label, words in _NAME_HINTS if any(w in low for w in words)), None)


class SheetAnalyser:
    """Runs detection on one sheet. One instance per sheet; call :meth:`run` once."""

    def __init__(
        self, sheet: Sheet, ev: FormulaEvaluator, dropdowns: DropdownResolver, overrides: Overrides
    ) -> None:
        self.s = sheet
        self.ev = ev
        self.dd = dropdowns
        self.ov = overrides
        self._text: dict[tuple[int, int], str | None] = {}
        self._has_headers = False
        self._unlocked_col: dict[int, bool] = {}
        self.problems: list[Problem] = []
        self.rows = sorted(sheet.rows)
        if overrides.header_row:
            self.rows = [r for r in self.rows if r >= overrides.header_row]
        self.max_col = min(max((max(c) for c in sheet.rows.values() if c), default=0), MAX_ROLE_COL)

    # --- cell access ----------------------------------------------------------------------------

    def text(self, r: int, c: int) -> str | None:
        """Stripped display text; carried down vertical merges; formulas evaluated when uncached."""
        key = (r, c)
        if key in self._text:
            return self._text[key]
        ar, ac = self.s.anchor(r, c)
        if (ar, ac) != (r, c):
            out = self.text(ar, ac) if ac == c else None
        else:
            cell = self.s.cell(r, c)
            out = None
            if cell is not None and not cell.error:
                if cell.value is not None:
                    out = display(cell.value)
                elif cell.formula:
                    out = self.ev.evaluate(cell.formula, self.s.name)
            out = out.strip() if out else None
            if out and out.lower().startswith("end table data"):
                out = None  # accessibility marker in HECVAT: not content
        self._text[key] = out or None
        return out or None

    def row_texts(self, r: int) -> dict[int, str]:
        """Non-empty texts of a row within the role columns."""
        cells = self.s.rows.get(r, {})
        out = {}
        for c in cells:
            if c <= self.max_col:
                t = self.text(r, c)
                if t:
                    out[c] = t
        return out

    # --- detection steps ------------------------------------------------------------------------

    def header_candidates(self) -> dict[int, dict[int, Role]]:
        """Rows that look like header rows -> {column: role}."""
        out: dict[int, dict[int, Role]] = {}
        for r in self.rows:
            texts = self.row_texts(r)
            if not texts or any(
                len(t) > 60 or (question_score(t) >= 0.8 and len(t.split()) >= 5) for t in texts.values()
            ):
                continue  # a long or question-like cell: a data row
            if (
                sum(1 for t in texts.values() if _NUMERIC.match(t) or t in ("TRUE", "FALSE", "True", "False"))
                >= 2
            ):
                continue  # numbers and booleans: a data row (a report line), not a header
            if looks_like_id(texts[min(texts)]):
                continue  # starts with a question id: a data row
            roles = {c: role for c, t in texts.items() if (role := header_role(t)) is not None}
            named = sum(1 for role in roles.values() if role is not Role.OTHER)
            if Role.SHORT in roles.values() or named >= 2 or (named and len(roles) > named):
                out[r] = roles
        if self.ov.header_row and self.ov.header_row not in out:
            out[self.ov.header_row] = {
                c: role
                for c, t in self.row_texts(self.ov.header_row).items()
                if (role := header_role(t)) is not None
            }
        return out

    def question_column(self, headers: dict[int, dict[int, Role]]) -> tuple[int | None, float]:
        """The column holding question text and how question-like its texts are (0-1)."""
        if self.ov.question is not None:
            return self.ov.question, 1.0
        score: Counter[int] = Counter()
        strong: Counter[int] = Counter()
        for r in self.rows:
            if r in headers:
                continue
            for c, t in self.row_texts(r).items():
                if c in self.s.hidden_cols or len(t) < 12:
                    continue
                q = question_score(t)
                score[c] += q
                strong[c] += q >= 0.8
        for roles in headers.values():
            for c, role in roles.items():
                if role is Role.QUESTION:
                    score[c] += 1.5
        if not score:
            return None, 0.0
        col, best = score.most_common(1)[0]
        if best < 2.0 and not (best >= 1.5 and strong[col]):
            return None, 0.0
        n = sum(1 for r in self.rows if r not in headers and self.text(r, col))
        return col, min(1.0, strong[col] / max(n, 1) + 0.3)

    def id_column(self, qcol: int, headers: dict[int, dict[int, Role]]) -> int | None:
        """The column of question ids: short unique codes on the question rows, left of the questions."""
        if self.ov.id is not None:
            return self.ov.id
        qrows = [r for r in self.rows if r not in headers and question_score(self.text(r, qcol)) >= 0.15]
        if not qrows:
            return None
        header_ids = {c for roles in headers.values() for c, role in roles.items() if role is Role.ID}
        best, best_n = None, 0
        for c in range(1, self.max_col + 1):
            if c == qcol or (c > qcol and c not in header_ids):
                continue
            ids = [t for r in qrows if looks_like_id(t := self.text(r, c) or "")]
            n = len(ids)
            if n < 2 or n < 0.5 * len(qrows) or len(set(ids)) < 0.5 * n:
                continue
            n += len(qrows) if c in header_ids else 0
            if n > best_n or (n == best_n and best is not None and abs(qcol - c) < abs(qcol - best)):
                best, best_n = c, n
        return best

    def valid_headers(self, headers: dict[int, dict[int, Role]], qcol: int) -> dict[int, dict[Role, int]]:
        """Header rows whose roles fit the question column -> {role: column} (first column per role)."""
        out: dict[int, dict[Role, int]] = {}
        for r, roles in headers.items():
            keep: dict[Role, int] = {}
            # Reference columns right of every answer column (CAIQ's "CCM Domain Title") may name the section.
            last_answer = max((c for c, role in roles.items() if role in _ANSWER_ROLES and c > qcol), default=None)
            for c, role in sorted(roles.items()):
                if role in _ANSWER_ROLES and (c <= qcol or c in self.s.hidden_cols):
                    continue
                if role is Role.SECTION and c >= qcol and (last_answer is None or c < last_answer):
                    continue
                if role is Role.QUESTION and c != qcol:
                    continue
                if role is not Role.OTHER:
                    keep.setdefault(role, c)
            if any(role in keep for role in (Role.QUESTION, *_ANSWER_ROLES)) or r == self.ov.header_row:
                out[r] = keep
        return out

    def content_answer_column(self, qrows: list[int], qcol: int, taken: set[int]) -> tuple[int | None, str]:
        """An answer column found from content when no header names one, and why."""
        if not qrows:
            return None, ""
        best: tuple[float, int, str] | None = None
        for c in range(qcol + 1, min(max(self.max_col, qcol + 8), MAX_ROLE_COL) + 1):
            if c in self.s.hidden_cols or c in taken:
                continue
            dropdown = sum(1 for r in qrows if self.dd.rule(self.s, *self.s.anchor(r, c)) is not None)
            unlocked = sum(1 for r in qrows if self.unlocked(r, c)) if self.s.protected else 0
            yes_no = sum(1 for r in qrows if (self.text(r, c) or "").lower() in _YES_NO)
            for count, why in (
                (dropdown, "dropdowns"),
                (unlocked, "unlocked cells"),
                (yes_no, "Yes/No values"),
            ):
                frac = count / len(qrows)
                if frac >= 0.3 and (best is None or frac > best[0]):
                    best = (frac, c, why)
        if best is not None:
            return best[1], f"answer column {col_letter(best[1])} found by its {best[2]}"
        asks = sum(1 for r in qrows if question_score(self.text(r, qcol)) >= 1.0)
        strong = sum(1 for r in qrows if question_score(self.text(r, qcol)) >= 0.8)
        if asks >= 3 and strong >= 0.5 * len(qrows) and name_hint(self.s.name) is None:
            for c in range(qcol + 1, qcol + 4):
                if c in self.s.hidden_cols or c in taken:
                    continue
                empty = sum(1 for r in qrows if not self.text(r, c))
                if empty >= 0.8 * len(qrows):
                    return (
                        c,
                        f"answer column {col_letter(c)} guessed: first empty column right of the questions",
                    )
        return None, ""

    def unlocked(self, r: int, c: int) -> bool:
        """True when the cell's style (or its column's) is unlocked."""
        cell = self.s.cell(r, c)
        if cell is not None:
            return cell.style in self.ev.book.unlocked_styles
        return c in self.s.unlocked_cols

    def is_question_row(
        self, r: int, qcol: int, idcol: int | None, in_table: bool, named_table: bool = False
    ) -> bool:
        """Whether row ``r`` (not a header row) is a question."""
        q = self.text(r, qcol)
        if not q or is_boilerplate(q) or self.s.anchor(r, qcol)[0] != r:
            return False  # (the last: a question merged over several rows is asked once, on its first row)
        qs = question_score(q)
        if self.s.row_hidden(r) and qs < 0.8:
            return False
        if idcol is not None:
            if not in_table and self._has_headers and _VERSION.match(self.text(r, idcol) or ""):
                return False  # a title row above the header: "CAIQv4.0.3 | Consensus Assessments ...", not question v4.0.3
            if looks_like_id(self.text(r, idcol)):
                return True  # "Product Description" next to GNRL-03 is a question, header word or not
            return qs >= 0.8 and in_table
        if header_role(q) is not None and len(q) < 40 and not q.endswith("?"):
            return False  # a stray header word ("Description", "Notes") without an id
        if not in_table and self._has_headers:
            return qs >= 0.8  # above the first header row: title and notes, unless it asks something
        if qs >= 0.4:
            return True
        if (named_table and len(q.split()) >= 3) or (
            self.ov.question is not None and in_table and len(q.split()) >= 2
        ):
            return (
                True  # under a "Question"/"Control" header, statements are items too; 1-2 words are headings
            )
        return in_table and self.row_has_signal(r, qcol)

    def row_has_signal(self, r: int, qcol: int) -> bool:
        """A dropdown, unlocked cell or Yes/No value right of the question: the row takes an answer."""
        for c in range(qcol + 1, qcol + 6):
            if self.dd.rule(self.s, r, c) is not None or (self.s.protected and self.unlocked(r, c)):
                return True
            if (self.text(r, c) or "").lower() in _YES_NO:
                return True
        return False

    def section_text(self, r: int, qcol: int) -> str | None:
        """The row's heading text when the row is a section heading, else None."""
        texts = self.row_texts(r)
        if not texts:
            return None
        values = set(texts.values())
        c = min(texts)
        if len(values) != 1 or c > qcol:
            return None
        t = texts[c]
        if (
            len(t) > 80
            or len(t.split()) > 12
            or is_boilerplate(t)
            or question_score(t) >= 0.8
            or looks_like_id(t)
            or t.endswith((".", ":"))
            or ";" in t
        ):
            return None
        return t

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> SheetResult:
        """Detect the layout and collect the questions."""
        name = self.s.name
        hint = name_hint(name)
        cand = self.header_candidates()
        qcol, qconf = self.question_column(cand)
        if qcol is None:
            note = "skipped: no question column" + (f" ({hint}?)" if hint else "")
            return SheetResult(Layout(name, None, {}, 0.0, 0, note))
        headers = self.valid_headers(cand, qcol)
        self._has_headers = bool(headers)
        idcol = self.id_column(qcol, cand)
        first = self.ov.header_row or (min(headers) if headers else None)

        # Sheet-level roles: the column each answer role is named in most often.
        sheet_roles: dict[Role, int] = {}
        for role in (*_ANSWER_ROLES, Role.SECTION):
            votes = Counter(roles[role] for roles in headers.values() if role in roles)
            if votes:
                sheet_roles[role] = votes.most_common(1)[0][0]
        for role, forced in ((Role.SHORT, self.ov.short), (Role.NARRATIVE, self.ov.narrative)):
            if forced is not None:
                sheet_roles[role] = forced
        why = ""
        found_by_header = any(role in sheet_roles for role in _ANSWER_ROLES)
        if Role.SHORT not in sheet_roles:
            pre = [
                r
                for r in self.rows
                if r not in headers and self.is_question_row(r, qcol, idcol, in_table=bool(headers))
            ]
            col, why = self.content_answer_column(pre, qcol, set(sheet_roles.values()))
            if col is not None:
                sheet_roles[Role.SHORT] = col
        if not any(role in sheet_roles for role in _ANSWER_ROLES):
            note = f"skipped: no answer column next to the questions in {col_letter(qcol)}" + (
                f" ({hint}?)" if hint else ""
            )
            return SheetResult(
                Layout(name, first, self._columns(qcol, idcol, {}), 0.1, 0, note), has_question_column=True
            )

        questions, counts = self._collect(qcol, idcol, headers, sheet_roles)
        columns = self._columns(qcol, idcol, sheet_roles)
        formula_fed = counts["input"] <= 0.1 * (counts["input"] + counts["formula"])
        if questions and formula_fed and self.ov.short is None and self.ov.narrative is None:
            note = "skipped: its answer cells are formulas (a summary or evaluation sheet copying answers from elsewhere)"
            if hint:
                note += f" ({hint})"
            return SheetResult(Layout(name, first, columns, 0.1, 0, note), has_question_column=True)

        score = 0.3 * qconf
        score += 0.3 if found_by_header else (0.15 if why and "guessed" not in why else 0.05)
        score += 0.1 if idcol is not None else 0.0
        if questions:
            with_slot = sum(
                1 for q in questions if any(s.writable or s.state is SlotState.ANSWERED for s in q.slots)
            )
            score += 0.2 * with_slot / len(questions)
            score += 0.1 if counts["dropdowns"] else 0.0
        note_parts = []
        if why:
            note_parts.append(why)
        if self.s.stopped_at:
            last = max(self.s.rows, default=0)
            note_parts.append(f"rows after {last} not read (more than {EMPTY_RUN_LIMIT} blank rows follow)")
        if counts["hidden_skipped"]:
            note_parts.append(f"{counts['hidden_skipped']} hidden row(s) without a question skipped")
        if not questions:
            note_parts.insert(0, "no question rows found")
        self._duplicates(questions)
        layout = Layout(
            name, first, columns, round(min(score, 1.0), 2), len(questions), "; ".join(note_parts)
        )
        return SheetResult(layout, questions, self.problems, has_question_column=True)

    def _columns(self, qcol: int, idcol: int | None, roles: dict[Role, int]) -> dict[str, str]:
        out = {Role.QUESTION.value: col_letter(qcol)}
        if idcol is not None:
            out[Role.ID.value] = col_letter(idcol)
        for role, c in roles.items():
            out[role.value] = col_letter(c)
        return out

    def _collect(
        self, qcol: int, idcol: int | None, headers: dict[int, dict[Role, int]], sheet_roles: dict[Role, int]
    ) -> tuple[list[QuestionRow], Counter[str]]:
        counts: Counter[str] = Counter()
        questions: list[QuestionRow] = []
        section = self.s.name
        roles = dict(sheet_roles)
        in_table = named_table = False
        section_row = last_row = 0
        for r in self.rows:
            if r in headers:
                hdr = headers[r]
                block = {role: c for role, c in hdr.items() if role in _ANSWER_ROLES}
                if block:
                    roles = block
                    if self.ov.short is not None:
                        roles[Role.SHORT] = self.ov.short
                    if self.ov.narrative is not None:
                        roles[Role.NARRATIVE] = self.ov.narrative
                    # A header naming only comments/evidence: a short answer column found by content stays.
                    content_short = (
                        sheet_roles.get(Role.SHORT)
                        if not any(Role.SHORT in h for h in headers.values())
                        else None
                    )
                    if (
                        Role.SHORT not in roles
                        and content_short is not None
                        and content_short not in roles.values()
                    ):
                        roles[Role.SHORT] = content_short
                in_table = True
                named_table = hdr.get(Role.QUESTION) == qcol or (named_table and not block)
                label = self._header_section(r, qcol)
                if label:
                    section, section_row = label, r
                elif section_row != last_row:
                    # A plain header ("ID | Question | Answer") starts a new table: the title rows above it
                    # are not its section, but a heading row right above it is.
                    section = self.s.name
                last_row = r
                continue
            if idcol is not None and self._unreadable(r, qcol, idcol):
                continue
            if not self.is_question_row(r, qcol, idcol, in_table, named_table):
                if self.s.row_hidden(r) and self.text(r, qcol):
                    counts["hidden_skipped"] += 1
                    continue
                label = self.section_text(r, qcol)
                if label and not self.s.row_hidden(r):
                    section, section_row = label, r
                if self.row_texts(r):
                    last_row = r
                continue
            cell_section = self.text(r, sheet_roles[Role.SECTION]) if Role.SECTION in sheet_roles else None
            qtext = self.text(r, qcol) or ""
            slots = self._slots(r, qcol, roles, qtext, counts)
            qid = self.text(r, idcol) if idcol is not None else None
            last_row = r
            questions.append(
                QuestionRow(
                    location=f"{self.s.name}!{coordinate(*self.s.anchor(r, qcol))}",
                    text=qtext,
                    slots=tuple(slots),
                    question_id=qid if qid and looks_like_id(qid) else None,
                    section=cell_section or section,
                )
            )
        return questions, counts

    def _unreadable(self, r: int, qcol: int, idcol: int) -> bool:
        """Report (and skip) an id'd row whose question text is an Excel error or an unevaluable formula."""
        ar, ac = self.s.anchor(r, qcol)
        cell = self.s.cell(ar, ac)
        if cell is None or not looks_like_id(self.text(r, idcol)) or self.s.row_hidden(r):
            return False
        if cell.error:
            why = f"its value is the Excel error {cell.value}"
        elif cell.formula is not None and cell.value is None and self.text(r, qcol) is None:
            why = f"it is a formula (={cell.formula[:60]}) with no saved value that trustfill can evaluate"
        else:
            return False
        self.problems.append(
            Problem(
                f"{self.s.name}!{coordinate(ar, ac)}",
                f"question {self.text(r, idcol)!r} skipped: the question text cannot be read ({why}); "
                "open the file in Excel, recalculate and save it",
                "warning",
            )
        )
        return True

    def _header_section(self, r: int, qcol: int) -> str | None:
        for c, t in sorted(self.row_texts(r).items()):
            if c > qcol:
                break
            # "Documentation" or "Access Control" heading a block read like header words but label the section.
            role = header_role(t)
            if role in (Role.ID, Role.SECTION, Role.OTHER) or (role is Role.QUESTION and c == qcol):
                continue
            if not looks_like_id(t) and len(t) <= 80 and not is_boilerplate(t):
                return t
        return None

    def _slots(
        self, r: int, qcol: int, roles: dict[Role, int], qtext: str, counts: Counter[str]
    ) -> list[AnswerSlot]:
        q_anchor = self.s.anchor(r, qcol)
        slots: dict[tuple[int, int], AnswerSlot] = {}
        for role in _ANSWER_ROLES:
            c = roles.get(role)
            if c is None or c in self.s.hidden_cols:
                continue
            ar, ac = self.s.anchor(r, c)
            if ar != r or (ar, ac) == q_anchor:
                continue  # the area belongs to an earlier row, or the question text spans over it
            if self.s.protected and not self.unlocked(ar, ac) and self._column_has_unlocked(ac):
                continue  # locked while its column has unlocked (answer) cells: not for the vendor
            allowed = self.dd.allowed(self.s, ar, ac)
            has_list = self.dd.rule(self.s, ar, ac) is not None
            counts["dropdowns"] += has_list
            kind = _KIND[role]
            merge = self.s.merge_of(ar, ac)
            if kind is SlotKind.SHORT and not has_list and merge is not None and merge[3] > merge[1]:
                kind = SlotKind.NARRATIVE  # a wide merged input area without a dropdown is for prose
            if (ar, ac) in slots:
                prev = slots[(ar, ac)]
                if prev.kind is SlotKind.SHORT and role is Role.NARRATIVE and not has_list:
                    slots[(ar, ac)] = AnswerSlot(
                        SlotKind.NARRATIVE, prev.address, prev.state, prev.current, prev.allowed
                    )
                continue
            cell = self.s.cell(ar, ac)
            if cell is not None and cell.formula is not None:
                state, current = SlotState.FORMULA, "=" + cell.formula
            else:
                current = cell.text if cell is not None else None
                if cell is not None and cell.error:
                    current = str(cell.value)
                state = slot_state(current, question=qtext)
            counts["input" if state is not SlotState.FORMULA else "formula"] += 1
            slots[(ar, ac)] = AnswerSlot(kind, f"{self.s.name}!{coordinate(ar, ac)}", state, current, allowed)
        return list(slots.values())

    def _column_has_unlocked(self, c: int) -> bool:
        """True when some cell of column ``c`` (or the column's default style) is unlocked."""
        if c not in self._unlocked_col:
            unlocked = self.ev.book.unlocked_styles
            self._unlocked_col[c] = c in self.s.unlocked_cols or any(
                (cell := cells.get(c)) is not None and cell.style in unlocked
                for cells in self.s.rows.values()
            )
        return self._unlocked_col[c]

    def _duplicates(self, questions: list[QuestionRow]) -> None:
        seen: dict[str, str] = {}
        for q in questions:
            if not q.question_id:
                continue
            if q.question_id in seen:
                self.problems.append(
                    Problem(
                        q.location,
                        f"duplicate question id {q.question_id!r} (also at {seen[q.question_id]}); both rows kept",
                        "warning",
                    )
                )
            else:
                seen[q.question_id] = q.location
