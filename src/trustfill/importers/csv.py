"""CSV / TSV questionnaires, and the header-word helpers the docx importer shares.

Reading: the encoding is the ``--encoding`` hint, else found by BOM (UTF-16, UTF-8 with BOM), else
UTF-8, else cp1252 (what Excel on Windows writes). The delimiter is ``,``, ``;`` or tab, whichever
splits the first records into the most rows of equal width. The header row is the one among the
first 30 records whose short cells name the most roles, and it must name a question column.

Addresses: a slot is ``row:col``, both 1-based, where ``row`` is the CSV *record* number (a quoted
cell with line breaks makes one record span several lines) and ``col`` the field number. Human
locations say ``row 7``. :func:`records` is the one record splitter both this importer and
:mod:`trustfill.exporters.csv_inplace` use, so their numbering always agrees.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..errors import ImportFormatError, Problem, UsageError
from ..questionnaire import AnswerSlot, Layout, Questionnaire, QuestionRow, SlotKind, SlotState
from ._container import read_input
from .interface import Importer, ImportOptions

DELIMITERS = (",", ";", "\t")
HEADER_SCAN = 30
SNIFF_RECORDS = 50
MAX_HEADER_WORDS = 6
MAX_HEADER_COLUMNS = 256

# Header words per role, checked in this order: "Question ID" is an id, "Response comments" a comment.
_ID_EXACT = {
    "id", "#", "no", "nr", "num", "number", "ref", "ref #", "ref no", "reference", "q #", "q no", "qid", "q id",
    "question #", "question no", "question number", "item #", "item no", "s no", "sl no", "sr no", "serial",
    "identifier", "key", "control #", "control no", "control number", "criteria #",
}
# Labels of form fields ("Requirement owner", "Response date") rather than question-table headers.
_FORM_WORDS = {"owner", "date", "signature", "signed", "name", "version", "approver", "approved", "reviewer", "email",
               "phone", "title", "organization", "organisation", "company", "by"}
_ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # CAIQ v4's shared-responsibility columns ("SSRM Control Ownership", "CSC Responsibilities").
    ("ownership", ("ssrm", "control ownership", "shared responsibility")),
    ("customer_responsibility", ("csc responsibility", "csc responsibilities", "customer responsibility",
                                 "customer responsibilities")),
    ("comment", ("evidence", "attachment", "attachments", "artifact", "artifacts", "supporting documentation",
                 "supporting documents", "documentation link", "links", "references", "reference documents")),
    ("narrative", ("comment", "comments", "note", "notes", "remark", "remarks", "explanation", "explain",
                   "justification", "additional information", "additional info", "additional details", "details",
                   "narrative", "clarification", "elaborate", "action items", "description of response",
                   "implementation description")),
    ("short", ("answer", "answers", "response", "responses", "reply", "yes/no", "y/n", "yes no", "implementation",
               "implemented", "status", "compliant", "compliance", "selection", "choice", "vendor answer")),
    ("section", ("section", "category", "domain", "area", "topic", "chapter", "heading", "family", "control family",
                 "group")),
    ("question", ("question", "questions", "question text", "requirement", "requirements", "control", "practice",
                  "criteria", "criterion", "query", "statement", "description", "item", "assessment question")),
)
_SHORT_VALUES = {"yes", "no", "n/a", "na", "not applicable", "partial", "partially", "y", "n", "unknown", "planned",
                 "in progress", "true", "false", "compliant", "non compliant", "not compliant"}
_PLACEHOLDER = re.compile(
    r"^(?:\[.*\]|<.*>|\(.*\)|_+|\.{3,}|…|-|x+|tbd|tbc|select(?: one)?|choose(?: one| an item)?\.?|"
    r"(?:click|tap)(?: or tap)? here to enter(?: a)? (?:text|date)\.?|"
    r"(?:please )?(?:enter|type|insert|add|provide)(?: your)? (?:response|answer|text|comments?|details)(?: here)?\.?|"
    r"(?:response|answer|comments?)(?: here)?:?|yes ?/ ?no(?: ?/ ?n/?a)?|y/n)$",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|shall|"
    r"may|must|how|what|when|where|which|who|whom|why|describe|explain|provide|list|identify|state|specify|"
    r"confirm|indicate|please|outline|detail|summari[sz]e|attach|upload|name)\b",
    re.IGNORECASE,
)
_NUMBERED_SECTION = re.compile(r"^(?:section|part|chapter|domain)?\s*[\dA-Z]{1,3}(?:\.\d+)*[.):]?\s+\S", re.IGNORECASE)


def normalise_header(text: str) -> str:
    """Header text folded for matching: NFKC, casefold, punctuation other than ``#`` and ``/`` to spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w#/]+", " ", text).replace("_", " ")
    text = re.sub(r"\s*/\s*", "/", text)
    return " ".join(text.split())


