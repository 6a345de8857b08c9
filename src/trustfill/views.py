"""How the CLI shows results (rich tables on a terminal, plain text in pipes). Only the CLI calls this."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
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
        "candidates": [{"entry": c.entry_id, "score": round(float(c.score), 1), "text": c.matched_text} for c in m.candidates],
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


def entry_dict(view: Any) -> dict[str, Any]:
    """``entry --json``."""
    e, a = view.entry, view.answer
    return {
        "id": e.id, "question": e.question, "category": e.category, "explanation": e.explanation, "rationale": e.rationale,
        "evidence_expected": e.evidence, "cites": e.cites, "aliases": e.aliases, "frameworks": e.frameworks,
        "choices": e.answer.choices, "owner": e.owner, "review_by": e.review_by, "profile": view.profile,
        "answer": None if a is None else {
            "status": a.status, "short": a.short, "narrative": a.narrative, "template": a.source, "facts": dict(a.facts),
            "missing_facts": list(a.missing_facts), "problems": list(a.problems),
            "evidence": [{"id": r.id, "title": r.title, "visibility": r.visibility} for r in a.evidence],
        },
    }


def print_entry(view: Any) -> None:
    """``entry``: everything a reviewer needs to judge whether this entry answers a customer's question."""
    e, a = view.entry, view.answer
    _out.print(f"[bold]{e.id}[/bold]  ({e.category})", markup=True)
    _out.print(f"Question: {e.question}", markup=False)
    _out.print(f"Explanation: {e.explanation}", markup=False)
    _out.print(f"Why it matters: {e.rationale}", markup=False)
    if e.evidence:
        _out.print("A reviewer expects: " + "; ".join(e.evidence), markup=False)
    if e.aliases:
        _out.print("Also asked as:", markup=False)
        for alias in e.aliases:
            _out.print(f"  - {alias}", markup=False)
    if e.frameworks:
        _out.print("Frameworks: " + "; ".join(f"{k} {', '.join(v)}" for k, v in e.frameworks.items()), markup=False)
    _out.print(f"Answers: {' / '.join(e.answer.choices)}" + (f"; owner {e.owner}" if e.owner else ""), markup=False)
    if a is None:
        _out.print("(give --profile to see the answer under your company's facts)", markup=False)
    elif a.status == "ok":
        _out.print(f"\n[bold]Answer under {view.profile}: {a.short}[/bold]")
        _out.print(a.narrative or "", markup=False)
        if a.evidence:
            _out.print("Evidence cited: " + "; ".join(r.title for r in a.evidence), markup=False)
    else:
        _out.print(f"\nNo answer under {view.profile}: {'; '.join(a.problems)}", markup=False)


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
    return {"path": str(q.path), "questions": rows, "totals": _count(matches)}


def _count(matches: list[Any]) -> dict[str, int]:
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
            table.add_row("", f"[dim]{_explain_text(e)}[/dim]", "", "", "")
    _out.print(table)
    totals = _count(matches)
    _out.print(", ".join(f"{k}: {v}" for k, v in totals.items()) + f" of {len(matches)} questions")


def _explain_text(e: Any) -> str:
    parts = []
    for name in ("alias_used", "shared_terms", "thesaurus_hits"):
        value = getattr(e, name, None)
        if value:
            parts.append(f"{name.replace('_', ' ')}: {', '.join(value) if isinstance(value, (list, tuple, set, frozenset)) else value}")
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
        _out.print(f"review workbook: {review_file} (check each row; write decisions in its Decision column, "
                   "then 'trustfill learn --from' it)")
    for p in summary.filled.questionnaire.problems:
        _err.print(f"{p.place}: {p.level}: {p.message}")
