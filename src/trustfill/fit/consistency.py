"""Answers written into one questionnaire must not contradict each other.

Entries declare relations between their answers (``implies`` in the bank: "if card data passes through our
systems, we must be in PCI DSS scope"; "if customer data trains AI models, the product has AI features").
``trustfill check`` tests them over the whole bank; here they are tested over the rows of one filled
questionnaire, so a customer never receives two answers that cannot both be true. Both rows of a contradicting
pair go to review, each note naming the other row.

Each row is judged by its entry's own short answer (before any polarity inversion): the relations are about
the entries' facts, whatever way round the customer phrased the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Contradiction", "contradictions", "notes_by_row"]


@dataclass(frozen=True)
class Contradiction:
    """Two entries answered in one file whose answers cannot both be true."""

    first: tuple[int, ...]
    """Indices of the rows answered by the entry that declares the relation."""
    second: tuple[int, ...]
    """Indices of the rows answered by the other entry."""
    message: str
    """What contradicts what, naming both entries and their answers."""


Row = tuple[str, str, "str | None"]
"""(place shown to a person, entry id, the entry's own short answer or None)."""


def contradictions(rows: Sequence[Row], entries: dict[str, Any]) -> list[Contradiction]:
    """Pairs of entries answered in ``rows`` that break a declared ``implies`` relation. Rows without a short answer
    take no part."""
    by_entry: dict[str, list[int]] = {}
    for i, (_, entry_id, short) in enumerate(rows):
        if short is not None:
            by_entry.setdefault(entry_id, []).append(i)
    found: list[Contradiction] = []
    seen: set[frozenset[str]] = set()  # a pair related both ways is one contradiction
    for entry_id, mine in by_entry.items():
        entry = entries.get(entry_id)
        for rel in getattr(entry, "implies", ()) or ():
            theirs = by_entry.get(rel.entry)
            if not theirs or rel.entry == entry_id:
                continue
            short, other = rows[mine[0]][2], rows[theirs[0]][2]
            if short != rel.if_short or other in rel.short or frozenset((entry_id, rel.entry)) in seen:
                continue
            seen.add(frozenset((entry_id, rel.entry)))
            about = f" (fact {rel.fact})" if rel.fact else ""
            found.append(Contradiction(tuple(mine), tuple(theirs), f"{entry_id} answers '{short}' but {rel.entry} answers "
                                                                   f"'{other}', expected {' or '.join(rel.short)}{about}"))
    return found


def notes_by_row(rows: Sequence[Row], found: Iterable[Contradiction]) -> dict[int, list[str]]:
    """Review notes per row index; each names the rows of the other side of its pair."""
    notes: dict[int, list[str]] = {}
    for c in found:
        for mine, theirs in ((c.first, c.second), (c.second, c.first)):
            places = ", ".join(rows[j][0] for j in theirs)
            for i in mine:
                notes.setdefault(i, []).append(f"contradicts {places}: {c.message}; correct the profile or one of the answers")
    return notes
