"""Write outputs safely: never over the input, never a partial file, never over an existing file without --force."""

from __future__ import annotations

import contextlib
import enum
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from .errors import OutputError
from .exporters._review import review_table
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to judge
    return True


def _remove_stale_temps(dest: Path) -> None:
    """Remove temp files a killed earlier run left beside ``dest`` (``.NAME.PID.*.tmp`` whose PID is gone)."""
    prefix = f".{dest.name}."
    try:
        candidates = [p for p in dest.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return
    for path in candidates:
        pid = path.name[len(prefix):].split(".", 1)[0]
        try:
            if not pid.isdigit() or _pid_alive(int(pid)) or path.lstat().st_uid != os.getuid():
                continue
            path.unlink()
        except OSError:
            continue


@contextlib.contextmanager
def atomic_path(dest: Path, *, force: bool, protect: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; put it at ``dest`` only if the block succeeds.

    ``protect``: the input first, then the run's other outputs; ``dest`` may be none of them.
    Without ``force`` the destination is created exclusively (a hard link, which fails if it exists), so of
    two runs writing one output exactly one wins and the other fails cleanly. The file gets the mode a new
    file gets under the user's umask, or, replacing a file with ``force``, that file's mode.
    """
    for i, src in enumerate(protect):
        same = dest.resolve() == src.resolve() or (dest.exists() and src.exists() and os.path.samefile(dest, src))
        if same and i == 0:
            raise OutputError(f"{dest}: is the input file; trustfill never writes over the input, choose another path")
        if same:
            raise OutputError(f"{dest}: is also another output of this run; give each output its own path")
    if dest.exists() and not force:
        raise OutputError(f"{dest}: already exists; use --force to replace it")
    if dest.is_dir():
        raise OutputError(f"{dest}: is a folder; give a file name")
    if not dest.parent.is_dir():
        raise OutputError(f"{dest}: folder {dest.parent} does not exist")
    _remove_stale_temps(dest)
    try:
        mode = stat.S_IMODE(dest.stat().st_mode) if force and dest.is_file() else 0o666 & ~_umask()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.{os.getpid()}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
        os.chmod(tmp_name, mode)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write in {dest.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        if force:
            os.replace(tmp, dest)
        else:
            _publish_exclusively(tmp, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                tmp.unlink()


def _publish_exclusively(tmp: Path, dest: Path) -> None:
    """Put ``tmp`` at ``dest`` only if nothing is there yet (no check-then-rename race)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise OutputError(f"{dest}: was created by something else while trustfill ran; nothing was written over it") from None
    except OSError:
        # A file system without hard links: exclusive create, then copy the bytes in.
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(tmp.stat().st_mode))
        except FileExistsError:
            raise OutputError(f"{dest}: was created by something else while trustfill ran; nothing was written over it") from None
        try:
            with os.fdopen(fd, "wb") as out, tmp.open("rb") as fh:
                shutil.copyfileobj(fh, out)
        except OSError:
            with contextlib.suppress(OSError):
                dest.unlink()
            raise
    tmp.unlink()


def review_rows(filled: FilledQuestionnaire) -> list[list[str]]:
    """Rows of the 'trustfill review' sheet, header first, in decision order (see :mod:`exporters._review`)."""
    return review_table(filled).matrix()


def review_path_for(dest: Path) -> Path:
    """Where the review workbook goes by default: ``answers.xlsx`` -> ``answers.review.xlsx``, beside it."""
    return dest.with_name(f"{dest.stem}.review.xlsx")


def internal_path_for(dest: Path) -> Path:
    """Where ``--internal`` writes the reviewer's version: ``answers.docx`` -> ``answers.internal.docx``."""
    return dest.with_name(f"{dest.stem}.internal{dest.suffix}")


def write_output(filled: FilledQuestionnaire, dest: Path, fmt: OutputFormat, *, force: bool = False,
                 review_sheet: bool = False, clean: bool = True, protect: tuple[Path, ...] = ()) -> OutputFormat:
    """Write ``filled`` to ``dest`` in ``fmt``; returns the format actually written.

    ``clean`` (the default) is the customer's copy: answers only, no review colours, notes or sheet, and
    the answer documents without status, scores or notes. ``clean=False`` is the reviewer's version, with
    the 'trustfill review' sheet too when ``review_sheet`` (in-place xlsx only). ``protect``: other outputs
    of the run, which ``dest`` may not be.
    """
    src = filled.questionnaire.path
    fmt = resolve_format(fmt, src, filled.questionnaire.format, dest)
    with atomic_path(dest, force=force, protect=(src, *protect)) as tmp:
        write_output_to(filled, tmp, fmt, review_sheet=review_sheet, clean=clean, dest=dest)
    return fmt


def write_output_to(filled: FilledQuestionnaire, tmp: Path, fmt: OutputFormat, *, review_sheet: bool = False,
                    clean: bool = True, dest: Path | None = None) -> dict[str, str]:
    """Write ``filled`` to the staged path ``tmp`` (``fmt`` already resolved against ``dest``).

    Returns:
        Slot address -> why the writer left it unwritten (a shared or array formula's cell); the report
        must list exactly what was written.
    """
    check_container(filled, fmt, dest or tmp)
    writer = _writer(fmt, filled, review_sheet=review_sheet and not clean, clean=clean)
    result = writer(tmp)
    skipped = getattr(result, "skipped", ())
    return {s.address: s.reason for s in skipped}


def check_container(filled: FilledQuestionnaire, fmt: OutputFormat, dest: Path) -> None:
    """Refuse a copy whose name contradicts its content: Excel will not open macro content under ``.xlsx``."""
    if fmt not in (OutputFormat.SAME, OutputFormat.AUTO) or filled.questionnaire.format != "xlsx":
        return
    data = getattr(filled.questionnaire, "data", None)
    macro = data is not None and _has_macro_content_type(data)
    suffix = dest.suffix.lower()
    if macro and suffix == ".xlsx":
        raise OutputError(f"{dest}: the customer's workbook has macros (.xlsm content); Excel refuses it under "
                          f"an .xlsx name; write to {dest.with_suffix('.xlsm').name} instead")
    if data is not None and not macro and suffix == ".xlsm":
        raise OutputError(f"{dest}: the customer's workbook is a plain .xlsx; Excel refuses it under an .xlsm name; "
                          f"write to {dest.with_suffix('.xlsx').name} instead")


def _has_macro_content_type(data: bytes) -> bool:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            types = zf.read("[Content_Types].xml")
    except Exception:
        return False
    return b"macroEnabled" in types


def _writer(fmt: OutputFormat, filled: FilledQuestionnaire, *, review_sheet: bool, clean: bool) -> Callable[[Path], object]:
    src = filled.questionnaire.path
    data = getattr(filled.questionnaire, "data", None)  # the bytes answered; None for a questionnaire built by hand
    writes = filled.writes
    if clean:
        from .exporters.interface import SlotWrite

        writes = [SlotWrite(w.address, w.value, False, None, w.overwrite) for w in writes]
    if fmt is OutputFormat.SAME or fmt is OutputFormat.AUTO:
        kind = filled.questionnaire.format
        if kind == "xlsx":
            from .exporters.xlsx_patch import patch_xlsx

            table = review_table(filled) if review_sheet else None
            # No fullCalcOnLoad: it would change workbook.xml, and the promise is that only answer sheets change.
            # A review sheet left by an earlier run is always dropped, and replaced only when one is asked for.
            return lambda tmp: patch_xlsx(src, tmp, writes, review_sheet=table, review_fill=None if clean else "FFFFF2CC",
                                          force_recalc=False, data=data, fit_rows=True)
        if kind == "docx":
            from .exporters.docx_inplace import write_docx

            return lambda tmp: write_docx(src, tmp, writes, data=data)
        if kind == "csv":
            from .exporters.csv_inplace import write_csv

            return lambda tmp: write_csv(src, tmp, writes, data=data)
        if kind == "vsaq":
            from .exporters.vsaq_answers import write_vsaq_answers

            return lambda tmp: write_vsaq_answers(tmp, writes, template=src, data=data)
        raise OutputError(f"{src}: cannot write answers into a {kind} file in place; use --format xlsx or docx")
    if fmt is OutputFormat.XLSX:
        from .exporters.xlsx_doc import XlsxAnswerDocument

        return lambda tmp: XlsxAnswerDocument(internal=not clean).write(filled, tmp)
    if fmt is OutputFormat.DOCX:
        from .exporters.docx_doc import DocxAnswerDocument

        return lambda tmp: DocxAnswerDocument(internal=not clean).write(filled, tmp)
    if fmt is OutputFormat.CSV:
        from .exporters.flat import CsvExporter

        return lambda tmp: CsvExporter(internal=not clean).write(filled, tmp)
    if fmt is OutputFormat.JSON:
        from .exporters.flat import JsonExporter

        return lambda tmp: JsonExporter(internal=not clean).write(filled, tmp)
    if fmt is OutputFormat.MD:
        from .exporters.flat import MarkdownExporter

        return lambda tmp: MarkdownExporter(internal=not clean).write(filled, tmp)
    _assert_never(fmt)


def _assert_never(value: object) -> NoReturn:
    raise AssertionError(f"unhandled output format {value!r}")
