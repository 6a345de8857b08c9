"""Fact declarations turned into a profile model, and profile validation with suggestions for typos."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, create_model

from ._yaml import Located
from .errors import Problem
from .models import FactDecl


@dataclass(frozen=True)
class FactSchema:
    """All declared facts, by dotted name, and where each was declared."""

    decls: dict[str, FactDecl]
    """Declaration of each fact."""
    origins: dict[str, str]
    """``path:line:col`` of each declaration."""

    def names(self) -> list[str]:
        """Sorted fact names."""
        return sorted(self.decls)

    def tree(self) -> dict[str, Any]:
        """Nested dict of names; leaves are the declarations."""
        root: dict[str, Any] = {}
        for name, decl in self.decls.items():
            node = root
            *parents, leaf = name.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = decl
        return root

    def conflicts(self) -> list[Problem]:
        """Facts declared both as a value and as a group (``a`` and ``a.b``)."""
        problems = []
        for name in self.decls:
            prefix = name + "."
            for other in self.decls:
                if other.startswith(prefix):
                    problems.append(
                        Problem(self.origins[other], f"fact '{other}' sits under '{name}', which is already a value; rename one")
                    )
        return problems


def _leaf_type(decl: FactDecl) -> Any:
    if decl.type == "bool":
        return StrictBool
    if decl.type == "int":
        return StrictInt
    if decl.type == "date":
        return dt.date
    if decl.type == "enum":
        return Literal[tuple(decl.values or ())]  # type: ignore[misc]
    if decl.type == "list":
        return list[Literal[tuple(decl.values)]] if decl.values else list[str]  # type: ignore[misc]
    return str


def profile_model(schema: FactSchema) -> type[BaseModel]:
    """A pydantic model for profiles under ``schema``: every fact optional, unknown keys forbidden."""

    def build(name: str, node: dict[str, Any]) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for key, value in sorted(node.items()):
            # Field names are prefixed so facts like 'register' or 'copy' cannot shadow BaseModel attributes;
            # the alias keeps the YAML key, error locations and the JSON Schema in the person's words.
            if isinstance(value, FactDecl):
                fields[f"f_{key}"] = (Optional[_leaf_type(value)], Field(None, alias=key, description=value.description))  # noqa: UP045
            else:
                sub = build(f"{name}_{key}", value)
                fields[f"f_{key}"] = (Optional[sub], Field(None, alias=key))  # noqa: UP045
        return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)

    return build("Profile", schema.tree())


def _siblings(schema: FactSchema, parent: tuple[str, ...]) -> list[str]:
    node: Any = schema.tree()
    for part in parent:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return []
    return sorted(node) if isinstance(node, dict) else []


def validate_profile(located: Located, schema: FactSchema) -> tuple[dict[str, Any], list[Problem]]:
    """Check a loaded profile against the declared facts; return the set facts by dotted name and problems."""
    data = located.data
    if not isinstance(data, dict):
        return {}, [Problem(located.place(()), "a profile must be a mapping of facts, e.g. 'deployment: {model: saas}'")]
    model = profile_model(schema)
    problems: list[Problem] = []
    try:
        model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_profile_problem(located, schema, err))
    flat: dict[str, Any] = {}
    if not problems:
        _flatten(data, (), flat)
    return flat, problems


def _flatten(node: Any, prefix: tuple[str, ...], out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, (*prefix, key), out)
    elif node is not None:
        out[".".join(prefix)] = node


def _profile_problem(located: Located, schema: FactSchema, err: Any) -> Problem:
    loc = tuple(str(p) for p in err["loc"])
    # pydantic appends the Literal/list position to loc for nested types; keep the fact path only.
    fact_parts = [p for p in loc if not p.isdigit() and not p.startswith("literal[")]
    name = ".".join(fact_parts)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent, typed = tuple(fact_parts[:-1]), fact_parts[-1]
        options = _siblings(schema, parent)
        close = difflib.get_close_matches(typed, options, n=1, cutoff=0.6)
        hint = f"; did you mean '{'.'.join((*parent, close[0]))}'?" if close else (
            "; declare it under 'facts:' in a question_bank file first" if not options else f"; known here: {', '.join(options[:8])}"
        )
        return Problem(located.place(loc, key=True), f"unknown fact '{name}'{hint}")
    decl = schema.decls.get(name)
    got = err.get("input")
    if decl is not None and decl.values and kind in ("literal_error", "enum"):
        close = difflib.get_close_matches(str(got), decl.values, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return Problem(
            located.place(loc), f"{name}: '{got}' is not allowed; use one of {', '.join(decl.values)}{hint}"
        )
    if decl is not None:
        return Problem(located.place(loc), f"{name}: expected {_describe(decl)}, got {got!r}")
    if kind in ("model_type", "dict_type"):
        return Problem(located.place(loc), f"{name}: expected a group of facts (a mapping), got {got!r}")
    return Problem(located.place(loc), f"{name}: {err['msg']}")


def _describe(decl: FactDecl) -> str:
    return {
        "bool": "true or false",
        "int": "a whole number",
        "date": "a date like 2026-01-31",
        "str": "text",
        "list": "a list" + (f" of {', '.join(decl.values)}" if decl.values else ""),
        "enum": "one of " + ", ".join(decl.values or ()),
    }[decl.type]
