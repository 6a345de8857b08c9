"""One error family. Every message starts with the place: ``path:line:col``, ``Sheet!C14`` or ``path``."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Documented process exit codes (README, "Exit codes")."""

    OK = 0
    PROBLEMS = 1  # the command ran and found problems (check not clean, --strict warnings)
    USAGE = 2  # wrong options or arguments (click's own code)
    BAD_WORKSPACE = 3  # bank, profile, templates or evidence index invalid
    BAD_INPUT = 4  # the customer's questionnaire cannot be read
    OUTPUT = 5  # the output cannot be written (exists without --force, disk error)
    INTERNAL = 70  # a bug in trustfill


@dataclass(frozen=True)
class Problem:
    """One located problem in a file a person edits or a file a customer sent."""

    place: str
    """Where: ``bank/ai.yaml:12:3``, ``Sheet1!C14`` or a plain path."""
    message: str
    """What is wrong and, where we can tell, how to fix it."""
    level: str = "error"
    """``error`` or ``warning``."""

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class TrustfillError(Exception):
    """Base of every error trustfill raises on purpose. The CLI turns it into one message and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)

    @classmethod
    def from_problems(cls, problems: list[Problem] | tuple[Problem, ...]) -> TrustfillError:
        """Build one error whose message lists every problem, one per line."""
        return cls("\n".join(str(p) for p in problems), problems)


class WorkspaceError(TrustfillError):
    """A bank, profile, template or evidence file is invalid."""

    exit_code = ExitCode.BAD_WORKSPACE


class BankFormatError(WorkspaceError):
    """A question bank file is invalid."""


class ProfileError(WorkspaceError):
    """A company profile is invalid."""


class EvidenceError(WorkspaceError):
    """The evidence index is invalid."""


class TemplateError(WorkspaceError):
    """An answer template cannot be parsed or rendered."""


class ImportFormatError(TrustfillError):
    """A customer's questionnaire cannot be read."""

    exit_code = ExitCode.BAD_INPUT


class OutputError(TrustfillError):
    """An output cannot be written."""

    exit_code = ExitCode.OUTPUT


class UsageError(TrustfillError):
    """Options that contradict each other or name something that does not exist."""

    exit_code = ExitCode.USAGE
