"""The one Jinja2 environment factory: sandboxed, strict, no autoescape, with fact tracking.

Answer text goes into spreadsheet cells and Word runs, never HTML, so autoescape is off; the writers
make text safe for their target (XML escaping for docx/xlsx, formula-injection guard for cells).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, FileSystemLoader, StrictUndefined, Undefined, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError


def _yesno(value: Any, yes: str = "Yes", no: str = "No", none: str = "N/A") -> str:
    """``true`` -> Yes, ``false`` -> No, ``none`` -> N/A."""
    if value is None:
        return none
    return yes if value else no


def _join_and(values: Iterable[Any], conjunction: str = "and") -> str:
    """``['a', 'b', 'c']`` -> ``a, b and c``."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _date(value: Any, fmt: str = "%d %B %Y") -> str:
    """A date as ``31 March 2027`` (or ``fmt``); leading zero of the day removed."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    text = value.strftime(fmt)
    return text[1:] if fmt.startswith("%d") and text.startswith("0") else text


def _words(value: Any) -> str:
    """An enum value as words: ``opt_in`` -> ``opt in``."""
    return str(value).replace("_", " ")


BUILTIN_FILTERS: dict[str, Callable[..., Any]] = {
    "yesno": _yesno,
    "join_and": _join_and,
    "date": _date,
    "words": _words,
}

# Names a template may use that are not facts.
RESERVED_NAMES = frozenset({"cite", "entry", "question", "policy"})


class FactTracker:
    """Records which facts a render read, and which it needed but the profile lacks."""

    def __init__(self) -> None:
        self.read: dict[str, Any] = {}
        self.missing: list[str] = []

    def note_missing(self, name: str) -> None:
        """Remember a fact the profile does not set."""
        if name not in self.missing:
            self.missing.append(name)


class FactGroup:
    """A group of facts (``ai`` in ``ai.training``) that records each read through it."""

    __slots__ = ("_group", "_prefix", "_tracker")

    def __init__(self, group: dict[str, Any], prefix: str, tracker: FactTracker) -> None:
        self._group = group
        self._prefix = prefix
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            # Jinja falls back to item access on AttributeError, which then yields a strict Undefined.
            raise AttributeError(name) from exc

    def __getitem__(self, name: str) -> Any:
        path = f"{self._prefix}.{name}"
        if name not in self._group:
            self._tracker.note_missing(path)
            raise KeyError(name)
        return wrap(self._group[name], path, self._tracker)

    def __contains__(self, name: object) -> bool:
        return name in self._group

    def __repr__(self) -> str:
        return f"<facts {self._prefix}>"


def wrap(value: Any, path: str, tracker: FactTracker) -> Any:
    """Wrap groups so reads are tracked; record leaf reads."""
    if isinstance(value, dict):
        return FactGroup(value, path, tracker)
    tracker.read[path] = value
    return value


# The render in progress records its reads here, out of the template's reach: a template that could name the
# tracker could forge the report's "facts used".
_TRACKER: ContextVar[FactTracker | None] = ContextVar("trustfill_fact_tracker", default=None)


@contextlib.contextmanager
def tracking(tracker: FactTracker) -> Iterator[FactTracker]:
    """Within the block, renders record their fact reads in ``tracker``."""
    token = _TRACKER.set(tracker)
    try:
        yield tracker
    finally:
        _TRACKER.reset(token)


class TrackingContext(Context):
    """Records top-level fact reads; Jinja resolves every template variable through here."""

    def resolve_or_missing(self, key: str) -> Any:
        from jinja2.utils import missing

        if key.startswith("__"):  # dunder names are never facts, and never reachable
            return missing
        value = super().resolve_or_missing(key)
        tracker = _TRACKER.get()
        if tracker is None or key in RESERVED_NAMES:
            return value
        if value is missing:
            # Jinja resolves every name a block mentions up front, so a miss here is not yet a use;
            # the renderer names the culprit from the UndefinedError when it is used.
            return value
        if isinstance(value, FactGroup):
            return value
        if isinstance(value, dict):
            return FactGroup(value, key, tracker)
        tracker.read[key] = value
        return value


MAX_RENDER_SECONDS = 2.0
"""Wall time one answer may take to render; real answers take milliseconds (nested loops would never end)."""
MAX_OUTPUT_CHARS = 200_000
"""Characters one block may produce; a cell holds 32,767."""
MAX_SEQUENCE = 100_000
"""Longest string or list ``*`` may build, and the largest exponent ``**`` may use."""


class RenderBudgetExceeded(Exception):
    """A render ran too long or produced too much."""


def reject_undefined(value: Any, depth: int = 0) -> Any:
    """Raise the UndefinedError of an undefined value, also inside a list, tuple, set or dict literal.

    ``{{ [ai.nope] }}`` would otherwise print ``[Undefined]`` into an answer marked auto.
    """
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if depth < 20 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            reject_undefined(item, depth + 1)
    elif depth < 20 and isinstance(value, dict):
        for key, item in value.items():
            reject_undefined(key, depth + 1)
            reject_undefined(item, depth + 1)
    return value


class _Env(SandboxedEnvironment):
    context_class = TrackingContext
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*`` and ``**`` within bounds: a template must not build gigabytes or giant integers."""
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 1000:
                raise SecurityError(f"exponent {right} is too large for an answer template")
            return left**right
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SEQUENCE:
                raise SecurityError(f"repeating a value {times} times builds more than {MAX_SEQUENCE:,} items")
        return left * right

    def register_filter(self, name: str, func: Callable[..., Any]) -> None:
        """Add a filter; refuses to shadow a Jinja or trustfill built-in."""
        if name in self.filters:
            raise TemplateError(f"filter '{name}' already exists; choose another name")
        self.filters[name] = func


