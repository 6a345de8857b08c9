"""Workspace settings: an optional ``trustfill.yaml`` at the workspace root, validated with located errors.

Minimal on this branch (the answer library's one setting); other settings join the same model.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ._validate import validate_located
from ._yaml import YamlLoadError, load_file
from .errors import WorkspaceError
from .models import Strict

SETTINGS_FILE = "trustfill.yaml"


class WorkspaceSettings(Strict):
    """``trustfill.yaml``: how this workspace behaves."""

    library_max_age_months: int = Field(
        12, ge=0, description="Past answers older than this many months go to review, never auto (0: always review)."
    )


def load_settings(workspace_root: Path) -> WorkspaceSettings:
    """The workspace's settings; the defaults when it has no ``trustfill.yaml``.

    Raises:
        WorkspaceError: The file is not valid YAML or has unknown keys or bad values (each located).
    """
    path = workspace_root / SETTINGS_FILE
    if not path.is_file():
        return WorkspaceSettings()
    try:
        located = load_file(path)
    except YamlLoadError as exc:
        raise WorkspaceError.from_problems([exc.problem]) from exc
    model, problems = validate_located(WorkspaceSettings, located)
    if model is None:
        raise WorkspaceError.from_problems(problems)
    return model
