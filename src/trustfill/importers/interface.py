"""The importer interface: one module per format, each a small class."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..questionnaire import Questionnaire


@dataclass(frozen=True)
class ImportOptions:
    """Overrides for automatic detection (CLI flags or a saved layout file)."""

    sheet: str | None = None
    """Only this sheet (xlsx)."""
    question_col: str | None = None
    """Column letter (xlsx), header name or 1-based index (csv) holding the question text."""
    answer_col: str | None = None
    """Where the short answer goes."""
    comment_col: str | None = None
    """Where the narrative / comment goes."""
    id_col: str | None = None
    """Where the customer's question id is."""
    header_row: int | None = None
    """1-based header row."""
    encoding: str | None = None
    """Text encoding hint (csv)."""


class Importer(abc.ABC):
    """Reads one questionnaire format. Never modifies the file it reads."""

    format: ClassVar[str]
    """Short name: xlsx, csv, docx, vsaq."""
    suffixes: ClassVar[tuple[str, ...]]
    """File suffixes this importer claims, lowercase with the dot."""

    @abc.abstractmethod
    def collect(self, path: Path, options: ImportOptions) -> Questionnaire:
        """Find every question and answer slot; raise ImportFormatError for unreadable files."""
