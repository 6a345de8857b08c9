"""Reviewer decisions, remembered: "this customer question is bank entry Y" or "it is not in the bank".

Decisions live in the workspace's ``mappings.yaml``, a plain list people can read and edit::

    - question: Do you enforce 2FA on all admin consoles?
      entry: iam-mfa-workforce
      customer: Acme University        # optional: applies to this customer only
      decided_by: jane@example.com     # optional
      date: 2026-11-23                 # optional
    - question: Do you accept purchase orders?
      entry: null                      # reviewed: not in the bank

A decision applies exactly: the key is the question folded to words (case, punctuation, quotes and
spacing do not matter, wording does). A decision for the customer being answered wins over a global
one (no ``customer``). The file is validated like the bank, with ``path:line:col`` in every error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, StringConstraints

from .._files import write_text_atomic
from .._validate import validate_located
from .._yaml import Located, YamlLoadError, load_file
from ..errors import Problem, WorkspaceError
from ..models import ID_PATTERN, Strict
from .normalize import question_key

__all__ = ["Decision", "MappingRecord", "Mappings", "MappingsFile"]

EntryId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]

_HEADER = (
    "# Reviewer decisions applied by trustfill's matcher (see trustfill.matching.mappings).\n"
    "# entry: a bank entry id, or null for 'not in the bank'. customer: optional, applies to that customer only.\n"
    "# trustfill rewrites this file when decisions are recorded; comments other than this header are not kept.\n"
)


class MappingRecord(Strict):
    """One reviewer decision."""

    question: str = Field(min_length=1, description="The customer's question text.")
    entry: EntryId | None = Field(description="Bank entry id, or null when the question is not in the bank.")
    customer: str | None = Field(
        None, min_length=1, description="Customer the decision is for; omit for all customers."
    )
    decided_by: str | None = Field(None, description="Who decided.")
    date: dt.date | None = Field(None, description="When, as YYYY-MM-DD.")


class MappingsFile(Strict):
    """The mappings file (written as a plain list; a top-level ``mappings:`` key is accepted too)."""

    mappings: list[MappingRecord] = Field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """A recorded decision, as the matcher applies it."""

    entry_id: str | None
    """The bank entry, or None for "not in the bank"."""
    question: str
    """The question text as recorded."""
    customer: str | None
    """The customer it applies to, or None for every customer."""
    decided_by: str | None
    """Who decided, if recorded."""
    date: dt.date | None
    """When, if recorded."""

    def describe(self) -> str:
        """Short provenance, e.g. "for customer Acme, by jane@example.com on 2026-11-23"."""
        parts = [f"for customer {self.customer}" if self.customer else "for all customers"]
        if self.decided_by:
            parts.append(f"by {self.decided_by}")
        if self.date:
            parts.append(f"on {self.date.isoformat()}")
        return ", ".join(parts)


def _customer_key(customer: str | None) -> str | None:
    if customer is None:
        return None
    key = " ".join(customer.casefold().split())
    return key or None


class Mappings:
    """Reviewer decisions keyed by folded question text and customer."""

    def __init__(self, decisions: Iterable[Decision] = ()) -> None:
        self._by_key: dict[tuple[str, str | None], Decision] = {}
        for decision in decisions:
            self._by_key[(question_key(decision.question), _customer_key(decision.customer))] = decision

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[Decision]:
        return iter(self._by_key.values())

    @classmethod
    def load(cls, path: Path) -> Mappings:
        """Read a mappings file; a missing or empty file means no decisions yet.

        Raises:
            WorkspaceError: The file is not valid YAML, has unknown keys, bad ids or dates, or maps the
                same question twice; every problem is reported as ``path:line:col: ...``.
        """
        if not path.exists():
            return cls()
        try:
            if not path.read_bytes().strip() or yaml.safe_load(path.read_text(encoding="utf-8-sig")) is None:
                return cls()
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            pass  # load_file below reports it with a position
        try:
            located = load_file(path)
        except YamlLoadError as exc:
            raise WorkspaceError.from_problems([exc.problem]) from exc
        if isinstance(located.data, list):
            located = _wrap(located)
        model, problems = validate_located(MappingsFile, located)
        if model is None:
            raise WorkspaceError.from_problems(problems)
        mappings = cls()
        first_seen: dict[tuple[str, str | None], int] = {}
        for i, rec in enumerate(model.mappings):
            key = (question_key(rec.question), _customer_key(rec.customer))
            if not key[0]:
                problems.append(
                    Problem(
                        located.place(("mappings", i, "question")), f"mappings[{i}].question: has no words"
                    )
                )
                continue
            if key in first_seen:
                first = located.place(("mappings", first_seen[key]), key=False)
                who = f"customer '{rec.customer}'" if rec.customer else "all customers"
                problems.append(
                    Problem(
                        located.place(("mappings", i, "question")),
                        f"mappings[{i}].question: this question already has a decision for {who} (at {first}); keep one",
                    )
                )
                continue
            first_seen[key] = i
            mappings._by_key[key] = Decision(rec.entry, rec.question, rec.customer, rec.decided_by, rec.date)
        if problems:
            raise WorkspaceError.from_problems(problems)
        return mappings

    def record(
        self,
        question: str,
        entry_id: str | None,
        customer: str | None = None,
        *,
        decided_by: str | None = None,
        date: dt.date | None = None,
    ) -> Decision:
        """Remember a decision (replacing an earlier one for the same question and customer).

        Args:
            question: The customer's question text.
            entry_id: The bank entry it is, or None for "not in the bank".
            customer: Limit the decision to this customer; None applies it to every customer.
            decided_by: Who decided.
            date: When; today when omitted.

        Returns:
            The stored decision.
        """
        key = (question_key(question), _customer_key(customer))
        if not key[0]:
            raise ValueError("cannot record a decision for a question without words")
        if entry_id is not None:
            MappingRecord(question=question, entry=entry_id)  # validates the id's format
        decision = Decision(entry_id, question, customer, decided_by, date or dt.date.today())
        self._by_key[key] = decision
        return decision

    def forget(self, question: str, customer: str | None = None) -> bool:
        """Drop the decision for ``question`` (and ``customer``); True if there was one."""
        return self._by_key.pop((question_key(question), _customer_key(customer)), None) is not None

    def lookup(self, question: str, customer: str | None = None) -> Decision | None:
        """The decision that applies: the customer's own first, then the global one."""
        key = question_key(question)
        if customer is not None:
            found = self._by_key.get((key, _customer_key(customer)))
            if found is not None:
                return found
        return self._by_key.get((key, None))

    def save(self, path: Path) -> None:
        """Write every decision to ``path`` atomically (a crash never leaves half a file).

        Raises:
            OutputError: The file or its temporary sibling cannot be written.
        """
        rows = []
        for d in sorted(
            self._by_key.values(), key=lambda d: (question_key(d.question), _customer_key(d.customer) or "")
        ):
            row: dict[str, object] = {"question": d.question, "entry": d.entry_id}
            if d.customer is not None:
                row["customer"] = d.customer
            if d.decided_by is not None:
                row["decided_by"] = d.decided_by
            if d.date is not None:
                row["date"] = d.date
            rows.append(row)
        body = yaml.safe_dump(rows, sort_keys=False, allow_unicode=True, width=110) if rows else "[]\n"
        text = _HEADER + body
        write_text_atomic(path, text, "the mappings file")


def _wrap(located: Located) -> Located:
    """Treat a top-level list as ``{mappings: [...]}`` so errors read ``mappings[3].entry``."""
    wrapped = Located(located.path, {"mappings": located.data})
    wrapped.values = {("mappings", *k): v for k, v in located.values.items()}
    wrapped.values[()] = located.values.get((), (1, 1))
    wrapped.keys = {("mappings", *k): v for k, v in located.keys.items()}
    return wrapped
