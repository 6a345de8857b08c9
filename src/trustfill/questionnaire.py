"""What an importer finds in a customer's file: questions, where their answers go, and how sure it is.

These are internal results (frozen dataclasses); the importers produce them and the matcher, the
answer engine and the writers consume them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem


class SlotKind(str, enum.Enum):
    """What goes into an answer slot."""

    SHORT = "short"
    """The short answer: Yes / No / N/A or one of a dropdown's values."""
    NARRATIVE = "narrative"
    """The narrative answer (often a 'comments' or 'additional information' column)."""
    COMMENT = "comment"
    """Evidence links, references or reviewer notes."""
    OWNERSHIP = "ownership"
    """Who owns the control under the shared responsibility model (CAIQ's 'SSRM Control Ownership')."""
    CUSTOMER_RESPONSIBILITY = "customer_responsibility"
    """What the customer must do for the control (CAIQ's 'CSC Responsibilities')."""


class SlotState(str, enum.Enum):
    """What the slot holds today."""

    EMPTY = "empty"
    ANSWERED = "answered"
    """Already holds an answer; never overwritten without --overwrite."""
    PLACEHOLDER = "placeholder"
    """Holds instruction text such as 'Enter response here' or 'Select'; safe to replace."""
    FORMULA = "formula"
    """Holds a formula; never overwritten."""


@dataclass(frozen=True)
class AnswerSlot:
    """One place an answer can be written."""

    kind: SlotKind
    """Short answer, narrative or comment."""
    address: str
    """Format-specific address the writer uses: ``Sheet!C14`` for xlsx (merged-area anchor),
    ``t3.r2.c1`` (table, row, cell; 0-based) for docx, the item id for VSAQ, ``row:col`` for csv."""
    state: SlotState = SlotState.EMPTY
    """What the slot holds today."""
    current: str | None = None
    """The slot's current text (or formula), if any."""
    allowed: tuple[str, ...] | None = None
    """Allowed values when the slot has a dropdown / data validation list / option set."""

    @property
    def writable(self) -> bool:
        """True when the slot may be written without --overwrite."""
        return self.state in (SlotState.EMPTY, SlotState.PLACEHOLDER)


@dataclass(frozen=True)
class QuestionRow:
    """One question found in the customer's file."""

    location: str
    """Human location of the question text: ``Sheet!B14``, ``table 3 row 2``, ``item q_a1``, ``row 7``."""
    text: str
    """The question text as the customer wrote it (cached formula value where text comes from a formula)."""
    slots: tuple[AnswerSlot, ...] = ()
    """Where its answers go."""
    question_id: str | None = None
    """The customer's own id (e.g. ``HFIH-01``), if the file has one."""
    section: str | None = None
    """Section or category heading the question sits under."""

    def slot(self, kind: SlotKind) -> AnswerSlot | None:
        """The first slot of ``kind``, or None."""
        return next((s for s in self.slots if s.kind is kind), None)


@dataclass(frozen=True)
class Layout:
    """What detection decided for one sheet / table / document part, and how sure it was."""

    part: str
    """Sheet name, ``table 3``, ``document`` or ``items``."""
    header_row: int | None
    """1-based header row (xlsx/csv), if any."""
    columns: dict[str, str]
    """Role -> column letter or index, e.g. {'question': 'B', 'short': 'C', 'narrative': 'D', 'id': 'A'}."""
    score: float
    """0-1 confidence in this layout."""
    questions: int
    """How many questions it yielded."""
    note: str = ""
    """Why it was chosen or skipped."""


@dataclass(frozen=True)
class Questionnaire:
    """Everything an importer found in one file."""

    path: Path
    """The file read (never modified)."""
    format: str
    """``xlsx``, ``csv``, ``docx`` or ``vsaq``."""
    questions: tuple[QuestionRow, ...]
    """Questions in document order."""
    layouts: tuple[Layout, ...] = ()
    """Detection decisions per part."""
    problems: tuple[Problem, ...] = field(default=())
    """Per-row problems (duplicate id, unreadable cell); warnings unless --strict."""
    data: bytes | None = field(default=None, repr=False, compare=False)
    """The file's bytes as read once at import; the in-place writers copy from these, never re-reading the path."""
