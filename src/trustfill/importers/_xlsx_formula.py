"""Evaluate the simple lookups that produce question text when a file carries no cached formula value.

Excel saves each formula's last result, and we read that first. Files written by scripts (openpyxl,
some exporters) save none, and HECVAT-style workbooks look every question up from a hidden sheet:
``=VLOOKUP($A13,Questions!$A$2:$X$333,2,0)&""``. This module evaluates just enough to read those:
references (same or other sheet, defined names), ``&`` concatenation, string and number literals,
VLOOKUP / HLOOKUP (exact match), INDEX, MATCH (exact), IFERROR, TRIM, CONCAT(ENATE), T, LEFT, RIGHT,
MID, UPPER and LOWER.
Anything else yields None, and the caller reports the cell as unreadable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._xlsx_book import Book, display, parse_range

MAX_DEPTH = 6
Value = str | float | bool | None

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"]|"")*")
    | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(])
    | (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<func>[A-Za-z_][\w.]*)\s*\(
    | (?P<name>(?:'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?[A-Za-z_\\][\w.]*)
    | (?P<op>[&,()=+\-*/<>;])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Area:
    """A rectangular range on one sheet."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int


class Unsupported(Exception):
    """The formula uses something this evaluator does not do."""


class FormulaEvaluator:
    """Evaluates simple lookup formulas against a :class:`Book`, caching results per cell."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self._cache: dict[tuple[str, int, int], Value] = {}

    def cell_text(self, sheet: str, row: int, col: int) -> str | None:
        """The cell's display text: its cached value, else its evaluated formula, else None."""
        v = self._cell_value(sheet, row, col, 0)
        return display(v) if v is not None else None

    def evaluate(self, formula: str, sheet: str) -> str | None:
        """Evaluate a formula (without '=') as if it sat on ``sheet``; None when it cannot."""
        try:
            v = self._eval(formula, sheet, 0)
        except (Unsupported, RecursionError, ValueError, IndexError, KeyError):
            return None
        if isinstance(v, Area):
            v = self._area_first(v)
        return display(v) if v is not None else None

    # --- internals ------------------------------------------------------------------------------

    def _cell_value(self, sheet: str, row: int, col: int, depth: int) -> Value:
        key = (sheet, row, col)
        if key in self._cache:
            return self._cache[key]
        try:
            ws = self.book.sheet(sheet)
        except KeyError:
            return None
        c = ws.cell(row, col)
        value: Value = None
        if c is not None:
            if c.error:
                value = None
            elif c.value is not None:
                value = c.value
            elif c.formula and depth < MAX_DEPTH:
                self._cache[key] = None  # breaks reference cycles
                try:
                    v = self._eval(c.formula, ws.name, depth + 1)
                    value = self._area_first(v) if isinstance(v, Area) else v
                except (Unsupported, ValueError, IndexError, KeyError):
                    value = None
        self._cache[key] = value
        return value

    def _area_first(self, a: Area) -> Value:
        return self._cell_value(a.sheet, a.r1, a.c1, MAX_DEPTH)

    def _eval(self, formula: str, sheet: str, depth: int) -> Value | Area:
        if depth > MAX_DEPTH:
            raise Unsupported("too deep")
        tokens = _tokenize(formula.lstrip("="))
        parser = _Parser(tokens, self, sheet, depth)
        value = parser.expr()
        if parser.pos != len(tokens):
            raise Unsupported("trailing tokens")
        return value

    def area(self, ref: str, sheet: str) -> Area:
        """Parse ``Sheet!$A$1:$B$2`` / ``A1`` (relative to ``sheet``) into an Area."""
        target, _, cells = ref.rpartition("!")
        name = _unquote(target) if target else sheet
        r1, c1, r2, c2 = parse_range(cells)
        exact = self.book.find_sheet(name)
        if exact is None:
            raise Unsupported(f"no sheet {name}")
        return Area(exact, r1, c1, r2, c2)

    def named(self, name: str, sheet: str) -> Area:
        """Resolve a defined name to an Area (local scope first)."""
        text = resolve_name(self.book, name, sheet)
        if text is None:
            raise Unsupported(f"unknown name {name}")
        return self.area(text.lstrip("="), sheet)

    def value(self, v: Value | Area) -> Value:
        """Collapse an Area to its first cell's value."""
        if isinstance(v, Area):
            return self._cell_value(v.sheet, v.r1, v.c1, 0)
        return v

    def at(self, a: Area, row_off: int, col_off: int) -> Value:
        """Value at an offset inside an area (0-based)."""
        return self._cell_value(a.sheet, a.r1 + row_off, a.c1 + col_off, 0)


def resolve_name(book: Book, name: str, sheet: str | None) -> str | None:
    """The text a defined name stands for, preferring the name local to ``sheet``; None if undefined."""
    idx = book.sheet_names.index(sheet) if sheet in book.sheet_names else None
    low = name.lower()
    local = next(
        (d for d in book.names if d.name.lower() == low and d.scope is not None and d.scope == idx), None
    )
    if local is not None:
        return local.text
    glob = next((d for d in book.names if d.name.lower() == low and d.scope is None), None)
    return glob.text if glob is not None else None


def _unquote(name: str) -> str:
    if name.startswith("'") and name.endswith("'"):
        return name[1:-1].replace("''", "'")
    return name


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _same(a: Value, b: Value) -> bool:
    """Excel's exact-match comparison: case-insensitive text, numbers by value."""
    if a is None or b is None:
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return (display(a) or "").strip().lower() == (display(b) or "").strip().lower()