def _has_phrase(norm: str, phrase: str) -> bool:
    if "/" not in phrase:  # "evidence/demonstration" holds "evidence"; "yes/no" must match whole
        norm = norm.replace("/", " ")
    return re.search(rf"(?<![\w/]){re.escape(phrase)}(?![\w/])", norm) is not None


def header_role(text: str) -> str | None:
    """The role a header cell names (question, short, narrative, comment, id, section) or None."""
    if len(text) > 80:  # before any regex: a megabyte-long cell must cost nothing here
        return None
    norm = normalise_header(text)
    if not norm or len(norm.split()) > MAX_HEADER_WORDS:
        return None
    if _FORM_WORDS.intersection(norm.replace("/", " ").split()):
        return None
    if norm in _ID_EXACT or (norm.endswith(" id") and len(norm.split()) <= 3) or norm.endswith(" #"):
        return "id"
    for role, phrases in _ROLE_WORDS:
        if any(_has_phrase(norm, p) for p in phrases):
            return role
    return None


def header_roles(cells: Sequence[str]) -> dict[str, int]:
    """Role -> 0-based index of the leftmost cell naming it."""
    roles: dict[str, int] = {}
    # Real headers have a few dozen columns; a hostile one-line file has hundreds of thousands.
    for i, cell in enumerate(cells[:MAX_HEADER_COLUMNS]):
        role = header_role(cell)
        if role is not None and role not in roles:
            roles[role] = i
    return roles


def allowed_from_header(text: str) -> tuple[str, ...] | None:
    """Choices spelled in a header such as ``Response (Yes/No/N/A)``; None when it spells none."""
    for chunk in [*re.findall(r"\(([^()]*)\)", text), text]:
        parts = [p.strip() for p in re.split(r"\s*(?<!\bn)/(?!a\b)\s*|\s*[|,]\s*|\s+or\s+", chunk, flags=re.IGNORECASE)
                 if p.strip()]
        if len(parts) >= 2 and all(normalise_header(p).replace("/", "") in {v.replace("/", "") for v in _SHORT_VALUES}
                                   for p in parts):
            return tuple(parts)
    return None


def slot_state(text: str) -> tuple[SlotState, str | None]:
    """State and current text of a cell: empty, placeholder, formula or answered."""
    stripped = text.strip()
    if not stripped:
        return SlotState.EMPTY, None
    if stripped.startswith("="):
        return SlotState.FORMULA, stripped
    if _PLACEHOLDER.match(stripped):
        return SlotState.PLACEHOLDER, stripped
    return SlotState.ANSWERED, stripped


def looks_like_question(text: str) -> bool:
    """True for question-ish text: a question mark, a question/imperative opening, or four words or more."""
    stripped = text.strip()
    return "?" in stripped or bool(_QUESTION_START.match(stripped)) or len(stripped.split()) >= 4


def looks_like_section(text: str) -> bool:
    """True for short heading-like text: ``Access Control``, ``3. NETWORK SECURITY``, ``Privacy:``."""
    stripped = text.strip()
    words = stripped.split()
    if not words or "?" in stripped or len(words) > MAX_HEADER_WORDS or _QUESTION_START.match(stripped):
        return False
    if not re.search(r"[^\W\d_]{3,}", stripped):  # "Q2", "1.4": ids, not headings
        return False
    if stripped.endswith(":") or stripped.isupper():
        return True
    small = {"and", "or", "of", "the", "for", "to", "in", "on", "a", "an", "&", "-", "/"}
    body = words[1:] if _NUMBERED_SECTION.match(stripped) else words
    return all(w[:1].isupper() or w.lower() in small or not w[:1].isalpha() for w in body)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written, so the writer can write it back the same way."""

    encoding: str
    """Codec name for :func:`open`: ``utf-8``, ``utf-8-sig`` (keeps the BOM), ``utf-16``, ``cp1252``..."""
    delimiter: str
    """``,``, ``;`` or a tab."""


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record and the exact text it came from."""

    number: int
    """1-based record number (the row in ``row:col`` addresses)."""
    line: int
    """1-based line the record starts on."""
    cells: list[str]
    """Parsed fields."""
    raw: str
    """Source text of the record, line ending included."""


