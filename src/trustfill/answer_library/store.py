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

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, StringConstraints, ValidationError

from .._files import write_text_atomic
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


_FIELD_NAMES = [f.name for f in dataclasses.fields(PastAnswer)]


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


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_library_file(model: LibraryFile) -> str:
    """YAML text of a library file (keys in model order, empty values left out)."""
    data = model.model_dump(exclude_none=True)
    for answer in data["answers"]:
        if not answer.get("flags"):
            answer.pop("flags", None)
    # libyaml's emitter: the pure-Python one takes longer than reading the questionnaire.
    return _HEADER + yaml.dump(data, Dumper=_FAST_DUMPER, sort_keys=False, allow_unicode=True, width=110)


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically; False (and nothing written) when the file already holds it."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_text_atomic(path, text, "the library file")
    return True




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
    """Every past answer of a workspace, indexed by question wording, by (family, id) and by bank entry.

    A library loaded from the cache keeps its answers unread until a lookup returns them, and its index comes
    ready-made from the cache: a fill looks up a few hundred of 15,000 answers, and reading or indexing every one
    would cost more than the fill itself.
    """

    def __init__(self, answers: Iterable[PastAnswer] = ()) -> None:
        self._items: list[PastAnswer | None] = []
        self._refs: list[list[int]] = []
        self._files: list[Any] = []
        self._dates: list[str] = []
        self._keys: list[str] = []
        self._owners: list[str | None] = []
        self._reviewed: list[bool] = []
        self.by_key: dict[str, list[int]] = {}
        self.by_id: dict[str, list[int]] = {}
        self.by_entry: dict[str, list[int]] = {}
        self._customers: set[str] = set()
        for answer in answers:
            self.add(answer)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, answer: PastAnswer, ref: list[int] | None = None) -> None:
        """Index one answer (newest first within each bucket is restored by :meth:`sort`)."""
        self._index(answer, ref or [-1, len(self._items)], *_keys(answer))

    def _index(self, item: PastAnswer | None, ref: list[int], key: str, fid: str | None, family: str,
               entry_id: str | None, match: str | None, customer: str | None, date: str, reviewed: bool) -> None:
        i = len(self._items)
        self._items.append(item)
        self._refs.append(ref)
        self._dates.append(date)
        self._keys.append(key)
        self._owners.append(customer.casefold() if customer else None)
        self._reviewed.append(bool(reviewed))
        if key:
            self.by_key.setdefault(key, []).append(i)
        if fid:
            self.by_id.setdefault(f"{family}\0{fid}", []).append(i)
        if entry_id and match in ("auto", "reviewer"):
            self.by_entry.setdefault(entry_id, []).append(i)
        if customer:
            self._customers.add(customer)

    def dump(self) -> dict[str, Any]:
        """The index as JSON-ready data (answers themselves are referenced as [file, row])."""
        return {"refs": self._refs, "dates": self._dates, "keys": self._keys, "owners": self._owners,
                "reviewed": self._reviewed, "by_key": self.by_key, "by_id": self.by_id, "by_entry": self.by_entry,
                "customers": sorted(self._customers)}

    @classmethod
    def from_dump(cls, data: dict[str, Any], files: list[Any]) -> AnswerLibrary:
        """A library whose index is ``data`` (from :meth:`dump`) and whose answers are read from ``files``."""
        library = cls()
        library._refs = data["refs"]
        library._items = [None] * len(library._refs)
        library._files = files
        library._dates, library._keys = data["dates"], data["keys"]
        library._owners, library._reviewed = data["owners"], data["reviewed"]
        library.by_key, library.by_id, library.by_entry = data["by_key"], data["by_id"], data["by_entry"]
        library._customers = set(data["customers"])
        return library

    def _get(self, i: int) -> PastAnswer:
        item = self._items[i]
        if item is None:
            file, row = self._refs[i]
            item = self._items[i] = self._files[file].get(row)
        return item

    def _date(self, i: int) -> str:
        return self._dates[i]

    def sort(self) -> None:
        """Newest first in every bucket: the latest signed answer is the one reused."""
        for table in (self.by_key, self.by_id, self.by_entry):
            for bucket in table.values():
                if len(bucket) > 1:
                    bucket.sort(key=self._date, reverse=True)

    @property
    def answers(self) -> list[PastAnswer]:
        """Every answer, in load order."""
        return [self._get(i) for i in range(len(self._items))]

    def best(self, key: str, *, customer: str | None = None, section: str | None = None) -> PastAnswer | None:
        """The answer to reuse for the question with this :func:`question_key`: a reviewer's corrected answer first
        (an expert approved it), then this customer's own, then the newest. With ``section`` (its
        ``question_key``), only answers from that section count.

        Decided from the index alone, so only the answer returned is read (a fill of a 300-question file against
        a library of fifty versions of it would otherwise read every one)."""
        indices = self.by_key.get(key, ())
        if section is not None:
            indices = [i for i in indices if question_key(self._get(i).section or "") == section]
        mine = customer.casefold() if customer else None
        # sorted() is stable: within each rank the bucket's newest-first order holds.
        ranked = sorted(indices, key=lambda i: (not self._reviewed[i], not (mine and self._owners[i] == mine)))
        return self._get(ranked[0]) if ranked else None

    def first_same_id(self, family: str, question_id: str | None, accept: Any) -> PastAnswer | None:
        """The newest answer to this customer id in this family whose question key ``accept`` takes."""
        fid = folded_id(question_id)
        for i in self.by_id.get(f"{family}\0{fid}", ()) if fid else ():
            if accept(self._keys[i]):
                return self._get(i)
        return None

    def newest_for_entry(self, entry_id: str) -> PastAnswer | None:
        """The newest answer confidently linked to this bank entry."""
        indices = self.by_entry.get(entry_id)
        return self._get(indices[0]) if indices else None

    def same_wording(self, key: str) -> list[PastAnswer]:
        """Answers to the question with this :func:`question_key`, newest first."""
        return [self._get(i) for i in self.by_key.get(key, ())]

    def same_id(self, family: str, question_id: str | None) -> list[PastAnswer]:
        """Answers to this customer id in this questionnaire family, newest first."""
        fid = folded_id(question_id)
        return [self._get(i) for i in self.by_id.get(f"{family}\0{fid}", ())] if fid else []

    def for_entry(self, entry_id: str) -> list[PastAnswer]:
        """Answers confidently linked to this bank entry, newest first."""
        return [self._get(i) for i in self.by_entry.get(entry_id, ())]

    def customers(self) -> set[str]:
        """Every customer named by a source."""
        return self._customers

    def conflicts(self) -> list[Conflict]:
        """Questions (same wording) answered differently in two sources."""
        out = []
        for key, indices in self.by_key.items():
            if len(indices) < 2:
                continue
            bucket = self.same_wording(key)
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