def make_env(loader: BaseLoader | None = None, extra_filters: dict[str, Callable[..., Any]] | None = None) -> _Env:
    """The environment every template renders in.

    Args:
        loader: where ``template:`` names are looked up (a ChoiceLoader over the workspace and built-ins).
        extra_filters: plugin filters; each name must be new.
    """
    env = _Env(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        # Blocks on their own lines leave no stray blank lines; narratives are re-flowed anyway.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=reject_undefined,
    )
    env.filters.update(BUILTIN_FILTERS)
    for name, func in (extra_filters or {}).items():
        env.register_filter(name, func)
    return env


def referenced_facts(ast: nodes.Template) -> set[str]:
    """Dotted fact paths a template reads (``ai.training`` from ``ai.training == 'x'``), by static analysis."""
    from jinja2 import meta

    roots = meta.find_undeclared_variables(ast) - RESERVED_NAMES
    found: set[str] = set()

    def chain(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = chain(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            base = chain(node.node)
            return f"{base}.{node.arg.value}" if base else None
        return None

    covered: set[int] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in covered:
            continue
        path = chain(node)
        if path and path.split(".")[0] in roots:
            found.add(path)
            inner = node.node  # type: ignore[attr-defined]
            while isinstance(inner, (nodes.Getattr, nodes.Getitem)):
                covered.add(id(inner))
                inner = inner.node
    # Drop prefixes of longer paths found (``ai`` when ``ai.training`` is there).
    for root in roots:
        if not any(p == root or p.startswith(root + ".") for p in found):
            found.add(root)
    return {p for p in found if not any(q.startswith(p + ".") for q in found)}


@contextlib.contextmanager
def render_deadline(seconds: float = MAX_RENDER_SECONDS) -> Iterator[None]:
    """Raise RenderBudgetExceeded inside the block once ``seconds`` pass (main thread on POSIX; elsewhere the
    output and repetition bounds still hold)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderBudgetExceeded(f"rendering took over {seconds:g} s (a loop that never ends?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bounded_join(chunks: Iterable[str], limit: int = MAX_OUTPUT_CHARS, seconds: float = MAX_RENDER_SECONDS) -> str:
    """Join a render's output, refusing more than ``limit`` characters or ``seconds`` of wall time."""
    out: list[str] = []
    size = 0
    start = time.monotonic()
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise RenderBudgetExceeded(f"the answer grew past {limit:,} characters")
        if time.monotonic() - start > seconds:
            raise RenderBudgetExceeded(f"rendering took over {seconds:g} s (a loop that never ends?)")
        out.append(chunk)
    return "".join(out)


class TemplateOutsideRoot(JinjaTemplateError):
    """A template path that resolves outside the template folders (a symlink, or ``..``)."""


class ConfinedLoader(FileSystemLoader):
    """A FileSystemLoader that refuses any template whose real path leaves its folder.

    A workspace template that is a symlink to ``/etc/passwd`` would otherwise be read and its content written
    into a customer's answer.
    """

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(os.path.realpath(filename))
        roots = [Path(os.path.realpath(p)) for p in self.searchpath]
        if not any(real == root or root in real.parents for root in roots):
            # Not TemplateNotFound: a ChoiceLoader would quietly fall back to the bundled template of that name.
            raise TemplateOutsideRoot(f"template '{template}' resolves to {real}, outside the template folder "
                                      f"(a symlink?); refused")
        return source, filename, uptodate
