"""Workspace settings: the optional ``trustfill.yaml`` at a workspace's root.

```yaml
matcher: semantic        # semantic (words and meaning, the default) | lexical (words only, no model)
model_dir: models/mpnet  # optional: another ONNX sentence encoder (model.onnx, tokenizer.json, model.yaml)
library_max_age_months: 12  # past answers older than this go to review, never auto
```

Unknown keys are errors, reported with their line and column. A missing file means the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from ._validate import load_validated
from .errors import WorkspaceError
from .models import Strict

SETTINGS_FILE = "trustfill.yaml"

MatcherKind = Literal["semantic", "lexical"]


class WorkspaceSettings(Strict):
    """Settings of one workspace (``trustfill.yaml``)."""

    matcher: MatcherKind = Field(
        "semantic",
        description="semantic: fuse the sentence model's similarity with the lexical score (default); "
        "lexical: words only, without the model.",
    )
    model_dir: Path | None = Field(
        None,
        description="Folder (relative to the workspace) of another ONNX sentence encoder: model.onnx, tokenizer.json "
        "and model.yaml declaring model_sha256 and tokenizer_sha256. Default: the bundled all-MiniLM-L6-v2.",
    )
    library_max_age_months: int = Field(
        12, ge=0, description="Past answers older than this many months go to review, never auto (0: always review)."
    )


def load_settings(root: Path) -> WorkspaceSettings:
    """The settings of the workspace at ``root`` (defaults when it has no ``trustfill.yaml``).

    Raises:
        WorkspaceError: The file is not valid YAML or has unknown keys or bad values (located).
    """
    path = root / SETTINGS_FILE
    if not path.is_file():
        return WorkspaceSettings()
    settings = load_validated(path, WorkspaceSettings, WorkspaceError, empty=WorkspaceSettings())
    if settings.model_dir is not None and not settings.model_dir.is_absolute():
        settings.model_dir = root / settings.model_dir
    return settings