def _split_lines(text: str) -> list[str]:
    """Lines with their endings; only CR, LF and CRLF end a line (unlike str.splitlines)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)


class _Tap:
    """Feeds lines to csv.reader and remembers which ones each record used."""

    def __init__(self, lines: list[str]) -> None:
        self._it = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.taken.append(line)
        return line


def records(text: str, delimiter: str, where: str = "<csv>") -> list[CsvRecord]:
    """Split decoded CSV text into records, keeping each record's raw text."""
    tap = _Tap(_split_lines(text))
    reader = csv.reader(tap, delimiter=delimiter, strict=False)
    out: list[CsvRecord] = []
    line = 1
    try:
        for number, cells in enumerate(reader, start=1):
            raw = "".join(tap.taken)
            tap.taken = []
            out.append(CsvRecord(number, line, cells, raw))
            line += raw.count("\n") or raw.count("\r") or 1
    except csv.Error as exc:
        raise ImportFormatError(f"{where}:{line}: cannot read this CSV record ({exc})") from exc
    if out and _unterminated(out[-1], delimiter):
        last = out[-1]
        spans = last.raw.count("\n") or last.raw.count("\r")
        raise ImportFormatError(
            f"{where}:{last.line}: a quoted field opened in record {last.number} is never closed, so the remaining "
            f"{spans} line(s) would merge into one cell; close the quote (or double a quote meant literally) and try again"
        )
    return out


