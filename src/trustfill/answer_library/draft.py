"""``harvest --propose-profile``: a draft profile inferred from past answers.

For each past answer linked to a bank entry (auto or a reviewer's), the facts the entry's *short* answer reads
are found by static analysis (its template's ``short`` block, or its cases' ``when`` expressions). Every
combination of their declared values (bool: true/false, enum: each value) is rendered; the combinations that
give the past short answer are what the answer implies. A fact every such combination sets alike gets a vote
from that answer; votes are counted across all answers (the most voted value wins, the others are listed as
conflicting evidence). Facts no answer decides are then set, where it helps, to the value that reproduces most
still-unexplained answers; what stays undecided is written as a commented choice. Free-text, number and date
facts are never guessed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import yaml
from jinja2 import TemplateNotFound, TemplateSyntaxError, nodes

from ..answers import AnswerEngine, _nest
from ..models import FactDecl
from ..templating import make_env, referenced_facts
from .store import AnswerLibrary, PastAnswer

MAX_COMBINATIONS = 256
"""Value combinations tried per entry; facts beyond the cap keep their starting value."""
LINKED = ("auto", "reviewer")
"""Links trusted enough to infer facts from (review links are the matcher's guesses)."""


@dataclass(frozen=True)
class Proposal:
    """One proposed fact value and why."""

    fact: str
    """Dotted fact name."""
    value: Any
    """Proposed value."""
    because: tuple[str, ...]
    """The answers that imply it (``'question' (file cell): Yes``)."""
    against: tuple[tuple[Any, str], ...]
    """Conflicting evidence: another value and the answer implying it."""
    inferred: bool = False
    """True when no answer forces the value but it reproduces the most answers."""
    note: str = ""
    """Other values that explain the past answers as well (a person must choose)."""


@dataclass(frozen=True)
class Mismatch:
    """A past yes/no answer the draft does not reproduce."""

    answer: PastAnswer
    """The past answer."""
    rendered: str | None
    """What the entry answers under the draft (None: it needs a fact the draft leaves undecided)."""


@dataclass(frozen=True)
class ProfileDraft:
    """The draft, and how well it explains the past."""

    text: str
    """The draft profile's YAML, with comments."""
    proposals: dict[str, Proposal]
    """Proposed facts by name."""
    undecided: tuple[str, ...]
    """Choice facts no past answer decides."""
    yes_no: int
    """Past Yes/No answers linked to an entry."""
    reproduced: int
    """Of those, how many the draft renders back alike."""
    mismatches: tuple[Mismatch, ...]
    """The others."""


def _decl_of(path: str, decls: dict[str, FactDecl]) -> str | None:
    if path in decls:
        return path
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in decls:
            return ".".join(parts[:i])
    return None


def short_facts(entry: Any, env: Any, decls: dict[str, FactDecl]) -> list[str]:
    """Declared facts the entry's short answer reads (static analysis; [] when it cannot tell)."""
    spec = entry.answer
    found: set[str] = set()
    if spec.template is not None:
        try:
            source, _, _ = env.loader.get_source(env, spec.template)
            ast = env.parse(source)
        except (TemplateNotFound, TemplateSyntaxError):
            return []
        for block in ast.find_all(nodes.Block):
            if block.name == "short":
                short = nodes.Template(block.body, lineno=1)
                short.set_environment(env)
                found |= referenced_facts(short)
    else:
        for case in spec.cases or ():
            if case.when:
                try:
                    found |= referenced_facts(env.parse("{{ " + case.when + " }}"))
                except TemplateSyntaxError:
                    continue
    return sorted({d for d in (_decl_of(p, decls) for p in found) if d is not None})


def candidates(decl: FactDecl) -> list[Any] | None:
    """The values tried for a fact; None for facts that are never guessed (text, numbers, dates, free lists)."""
    if decl.type == "bool":
        return [True, False]
    if decl.type == "enum":
        return list(decl.values or ())
    return None


def starting_value(decl: FactDecl) -> Any:
    """A value to render with before anything is known: the declared example, else a neutral one."""
    if decl.example is not None:
        return decl.example
    return {"bool": False, "enum": (decl.values or [""])[0], "str": "(to fill in)", "int": 0,
            "date": dt.date.today(), "list": []}[decl.type]


class _Renderer:
    """Renders one entry's short answer under changing facts, reusing compiled templates and expressions."""

    def __init__(self, lib: Any, base: dict[str, Any]) -> None:
        self.engine = AnswerEngine(lib.entries, dict(base), lib.evidence, make_env(lib.template_loader()))
        self.cache: dict[tuple[str, tuple[tuple[str, Any], ...]], str | None] = {}

    def short(self, entry_id: str, facts: dict[str, Any], relevant: list[str]) -> str | None:
        key = (entry_id, tuple((f, _hashable(facts.get(f))) for f in relevant))
        if key not in self.cache:
            engine = self.engine
            # Same engine, new facts: its compiled templates and expressions stay warm.
            engine.flat_facts = facts
            engine.nested = _nest(facts)
            engine._cache.clear()
            result = engine.render(entry_id)
            self.cache[key] = result.short if result.status == "ok" else None
        return self.cache[key]


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _label(answer: PastAnswer) -> str:
    return f"{answer.question[:80]!r} ({answer.file} {answer.cell}): {answer.shown_short}"


def draft_profile(lib: Any, library: AnswerLibrary) -> ProfileDraft:
    """Infer fact values from the library's linked answers; see the module docstring."""
    decls = lib.facts.decls
    env = make_env(lib.template_loader())
    base = {name: starting_value(decl) for name, decl in decls.items()}
    renderer = _Renderer(lib, base)
    targets: list[tuple[PastAnswer, list[str]]] = []
    relevant_of: dict[str, list[str]] = {}
    for answer in library.answers:
        entry = lib.entries.get(answer.entry_id) if answer.entry_id else None
        if entry is None or answer.match not in LINKED or answer.normalised not in entry.answer.choices:
            continue
        if entry.id not in relevant_of:
            relevant_of[entry.id] = short_facts(entry, env, decls)
        targets.append((answer, relevant_of[entry.id]))

    # Pass 1: what each answer forces.
    votes: dict[str, dict[Any, list[str]]] = defaultdict(lambda: defaultdict(list))
    satisfying: dict[int, list[dict[str, Any]]] = {}
    newest: dict[str, dict[Any, dt.date]] = defaultdict(dict)
    for i, (answer, relevant) in enumerate(targets):
        choosable = [f for f in relevant if candidates(decls[f]) is not None]
        combos = _combinations(choosable, decls)
        good = []
        for combo in combos:
            facts = {**base, **combo}
            if renderer.short(answer.entry_id or "", facts, relevant) == answer.normalised:
                good.append(combo)
        satisfying[i] = good
        if not good:
            continue
        for fact in choosable:
            values = {_hashable(c[fact]) for c in good}
            if len(values) == 1 and len(good) < len(combos):
                votes[fact][good[0][fact]].append(_label(answer))
                newest[fact][_hashable(good[0][fact])] = max(answer.date, newest[fact].get(_hashable(good[0][fact]), answer.date))
    # Pass 2: one value per fact, chosen to reproduce the most answers (coordinate ascent from the votes).
    # Votes alone ignore interplay: "Yes" to backups is reproduced by saas and hybrid alike, so it votes for
    # neither, yet deployment.model decides dozens of answers together.
    state = {**base, **{f: max(by_value.items(), key=lambda kv: len(kv[1]))[0] for f, by_value in votes.items()}}
    reading: dict[str, list[int]] = defaultdict(list)
    for i, (_, relevant) in enumerate(targets):
        for fact in relevant:
            if candidates(decls[fact]) is not None:
                reading[fact].append(i)

    def score(fact: str, value: Any) -> int:
        trial = {**state, fact: value}
        return sum(renderer.short(targets[i][0].entry_id or "", trial, targets[i][1]) == targets[i][0].normalised
                   for i in reading[fact])

    scores: dict[str, dict[Any, int]] = {}
    for _ in range(4):
        changed = False
        for fact in sorted(reading):
            scores[fact] = {_hashable(v): score(fact, v) for v in candidates(decls[fact]) or ()}
            best = max(scores[fact].values())
            if scores[fact].get(_hashable(state[fact]), -1) < best:
                state[fact] = next(v for v in candidates(decls[fact]) or () if scores[fact][_hashable(v)] == best)
                changed = True
        if not changed:
            break
    proposals: dict[str, Proposal] = {}
    for fact in sorted(reading):
        ranked = sorted(scores[fact].values(), reverse=True)
        by_value = votes.get(fact, {})
        if ranked[0] == ranked[-1] and len(by_value) > 1:
            # Past answers contradict each other on this fact: the latest signed answer is proposed, the
            # others are listed as conflicting evidence.
            state[fact] = max(by_value, key=lambda v: newest[fact][_hashable(v)])
        elif ranked[0] == ranked[-1]:
            continue  # no answer tells the values apart: left for a person
        value = state[fact]
        tied = [v for v in candidates(decls[fact]) or () if v != value and scores[fact][_hashable(v)] == ranked[0]]
        because = tuple(by_value.get(value, ()))
        against = tuple((v, q) for v, qs in by_value.items() if v != value for q in qs)
        if not because:
            worse = [n for n in ranked if n < ranked[0]]
            because = (f"no single answer forces it; with it {ranked[0]} past answer(s) render alike, "
                       f"{worse[0] if worse else ranked[0]} with the next best value",)
        note = f"{' or '.join(_scalar(v) for v in tied)} would render the same past answers; choose" if tied else ""
        proposals[fact] = Proposal(fact, value, because, against, inferred=not by_value.get(value), note=note)
    draft = {**base, **{f: p.value for f, p in proposals.items()}}

    # Render back: a Yes/No answer counts only when every choice fact its short reads is proposed.
    yes_no = 0
    reproduced = 0
    mismatches = []
    for answer, relevant in targets:
        if answer.normalised not in ("Yes", "No"):
            continue
        yes_no += 1
        open_facts = [f for f in relevant if candidates(decls[f]) is not None and f not in proposals]
        rendered = renderer.short(answer.entry_id or "", draft, relevant)
        if open_facts:
            # The answer does not depend on an undecided fact when every value of it renders alike.
            alike = {renderer.short(answer.entry_id or "", {**draft, **c}, relevant)
                     for c in _combinations(open_facts, decls)}
            rendered = rendered if len(alike) == 1 else None
        if rendered == answer.normalised:
            reproduced += 1
        else:
            mismatches.append(Mismatch(answer, rendered))
    undecided = tuple(sorted(f for f, d in decls.items() if candidates(d) is not None and f not in proposals))
    text = render_draft(decls, proposals, len(targets))
    return ProfileDraft(text, proposals, undecided, yes_no, reproduced, tuple(mismatches))


def _combinations(facts: list[str], decls: dict[str, FactDecl]) -> list[dict[str, Any]]:
    values = [candidates(decls[f]) or [] for f in facts]
    combos = []
    for combo in itertools.islice(itertools.product(*values), MAX_COMBINATIONS):
        combos.append(dict(zip(facts, combo, strict=True)))
    return combos or [{}]


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()


def render_draft(decls: dict[str, FactDecl], proposals: dict[str, Proposal], answers: int) -> str:
    """The draft as nested YAML: proposed facts set with their reasons, undecided choices commented out."""
    lines = [
        "# Draft profile proposed by 'trustfill harvest --propose-profile' from past answers.",
        f"# {len(proposals)} fact(s) proposed from {answers} linked past answer(s). Review every value:",
        "# each names the questions that imply it; conflicting evidence is listed under it.",
        "# Commented lines are facts no past answer decides: pick a value and uncomment.",
        "# Text, number and date facts are never guessed; set them yourself ('trustfill schema profile').",
    ]
    open_groups: list[str] = []
    for name in sorted(decls):
        decl = decls[name]
        *parents, leaf = name.split(".")
        common = 0
        while common < min(len(parents), len(open_groups)) and parents[common] == open_groups[common]:
            common += 1
        open_groups = open_groups[:common]
        for depth in range(common, len(parents)):
            lines.append("  " * depth + f"{parents[depth]}:")
            open_groups.append(parents[depth])
        pad = "  " * len(parents)
        proposal = proposals.get(name)
        if proposal is not None:
            for reason in proposal.because[:3]:
                lines.append(f"{pad}# {'inferred' if proposal.inferred else 'implied by'}: {reason}")
            if len(proposal.because) > 3:
                lines.append(f"{pad}#   ... and {len(proposal.because) - 3} more answer(s)")
            if proposal.note:
                lines.append(f"{pad}# note: {proposal.note}")
            for value, reason in proposal.against[:5]:
                lines.append(f"{pad}# CONFLICT: {_scalar(value)} is implied by {reason}")
            lines.append(f"{pad}{leaf}: {_scalar(proposal.value)}")
        elif candidates(decl) is not None:
            choices = " | ".join(_scalar(v) for v in candidates(decl) or ())
            lines.append(f"{pad}# {leaf}: {choices}    # no past answer decides this")
        else:
            lines.append(f"{pad}# {leaf}:    # {decl.type}: {decl.description[:80]}")
    # A group with only commented children must still be valid YAML: give it an empty mapping.
    return _close_empty_groups(lines) + "\n"


def _close_empty_groups(lines: list[str]) -> str:
    out: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.endswith(":") and not stripped.startswith("#"):
            depth = len(line) - len(stripped)
            has_child = False
            for nxt in lines[i + 1:]:
                nxt_stripped = nxt.lstrip()
                nxt_depth = len(nxt) - len(nxt_stripped)
                if nxt_stripped.startswith("#") and nxt_depth > depth:
                    continue
                has_child = nxt_depth > depth
                break
            if not has_child:
                line = line + " {}"
        out.append(line)
    return "\n".join(out)
