"""Your company's profile: the blank commented profile ``init`` writes, the facts answers wait for, the interview.

Which facts apply is read from the bank, not listed by hand: an answer is rendered under the facts known so far,
and rendering stops at the first fact the profile lacks. Facts that only a branch the known facts rule out reads
(hosting questions for on-premises software, training consent when customer data trains nothing) are never
reached, so they are never asked. The deciding facts go first because they rule out the most.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import nodes

from .answers import NEEDS_INPUT, AnswerEngine
from .models import FactDecl
from .templating import make_env, referenced_facts
from .workspace import Library, load_profile

# Asked first, in this order, when the bank declares them and an answer waits for them: each rules out whole
# branches (on-premises software has no hosting provider; no AI features, no AI questions).
DECIDING_FACTS = (
    "deployment.model",
    "hosting.provider",
    "compliance.soc2_type2",
    "compliance.iso27001",
    "ai.features",
    "ai.training_on_customer_data",
)
# Topics first in the blank profile, then the others in bank order.
FIRST_TOPICS = ("company", "deployment", "hosting", "compliance", "ai")

HEADER = """\
# The company profile: the facts trustfill answers questionnaires from, for YOUR company.
# Nothing is filled in, so nothing false is stated. Give each fact its value, either by answering the questions of
# 'trustfill profile {where}' or by editing this file: delete the '# ' before a fact's name and write its value
# after the colon. A fact left unset sends the questions that need it to review; trustfill never guesses it.
# 'trustfill check {where}' lists every fact still missing.
"""


def _type_hint(decl: FactDecl) -> str:
    if decl.type == "enum":
        return "one of: " + ", ".join(decl.values or ())
    if decl.type == "list":
        return "a list" + (" of: " + ", ".join(decl.values) if decl.values else ", like [first, second]")
    return {"bool": "true or false", "int": "a whole number", "date": "a date like 2027-01-31", "str": "text"}[decl.type]


_DUMPED: dict[tuple[str, str], str] = {}


def _dump_value(value: Any) -> str:
    # The interview saves after every answer; dumping each of ~500 values through PyYAML every time was most
    # of its run time, and a value's YAML text never changes.
    key = (type(value).__name__, repr(value))
    if key not in _DUMPED:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
        _DUMPED[key] = text[:-4].strip() if text.endswith("\n...") else text.removesuffix("...").strip()
    return _DUMPED[key]


def topic_titles(lib: Library) -> dict[str, str]:
    """A readable title per top-level fact group: the usual category of the entries in the file declaring it."""
    categories: dict[str, Counter[str]] = {}
    for entry_id, entry in lib.entries.items():
        categories.setdefault(lib.entry_sources[entry_id][0], Counter())[entry.category] += 1
    titles: dict[str, str] = {}
    for name in lib.facts.decls:
        top = name.split(".")[0]
        if top in titles:
            continue
        origin = lib.facts.origins.get(name, "").split(":")[0]
        common = categories.get(origin)
        fallback = top.replace("_", " ").capitalize()
        titles[top] = f"{fallback}: {common.most_common(1)[0][0]}" if common and top != "company" else fallback
    return titles


def _ordered_topics(lib: Library) -> list[str]:
    seen: list[str] = []
    for name in lib.facts.decls:
        top = name.split(".")[0]
        if top not in seen:
            seen.append(top)
    return [t for t in FIRST_TOPICS if t in seen] + [t for t in seen if t not in FIRST_TOPICS]


def render_profile(lib: Library, facts: dict[str, Any], *, where: str = "WORKSPACE") -> str:
    """The whole profile as YAML: every declared fact grouped by topic, its description and allowed values as
    comments; facts set in ``facts`` carry their value, the others stay commented out (unset)."""
    titles = topic_titles(lib)
    tree = lib.facts.tree()  # groups in the order their first fact is declared, so each group is written once
    lines = [HEADER.format(where=where)]

    def emit(node: dict[str, Any], path: tuple[str, ...]) -> None:
        indent = "  " * len(path)
        for key, child in node.items():
            name = ".".join((*path, key))
            if not isinstance(child, FactDecl):
                lines.append(f"{indent}{key}:")
                emit(child, (*path, key))
                continue
            lines.append(f"{indent}# {' '.join(child.description.split())} ({_type_hint(child)})")
            lines.append(f"{indent}{key}: {_dump_value(facts[name])}" if name in facts else f"{indent}# {key}:")

    for top in _ordered_topics(lib):
        lines.append(f"# --- {titles[top]} " + "-" * max(3, 100 - len(titles[top])))
        lines.append(f"{top}:")
        emit(tree[top], (top,))
        lines.append("")
    return "\n".join(lines)


def write_profile(lib: Library, path: Path, facts: dict[str, Any], *, where: str = "WORKSPACE", validate: bool = True) -> None:
    """Write the profile atomically; with ``validate``, load it back first, so an invalid file never replaces it."""
    from .output import atomic_path

    text = render_profile(lib, facts, where=where)
    with atomic_path(path, force=True) as tmp:
        tmp.write_text(text, encoding="utf-8")
        if validate:
            load_profile(lib, tmp)


def parse_answer(decl: FactDecl, text: str) -> Any:
    """A typed value from what a person typed; ValueError with a plain message when it does not fit."""
    text = text.strip()
    if decl.type == "bool":
        folded = text.casefold()
        if folded in ("y", "yes", "true", "t", "1"):
            return True
        if folded in ("n", "no", "false", "f", "0"):
            return False
        raise ValueError("answer yes or no")
    if decl.type == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError("give a whole number, like 30") from None
    if decl.type == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("give a date like 2027-01-31") from None
    if decl.type == "enum":
        values = decl.values or []
        if text in values:
            return text
        if text.isdigit() and 1 <= int(text) <= len(values):
            return values[int(text) - 1]
        raise ValueError(f"choose one of {', '.join(values)} (or its number)")
    if decl.type == "list":
        if text.casefold() in ("none", "-", "[]"):
            return []
        items = [i.strip() for i in text.strip("[]").split(",") if i.strip()]
        bad = [i for i in items if decl.values and i not in decl.values]
        if bad:
            raise ValueError(f"'{bad[0]}' is not allowed; use some of {', '.join(decl.values or ())}, separated by commas")
        return items
    if not text:
        raise ValueError("give some text")
    return text


@dataclass(frozen=True)
class Waiting:
    """A fact the profile lacks and the answers that wait for it."""

    fact: str
    """The fact's dotted name."""
    entries: tuple[str, ...]
    """Entries whose answer stops at this fact, in bank order."""


