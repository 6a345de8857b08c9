"""The exporter interface, and the write instructions the in-place writers take."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class SlotWrite:
    """Put ``value`` at one answer slot of the customer's file."""

    address: str
    """The slot's address as the importer gave it (``Sheet!C14``, ``t3.r2.c1``, an item id, ``row:col``)."""
    value: str
    """Text to write. Writers never let it be evaluated as a formula."""
    review: bool = False
    """Mark the slot for human review (fill colour + note in xlsx, highlight in docx)."""
    note: str | None = None
    """Note attached to the slot (xlsx comment) explaining the review flag."""
    overwrite: bool = False
    """The slot held an answer or formula and --overwrite was given."""


class Exporter(abc.ABC):
    """Writes a filled questionnaire as a new document (docx, xlsx, csv, json, md)."""

    format: ClassVar[str]

    @abc.abstractmethod
    def write(self, filled: object, dest: Path) -> None:
        """Write ``filled`` (a :class:`trustfill.fill.FilledQuestionnaire`) to ``dest``, a temporary path."""
