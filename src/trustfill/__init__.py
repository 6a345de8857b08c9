"""trustfill: answer inbound security questionnaires from a question bank, a company profile and templates."""

from __future__ import annotations

__version__ = "0.1.0"

from .answers import AnswerEngine, RenderedAnswer
from .errors import (
    BankFormatError,
    ExitCode,
    ImportFormatError,
    OutputError,
    ProfileError,
    TemplateError,
    TrustfillError,
    WorkspaceError,
)
from .questionnaire import AnswerSlot, Questionnaire, QuestionRow, SlotKind, SlotState
from .templating import make_env
from .workspace import Library, Workspace, find_workspace, load_library, load_profile

__all__ = [
    "AnswerEngine",
    "AnswerSlot",
    "BankFormatError",
    "ExitCode",
    "ImportFormatError",
    "Library",
    "OutputError",
    "ProfileError",
    "QuestionRow",
    "Questionnaire",
    "RenderedAnswer",
    "SlotKind",
    "SlotState",
    "TemplateError",
    "TrustfillError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "find_workspace",
    "load_library",
    "load_profile",
    "make_env",
]
