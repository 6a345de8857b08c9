"""The answer library on disk: ``library/*.yaml``, one file per harvested source, validated with located errors.

A library file is something people read and correct (drop a stale answer, remove a flag once the text is
made generic), so it is a pydantic model with ``extra="forbid"`` like the bank::

    source:
      file: hecvat-2025-state-university.xlsx
      sha256: 3f1c...             # content hash: harvesting the same file again changes nothing
      format: xlsx
      family: hecvat              # questionnaire family: ids are compared within one family only
      customer: State University
      date: 2025-10-01            # when the answers were given (signed)
    answers:
      - question: Do you enforce MFA for administrators?
        question_id: HFIH-04
        section: Authentication
        cell: Analyst!D42
        answer: "Yes"             # short answer as written
        normalised: "Yes"         # as one of the linked entry's choices, when it maps
        narrative: All admin access requires ...
        evidence: SOC 2 report
        entry: iam-mfa-admin      # the bank entry the matcher linked, with its outcome and score
        match: auto
        score: 91.2
        flags: [names the customer 'State University']

Only answered questions are kept, never the customer's whole file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import Field, StringConstraints, ValidationError

from .._validate import validate_located
from .._yaml import YamlLoadError, load_file
from ..errors import OutputError, Problem, WorkspaceError
from ..matching.normalize import question_key
from ..models import ID_PATTERN, Strict

LIBRARY_DIR = "library"
EntryId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
MatchStatus = Literal["auto", "review", "unmatched", "skipped", "reviewer"]

_HEADER = (
    "# Past answers harvested by 'trustfill harvest' (or corrected by a reviewer, 'trustfill learn --from').\n"
    "# Edit freely: drop stale answers, fix 'entry', remove a flag once the text is generic. See README, 'harvest'.\n"
)


class LibrarySource(Strict):
    """Where a library file's answers came from."""

    file: str = Field(min_length=1, description="The source file's name.")
    sha256: str | None = Field(None, description="Content hash of the source file (re-harvest detection).")
    format: str = Field(min_length=1, description="xlsx, csv, docx, vsaq or review.")
    family: str = Field(min_length=1, description="Questionnaire family (e.g. hecvat); ids match within one family.")
    customer: str | None = Field(None, min_length=1, description="The customer the answers were given to.")
    date: dt.date = Field(description="When the answers were given, YYYY-MM-DD.")


class LibraryAnswer(Strict):
    """One answered question."""

    question: str = Field(min_length=1, description="The question as the customer wrote it.")
    question_id: str | None = Field(None, description="The customer's id for the question.")
    section: str | None = None
    cell: str = Field(min_length=1, description="Where the answer was: Sheet!D42, table 3 row 2, item id.")
    answer: str | None = Field(None, description="Short answer as written.")
    normalised: str | None = Field(None, description="The short answer as one of the linked entry's choices.")
    narrative: str | None = Field(None, description="Narrative / comment text.")
    evidence: str | None = Field(None, description="Evidence named in the answer's evidence or reference column.")
    entry: EntryId | None = Field(None, description="Linked bank entry.")
    match: MatchStatus | None = Field(None, description="How the entry was linked.")
    score: float | None = Field(None, ge=0, le=100)
    flags: list[str] = Field(default_factory=list, description="Why the answer is customer-specific; reuse goes to review.")
    owner: str | None = Field(None, description="Who owns this answer (a reviewer's corrected text).")


class LibraryFile(Strict):
    """One file under library/."""

    source: LibrarySource
    answers: list[LibraryAnswer] = Field(default_factory=list)


