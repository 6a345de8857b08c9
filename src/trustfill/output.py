"""Write outputs safely: never over the input, never a partial file, never over an existing file without --force."""

from __future__ import annotations

import contextlib
import enum
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from .errors import OutputError
from .exporters._rows import CORRECTED_HEADER, DECISION_HEADER, suggestions
from .fill import FilledQuestionnaire

IN_PLACE_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "docx": (".docx",), "csv": (".csv", ".tsv", ".txt"), "vsaq": (".json",)}


class OutputFormat(str, enum.Enum):
    """``--format`` values. ``auto`` writes into a copy of the customer's file when the suffix matches it."""

    AUTO = "auto"
    SAME = "same"
    XLSX = "xlsx"
    DOCX = "docx"
    CSV = "csv"
    JSON = "json"
    MD = "md"


_SUFFIX_FORMAT = {".xlsx": OutputFormat.XLSX, ".docx": OutputFormat.DOCX, ".csv": OutputFormat.CSV,
                  ".json": OutputFormat.JSON, ".md": OutputFormat.MD}


def resolve_format(fmt: OutputFormat, src: Path, src_format: str, dest: Path) -> OutputFormat:
    """AUTO -> SAME when ``dest`` has the input's kind of suffix, else the format its suffix names."""
    if fmt is not OutputFormat.AUTO:
        return fmt
    if dest.suffix.lower() in IN_PLACE_SUFFIXES.get(src_format, ()) and (src_format != "vsaq" or dest.suffix.lower() == ".json"):
        return OutputFormat.SAME
    try:
        return _SUFFIX_FORMAT[dest.suffix.lower()]
    except KeyError:
        raise OutputError(f"{dest}: cannot tell the output format from '{dest.suffix}'; use --format") from None


@contextlib.contextmanager
def atomic_path(dest: Path, *, force: bool, protect: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it over ``dest`` only if the block succeeds.

    ``protect``: the input first, then the run's other outputs; ``dest`` may be none of them.
    """
    for i, src in enumerate(protect):
        same = dest.resolve() == src.resolve() or (dest.exists() and src.exists() and os.path.samefile(dest, src))
        if same and i == 0:
            raise OutputError(f"{dest}: is the input file; trustfill never writes over the input, choose another -o")
        if same:
            raise OutputError(f"{dest}: is also another output of this run; give each output its own path")
    if dest.exists() and not force:
        raise OutputError(f"{dest}: already exists; use --force to replace it")
    if dest.is_dir():
        raise OutputError(f"{dest}: is a folder; give a file name")
    if not dest.parent.is_dir():
        raise OutputError(f"{dest}: folder {dest.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def review_rows(filled: FilledQuestionnaire) -> list[list[str]]:
    """Rows of the 'trustfill review' sheet: header first."""
    rows = [["Location", "Question ID", "Question", "Status", "Score", "Matched entry", "Suggestions", "Answer written",
             "Facts used", "Evidence to attach", "Notes", DECISION_HEADER, CORRECTED_HEADER]]
    for r in filled.results:
        a = r.answer
        rows.append([
            r.question.location, r.question.question_id or "", r.question.text, r.status,
            f"{r.match.score:.0f}" if r.match is not None else "", r.match.entry_id or "" if r.match is not None else "",
            suggestions(r),
            r.short_written or r.fact_value or "",
            "; ".join(f"{k}={v}" for k, v in a.facts) if a else "",
            "; ".join(e.title for e in a.evidence) if a else "",
            "; ".join(r.notes),
            "",
            "",
        ])
    return rows


def write_output(filled: FilledQuestionnaire, dest: Path, fmt: OutputFormat, *, force: bool = False,
                 review_sheet: bool = True, clean: bool = False) -> OutputFormat:
    """Write ``filled`` to ``dest`` in ``fmt``; returns the format actually written."""
    src = filled.questionnaire.path
    fmt = resolve_format(fmt, src, filled.questionnaire.format, dest)
    writer = _writer(fmt, filled, review_sheet=review_sheet and not clean, clean=clean)
    with atomic_path(dest, force=force, protect=(src,)) as tmp:
        writer(tmp)
    return fmt


def _writer(fmt: OutputFormat, filled: FilledQuestionnaire, *, review_sheet: bool, clean: bool) -> Callable[[Path], object]:
    src = filled.questionnaire.path
    writes = filled.writes
    if clean:
        from .exporters.interface import SlotWrite

        writes = [SlotWrite(w.address, w.value, False, None, w.overwrite) for w in writes]
    if fmt is OutputFormat.SAME or fmt is OutputFormat.AUTO:
        kind = filled.questionnaire.format
        if kind == "xlsx":
            from .exporters.xlsx_patch import patch_xlsx

            rows = review_rows(filled) if review_sheet else None
            # No fullCalcOnLoad: it would change workbook.xml, and the promise is that only answer sheets change.
            return lambda tmp: patch_xlsx(src, tmp, writes, review_sheet=rows, review_fill=None if clean else "FFFFF2CC",
                                          force_recalc=False)
        if kind == "docx":
            from .exporters.docx_inplace import write_docx

            return lambda tmp: write_docx(src, tmp, writes)
        if kind == "csv":
            from .exporters.csv_inplace import write_csv

            return lambda tmp: write_csv(src, tmp, writes)
        if kind == "vsaq":
            from .exporters.vsaq_answers import write_vsaq_answers

            return lambda tmp: write_vsaq_answers(tmp, writes, template=src)
        raise OutputError(f"{src}: cannot write answers into a {kind} file in place; use --format xlsx or docx")
    if fmt is OutputFormat.XLSX:
        from .exporters.xlsx_doc import XlsxAnswerDocument

        return lambda tmp: XlsxAnswerDocument().write(filled, tmp)
    if fmt is OutputFormat.DOCX:
        from .exporters.docx_doc import DocxAnswerDocument

        return lambda tmp: DocxAnswerDocument().write(filled, tmp)
    if fmt is OutputFormat.CSV:
        from .exporters.flat import CsvExporter

        return lambda tmp: CsvExporter().write(filled, tmp)
    if fmt is OutputFormat.JSON:
        from .exporters.flat import JsonExporter

        return lambda tmp: JsonExporter().write(filled, tmp)
    if fmt is OutputFormat.MD:
        from .exporters.flat import MarkdownExporter

        return lambda tmp: MarkdownExporter().write(filled, tmp)
    _assert_never(fmt)


def _assert_never(value: object) -> NoReturn:
    raise AssertionError(f"unhandled output format {value!r}")
