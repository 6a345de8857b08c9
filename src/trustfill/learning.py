"""Record reviewers' decisions so the next questionnaire with the same question is answered exactly."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError
from .workspace import find_workspace, load_library, require_clean


def record_decision(workspace: Path | None, question: str, entry_id: str | None, *, customer: str | None = None,
                    not_in_bank: bool = False) -> Path:
    """Save "QUESTION is ENTRY" (or not in bank) to the workspace's mappings.yaml; return its path."""
    from .matching.mappings import Mappings

    ws = find_workspace(workspace)
    if ws.is_default:
        raise UsageError("decisions are saved in a workspace; create one with 'trustfill init DIR' and run there")
    if entry_id is None and not not_in_bank:
        raise UsageError("give the bank ENTRY that answers the question, or --not-in-bank")
    if entry_id is not None:
        lib = require_clean(load_library(ws))
        if entry_id not in lib.entries:
            raise UsageError(f"no bank entry '{entry_id}'")
    path = ws.mappings_path
    mappings = Mappings.load(path) if path.is_file() else Mappings()
    mappings.record(question, entry_id, customer=customer)
    mappings.save(path)
    return path