@dataclass(frozen=True)
class PastAnswer:
    """A library answer with its source, as lookups return it."""

    question: str
    """The question as asked then."""
    key: str
    """``question_key`` of the question: same wording after normalisation."""
    section: str | None
    """Section the question sat under."""
    question_id: str | None
    """The customer's id then."""
    short: str | None
    """Short answer as written."""
    normalised: str | None
    """Short answer as one of the linked entry's choices."""
    narrative: str | None
    """Narrative as written."""
    evidence: str | None
    """Evidence named."""
    entry_id: str | None
    """Linked bank entry."""
    match: str | None
    """How it was linked (auto, review, unmatched, skipped, reviewer)."""
    score: float | None
    """Match score then."""
    flags: tuple[str, ...]
    """Why it is customer-specific."""
    owner: str | None
    """Reviewer who owns the text."""
    file: str
    """Source file name."""
    cell: str
    """Where in the source."""
    customer: str | None
    """Customer answered."""
    date: dt.date
    """When."""
    family: str
    """Questionnaire family."""
    place: str = ""
    """``library/x.yaml:12:5`` of the answer."""

    def source(self) -> str:
        """``file cell, date, customer X`` for reports and review notes."""
        who = f", customer {self.customer}" if self.customer else ""
        by = f", owned by {self.owner}" if self.owner else ""
        return f"{self.file} {self.cell}, {self.date.isoformat()}{who}{by}"

    @property
    def shown_short(self) -> str:
        """The short answer to compare and show: normalised when it mapped."""
        return self.normalised or self.short or ""


@dataclass(frozen=True)
class Conflict:
    """The same question answered differently in two sources."""

    question: str
    """The question (first source's wording)."""
    answers: tuple[PastAnswer, ...]
    """Every differing answer, newest first."""


KNOWN_FAMILIES = ("hecvat", "caiq", "cais", "sig", "vsaq", "cyberessentials", "soc2")
"""Standard questionnaires whose name a customer's file name usually carries (``Lakeside HECVAT 2026.xlsx``)."""


def family_of(path: Path | str) -> str:
    """Questionnaire family from a file name: a standard one it names, else its first word
    (``hecvat-full-3.06.xlsx`` -> ``hecvat``, ``acme-vendor-review.xlsx`` -> ``acme``)."""
    stem = Path(path).stem.casefold()
    words = re.findall(r"[a-z]+", stem)
    known = next((w for w in words if w in KNOWN_FAMILIES), None)
    return known or (words[0] if words else "questionnaire")


def folded_id(question_id: str | None) -> str | None:
    """A customer id compared loosely: ``HFIH-01``, ``hfih 01`` and ``HFIH_01`` are one id."""
    if not question_id:
        return None
    folded = re.sub(r"[^a-z0-9]+", "", question_id.casefold())
    return folded or None


def sha256_of(path: Path) -> str:
    """Content hash of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_name_for(source: LibrarySource) -> str:
    """library/ file name of a source: its stem and the start of its hash (stable across re-harvests)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(source.file).stem).strip("-.") or "source"
    tag = (source.sha256 or "")[:10] or source.date.isoformat()
    return f"{stem}-{tag}.yaml"


def dump_library_file(model: LibraryFile) -> str:
    """YAML text of a library file (keys in model order, empty values left out)."""
    data = model.model_dump(exclude_none=True)
    for answer in data["answers"]:
        if not answer.get("flags"):
            answer.pop("flags", None)
    return _HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically; False (and nothing written) when the file already holds it."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False) as tmp:
            tmp_name = tmp.name
            tmp.write(text)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the library file: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
    return True


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_one(path: Path, shown: str, *, positions: bool = False) -> tuple[LibraryFile | None, list[Problem], dict[int, str]]:
    """A library file, its problems and (with ``positions``) the ``path:line:col`` of each answer.

    Fast path first (libyaml, no positions): a large library is loaded on every fill. A file that fails is
    loaded again keeping positions, so its errors name ``path:line:col``.
    """
    if not positions:
        try:
            data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_FAST_LOADER)
            return LibraryFile.model_validate(data), [], {}
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError, OSError, TypeError, ValueError):
            pass
    try:
        located = load_file(path, shown)
    except YamlLoadError as exc:
        return None, [exc.problem], {}
    model, problems = validate_located(LibraryFile, located)
    places = {i: located.place(("answers", i)) for i in range(len(model.answers))} if model is not None else {}
    return model, problems, places


