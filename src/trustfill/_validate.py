"""Validate a located YAML document against a pydantic model, mapping each error to the key's position."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._yaml import Located, YamlLoadError, load_file
from .errors import Problem, TrustfillError

M = TypeVar("M", bound=BaseModel)


def dotted(loc: tuple[Any, ...]) -> str:
    """``('entries', 3, 'answer')`` -> ``entries[3].answer``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model class reached by following ``loc`` (used for key suggestions)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic adds validator names like 'function-after[...]' or union branch names to loc
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in str(p) and str(p) not in ("str", "int")))


def validate_located(model: type[M], located: Located) -> tuple[M | None, list[Problem]]:
    """Validate; return the model or every problem, each placed at its key."""
    if not isinstance(located.data, dict):
        return None, [Problem(located.place(()), f"expected a mapping at the top level, got {type(located.data).__name__}")]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        problems = [_problem(model, located, err) for err in exc.errors()]
        # A union can report the same spot twice; keep the first of each.
        seen: set[str] = set()
        unique = []
        for p in problems:
            if str(p) not in seen:
                seen.add(str(p))
                unique.append(p)
        return None, unique


def load_validated(path: Path, model: type[M], error: type[TrustfillError], *, empty: M | None = None) -> M:
    """Read one YAML file into ``model``; ``empty`` stands for a file with nothing in it, when given.

    Raises:
        error: The file is not YAML, or does not fit ``model`` (every problem, each placed at its key).
    """
    try:
        located = load_file(path)
    except YamlLoadError as exc:
        raise error.from_problems([exc.problem]) from exc
    if located.data is None and empty is not None:
        return empty
    value, problems = validate_located(model, located)
    if value is None:
        raise error.from_problems(problems)
    return value


def _problem(model: type[BaseModel], located: Located, err: Any) -> Problem:
    loc = _clean_loc(tuple(err["loc"]))
    kind = err["type"]
    name = dotted(loc)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        options = sorted(parent.model_fields) if parent else []
        typed = str(loc[-1])
        close = difflib.get_close_matches(typed, options, n=1, cutoff=0.6) or [
            o for o in options if typed.startswith(o + "_") or o.startswith(typed + "_")
        ][:1]
        hint = f"; did you mean '{close[0]}'?" if close else (f"; allowed keys: {', '.join(options)}" if options else "")
        return Problem(located.place(loc, key=True), f"{name}: unknown key{hint}")
    if kind == "missing":
        return Problem(located.place(loc[:-1]), f"{name}: required key is missing")
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    got = err.get("input")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        msg = f"not a date: {got!r}; write it as YYYY-MM-DD"
    elif kind == "string_pattern_mismatch":
        msg = f"{got!r} does not match {err['ctx']['pattern']}; use lowercase letters, digits, '.', '_' or '-'"
    elif kind.endswith("_type") and not isinstance(got, dict):
        msg = f"{msg}, got {got!r}"
    return Problem(located.place(loc), f"{name}: {msg}" if name else msg)