class _Parser:
    """Recursive descent over the token list: expr := term ('&' term)*."""

    def __init__(self, tokens: list[tuple[str, str]], ev: FormulaEvaluator, sheet: str, depth: int) -> None:
        self.t = tokens
        self.pos = 0
        self.ev = ev
        self.sheet = sheet
        self.depth = depth

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.pos] if self.pos < len(self.t) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise Unsupported(f"expected {value}")
        self.pos += 1
        return tok

    def expr(self) -> Value | Area:
        left = self.term()
        while (tok := self.peek()) is not None and tok[1] == "&":
            self.take("&")
            right = self.term()
            left = (display(self.ev.value(left)) or "") + (display(self.ev.value(right)) or "")
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] not in (",", ")", ";"):
            raise Unsupported(f"operator {tok[1]}")
        return left

    def term(self) -> Value | Area:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "num":
            return float(text)
        if kind == "ref":
            return self.ev.area(text, self.sheet)
        if kind == "name":
            up = text.upper()
            if up in ("TRUE", "FALSE"):
                return up == "TRUE"
            return self.ev.named(text, self.sheet)
        if kind == "func":
            return self.call(text.upper().removeprefix("_XLFN."))
        if text == "(":
            v = self.expr()
            self.take(")")
            return v
        raise Unsupported(text)

    def args(self) -> list[Value | Area]:
        out: list[Value | Area] = []
        if (tok := self.peek()) is not None and tok[1] == ")":
            self.take(")")
            return out
        while True:
            out.append(self.expr())
            _, text = self.take()
            if text == ")":
                return out
            if text not in (",", ";"):
                raise Unsupported(text)

    def call(self, name: str) -> Value | Area:
        if name == "IFERROR":
            start = self.pos
            try:
                args = self.args()
                first = self.ev.value(args[0])
                return first if first is not None else self.ev.value(args[1]) if len(args) > 1 else ""
            except Unsupported:
                self.pos = start
                raise
        args = self.args()
        v = self.ev.value
        if name in ("TRIM", "T", "CLEAN"):
            s = display(v(args[0])) or ""
            return " ".join(s.split()) if name == "TRIM" else s
        if name in ("LEFT", "RIGHT", "MID", "UPPER", "LOWER"):
            s = display(v(args[0])) or ""
            if name == "UPPER":
                return s.upper()
            if name == "LOWER":
                return s.lower()
            if name == "MID":
                start = int(_num(v(args[1])))
                return s[max(start, 1) - 1 : max(start, 1) - 1 + int(_num(v(args[2])))]
            n = int(_num(v(args[1]))) if len(args) > 1 else 1
            return s[:n] if name == "LEFT" else (s[-n:] if n else "")
        if name in ("CONCAT", "CONCATENATE"):
            return "".join(display(v(a)) or "" for a in args)
        if name in ("VLOOKUP", "HLOOKUP"):
            return self.lookup(name, args)
        if name == "MATCH":
            key, area = v(args[0]), args[1]
            if not isinstance(area, Area):
                raise Unsupported("MATCH range")
            if len(args) > 2 and v(args[2]) not in (0, 0.0, False):
                raise Unsupported("approximate MATCH")
            cells = self._line(area)
            for i, cell in enumerate(cells):
                if _same(cell, key):
                    return float(i + 1)
            return None
        if name == "INDEX":
            area = args[0]
            if not isinstance(area, Area):
                raise Unsupported("INDEX range")
            row = int(_num(v(args[1]))) if len(args) > 1 else 1
            col = int(_num(v(args[2]))) if len(args) > 2 else 1
            if area.r1 == area.r2 and len(args) == 2:  # one-row range: the index runs along columns
                row, col = 1, row
            return self.ev.at(area, max(row, 1) - 1, max(col, 1) - 1)
        raise Unsupported(name)

    def lookup(self, name: str, args: list[Value | Area]) -> Value:
        key, area = self.ev.value(args[0]), args[1]
        if not isinstance(area, Area) or len(args) < 3:
            raise Unsupported("lookup range")
        index = int(_num(self.ev.value(args[2])))
        # Approximate match needs sorted data; questionnaires use exact match. Treat both as exact.
        if name == "VLOOKUP":
            for r in range(area.r1, area.r2 + 1):
                if _same(self.ev._cell_value(area.sheet, r, area.c1, self.depth), key):
                    return self.ev._cell_value(area.sheet, r, area.c1 + index - 1, self.depth)
            return None
        for c in range(area.c1, area.c2 + 1):
            if _same(self.ev._cell_value(area.sheet, area.r1, c, self.depth), key):
                return self.ev._cell_value(area.sheet, area.r1 + index - 1, c, self.depth)
        return None

    def _line(self, area: Area) -> list[Value]:
        if area.c1 == area.c2:
            return [
                self.ev._cell_value(area.sheet, r, area.c1, self.depth) for r in range(area.r1, area.r2 + 1)
            ]
        return [self.ev._cell_value(area.sheet, area.r1, c, self.depth) for c in range(area.c1, area.c2 + 1)]


def _num(v: Value) -> float:
    if isinstance(v, bool) or v is None:
        raise Unsupported("not a number")
    return float(v)
