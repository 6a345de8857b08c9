"""Excel questionnaires (.xlsx, .xlsm): find every question and every place its answer goes.

The importer reads the workbook with a small reader of its own (``_xlsx_book``: one pass gives each
formula and its cached value, merges, protection and both kinds of data validation), runs detection on
every visible sheet (``_xlsx_layout``), resolves dropdown values (``_xlsx_validation``) and, where a
question's text is an uncached lookup formula, evaluates it (``_xlsx_formula``). It never writes.

Workbooks that repeat the same question ids on several sheets, with answers typed on one sheet and
copied by formula to the others (HECVAT 4's "START HERE" tab feeding every other tab), yield each id
once: from the sheet where its answer slots take input.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from ..errors import ImportFormatError, Problem
from ..questionnaire import Layout, Questionnaire, QuestionRow, SlotState
from ._xlsx_book import MAX_COLUMN, READ_ERRORS, Book, col_index, unreadable
from ._xlsx_formula import FormulaEvaluator
from ._xlsx_layout import Overrides, SheetAnalyser, SheetResult, name_hint
from ._xlsx_validation import DropdownResolver
from .interface import Importer, ImportOptions

__all__ = ["XlsxImporter"]

_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


class XlsxImporter(Importer):
    """Reads .xlsx / .xlsm questionnaires (macros are ignored, never run)."""

    format: ClassVar[str] = "xlsx"
    suffixes: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm")

    def collect(self, path: Path, options: ImportOptions) -> Questionnaire:
        """Find every question and answer slot in the workbook at ``path``.

        Args:
            path: The workbook; it is only read.
            options: Overrides for detection: ``sheet``, column letters, ``header_row``.

        Returns:
            The questions in sheet and row order, one Layout per sheet, and per-row warnings.

        Raises:
            ImportFormatError: The file is not a readable workbook (empty, corrupt, encrypted, legacy
                .xls, a zip or entity bomb), an option names a sheet or column that does not exist, or
                no sheet has a question column.
        """
        overrides = _overrides(path, options)
        try:
            with Book(path) as book:
                return self._collect(path, book, options, overrides)
        except ImportFormatError:
            raise
        except READ_ERRORS as exc:
            raise unreadable(path, exc) from exc

    def _collect(self, path: Path, book: Book, options: ImportOptions, overrides: Overrides) -> Questionnaire:
        if options.sheet is not None:
            exact = book.find_sheet(options.sheet)
            if exact is None:
                listed = ", ".join(repr(n) for n in book.sheet_names)
                raise ImportFormatError(f"{path}: no sheet named {options.sheet!r}; sheets are: {listed}")
            names = [exact]
        else:
            names = list(book.sheet_names)
        ev = FormulaEvaluator(book)
        dropdowns = DropdownResolver(ev)
        results: list[SheetResult] = []
        for name in names:
            state = book.sheet_states.get(name, "visible")
            if state != "visible" and options.sheet is None:
                hint = name_hint(name)
                note = f"skipped: {'very ' if state == 'veryHidden' else ''}hidden sheet" + (
                    f" ({hint})" if hint else ""
                )
                results.append(SheetResult(Layout(name, None, {}, 0.0, 0, note)))
                continue
            results.append(SheetAnalyser(book.sheet(name), ev, dropdowns, overrides).run())

        questions, dropped, copies = _one_per_id(results)
        if not questions:
            raise _nothing_found(path, results, options)
        layouts = []
        problems: list[Problem] = []
        for res in results:
            lay = res.layout
            if lay.part in copies:
                note = f"skipped: repeats the questions of sheet {copies[lay.part]!r} (a report or reference copy)"
                lay = replace(lay, questions=0, note=note)
            else:
                problems.extend(res.problems)
                if dropped.get(lay.part):
                    n = dropped[lay.part]
                    extra = f"{n} question(s) also asked on another sheet that takes their answers left out"
                    lay = replace(
                        lay, questions=lay.questions - n, note="; ".join(p for p in (lay.note, extra) if p)
                    )
            layouts.append(lay)
        kept = {lay.part for lay in layouts if lay.questions}
        problems += [p for p in dropdowns.problems if p.place.rpartition("!")[0] in kept]
        return Questionnaire(path, self.format, tuple(questions), tuple(layouts), tuple(problems))


def _overrides(path: Path, options: ImportOptions) -> Overrides:
    """Validate and convert the column letters and header row given as options."""

    def col(flag: str, value: str | None) -> int | None:
        if value is None:
            return None
        v = value.strip()
        if not _LETTERS.match(v) or col_index(v) > MAX_COLUMN:
            raise ImportFormatError(f"{path}: {flag} {value!r} is not a column letter; use A, B, ... XFD")
        return col_index(v)

    if options.header_row is not None and options.header_row < 1:
        raise ImportFormatError(
            f"{path}: --header-row {options.header_row} is not a row number; rows start at 1"
        )
    return Overrides(
        question=col("--question-col", options.question_col),
        short=col("--answer-col", options.answer_col),
        narrative=col("--comment-col", options.comment_col),
        id=col("--id-col", options.id_col),
        header_row=options.header_row,
    )


def _takes_input(q: QuestionRow) -> bool:
    return any(s.state is not SlotState.FORMULA for s in q.slots)


def _same_text(a: str, b: str) -> bool:
    x, y = " ".join(a.lower().split()), " ".join(b.lower().split())
    return x == y or (min(len(x), len(y)) >= 20 and (x in y or y in x))


def _one_per_id(results: list[SheetResult]) -> tuple[list[QuestionRow], dict[str, int], dict[str, str]]:
    """Drop repeats of a question (same id and text) that another sheet asks too.

    The copy kept is the one that takes input (its slots are not formulas), then the one on the sheet
    detection is surest of, then the first. A sheet that loses most of its questions this way is a
    report or reference copy of another sheet and is left out entirely.

    Returns:
        The questions kept, per-sheet counts of questions left out, and per-sheet "copies sheet X" notes.
    """
    rank = {res.layout.part: (res.layout.score, -i) for i, res in enumerate(results)}
    by_id: dict[str, list[QuestionRow]] = defaultdict(list)
    for res in results:
        for q in res.questions:
            if q.question_id:
                by_id[q.question_id].append(q)
    drop: set[int] = set()
    winner_sheet: dict[int, str] = {}
    for rows in by_id.values():
        if len({_sheet(q) for q in rows}) < 2:
            continue
        for q in rows:
            same = [o for o in rows if _sheet(o) != _sheet(q) and _same_text(o.text, q.text)]
            if not same:
                continue
            best = max([q, *same], key=lambda o: (_takes_input(o), rank[_sheet(o)]))
            if best is not q:
                drop.add(id(q))
                winner_sheet[id(q)] = _sheet(best)
    copies: dict[str, str] = {}
    for res in results:
        lost = [q for q in res.questions if id(q) in drop]
        if len(lost) >= 3 and len(lost) >= 0.8 * len(res.questions):
            source = max(
                {winner_sheet[id(q)] for q in lost}, key=lambda s: sum(winner_sheet[id(q)] == s for q in lost)
            )
            copies[res.layout.part] = source
            drop.update(id(q) for q in res.questions)
    out: list[QuestionRow] = []
    dropped: dict[str, int] = defaultdict(int)
    for res in results:
        for q in res.questions:
            if id(q) in drop:
                dropped[res.layout.part] += 1
            else:
                out.append(q)
    return out, dropped, copies


def _sheet(q: QuestionRow) -> str:
    return q.location.rpartition("!")[0]


def _nothing_found(path: Path, results: list[SheetResult], options: ImportOptions) -> ImportFormatError:
    notes = [Problem(r.layout.part, r.layout.note or "no questions", "error") for r in results]
    with_q = [r.layout.part for r in results if r.has_question_column]
    if options.question_col is not None or with_q:
        where = f"sheet {with_q[0]!r}" if with_q else "any sheet"
        if any("no answer column" in r.layout.note for r in results):
            return ImportFormatError(
                f"{path}: questions found on {where} but no answer column next to them; name it with --answer-col",
                notes,
            )
        return ImportFormatError(
            f"{path}: no questions found on {where} (see the per-sheet notes); check --sheet, --question-col and --header-row",
            notes,
        )
    return ImportFormatError(
        f"{path}: no question column found on any sheet; name it with --question-col and --sheet", notes
    )
