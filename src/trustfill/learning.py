"""Record reviewers' decisions so the next questionnaire with the same question is answered exactly."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ImportFormatError, Problem, UsageError
from .review_decisions import ReviewedFile, read_review_decisions
from .workspace import Workspace, find_workspace, load_library, require_clean


def record_decision(workspace: Path | None, question: str, entry_id: str | None, *, customer: str | None = None,
                    not_in_bank: bool = False, decided_by: str | None = None) -> Path:
    """Save "QUESTION is ENTRY" (or not in bank) to the workspace's mappings.yaml; return its path."""
    ws = _decision_workspace(workspace)
    if entry_id is None and not not_in_bank:
        raise UsageError("give the bank ENTRY that answers the question, or --not-in-bank")
    if entry_id is not None:
        known = sorted(require_clean(load_library(ws)).entries)
        if entry_id not in known:
            raise UsageError(_unknown_entry(entry_id, known))
    return _save(ws, [(question, entry_id)], customer, decided_by)


def record_review(workspace: Path | None, reviewed: Path, *, customer: str | None = None,
                  decided_by: str | None = None) -> tuple[Path, ReviewedFile]:
    """Save every decision of a reviewed workbook's Decision column to the workspace's mappings.yaml, and every
    text of its Corrected answer column to the answer library (``library/``, owned by ``decided_by``).

    All or nothing: one decision naming no bank entry, or one unreadable cell, and nothing is saved.

    Returns:
        The mappings file and what was read from the workbook.

    Raises:
        UsageError: The workspace is the bundled default.
        ImportFormatError: The workbook cannot be read, or decisions name no bank entry (each one located).
    """
    ws = _decision_workspace(workspace)
    lib = require_clean(load_library(ws))
    known = sorted(lib.entries)
    read = read_review_decisions(reviewed)
    problems = [
        Problem(f"{reviewed}: {d.place}", _unknown_entry(d.entry_id, known))
        for d in read.decisions
        if d.entry_id is not None and d.entry_id not in known
    ]
    if problems:
        raise ImportFormatError.from_problems(problems)
    path = ws.mappings_path
    if read.decisions:
        path = _save(ws, [(d.question, d.entry_id) for d in read.decisions], customer, decided_by)
    if read.corrections:
        from .answer_library.harvest import store_corrections

        store_corrections(ws.root, reviewed, read.corrections, lib.entries, customer=customer, owner=decided_by)
    return path, read


def _decision_workspace(workspace: Path | None) -> Workspace:
    ws = find_workspace(workspace)
    if ws.is_default:
        raise UsageError("decisions are saved in a workspace; create one with 'trustfill init DIR' and run there")
    return ws


def _unknown_entry(entry_id: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(entry_id, known, n=1, cutoff=0.6)
    return f"no bank entry '{entry_id}'" + (f"; did you mean '{close[0]}'?" if close else "")


def _save(ws: Workspace, decisions: Iterable[tuple[str, str | None]], customer: str | None,
          decided_by: str | None) -> Path:
    from .matching.mappings import Mappings

    path = ws.mappings_path
    mappings = Mappings.load(path) if path.is_file() else Mappings()
    for question, entry_id in decisions:
        mappings.record(question, entry_id, customer=customer, decided_by=decided_by)
    mappings.save(path)
    return path
