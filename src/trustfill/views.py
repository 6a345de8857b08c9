"""How the CLI shows results (rich tables on a terminal, plain text in pipes). Only the CLI calls this."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .questionnaire import Questionnaire

_out = Console(highlight=False, soft_wrap=False)
_err = Console(stderr=True, highlight=False)


def _match_row(m: Any) -> dict[str, Any]:
    return {
        "status": m.status,
        "entry": m.entry_id,
        "score": round(float(m.score), 1),
        "margin": round(float(getattr(m, "margin", 0.0)), 1),
        "reason": m.reason,
        "profile_fact": getattr(m, "profile_fact", None),
        "candidates": [{"entry": c.entry_id, "score": round(float(c.score), 1), "text": c.matched_text,
                        **({"lexical_score": round(float(c.lexical or 0.0), 1), "semantic_similarity": round(float(c.semantic), 3)}
                           if getattr(c, "semantic", None) is not None else {})} for c in m.candidates],
        **({"lexical_score": round(float(m.lexical), 1), "semantic_similarity": m.semantic, "nearest_phrasing": m.nearest}
           if getattr(m, "semantic", None) is not None else {}),
    }


def answer_dict(view: Any) -> dict[str, Any]:
    """``answer --json``."""
    entry, answer = view.entry, view.answer
    return {
        "question": view.question,
        "match": _match_row(view.match),
        "entry": None if entry is None else {
            "id": entry.id, "question": entry.question, "category": entry.category, "explanation": entry.explanation,
            "rationale": entry.rationale, "evidence_expected": entry.evidence, "frameworks": entry.frameworks,
        },
        "answer": None if answer is None else {
            "status": answer.status, "short": answer.short, "narrative": answer.narrative, "template": answer.source,
            "facts": dict(answer.facts), "missing_facts": list(answer.missing_facts), "problems": list(answer.problems),
            "evidence": [{"id": e.id, "title": e.title, "path": e.path, "visibility": e.visibility, "valid_until": e.valid_until}
                         for e in answer.evidence],
        },
    }


def print_answer(view: Any) -> None:
    """``answer``: what a sales engineer pastes, and what backs it."""
    m, entry, a = view.match, view.entry, view.answer
    if entry is None:
        _out.print(f"No bank entry answers this question ({m.status}, best score {m.score:.0f}).")
        for c in m.candidates:
            _out.print(f"  suggestion: {c.entry_id} ({c.score:.0f}): {c.matched_text}")
        return
    _out.print(f"[bold]{entry.id}[/bold]  {m.status}, score {m.score:.0f}  ({entry.category})")
    _out.print(f"Bank question: {entry.question}")
    if getattr(m, "semantic", None) is not None:
        _out.print(f"Why: lexical score {m.lexical:.0f}, semantic similarity {m.semantic:.2f} to: {escape(m.nearest or '')}")
    if a is not None and a.status == "ok":
        _out.print(f"\n[bold]Answer: {a.short}[/bold]\n{a.narrative}")
    elif a is not None:
        _out.print(f"\n[bold red]No answer:[/bold red] {'; '.join(a.problems)}")
    if a is not None and a.facts:
        _out.print("\nFacts used: " + ", ".join(f"{k}={v}" for k, v in a.facts))
    if a is not None and a.evidence:
        _out.print("Evidence to attach:")
        for e in a.evidence:
            until = f", valid until {e.valid_until}" if e.valid_until else ""
            _out.print(f"  - {e.title} ({e.visibility}{until}): evidence/{e.path}")
    if entry.evidence:
        _out.print("A reviewer expects: " + "; ".join(entry.evidence))
    _out.print(f"\nExplanation: {entry.explanation}\nWhy it matters: {entry.rationale}")
    if m.status != "auto":
        _out.print(f"\n[yellow]Review: {m.reason}[/yellow]")


def questionnaire_dict(q: Questionnaire) -> dict[str, Any]:
    """``inspect --json``."""
    return {
        "path": str(q.path),
        "format": q.format,
        "questions": len(q.questions),
        "unique_ids": len({x.question_id for x in q.questions if x.question_id}),
        "layouts": [
            {"part": lay.part, "header_row": lay.header_row, "columns": lay.columns, "score": round(lay.score, 2),
             "questions": lay.questions, "note": lay.note}
            for lay in q.layouts
        ],
        "problems": [str(p) for p in q.problems],
        "items": [
            {"location": x.location, "id": x.question_id, "section": x.section, "question": x.text,
             "slots": [{"kind": s.kind.value, "address": s.address, "state": s.state.value, "allowed": list(s.allowed) if s.allowed else None}
                       for s in x.slots]}
            for x in q.questions
        ],
    }


def print_inspect(q: Questionnaire, *, show_all: bool = False) -> None:
    """``inspect``: parts, columns, counts and a sample of questions with their slots."""
    ids = {x.question_id for x in q.questions if x.question_id}
    _out.print(f"[bold]{q.path}[/bold] ({q.format}): {len(q.questions)} questions, {len(ids)} unique ids")
    table = Table("part", "header", "columns", "score", "questions", "note", show_lines=False)
    for lay in q.layouts:
        cols = ", ".join(f"{k}={v}" for k, v in lay.columns.items())
        table.add_row(lay.part, str(lay.header_row or ""), cols, f"{lay.score:.2f}", str(lay.questions), lay.note)
    _out.print(table)
    allowed = sorted({"/".join(s.allowed) for x in q.questions for s in x.slots if s.allowed})
    if allowed:
        _out.print("Allowed values found: " + "; ".join(allowed[:10]))
    shown_per_part: dict[str, int] = {}
    sample = Table("location", "id", "question", "slots")
    for x in q.questions:
        part = x.location.split("!")[0]
        shown_per_part[part] = shown_per_part.get(part, 0) + 1
        if not show_all and shown_per_part[part] > 15:
            continue
        slots = "; ".join(f"{s.kind.value}@{s.address}" + (f"[{'/'.join(s.allowed)}]" if s.allowed else "")
                          + ("" if s.writable else f" ({s.state.value})") for s in x.slots)
        sample.add_row(x.location, x.question_id or "", x.text[:90], slots)
    _out.print(sample)
    for p in q.problems:
        _err.print(f"{p.place}: {p.level}: {p.message}")


def matches_dict(q: Questionnaire, matches: list[Any]) -> dict[str, Any]:
    """``match --json``."""
    rows = []
    for x, m in zip(q.questions, matches, strict=True):
        row = {"location": x.location, "id": x.question_id, "question": x.text, **_match_row(m)}
        if getattr(m, "explanation", None) is not None:
            e = m.explanation
            row["explanation"] = dict(vars(e)) if hasattr(e, "__dict__") else str(e)
        rows.append(row)
    return {"path": str(q.path), "questions": rows, "totals": _totals(matches)}


def _totals(matches: list[Any]) -> dict[str, int]:
    out = {"auto": 0, "review": 0, "unmatched": 0, "skipped": 0}
    for m in matches:
        out[m.status] = out.get(m.status, 0) + 1
    return out


def print_matches(q: Questionnaire, matches: list[Any], *, explain: bool) -> None:
    """``match``: one line per question."""
    table = Table("location", "question", "entry", "score", "outcome")
    for x, m in zip(q.questions, matches, strict=True):
        table.add_row(x.location, x.text[:80], m.entry_id or (f"profile:{m.profile_fact}" if getattr(m, "profile_fact", None) else "-"),
                      f"{m.score:.0f}", m.status)
        if explain and getattr(m, "explanation", None) is not None:
            e = m.explanation
            table.add_row("", f"[dim]{escape(_explain_text(e, m))}[/dim]", "", "", "")
    _out.print(table)
    totals = _totals(matches)
    _out.print(", ".join(f"{k}: {v}" for k, v in totals.items()) + f" of {len(matches)} questions")


def _explain_text(e: Any, m: Any = None) -> str:
    parts = []
    lexical = getattr(m, "lexical", None)
    if lexical is not None:
        parts.append(f"lexical score: {lexical:.0f}")
    for name in ("alias_used", "shared_terms", "thesaurus_hits"):
        value = getattr(e, name, None)
        if value:
            parts.append(f"{name.replace('_', ' ')}: {', '.join(value) if isinstance(value, (list, tuple, set, frozenset)) else value}")
    if getattr(e, "semantic_similarity", None) is not None:
        parts.append(f"semantic similarity: {e.semantic_similarity:.2f}")
    if getattr(e, "nearest_phrasing", None):
        parts.append(f"nearest phrasing: {e.nearest_phrasing}")
    return "; ".join(parts) or str(e)


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on an interactive terminal; nothing in CI or pipes."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.progress import Progress

    with Progress(console=_err, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_review_learned(read: Any, path: Any) -> None:
    """``learn --from``: what was recorded and what is left."""
    entries = sum(1 for d in read.decisions if d.entry_id is not None)
    if read.decisions:
        _out.print(f"recorded {_count(len(read.decisions), 'decision')} in {path}: {_count(entries, 'bank entry', 'bank entries')}, "
                   f"{len(read.decisions) - entries} not in bank")
    else:
        _out.print("no decisions to record: every Decision cell is empty")
    if read.undecided:
        _out.print(f"{_count(read.undecided, 'question')} without a decision yet")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def print_fill_summary(summary: Any, report_path: Any, review_file: Any = None) -> None:
    """``fill``: totals and where things went."""
    t = summary.filled.totals()
    _out.print(f"wrote {summary.output} ({summary.format.value}): {t['questions']} questions, "
               f"{t['auto']} auto, {t['review']} review, {t['unmatched']} unmatched, {t['skipped']} skipped; "
               f"{t['written']} cells written")
    if report_path:
        _out.print(f"report: {report_path}")
    if review_file:
        _out.print(f"review workbook: {review_file} (write decisions in its Decision column, then 'trustfill learn --from')")
    for p in summary.filled.questionnaire.problems:
        _err.print(f"{p.place}: {p.level}: {p.message}")