CACHE_DIR = ".cache"
"""Parsed answers of every library file (``index.json`` and one ``rows-<file>.json`` per file), keyed by each
file's size and modification time. YAML parsing is the cost of a large library (15,000 answers take seconds); the
index loads in a fraction of that, and a file's rows are read only when a lookup returns one of its answers. The
YAML files stay the truth: a file edited since is parsed again, and a missing or damaged cache is rebuilt."""
_CACHE_VERSION = 5
_FIELDS = _FIELD_NAMES


def _signature(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _read_index(cache: Path) -> dict[str, Any]:
    try:
        data = json.loads((cache / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == _CACHE_VERSION and isinstance(data.get("files"), dict) else {}


def _from_cache(row: list[Any]) -> PastAnswer:
    values = dict(zip(_FIELDS, row, strict=True))
    values["flags"] = tuple(values["flags"])
    values["date"] = dt.date.fromisoformat(values["date"])
    return PastAnswer(**values)


def _to_cache(answer: PastAnswer) -> list[Any]:
    return [getattr(answer, name).isoformat() if name == "date" else getattr(answer, name) for name in _FIELDS]


def _keys(answer: PastAnswer) -> list[Any]:
    return [answer.key, folded_id(answer.question_id), answer.family, answer.entry_id, answer.match, answer.customer,
            answer.date.isoformat(), answer.owner is not None or answer.match == "reviewer"]


class _Rows:
    """One library file's cached rows, read on first use; the YAML file again if the rows are gone or damaged."""

    def __init__(self, rows_path: Path, path: Path, shown: str, count: int) -> None:
        self.rows_path, self.path, self.shown, self.count = rows_path, path, shown, count
        self._answers: list[PastAnswer] | None = None

    def get(self, i: int) -> PastAnswer:
        if self._answers is None:
            try:
                rows = json.loads(self.rows_path.read_text(encoding="utf-8"))
                self._answers = [_from_cache(r) for r in rows]
            except (OSError, ValueError, TypeError, KeyError):
                self._answers = []
            if len(self._answers) != self.count:
                model, problems, _ = _load_one(self.path, self.shown)
                if model is None:
                    raise WorkspaceError.from_problems(problems)
                self._answers = past_answers(model, self.shown)
        return self._answers[i]


def _rows_name(name: str) -> str:
    return f"rows-{name}.json"


def load_answer_library(folder: Path, shown: str | None = None, *, positions: bool = False) -> AnswerLibrary:
    """Load every file of ``folder`` (missing folder: an empty library); ``positions`` keeps each answer's place.

    Raises:
        WorkspaceError: A file is not valid YAML, has unknown keys or bad values; every problem located.
    """
    paths = library_files(folder)
    cache_dir = folder / CACHE_DIR
    index = {} if positions else _read_index(cache_dir)
    cached_files = index.get("files", {})
    names = {p.name: f"{shown}/{p.name}" if shown else str(p) for p in paths}
    signatures = {p.name: _signature(p) for p in paths}

    def current(name: str) -> bool:
        entry = cached_files.get(name)
        return isinstance(entry, dict) and entry.get("signature") == signatures[name] and entry.get("shown") == names[name]

    def rows_of(path: Path) -> _Rows:
        return _Rows(cache_dir / _rows_name(path.name), path, names[path.name], len(cached_files[path.name]["keys"]))

    if index.get("order") == [p.name for p in paths] and all(current(p.name) for p in paths) and "library" in index:
        try:
            return AnswerLibrary.from_dump(index["library"], [rows_of(p) for p in paths])
        except (KeyError, TypeError):
            pass  # a damaged cache: rebuilt below
    library = AnswerLibrary()
    problems: list[Problem] = []
    fresh: dict[str, Any] = {}
    parsed: dict[str, list[PastAnswer]] = {}
    for file_no, path in enumerate(paths):
        name = names[path.name]
        keys = cached_files.get(path.name, {}).get("keys") if current(path.name) else None
        if isinstance(keys, list) and all(isinstance(k, list) and len(k) == 8 for k in keys):
            fresh[path.name] = cached_files[path.name]
            rows = rows_of(path)
            library._files.append(rows)
            for i, k in enumerate(keys):
                library._index(None, [file_no, i], *k)
            continue
        model, found, places = _load_one(path, name, positions=positions)
        problems.extend(found)
        library._files.append(_Parsed([]))
        if model is None:
            continue
        answers = past_answers(model, name, places)
        library._files[-1] = _Parsed(answers)
        parsed[path.name] = answers
        fresh[path.name] = {"signature": signatures[path.name], "shown": name, "keys": [_keys(a) for a in answers]}
        for i, answer in enumerate(answers):
            library.add(answer, [file_no, i])
    if problems:
        raise WorkspaceError.from_problems(problems)
    library.sort()
    if not positions:
        _write_cache(cache_dir, {"version": _CACHE_VERSION, "order": [p.name for p in paths], "files": fresh,
                                 "library": library.dump()}, parsed)
    return library


class _Parsed:
    """Answers parsed in this run (the same interface as :class:`_Rows`)."""

    def __init__(self, answers: list[PastAnswer]) -> None:
        self.answers = answers

    def get(self, i: int) -> PastAnswer:
        return self.answers[i]


def _write_cache(cache_dir: Path, index: dict[str, Any], parsed: dict[str, list[PastAnswer]]) -> None:
    # A cache that cannot be written (read-only workspace) only costs time on the next load.
    with contextlib.suppress(OutputError, OSError):
        for name, answers in parsed.items():
            write_atomic(cache_dir / _rows_name(name), json.dumps([_to_cache(a) for a in answers], ensure_ascii=False))
        write_atomic(cache_dir / "index.json", json.dumps(index, ensure_ascii=False))
        keep = {_rows_name(name) for name in index["files"]} | {"index.json"}
        for stale in cache_dir.glob("*.json"):
            if stale.name not in keep:
                stale.unlink()


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
