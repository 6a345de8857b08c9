"""Load YAML keeping every key's and value's position, so errors can name ``path:line:col``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

# Billion-laughs documents expand a few aliases into millions of nodes. No real bank file comes near this.
MAX_NODES = 200_000
MAX_BYTES = 5 * 1024 * 1024

PathKey = tuple[str | int, ...]

# libyaml is ten times faster on a bank of hundreds of entries and reports the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Located:
    """A loaded document and the position of each value and key (1-based line and column)."""

    path: str
    data: Any
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def place(self, loc: PathKey, *, key: bool = False) -> str:
        """``path:line:col`` of the deepest known node on ``loc``; the key's position when ``key``."""
        loc = tuple(loc)
        while loc:
            table = self.keys if key else self.values
            if loc in table:
                line, col = table[loc]
                return f"{self.path}:{line}:{col}"
            if loc in self.values:
                line, col = self.values[loc]
                return f"{self.path}:{line}:{col}"
            loc = loc[:-1]
            key = False
        line, col = self.values.get((), (1, 1))
        return f"{self.path}:{line}:{col}"


class YamlLoadError(Exception):
    """A file that is not usable YAML; carries one located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.scalars = SafeConstructor()

    def build(self, node: Node, loc: PathKey) -> Any:
        self.located.values.setdefault(loc, _pos(node))
        if isinstance(node, ScalarNode):
            try:
                return self.scalars.construct_object(node, deep=True)
            except (ValueError, yaml.YAMLError) as exc:
                what = "date" if node.tag.endswith(":timestamp") else node.tag.rsplit(":", 1)[-1]
                raise YamlLoadError(
                    Problem(_mark(self.located.path, node), f"'{node.value}' is not a valid {what} ({exc}); write dates as YYYY-MM-DD")
                ) from exc
        if isinstance(node, SequenceNode):
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlLoadError(
                        Problem(_mark(self.located.path, key_node), "merge keys (<<) are not supported; write the keys out")
                    )
                if not isinstance(key_node, ScalarNode):
                    raise YamlLoadError(Problem(_mark(self.located.path, key_node), "a key must be plain text"))
                key = self.scalars.construct_object(key_node)
                if isinstance(key, (bool, int, float)) or key is None:
                    key = key_node.value  # `yes:` or `1:` as a key means the text the person typed
                key = str(key)
                if key in out:
                    first = self.located.keys[(*loc, key)]
                    raise YamlLoadError(
                        Problem(
                            _mark(self.located.path, key_node),
                            f"duplicate key '{key}' (first at line {first[0]}); keep one",
                        )
                    )
                self.located.keys[(*loc, key)] = _pos(key_node)
                out[key] = self.build(value_node, (*loc, key))
            return out
        raise YamlLoadError(Problem(_mark(self.located.path, node), f"unsupported YAML node {node.tag}"))


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _mark(path: str, node: Node) -> str:
    line, col = _pos(node)
    return f"{path}:{line}:{col}"


_FRIENDLY = {
    "found character '\\t' that cannot start any token": "a tab character; YAML indentation must use spaces",
    # libyaml and the pure-Python parser word this one differently; say it one way.
    "mapping values are not allowed in this context": "mapping values are not allowed here",
}


def load_text(text: str, path: str) -> Located:
    """Parse YAML text; raise :class:`YamlLoadError` with a located, one-line message."""
    located = Located(path, None)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        problem = _FRIENDLY.get(problem, problem)
        if "\t" in text and mark is not None and _tab_near(text, mark.line):
            problem = "a tab character; YAML indentation must use spaces"
        if problem.startswith(("mapping values are not allowed", "expected <block end>")):
            problem = f"{problem}; check the indentation of this line and the one above"
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise YamlLoadError(Problem(where, problem)) from exc
    except yaml.YAMLError as exc:
        raise YamlLoadError(Problem(path, f"invalid YAML: {exc}")) from exc
    if root is None:
        raise YamlLoadError(Problem(f"{path}:1:1", "file is empty; expected a YAML mapping"))
    if _expanded_size(root, {}) > MAX_NODES:
        raise YamlLoadError(
            Problem(_mark(path, root), f"document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); refusing to load it")
        )
    located.data = _Builder(located).build(root, ())
    return located


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """Nodes the document has once aliases are expanded, counted without expanding them (shared nodes memoised)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_NODES + 1  # a node reached again while still being counted is a recursive alias
    if isinstance(node, SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[key] = min(size, 10 * MAX_NODES)
    return memo[key]


def _tab_near(text: str, line: int) -> bool:
    lines = text.splitlines()
    return any("\t" in lines[i][: len(lines[i]) - len(lines[i].lstrip())] for i in range(max(0, line - 1), min(len(lines), line + 1)))


def load_file(path: Path, shown: str | None = None) -> Located:
    """Read and parse a YAML file, refusing binary, oversized and undecodable content with a located message."""
    shown = shown or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlLoadError(Problem(shown, f"cannot read: {exc.strerror or exc}")) from exc
    if len(raw) > MAX_BYTES:
        raise YamlLoadError(Problem(shown, f"file is {len(raw):,} bytes; YAML files over {MAX_BYTES:,} bytes are refused"))
    if b"\x00" in raw[:8192]:
        raise YamlLoadError(Problem(shown, "binary file, not YAML text; remove it or rename it away from .yaml"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlLoadError(
            Problem(f"{shown}:{line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        ) from exc
    if not text.strip():
        raise YamlLoadError(Problem(f"{shown}:1:1", "file is empty; expected a YAML mapping"))
    return load_text(text, shown)
