"""Does a "Yes" meet the amount the question names?

"Do you have a technology roadmap for at least the next two years?" matches the roadmap entry, whose "Yes" is
true for a 12-month roadmap: the question's bar is not met, and the "Yes" would overstate. When a question names a
time bar ("at least six months", "within 24 hours", "no greater than 90 days") and the answer read a fact measured
in time (``..._months``, ``..._days``, ``lifecycle.roadmap_horizon_months``), the fact must meet the bar; otherwise
the question goes to review with both numbers. Facts that are not durations are left alone, so a bar the
answer's facts say nothing about changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["unmet_bar"]

_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 30, "year": 24 * 365}
_NUMBERS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")"
_UNIT = r"(minute|hour|day|week|month|year)s?"
_AT_LEAST = re.compile(rf"\b(?:at least|a minimum of|minimum of|no less than|not less than|for over|more than)\s+(?:the\s+(?:next|past|last)\s+)?{_NUMBER}[\s-]+{_UNIT}\b", re.I)
_AT_MOST = re.compile(rf"\b(?:within|at most|no (?:more|greater|longer) than|not (?:more|longer) than|less than|under)\s+(?:a\s+frequency\s+of\s+)?{_NUMBER}[\s-]+{_UNIT}\b", re.I)
_FACT_UNIT = re.compile(r"_(minutes|hours|days|weeks|months|years)$")


def _hours(number: str, unit: str) -> float:
    value = float(_NUMBERS.get(number.lower(), number)) if not number.replace(".", "").isdigit() else float(number)
    return value * _HOURS[unit.lower().rstrip("s")]


def unmet_bar(question: str, facts: Iterable[tuple[str, Any]]) -> str | None:
    """Why the answer's duration facts fall short of the time bar ``question`` names; None when they meet it or
    when either side names no duration."""
    bars = [(">=", _hours(m.group(1), m.group(2)), m.group(0)) for m in _AT_LEAST.finditer(question)]
    bars += [("<=", _hours(m.group(1), m.group(2)), m.group(0)) for m in _AT_MOST.finditer(question)]
    if not bars:
        return None
    for name, value in facts:
        unit = _FACT_UNIT.search(name)
        if unit is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        have = float(value) * _HOURS[unit.group(1).rstrip("s")]
        for op, bar, words in bars:
            if (op == ">=" and have < bar) or (op == "<=" and 0 < bar < have):
                return f"the question asks '{words}', but {name} is {value}: check the answer meets it"
    return None