def _unterminated(rec: CsvRecord, delimiter: str) -> bool:
    """True when the record ends the file inside a quoted field (the lenient reader swallows the rest of the file)."""
    if '"' not in rec.raw or not re.search(r"[\r\n].", rec.raw, re.DOTALL):
        return False
    try:
        list(csv.reader(_split_lines(rec.raw), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``: the hint, else BOM, else UTF-8, else cp1252. Returns (text, encoding used)."""
    if encoding:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), encoding
        except LookupError as exc:  # unknown, or a codec that is not a text encoding (rot13, base64)
            raise UsageError(f"{path}: unknown encoding {encoding!r} (not a text encoding); try utf-8, utf-8-sig or cp1252") from exc
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"{path}: not valid {encoding} (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); try another --encoding"
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: starts like UTF-16 but is not valid UTF-16; pass --encoding") from exc
    for candidate in ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8", "cp1252"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(f"{path}: neither UTF-8 nor cp1252 text; pass --encoding with the file's encoding")


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """The delimiter that splits the first records into the most rows of equal width (>1 field)."""
    sample = text[: 64 * 1024]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    preferred = "\t" if suffix in (".tsv", ".txt") else ","
    best, best_score = preferred, (0, 0, 0)
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delim) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        widths = Counter(len(r) for r in rows[:SNIFF_RECORDS])
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        score = (count if width > 1 else 0, width, int(delim == preferred))
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(path: Path, encoding: str | None = None) -> tuple[CsvDialect, list[CsvRecord]]:
    """Read ``path``: its dialect and its records. Raises ImportFormatError for files that are not text."""
    data = read_input(path)
    if data.startswith(b"PK\x03\x04"):
        raise ImportFormatError(f"{path}: this is a zip (an .xlsx or .docx?) named {path.suffix}; rename it to its real extension")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFormatError(f"{path}: this is a legacy Office file (.xls?) named {path.suffix}; save it as .csv or .xlsx")
    text, used = decode(data, path, encoding)
    if "\x00" in text:
        raise ImportFormatError(f"{path}: contains NUL characters; it is not a text CSV (or pass the right --encoding)")
    delimiter = sniff_delimiter(text, path.suffix.lower())
    return CsvDialect(used, delimiter), records(text, delimiter, str(path))


def sniff_csv(path: Path, encoding: str | None = None) -> CsvDialect:
    """Encoding and delimiter of ``path``, found exactly as the importer finds them."""
    return read_csv(path, encoding)[0]


def _col_name(index: int) -> str:
    return str(index + 1)


def _letters_to_index(ref: str) -> int:
    n = 0
    for ch in ref.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def resolve_column(ref: str, header: Sequence[str], flag: str, where: str) -> int:
    """0-based column for an override given as a header name, a 1-based index or a column letter."""
    ref = ref.strip()
    if ref.isdigit() and int(ref) >= 1:
        return int(ref) - 1
    wanted = normalise_header(ref)
    for i, cell in enumerate(header):
        if normalise_header(cell) == wanted:
            return i
    if re.fullmatch(r"[A-Za-z]{1,3}", ref):
        return _letters_to_index(ref)
    names = ", ".join(repr(h) for h in header if h.strip()) or "(none)"
    raise UsageError(f"{where}: {flag} {ref!r} names no column; use a header name, a 1-based number or a letter (headers: {names})")


_FLAGS = {"question": "--question-col", "short": "--answer-col", "narrative": "--comment-col", "id": "--id-col"}


def _choose_header(rows: list[CsvRecord], options: ImportOptions, path: Path) -> tuple[int, dict[str, int], float]:
    """Index into ``rows`` of the header, its role map (after overrides) and a confidence score."""
    if options.header_row is not None:
        if not 1 <= options.header_row <= len(rows):
            raise UsageError(f"{path}: --header-row {options.header_row} is outside the file's {len(rows)} rows")
        pick, score = options.header_row - 1, 1.0
    else:
        best: tuple[int, int] | None = None
        pick = 0
        for i, rec in enumerate(rows[:HEADER_SCAN]):
            roles = header_roles(rec.cells)
            if "question" not in roles and not options.question_col:
                continue
            rank = (len(roles) + ("short" in roles), -i)
            if best is None or rank > best:
                best, pick = rank, i
        if best is None:
            raise ImportFormatError(
                f"{path}: no header row naming a question column in the first {HEADER_SCAN} rows; "
                f"pass --question-col (and --header-row) to say where the questions are"
            )
        score = min(1.0, 0.4 + 0.2 * best[0]) if best[0] else 0.3
    header = rows[pick].cells
    roles = header_roles(header)
    for role, ref in (("question", options.question_col), ("short", options.answer_col),
                      ("narrative", options.comment_col), ("id", options.id_col)):
        if ref:
            roles[role] = resolve_column(ref, header, _FLAGS[role], str(path))
            score = 1.0
    if options.comment_col and "comment" in roles and roles["comment"] == roles["narrative"]:
        del roles["comment"]
    if "question" not in roles:
        raise ImportFormatError(f"{path}: row {pick + 1}: no question column in the header; pass --question-col")
    return pick, roles, score


class CsvImporter(Importer):
    """Reads CSV/TSV questionnaires: one question per row under a detected header row."""

    format: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".txt")

    def collect(self, path: Path, options: ImportOptions) -> Questionnaire:
        """Find the header row, map its columns and read every question row."""
        dialect, rows = read_csv(path, options.encoding)
        pick, roles, score = _choose_header(rows, options, path)
        header = rows[pick].cells
        allowed = allowed_from_header(header[roles["short"]]) if "short" in roles and roles["short"] < len(header) else None
        kinds = [(SlotKind.SHORT, "short"), (SlotKind.NARRATIVE, "narrative"), (SlotKind.COMMENT, "comment"),
                 (SlotKind.OWNERSHIP, "ownership"), (SlotKind.CUSTOMER_RESPONSIBILITY, "customer_responsibility")]
        questions: list[QuestionRow] = []
        problems: list[Problem] = []
        seen_ids: dict[str, int] = {}
        section: str | None = None

        def cell(rec: CsvRecord, role: str) -> str:
            i = roles.get(role)
            return rec.cells[i].strip() if i is not None and i < len(rec.cells) else ""

        for rec in rows[pick + 1 :]:
            if not any(c.strip() for c in rec.cells):
                continue
            text, qid = cell(rec, "question"), cell(rec, "id") or None
            if cell(rec, "section"):
                section = cell(rec, "section")
            filled = [c.strip() for c in rec.cells if c.strip()]
            answers = [cell(rec, r) for _, r in kinds]
            if not text:
                if len(filled) == 1 and looks_like_section(filled[0]):
                    section = filled[0].rstrip(":").strip()
                elif qid:
                    problems.append(Problem(f"{path}:{rec.line}", f"row {rec.number}: id {qid!r} but no question text; skipped", "warning"))
                continue
            if not qid and not any(answers) and looks_like_section(text) and not looks_like_question(text.rstrip(":")):
                section = text.rstrip(":").strip()
                continue
            if qid:
                if qid in seen_ids:
                    problems.append(Problem(f"{path}:{rec.line}", f"row {rec.number}: id {qid!r} repeats row {seen_ids[qid]}", "warning"))
                seen_ids.setdefault(qid, rec.number)
            slots = []
            for kind, role in kinds:
                if role in roles:
                    state, current = slot_state(cell(rec, role))
                    slots.append(AnswerSlot(kind, f"{rec.number}:{roles[role] + 1}", state, current,
                                            allowed if kind is SlotKind.SHORT else None))
            questions.append(QuestionRow(f"row {rec.number}", text, tuple(slots), qid, section))
        matched = ", ".join(f"{role}={header[i]!r}" if i < len(header) else f"{role}=col {i + 1}" for role, i in roles.items())
        note = (f"encoding {dialect.encoding}, delimiter {'TAB' if dialect.delimiter == chr(9) else repr(dialect.delimiter)}, "
                f"header row {pick + 1} ({matched})")
        if not any(role in roles for _, role in kinds):
            note += "; no answer column: questions are listed but nothing can be written (pass --answer-col)"
        layout = Layout(path.name, pick + 1, {role: _col_name(i) for role, i in roles.items()}, score, len(questions), note)
        return Questionnaire(path, "csv", tuple(questions), (layout,), tuple(problems))