class AnswerLibrary:
    """Every past answer of a workspace, indexed by question wording, by (family, id) and by bank entry."""

    def __init__(self, answers: Iterable[PastAnswer] = ()) -> None:
        self.answers: list[PastAnswer] = []
        self.by_key: dict[str, list[PastAnswer]] = defaultdict(list)
        self.by_id: dict[tuple[str, str], list[PastAnswer]] = defaultdict(list)
        self.by_entry: dict[str, list[PastAnswer]] = defaultdict(list)
        for answer in answers:
            self.add(answer)

    def __len__(self) -> int:
        return len(self.answers)

    def add(self, answer: PastAnswer) -> None:
        """Index one answer (newest first within each bucket is restored by :meth:`sort`)."""
        self.answers.append(answer)
        if answer.key:
            self.by_key[answer.key].append(answer)
        fid = folded_id(answer.question_id)
        if fid:
            self.by_id[(answer.family, fid)].append(answer)
        if answer.entry_id and answer.match in ("auto", "reviewer"):
            self.by_entry[answer.entry_id].append(answer)

    def sort(self) -> None:
        """Newest first in every bucket: the latest signed answer is the one reused."""
        for table in (self.by_key, self.by_id, self.by_entry):
            for bucket in table.values():
                bucket.sort(key=lambda a: a.date, reverse=True)

    def customers(self) -> set[str]:
        """Every customer named by a source."""
        return {a.customer for a in self.answers if a.customer}

    def conflicts(self) -> list[Conflict]:
        """Questions (same wording) answered differently in two sources."""
        out = []
        for bucket in self.by_key.values():
            shorts = {_fold_short(a.shown_short) for a in bucket if a.shown_short}
            if len(shorts) > 1 and len({a.file for a in bucket}) > 1:
                seen: set[str] = set()
                differing = []
                for a in bucket:
                    folded = _fold_short(a.shown_short)
                    if folded and folded not in seen:
                        seen.add(folded)
                        differing.append(a)
                out.append(Conflict(bucket[0].question, tuple(differing)))
        return out


def _fold_short(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9/]+", text.casefold()))


def library_dir(workspace_root: Path) -> Path:
    """The workspace's library/ folder."""
    return workspace_root / LIBRARY_DIR


def library_files(folder: Path) -> list[Path]:
    """The library's YAML files, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))


def load_answer_library(folder: Path, shown: str | None = None, *, positions: bool = False) -> AnswerLibrary:
    """Load every file of ``folder`` (missing folder: an empty library); ``positions`` keeps each answer's place.

    Raises:
        WorkspaceError: A file is not valid YAML, has unknown keys or bad values; every problem located.
    """
    library = AnswerLibrary()
    problems: list[Problem] = []
    for path in library_files(folder):
        name = f"{shown}/{path.name}" if shown else str(path)
        model, found, places = _load_one(path, name, positions=positions)
        problems.extend(found)
        if model is None:
            continue
        for answer in past_answers(model, name, places):
            library.add(answer)
    if problems:
        raise WorkspaceError.from_problems(problems)
    library.sort()
    return library


def past_answers(model: LibraryFile, place: str = "", places: dict[int, str] | None = None) -> list[PastAnswer]:
    """The answers of one library file with their source attached."""
    src = model.source
    return [
        PastAnswer(
            a.question, question_key(a.question), a.section, a.question_id, a.answer, a.normalised, a.narrative, a.evidence,
            a.entry, a.match, a.score, tuple(a.flags), a.owner, src.file, a.cell, src.customer, src.date, src.family,
            (places or {}).get(i) or (f"{place}: answers[{i}]" if place else ""),
        )
        for i, a in enumerate(model.answers)
    ]