def _engine(lib: Library, facts: dict[str, Any], env: Any) -> AnswerEngine:
    return with_declared_groups(AnswerEngine(lib.entries, facts, lib.evidence, env or make_env(lib.template_loader())), lib)


def with_declared_groups(engine: AnswerEngine, lib: Library) -> AnswerEngine:
    """``engine`` with every declared fact group present, empty where unset.

    A template reading ``deployment.model`` when no ``deployment`` fact is set would otherwise stop at the
    group ('deployment' is undefined), which names no fact a person can answer.
    """
    for name in lib.facts.decls:
        node = engine.nested
        for part in name.split(".")[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
    return engine


def waiting_facts(lib: Library, facts: dict[str, Any], env: Any = None, parsed: dict[str, set[str]] | None = None,
                  ) -> list[Waiting]:
    """Facts to ask next under ``facts``: those blocked answers stop at, deciding facts first.

    A deciding fact is also listed when an answer would reach it once the other facts are set: that is found by
    rendering again with every other unset fact given a stand-in value. A branch the known facts rule out is
    not taken whatever the stand-ins are (on-premises software never reaches the hosting provider).
    """
    parsed = {} if parsed is None else parsed
    waiting, _ = _survey(lib, facts, env, parsed)
    pending = [d for d in DECIDING_FACTS if d in lib.facts.decls and d not in facts and d not in waiting]
    if pending:
        stand_ins = {name: _stand_in(decl) for name, decl in lib.facts.decls.items()
                     if name not in facts and name not in DECIDING_FACTS}
        reached, _ = _survey(lib, {**facts, **stand_ins}, env, parsed)
        for fact in pending:
            if fact in reached:
                waiting[fact] = reached[fact]
    order = {name: i for i, name in enumerate(lib.facts.decls)}
    first = {name: i for i, name in enumerate(DECIDING_FACTS)}
    return [Waiting(f, tuple(ids)) for f, ids in
            sorted(waiting.items(), key=lambda kv: (first.get(kv[0], len(first)), order.get(kv[0], 0)))]


def _stand_in(decl: FactDecl) -> Any:
    """A value of the declared type, only to see where answers go next; never written anywhere."""
    return {"bool": True, "int": 1, "date": dt.date(2000, 1, 1), "str": "x",
            "enum": (decl.values or ["x"])[0], "list": (decl.values or ["x"])[:1]}[decl.type]


def blocked_reads(lib: Library, facts: dict[str, Any], env: Any = None) -> dict[str, list[str]]:
    """Every unset fact read anywhere by an answer that cannot be given yet, with those answers.

    Rendering stops at the first missing fact, so a render alone shows one fact per answer per run; this adds the
    facts the same templates read further on, so ``check`` lists them all at once. A fact that only answers
    already given read is not listed: its branch is ruled out.
    """
    return _survey(lib, facts, env, {})[1]


def _survey(lib: Library, facts: dict[str, Any], env: Any, parsed: dict[str, set[str]]
            ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """One render of every entry: (fact -> entries that stop at it, fact -> blocked entries that read it)."""
    env = env or make_env(lib.template_loader())
    engine = _engine(lib, facts, env)
    stops: dict[str, list[str]] = {}
    reads: dict[str, list[str]] = {}
    for entry_id, entry in lib.entries.items():
        result = engine.render(entry_id)
        if result.status != NEEDS_INPUT:
            continue
        for fact in result.missing_facts:
            if fact in lib.facts.decls:
                stops.setdefault(fact, []).append(entry_id)
        for fact in sorted(set(result.missing_facts) | _reads(env, entry, parsed)):
            if fact in lib.facts.decls and fact not in facts:
                reads.setdefault(fact, []).append(entry_id)
    order = {name: i for i, name in enumerate(lib.facts.decls)}
    return stops, dict(sorted(reads.items(), key=lambda kv: order.get(kv[0], 0)))


def _reads(env: Any, entry: Any, parsed: dict[str, set[str]]) -> set[str]:
    spec = entry.answer
    sources: Iterable[str]
    if spec.template is not None:
        if spec.template not in parsed:
            try:
                source, _, _ = env.loader.get_source(env, spec.template)
                parsed[spec.template] = referenced_facts(env.parse(source))
            except Exception:  # a broken template is reported by check's own template pass
                parsed[spec.template] = set()
        return parsed[spec.template]
    sources = [("{{ " + c.when + " }}") if c.when else "" for c in spec.cases or ()] + [c.narrative for c in spec.cases or ()]
    found: set[str] = set()
    for source in sources:
        if "{" not in source:
            continue
        if source not in parsed:
            try:
                ast: nodes.Template = env.parse(source)
                parsed[source] = referenced_facts(ast)
            except Exception:  # reported by check's own template pass
                parsed[source] = set()
        found |= parsed[source]
    return found


Asker = Callable[[str, FactDecl, Waiting], Any]
"""Asks one fact: returns its value, or None to leave it unset for now (it is asked again next time)."""


@dataclass(frozen=True)
class InterviewResult:
    """What an interview did."""

    asked: int
    """Facts asked."""
    answered: int
    """Facts given a value (and saved)."""
    unset: tuple[str, ...]
    """Facts answers still wait for."""
    stopped: bool
    """True when the person stopped before the end (their answers so far are saved)."""


class StopInterview(Exception):
    """Raised by an asker to end the interview early; answers given so far stay saved."""


def interview(lib: Library, path: Path, ask: Asker, *, where: str = "WORKSPACE") -> InterviewResult:
    """Ask the facts answers wait for, deciding facts first, saving after each answer; resumable.

    Facts already in the profile at ``path`` are kept and not asked. A fact left unset (``ask`` returns None) is
    not asked again in this run.
    """
    facts: dict[str, Any] = load_profile(lib, path)[0] if path.is_file() else {}
    env = make_env(lib.template_loader())
    parsed: dict[str, set[str]] = {}
    passed: set[str] = set()
    asked = answered = 0
    stopped = False
    try:
        while True:
            # A fact already set is never asked again, even if some answer still stops near it: no endless loop.
            waiting = [w for w in waiting_facts(lib, facts, env, parsed) if w.fact not in passed and w.fact not in facts]
            if not waiting:
                break
            # After a deciding fact, look again: it may rule out much of what waits. Other facts go in a round.
            deciding = [w for w in waiting if w.fact in DECIDING_FACTS]
            batch = deciding[:1] or waiting
            for item in batch:
                asked += 1
                value = ask(item.fact, lib.facts.decls[item.fact], item)
                if value is None:
                    passed.add(item.fact)
                    continue
                facts[item.fact] = value
                answered += 1
                # Saved after every answer, so stopping (or a crash) loses nothing; values are typed by
                # parse_answer, so the full validation runs once, at the end.
                write_profile(lib, path, facts, where=where, validate=False)
    except StopInterview:
        stopped = True
    unset = tuple(w.fact for w in waiting_facts(lib, facts, env, parsed))
    write_profile(lib, path, facts, where=where)
    return InterviewResult(asked, answered, unset, stopped)

