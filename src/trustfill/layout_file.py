"""Saved layouts: a customer's recurring format, so detection overrides need not be typed every time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ._validate import load_validated
from .errors import ImportFormatError
from .importers.interface import ImportOptions
from .models import Strict


class SavedLayout(Strict):
    """A layout file (YAML): the same keys as the import flags."""

    sheet: str | None = None
    question_col: str | None = None
    answer_col: str | None = None
    comment_col: str | None = None
    id_col: str | None = None
    header_row: int | None = Field(None, ge=1)
    encoding: str | None = None


def load_layout(path: Path) -> ImportOptions:
    """Read a saved layout; raise a located error for unknown keys or bad values."""
    return ImportOptions(**load_validated(path, SavedLayout, ImportFormatError).model_dump())


def merge_options(base: ImportOptions, **flags: object) -> ImportOptions:
    """Flags given on the command line win over the saved layout."""
    values = {k: v for k, v in flags.items() if v is not None}
    return ImportOptions(**{**base.__dict__, **values})
