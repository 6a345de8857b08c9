"""Render a bank entry's answer from profile facts, with full provenance."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from jinja2 import Template, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError

from .models import BankEntry, EvidenceItem, OwnershipSpec
from .ownership import CSP, SHARED_CSC, default_ownership
from .policies import PolicyMatch, Topic, find_policy, topic_of, topic_of_section
from .templating import (
    FactTracker,
    RenderBudgetExceeded,
    bounded_join,
    make_env,
    reject_undefined,
    render_deadline,
    tracking,
    wrap,
)

OK = "ok"
NEEDS_INPUT = "needs_input"
ERROR = "error"


@dataclass(frozen=True)
class EvidenceRef:
    """An evidence document an answer cites."""

    id: str
    """Evidence index id."""
    title: str
    """Document title."""
    path: str
    """Path relative to the evidence folder."""
    visibility: str
    """public, nda or internal."""
    valid_until: str | None
    """ISO date the document is valid until, if any."""


@dataclass(frozen=True)
class RenderedAnswer:
    """One entry's answer under one profile, and everything that explains it."""

    entry_id: str
    """Bank entry id."""
    source: str
    """Template name, or ``cases[i]`` of the entry's inline rules."""
    status: str
    """``ok``, ``needs_input`` (a fact the profile lacks) or ``error`` (template problem)."""
    short: str | None
    """Short answer (one of the entry's choices), or None unless ok."""
    narrative: str | None
    """Narrative paragraphs joined by blank lines, or None unless ok."""
    facts: tuple[tuple[str, Any], ...] = ()
    """Facts the render read, in the order first read, with their values."""
    evidence: tuple[EvidenceRef, ...] = ()
    """Evidence cited by the entry and by the branch taken."""
    missing_facts: tuple[str, ...] = ()
    """Facts needed but not set in the profile (status needs_input)."""
    problems: tuple[str, ...] = field(default=())
    """What went wrong, one sentence each."""
    ownership: str | None = None
    """Who owns the control under the shared responsibility model (``CSP-owned``...), or None when unknown."""
    ownership_basis: str = ""
    """Why: the entry's own ``ownership``, or the default rule applied (see :mod:`trustfill.ownership`)."""
    customer_responsibility: str | None = None
    """What the customer must do for this control, or None when nothing."""


