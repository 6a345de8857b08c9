"""``trustfill harvest``: read questionnaires the company already answered into the answer library.

Every format the importers read works, because the importers already tell an empty answer slot from one that
holds an answer (:class:`~trustfill.questionnaire.SlotState`). A VSAQ answers file (``{item_id: value}``)
carries no questions, so it is read together with the VSAQ template it answers (``--vsaq-template``).
Each answered question is matched to the bank (status and score kept) and its short answer normalised to the
linked entry's choices where it maps.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ImportFormatError, OutputError, UsageError
from ..fill import fit_choice
from ..importers import ImportOptions, load_questionnaire
from ..models import DEFAULT_CHOICES
from ..questionnaire import QuestionRow, SlotKind, SlotState
from ..workspace import shown
from .store import (
    AnswerLibrary,
    Conflict,
    LibraryAnswer,
    LibraryFile,
    LibrarySource,
    dump_library_file,
    family_of,
    file_name_for,
    library_dir,
    load_answer_library,
    past_answers,
    sha256_of,
    write_atomic,
)

# Text that only makes sense for one customer: their contract, their agreement, their order.
CUSTOMER_SPECIFIC = re.compile(
    r"\b(?:your|the customer's|per (?:our|the|your)|under (?:our|the|your)|in (?:our|the|your)|our)\s+"
    r"(?:master services agreement|msa|contract|agreement|sow|statement of work|order form|purchase order|dpa|baa)\b"
    r"|\bagreement (?:with|between)\b|\bas agreed (?:with|in)\b|\bcontract (?:no\.?|number|#)\s*\S+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HarvestedFile:
    """What harvesting one file did."""

    source: str
    """The file read."""
    library_file: Path
    """The library file written (or already up to date)."""
    answers: int
    """Answered questions kept."""
    questions: int
    """Questions the importer found."""
    linked: int
    """Answers linked to a bank entry (auto or review)."""
    changed: bool
    """False when the library already held exactly this (re-harvest)."""
    flagged: int
    """Answers flagged as customer-specific."""


@dataclass(frozen=True)
class HarvestSummary:
    """``trustfill harvest``: per file, and the conflicts across the whole library."""

    files: tuple[HarvestedFile, ...]
    """One per source file."""
    conflicts: tuple[Conflict, ...]
    """Same question answered differently in two sources (whole library)."""
    library_answers: int
    """Answers in the library after harvesting."""
    draft: Any = None
    """The profile draft, with ``--propose-profile``."""


def customer_flags(text: str, customer: str | None) -> list[str]:
    """Why ``text`` is specific to one customer: it names them, or their contract."""
    flags = []
    if customer and len(customer.strip()) >= 3 and re.search(rf"(?<!\w){re.escape(customer.strip())}(?!\w)", text, re.IGNORECASE):
        flags.append(f"names the customer '{customer.strip()}'")
    found = CUSTOMER_SPECIFIC.search(text)
    if found:
        flags.append(f"customer-specific text: '{found.group(0)}'")
    return flags


def _answered(question: QuestionRow, kind: SlotKind) -> tuple[str | None, str | None]:
    slot = question.slot(kind)
    if slot is None or slot.state is not SlotState.ANSWERED or not (slot.current or "").strip():
        return None, None
    return slot.current.strip(), slot.address  # type: ignore[union-attr]


def _vsaq_answers(answers_path: Path, template: Path) -> tuple[Any, dict[str, str]]:
    """The template's questions, and the answer text of each item address."""
    from ..importers.vsaq import load_vsaq, vsaq_items

    try:
        values = json.loads(answers_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{answers_path}: not a VSAQ answers file ({exc})") from exc
    if not isinstance(values, dict):
        raise ImportFormatError(f"{answers_path}: not a VSAQ answers file (expected an object of item ids)")
    items, _ = vsaq_items(load_vsaq(template))
    texts: dict[str, str] = {}
    for item in items:
        if item.type in ("radiogroup", "checkgroup"):
            ticked = [caption for cid, caption in item.choices if str(values.get(cid, "")).casefold() == "checked"]
            if ticked:
                texts[item.address] = "; ".join(ticked)
        elif item.type == "yesno":
            value = str(values.get(item.address, "")).casefold()
            if value in ("yes", "no"):
                texts[item.address] = value.capitalize()
        elif item.type in ("radio", "check"):
            if item.address in values:
                texts[item.address] = "Yes" if str(values[item.address]).casefold() == "checked" else "No"
        else:
            value = values.get(item.address)
            if isinstance(value, str) and value.strip():
                texts[item.address] = value.strip()
    return load_questionnaire(template), texts


def read_answers(path: Path, *, import_options: ImportOptions | None = None,
                 vsaq_template: Path | None = None) -> tuple[Any, list[tuple[QuestionRow, dict[str, str]]]]:
    """The questionnaire and its answered questions, each with ``short``, ``narrative``, ``evidence``, ``cell``."""
    if path.suffix.lower() == ".json" and vsaq_template is None:
        from ..importers.vsaq import looks_like_vsaq

        if looks_like_vsaq(path):
            raise UsageError(f"{path}: is a VSAQ template (questions only); harvest the answers file, with --vsaq-template {path}")
        raise UsageError(f"{path}: a VSAQ answers file needs the template it answers: --vsaq-template TEMPLATE.json")
    if vsaq_template is not None:
        if not path.is_file():
            raise ImportFormatError(f"{path}: no such file")
        questionnaire, texts = _vsaq_answers(path, vsaq_template)
        out = []
        for q in questionnaire.questions:
            slot = q.slots[0] if q.slots else None
            if slot is None or slot.address not in texts:
                continue
            kind = "narrative" if slot.kind is SlotKind.NARRATIVE else "short"
            out.append((q, {kind: texts[slot.address], "cell": f"item {slot.address}"}))
        return questionnaire, out
    questionnaire = load_questionnaire(path, import_options)
    out = []
    for q in questionnaire.questions:
        short, short_at = _answered(q, SlotKind.SHORT)
        narrative, narrative_at = _answered(q, SlotKind.NARRATIVE)
        evidence, _ = _answered(q, SlotKind.COMMENT)
        if short is None and narrative is None:
            continue
        got = {"cell": short_at or narrative_at or q.location}
        if short is not None:
            got["short"] = short
        if narrative is not None:
            got["narrative"] = narrative
        if evidence is not None:
            got["evidence"] = evidence
        out.append((q, got))
    return questionnaire, out


def harvest_file(path: Path, matcher: Any, entries: dict[str, Any], *, customer: str | None = None,
                 date: dt.date | None = None, family: str | None = None, import_options: ImportOptions | None = None,
                 vsaq_template: Path | None = None) -> tuple[LibraryFile, int]:
    """The library file for one completed questionnaire, and how many questions it had."""
    questionnaire, answered = read_answers(path, import_options=import_options, vsaq_template=vsaq_template)
    matches = matcher.match_many([q for q, _ in answered], customer=customer) if answered else []
    answers = []
    for (q, got), m in zip(answered, matches, strict=True):
        entry = entries.get(m.entry_id) if m.entry_id and m.status in ("auto", "review") else None
        choices = entry.answer.choices if entry is not None else list(DEFAULT_CHOICES)
        short = got.get("short")
        normalised = fit_choice(short, choices) if short else None
        text = " ".join(v for v in (short, got.get("narrative"), got.get("evidence")) if v)
        answers.append(LibraryAnswer(
            question=q.text, question_id=q.question_id, section=q.section, cell=got["cell"], answer=short,
            normalised=normalised, narrative=got.get("narrative"), evidence=got.get("evidence"),
            entry=entry.id if entry is not None else None, match=m.status, score=round(float(m.score), 1),
            flags=customer_flags(text, customer),
        ))
    when = date or dt.date.fromtimestamp(path.stat().st_mtime)
    fmt = "vsaq" if vsaq_template is not None else questionnaire.format
    source = LibrarySource(file=path.name, sha256=sha256_of(path), format=fmt,
                           family=family or family_of(vsaq_template or path), customer=customer, date=when)
    return LibraryFile(source=source, answers=answers), len(questionnaire.questions)


def harvest(workspace_root: Path, files: Sequence[Path], matcher: Any, entries: dict[str, Any], *,
            customer: str | None = None, date: dt.date | None = None, family: str | None = None,
            import_options: ImportOptions | None = None, vsaq_template: Path | None = None) -> HarvestSummary:
    """Harvest ``files`` into ``workspace_root/library/``: all files are read before any is written."""
    folder = library_dir(workspace_root)
    built = [(path, *harvest_file(path, matcher, entries, customer=customer, date=date, family=family,
                                  import_options=import_options, vsaq_template=vsaq_template)) for path in files]
    done = []
    for path, model, questions in built:
        dest = folder / file_name_for(model.source)
        changed = write_atomic(dest, dump_library_file(model))
        done.append(HarvestedFile(
            str(path), dest, len(model.answers), questions,
            sum(1 for a in model.answers if a.entry), changed, sum(1 for a in model.answers if a.flags),
        ))
    library = load_answer_library(folder, shown(folder))
    return HarvestSummary(tuple(done), tuple(library.conflicts()), len(library))


def library_of(models: Sequence[LibraryFile]) -> AnswerLibrary:
    """An in-memory library of harvested files (for the profile draft and benchmarks)."""
    library = AnswerLibrary(a for m in models for a in past_answers(m))
    library.sort()
    return library


def run_harvest(workspace: Path | None, files: Sequence[Path], *, customer: str | None = None,
                date: dt.date | None = None, family: str | None = None, import_options: ImportOptions | None = None,
                vsaq_template: Path | None = None, propose_profile: Path | None = None,
                force: bool = False) -> HarvestSummary:
    """``trustfill harvest``: harvest ``files`` into the workspace's library; optionally draft a profile.

    Raises:
        UsageError: The workspace is the bundled default (the library belongs to a workspace of one's own).
        ImportFormatError: A file cannot be read (nothing is written then).
        OutputError: The draft profile exists without ``force``, or a file cannot be written.
    """
    from ..matching import Matcher
    from ..matching.mappings import Mappings
    from ..output import atomic_path
    from ..workspace import find_workspace, load_library, require_clean

    ws = find_workspace(workspace)
    if ws.is_default:
        raise UsageError("the answer library is kept in a workspace; create one with 'trustfill init DIR' and run there")
    if not files:
        raise UsageError("give the completed questionnaires to harvest")
    lib = require_clean(load_library(ws))
    mappings = Mappings.load(ws.mappings_path) if ws.mappings_path.is_file() else None
    matcher = Matcher(list(lib.entries.values()), mappings=mappings)
    if propose_profile is not None and propose_profile.exists() and not force:
        raise OutputError(f"{propose_profile}: already exists; use --force to replace it")
    summary = harvest(ws.root, files, matcher, lib.entries, customer=customer, date=date, family=family,
                      import_options=import_options, vsaq_template=vsaq_template)
    if propose_profile is None:
        return summary
    from .draft import draft_profile
    from .store import library_dir

    library = load_answer_library(library_dir(ws.root), shown(library_dir(ws.root)))
    draft = draft_profile(lib, library)
    with atomic_path(propose_profile, force=force) as tmp:
        tmp.write_text(draft.text, encoding="utf-8")
    return HarvestSummary(summary.files, summary.conflicts, summary.library_answers, draft)


def store_corrections(workspace_root: Path, reviewed: Path, corrections: Sequence[Any], entries: dict[str, Any], *,
                      customer: str | None = None, owner: str | None = None) -> Path | None:
    """Keep a reviewer's corrected answers (``Corrected answer`` column) as library answers owned by ``owner``.

    Returns the library file (None when there were no corrections). The short answer is the correction's first
    word when it is one of the entry's choices ("No. We ..."), so a dropdown still gets it.
    """
    if not corrections:
        return None
    answers = []
    for c in corrections:
        entry = entries.get(c.entry_id) if c.entry_id else None
        choices = entry.answer.choices if entry is not None else list(DEFAULT_CHOICES)
        first = re.split(r"[.,;:\s]", c.text.strip(), maxsplit=1)[0]
        short = fit_choice(first, choices) if first else None
        answers.append(LibraryAnswer(
            question=c.question, question_id=c.question_id, cell=c.location or c.place,
            answer=short or c.text, normalised=short, narrative=c.text if short else None,
            entry=entry.id if entry is not None else None, match="reviewer" if entry is not None else None,
            flags=customer_flags(c.text, customer), owner=owner,
        ))
    source = LibrarySource(file=reviewed.name, sha256=sha256_of(reviewed), format="review", family=family_of(reviewed),
                           customer=customer, date=dt.date.fromtimestamp(reviewed.stat().st_mtime))
    model = LibraryFile(source=source, answers=answers)
    dest = library_dir(workspace_root) / file_name_for(source)
    write_atomic(dest, dump_library_file(model))
    return dest
