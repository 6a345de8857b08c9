"""Guards that lint cannot give: ruff's F811 stays silent when the first definition was used before the second."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "trustfill"


def _redefinitions(source: str) -> list[tuple[str, int, int]]:
    seen: dict[str, int] = {}
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in seen:
                out.append((node.name, seen[node.name], node.lineno))
            seen.setdefault(node.name, node.lineno)
    return out


def test_the_guard_finds_a_redefined_function() -> None:
    source = "def f():\n    return _count([])\n\ndef _count(x):\n    return 0\n\ndef _count(n, one):\n    return ''\n"
    assert _redefinitions(source) == [("_count", 4, 7)]


def test_no_module_defines_a_top_level_function_or_class_twice() -> None:
    found = [f"{path.relative_to(SRC)}:{second}: '{name}' again (first at line {first})"
             for path in sorted(SRC.rglob("*.py")) for name, first, second in _redefinitions(path.read_text())]
    assert found == []