def reflow(text: str) -> str:
    """Join template lines into paragraphs; blank lines separate paragraphs; spaces collapsed."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    out = [re.sub(r"\s+", " ", p).strip() for p in paragraphs]
    return "\n\n".join(p for p in out if p)


class AnswerEngine:
    """Renders answers for one profile. Same facts in, same answers out; results are cached per entry."""

    def __init__(
        self,
        entries: dict[str, BankEntry],
        facts: dict[str, Any],
        evidence: dict[str, EvidenceItem],
        env: Any | None = None,
    ) -> None:
        self.entries = entries
        self.flat_facts = facts
        self.nested = _nest(facts)
        self.evidence = evidence
        self.env = env or make_env()
        self._cache: dict[str, RenderedAnswer | None] = {}
        self._compiled: dict[str, Any] = {}

    def render(self, entry_id: str, question: str | None = None, section: str | None = None) -> RenderedAnswer:
        """The answer for ``entry_id``; never raises for template or profile problems.

        ``question``, the customer's wording, and ``section``, the heading it sits under, matter only to
        policy-family entries, whose answer depends on the topic the question names (or, when it names none, its
        section: "Are policies and procedures reviewed ...?" under "Logging and Monitoring"); without a question they
        answer for the first topic the evidence index covers.
        """
        entry = self.entries[entry_id]
        if entry.policy_family is not None:
            return self._render_policy(entry, question, section)
        if entry_id not in self._cache:
            self._cache[entry_id] = self._render(entry)
        result = self._cache[entry_id]
        assert result is not None
        return result

    def render_negated(self, entry_id: str) -> RenderedAnswer | None:
        """The answer to a question asking the opposite of the entry's question, when the entry's ``negation``
        declares one for its current short answer; None when it does not (the question then needs a person)."""
        key = "\0not:" + entry_id
        if key not in self._cache:
            self._cache[key] = self._negated(self.entries[entry_id])  # type: ignore[assignment]
        return self._cache[key]

    def _negated(self, entry: BankEntry) -> RenderedAnswer | None:
        base = self.render(entry.id)
        spec = entry.negation
        if spec is None or base.status != OK or base.short not in spec.short:
            return None
        narrative = base.narrative
        if spec.narrative:
            tracker = FactTracker()
            ctx = self._context(tracker, [], entry)
            try:
                narrative = reflow(self._template(spec.narrative).render(ctx))
            except (UndefinedError, SecurityError, TemplateSyntaxError, TypeError, ValueError) as exc:
                return self._result(entry, "negation", ERROR, tracker, [], problems=(f"negation narrative failed: {exc}",))
        return replace(base, source=f"{base.source} (negated)", short=spec.short[base.short], narrative=narrative)

    def policy_for(self, question: str | None, section: str | None = None) -> PolicyMatch | None:
        """The policy document covering the topic ``question`` names, else its ``section`` (a sample topic when None)."""
        documents = [d for d in self.evidence.values() if d.covers]
        if question is None:
            if not documents:
                return None
            sample = documents[0].covers[0]
            return PolicyMatch(Topic(sample, frozenset()), documents[0], (sample,))
        topic = topic_of(question)
        if topic is not None:
            return find_policy(topic, documents)
        topic = topic_of_section(section)
        if topic is None:
            return None
        found = find_policy(topic, documents)
        return found if found.document is not None else replace(
            found, reason=f"the question names no policy topic and, for its section, {found.reason}")

    def _render_policy(self, entry: BankEntry, question: str | None, section: str | None = None) -> RenderedAnswer:
        found = self.policy_for(question, section)
        if found is None or found.document is None:
            why = found.reason if found is not None else "the question names no policy topic"
            return self._result(entry, entry.answer.template or "cases", NEEDS_INPUT, FactTracker(), list(entry.cites),
                                problems=(f"needs input: {why}; list the topic under covers: of the policy document that covers it",))
        doc = found.document
        key = f"{entry.id}\0{doc.id}\0{found.topic.text}"
        if key not in self._cache:
            policy = {"id": doc.id, "title": doc.title, "topic": found.topic.text}
            self._cache[key] = self._render(entry, extra={"policy": policy}, cites=(doc.id,))
        return self._cache[key]

    def _context(self, tracker: FactTracker, cited: list[str], entry: BankEntry) -> dict[str, Any]:
        def cite(evidence_id: str) -> str:
            reject_undefined(evidence_id)
            evidence_id = str(evidence_id)
            if evidence_id not in cited:
                cited.append(evidence_id)
            return ""

        ctx: dict[str, Any] = {key: wrap(value, key, tracker) if isinstance(value, dict) else value for key, value in self.nested.items()}
        ctx.update({"cite": cite, "entry": {"id": entry.id, "category": entry.category}})
        return ctx

    def _render(self, entry: BankEntry, extra: dict[str, Any] | None = None, cites: tuple[str, ...] = ()) -> RenderedAnswer:
        tracker = FactTracker()
        cited: list[str] = list(entry.cites) + [c for c in cites if c not in entry.cites]
        ctx = self._context(tracker, cited, entry)
        ctx.update(extra or {})
        spec = entry.answer
        source = spec.template or "cases"
        try:
            with tracking(tracker), render_deadline():
                if spec.template is not None:
                    template = self.env.get_template(spec.template)
                    short = _block(template, "short", ctx)
                    narrative = _block(template, "narrative", ctx)
                else:
                    short, narrative, source = self._cases(entry, ctx, cited)
                owner, basis = self._ownership(entry, ctx, tracker)
                duty = reflow(self._template(entry.customer_responsibility).render(ctx)) if entry.customer_responsibility else ""
        except UndefinedError as exc:
            missing = (_culprit(exc, tracker),)
            return self._result(entry, source, NEEDS_INPUT, tracker, cited, missing=missing,
                                problems=(f"needs input: fact {', '.join(missing)} is not set in the profile",))
        except SecurityError as exc:
            return self._result(entry, source, ERROR, tracker, cited,
                                problems=(f"template refused: {exc} (templates cannot reach Python internals)",))
        except TemplateNotFound as exc:
            return self._result(entry, source, ERROR, tracker, cited, problems=(f"template not found: {exc.name}",))
        except TemplateSyntaxError as exc:
            return self._result(entry, source, ERROR, tracker, cited,
                                problems=(f"{exc.filename or source}:{exc.lineno}: template syntax error: {exc.message}",))
        except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError, IndexError) as exc:
            return self._result(entry, source, ERROR, tracker, cited, problems=(f"template failed: {type(exc).__name__}: {exc}",))
        except RenderBudgetExceeded as exc:
            return self._result(entry, source, ERROR, tracker, cited, problems=(f"template refused: {exc}",))
        except RecursionError:
            return self._result(entry, source, ERROR, tracker, cited,
                                problems=("template failed: recursion too deep (a macro that calls itself?)",))
        except MemoryError:
            return self._result(entry, source, ERROR, tracker, cited, problems=("template failed: out of memory",))
        except JinjaTemplateError as exc:  # unknown filter or test at run time, a template outside its folder, ...
            return self._result(entry, source, ERROR, tracker, cited, problems=(f"template failed: {exc}",))
        short = short.strip()
        problems: list[str] = []
        if short not in spec.choices:
            problems.append(f"short answer {short!r} is not one of the choices {', '.join(spec.choices)}")
        status = ERROR if problems else OK
        # A missing evidence document does not make the answer wrong; check and the report flag it.
        problems += [f"cites unknown evidence '{c}'" for c in cited if c not in self.evidence]
        result = self._result(entry, source, status, tracker, cited, short=short if status == OK else None,
                              narrative=reflow(narrative) if status == OK else None, problems=tuple(problems))
        if status != OK:
            return result
        if entry.ownership is None and owner == CSP and duty:
            # The default saw only the category; a customer with its own part to play makes the control shared.
            owner, basis = SHARED_CSC, f"{basis}; shared, since the customer has responsibilities"
        return replace(result, ownership=owner, ownership_basis=basis, customer_responsibility=duty or None)

    def _ownership(self, entry: BankEntry, ctx: dict[str, Any], tracker: FactTracker) -> tuple[str | None, str]:
        """The entry's own ownership (a value, or the first case that holds), else the default rule's."""
        spec = entry.ownership
        if isinstance(spec, str):
            return spec, "set by the entry"
        if isinstance(spec, OwnershipSpec):
            for i, case in enumerate(spec.cases):
                if case.when is None or self._expression(case.when)(**ctx):
                    return case.value, f"the entry's ownership case {i + 1}"
            return None, "none of the entry's ownership cases holds"
        owner, used, why = default_ownership(entry.category, self.flat_facts)
        for name in used:
            if name in self.flat_facts:
                tracker.read.setdefault(name, self.flat_facts[name])
        return owner, f"default for category '{entry.category}': {why}"

    def _cases(self, entry: BankEntry, ctx: dict[str, Any], cited: list[str]) -> tuple[str, str, str]:
        assert entry.answer.cases is not None
        for i, case in enumerate(entry.answer.cases):
            if case.when is not None:
                holds = reject_undefined(self._expression(case.when)(**ctx))
                _ = str(holds) if holds is not None else ""  # force strict undefined to raise
                if not holds:
                    continue
            cited.extend(c for c in case.cites if c not in cited)
            # Plain text needs no Jinja; most declarative narratives without facts are plain.
            if "{" in case.narrative:
                template = self._template(case.narrative)
                narrative = bounded_join(template.root_render_func(template.new_context(ctx)))
            else:
                narrative = case.narrative
            return case.short, narrative, f"cases[{i}]"
        raise ValueError("no case applies and there is no fallback case without 'when'")

    def _expression(self, source: str) -> Any:
        # Compiling is most of the cost of a declarative case; many entries share the same expressions.
        if source not in self._compiled:
            self._compiled[source] = self.env.compile_expression(source, undefined_to_none=False)
        return self._compiled[source]

    def _template(self, source: str) -> Template:
        key = "\0" + source
        if key not in self._compiled:
            self._compiled[key] = self.env.from_string(source)
        return self._compiled[key]

    def _result(self, entry: BankEntry, source: str, status: str, tracker: FactTracker, cited: list[str], *,
                short: str | None = None, narrative: str | None = None, missing: tuple[str, ...] = (),
                problems: tuple[str, ...] = ()) -> RenderedAnswer:
        refs = tuple(
            EvidenceRef(e.id, e.title, e.path, e.visibility, e.valid_until.isoformat() if e.valid_until else None)
            for e in (self.evidence.get(c) for c in cited) if e is not None
        )
        return RenderedAnswer(entry.id, source, status, short, narrative, tuple(tracker.read.items()), refs, missing, problems)


def _block(template: Template, name: str, ctx: dict[str, Any]) -> str:
    if name not in template.blocks:
        raise ValueError(f"template has no '{{% block {name} %}}'")
    context = template.new_context(ctx)
    return bounded_join(template.blocks[name](context))


def _culprit(exc: UndefinedError, tracker: FactTracker) -> str:
    """The fact whose absence raised ``exc``: a top-level name, or the last group member read and missing."""
    text = str(exc)
    top = re.search(r"'([^']+)' is undefined", text)
    if top:
        return top.group(1)
    attr = re.search(r"has no attribute '([^']+)'", text)
    if attr:
        for name in reversed(tracker.missing):
            if name.endswith("." + attr.group(1)):
                return name
        return attr.group(1)
    return text


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for name, value in flat.items():
        node = root
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return root
