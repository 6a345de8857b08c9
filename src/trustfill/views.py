"""How the CLI shows results (rich tables on a terminal, plain text in pipes). Only the CLI calls this."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .questionnaire import Questionnaire

# Customer text ("[/bold]", "[link=...]", ":smile:") must never be interpreted: no markup, no emoji codes;
# styles are applied with Text objects only.
_out = Console(highlight=False, soft_wrap=False, markup=False, emoji=False)
_err = Console(stderr=True, highlight=False, markup=False, emoji=False)


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
            "ownership": answer.ownership, "ownership_basis": answer.ownership_basis,
            "customer_responsibility": answer.customer_responsibility,
            "facts": dict(answer.facts), "missing_facts": list(answer.missing_facts), "problems": list(answer.problems),
            "evidence": [{"id": e.id, "title": e.title, "path": e.path, "visibility": e.visibility, "valid_until": e.valid_until}
                         for e in answer.evidence],
        },
        "fit": None if getattr(view, "fit", None) is None else {
            "form": view.fit.form.kind, "value_type": view.fit.form.value_type, "negated": view.fit.negated,
            "text_only": view.fit.text_only, "notes": list(view.fit.notes),
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
    _out.print(Text.assemble((entry.id, "bold"), f"  {m.status}, score {m.score:.0f}  ({entry.category})"))
    _out.print(f"Bank question: {entry.question}")
    if getattr(m, "semantic", None) is not None:
        _out.print(Text(f"Why: lexical score {m.lexical:.0f}, semantic similarity {m.semantic:.2f} to: {m.nearest or ''}"))
    fit = getattr(view, "fit", None)
    if a is None and fit is not None:
        _out.print(Text.assemble("\n", ("No answer:", "bold red"), " " + "; ".join(fit.notes)))
    elif a is not None and a.status == "ok":
        if fit is not None and fit.text_only:
            _out.print(Text.assemble("\n", ("Answer:", "bold"), f" {a.narrative}"))  # an open question or a value: never a bare Yes/No
        else:
            _out.print(Text.assemble("\n", (f"Answer: {a.short}", "bold"), f"\n{a.narrative}"))
        if a.ownership:
            _out.print(Text(f"Control ownership: {a.ownership} ({a.ownership_basis})"))
        if a.customer_responsibility:
            _out.print(Text(f"Customer's responsibility: {a.customer_responsibility}"))
    elif a is not None:
        _out.print(Text.assemble("\n", ("No answer:", "bold red"), f" {'; '.join(a.problems)}"))
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
        _out.print(Text(f"\nReview: {m.reason}", style="yellow"))
    if fit is not None and fit.answer is not None and fit.notes:
        _out.print(Text(f"\nNote: {'; '.join(fit.notes)}", style="yellow"))


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
    _out.print(Text.assemble((e.id, "bold"), f"  ({e.category})"))
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
        _out.print(Text(f"\nAnswer under {view.profile}: {a.short}", style="bold"))
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
    _out.print(Text.assemble((str(q.path), "bold"), f" ({q.format}): {len(q.questions)} questions, {len(ids)} unique ids"))
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
            table.add_row("", Text(_explain_text(e, m), style="dim"), "", "", "")
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
        _out.print(f"recorded {_plural(len(read.decisions), 'decision')} in {path}: {_plural(entries, 'bank entry', 'bank entries')}, "
                   f"{len(read.decisions) - entries} not in bank")
    else:
        _out.print("no decisions to record: every Decision cell is empty")
    if read.undecided:
        _out.print(f"{_plural(read.undecided, 'question')} without a decision yet")
    if getattr(read, "corrections", ()):
        _out.print(f"stored {_plural(len(read.corrections), 'corrected answer')} in the answer library (library/); "
                   "the next fill reuses them for the same questions")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def print_fill_summary(summary: Any, report_path: Any, review_file: Any = None) -> None:
    """``fill``: totals and where things went."""
    t = summary.filled.totals()
    _out.print(f"wrote {summary.output} ({summary.format.value}): {t['questions']} questions, "
               f"{t['auto']} auto, {t['review']} review, {t['unmatched']} unmatched, {t['skipped']} skipped; "
               f"{t['written']} cells written")
    reused = sum(1 for r in summary.filled.results if getattr(r, "past", None) is not None)
    if reused:
        _out.print(f"{_plural(reused, 'answer')} from the answer library (sources in the notes)")
    if report_path:
        _out.print(f"report: {report_path}")
    if review_file:
        _out.print(f"review workbook: {review_file} (check each row; write decisions in its Decision column, "
                   "then 'trustfill learn --from' it)")
    for p in summary.filled.questionnaire.problems:
        _err.print(f"{p.place}: {p.level}: {p.message}")



def print_next_steps(summary: Any, session: Any, src: Any, report_path: Any, decisions_file: Any) -> None:
    """``fill``: what a person does next, in plain words. ``decisions_file`` holds a Decision column, if any."""
    from .workspace import shown

    t = summary.filled.totals()
    missing = sorted({f for r in summary.filled.results if r.answer is not None for f in r.answer.missing_facts})
    ws = session.lib.workspace
    here = session.demo or ws.found_by in ("current folder", "bundled")
    where = "" if here else f" -w {shown(ws.root)}"  # fill, learn
    folder = "" if here else f" {shown(ws.root)}"  # profile, check take the folder as an argument
    lines = []
    if session.demo:
        _err.print(Text("DEMO: these answers describe a fictional example company, not yours; "
                        "do not send them to a customer.", style="bold yellow"))
        lines.append("to answer for your company: 'trustfill init my-company', then 'trustfill profile my-company', "
                     f"then 'trustfill fill {shown(src)} -w my-company -o ...'")
    if t["auto"]:
        lines.append(f"read the {t['auto']} filled answers before anything is signed: 'auto' means drafted, not approved")
    undecided = t["review"] + t["unmatched"]
    if undecided and decisions_file is not None and not session.demo:
        lines.append(f"decide the {undecided} review/unmatched questions in {decisions_file} (Decision column: "
                     "a bank entry id, 'ok' or 'not in bank'), then record them for next time: "
                     f"'trustfill learn --from {decisions_file}{where}'")
    elif undecided and not session.demo:
        lines.append(f"{undecided} questions need a person: see {report_path or 'the report (--report)'}, "
                     "or rerun with --review-file review.xlsx to decide them in a workbook")
    if missing:
        listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        if session.demo:
            lines.append(f"{len(missing)} fact(s) the profile does not set held answers back ({listed})")
        else:
            lines.append(f"{len(missing)} fact(s) the profile does not set held answers back ({listed}): "
                         f"'trustfill profile{folder}' asks for them, 'trustfill check{folder}' lists them all")
    if lines:
        _out.print("next:")
        for line in lines:
            # Not wrapped: the commands in these lines are meant to be copied whole.
            _out.print(f"  - {line}", soft_wrap=True)


def fact_asker(lib: Any) -> Callable[..., Any]:
    """``profile``: ask one fact on the terminal (rich prompt); Enter leaves it unset, 'q' saves and stops."""
    from rich.prompt import Prompt

    from .profiling import StopInterview, parse_answer, topic_titles

    titles = topic_titles(lib)
    last_topic: list[str] = []

    def ask(fact: str, decl: Any, waiting: Any) -> Any:
        topic = fact.split(".")[0]
        if last_topic[-1:] != [topic]:
            last_topic.append(topic)
            _out.print(Text(f"\n{titles.get(topic, topic)}", style="bold"))
        example = lib.entries[waiting.entries[0]].question
        _out.print(Text.assemble("\n", (fact, "cyan"), f": {' '.join(decl.description.split())}"))
        _out.print(Text(f"needed by {_plural(len(waiting.entries), 'answer')}, e.g. \"{example}\"", style="dim"))
        if decl.type == "enum":
            for i, value in enumerate(decl.values or (), 1):
                _out.print(f"  {i}. {value}")
        hint = {"bool": "yes/no", "int": "number", "date": "YYYY-MM-DD", "enum": "number or value",
                "list": "comma-separated" + (f": {', '.join(decl.values)}" if decl.values else "; 'none' for empty"),
                "str": "text"}[decl.type]
        while True:
            try:
                text = Prompt.ask(f"{fact} ({hint}; Enter: skip, q: save and stop)", default="", show_default=False,
                                  console=_out)
            except EOFError:
                raise StopInterview from None
            if text.strip() == "":
                return None
            if text.strip() == "q":
                raise StopInterview
            try:
                return parse_answer(decl, text)
            except ValueError as exc:
                _out.print(Text(str(exc), style="red"))

    return ask


def print_interview_result(result: Any, path: Any, where: str) -> None:
    """``profile``: what was saved and what is left."""
    _out.print(f"\nsaved {path}: {_plural(result.answered, 'fact')} answered in this session")
    if result.unset:
        _out.print(f"answers still wait for {_plural(len(result.unset), 'fact')}; the questions that need them go to review. "
                   f"Run 'trustfill profile {where}' again to continue, or edit {path}.")
    else:
        _out.print(f"every fact an answer needs is set. Next: 'trustfill check {where}', then "
                   f"'trustfill fill QUESTIONNAIRE -w {where} -o ANSWERS'")


def harvest_dict(summary: Any) -> dict[str, Any]:
    """``harvest --json``."""
    draft = summary.draft
    return {
        "files": [{"source": f.source, "library_file": str(f.library_file), "questions": f.questions, "answers": f.answers,
                   "linked": f.linked, "flagged": f.flagged, "changed": f.changed} for f in summary.files],
        "library_answers": summary.library_answers,
        "conflicts": [{"question": c.question, "answers": [{"answer": a.shown_short, "file": a.file, "cell": a.cell,
                                                             "date": a.date.isoformat(), "customer": a.customer}
                                                            for a in c.answers]} for c in summary.conflicts],
        "draft": None if draft is None else {
            "proposed": len(draft.proposals), "undecided": len(draft.undecided), "yes_no": draft.yes_no,
            "reproduced": draft.reproduced,
            "mismatches": [{"question": m.answer.question, "entry": m.answer.entry_id, "past": m.answer.shown_short,
                            "draft": m.rendered} for m in draft.mismatches],
        },
    }


def print_harvest(summary: Any, draft_path: Any = None) -> None:
    """``harvest``: per file what was kept, then the library's conflicts and the draft's fit."""
    for f in summary.files:
        state = "written" if f.changed else "unchanged (already harvested)"
        flagged = f", {f.flagged} customer-specific" if f.flagged else ""
        _out.print(f"{f.source}: {f.answers} answered of {f.questions} questions, {f.linked} linked to the bank{flagged}; "
                   f"{f.library_file} {state}")
    _out.print(f"library: {summary.library_answers} past answers")
    for c in summary.conflicts:
        said = "; ".join(f"'{a.shown_short}' ({a.source()})" for a in c.answers)
        _out.print(Text.assemble(("conflict", "yellow"), f": {c.question[:90]!r} answered {said}"))
    draft = summary.draft
    if draft is not None:
        share = f"{100 * draft.reproduced / draft.yes_no:.1f}%" if draft.yes_no else "-"
        _out.print(f"draft profile {draft_path}: {len(draft.proposals)} facts proposed, {len(draft.undecided)} choices left "
                   f"open; it reproduces {draft.reproduced} of {draft.yes_no} past Yes/No answers ({share})")
        for m in draft.mismatches[:10]:
            _out.print(f"  not reproduced: {m.answer.question[:70]!r} was '{m.answer.shown_short}', the draft gives "
                       f"{repr(m.rendered) if m.rendered else 'no answer (an undecided fact)'} ({m.answer.entry_id})")
