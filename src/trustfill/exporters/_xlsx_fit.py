"""Estimate how tall a row must be to show a written answer in full, from the column width and the text.

Excel and LibreOffice keep a row's stored height when a file opens (Excel never re-fits rows on load), so a
narrative written into a one-line row is clipped to its first line. The writer therefore wraps the cells it
writes and sets the height of the rows it writes; this module does the arithmetic. It errs on the tall side:
a little white space is harmless, a clipped answer is not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

MAX_ROW_HEIGHT = 409.0
"""Excel's largest row height in points."""
LINE_FACTOR = 1.36
"""Line height per point of font size: Calibri 11 gives Excel's 15-point row."""
PADDING = 3.0
"""Points above and below the text."""


def wrapped_lines(text: str, chars_per_line: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries into lines of ``chars_per_line`` characters."""
    width = max(1, math.floor(chars_per_line))
    total = 0
    for paragraph in text.split("\n"):
        lines, current = 1, 0
        for word in paragraph.split(" "):
            size = len(word)
            if current == 0:
                current = size
            elif current + 1 + size <= width:
                current += 1 + size
            else:
                lines, current = lines + 1, size
            while current > width:  # a word longer than the line breaks inside it
                lines, current = lines + 1, current - width
        total += lines
    return total


def chars_per_line(width: float, font_pt: float, base_pt: float) -> float:
    """Characters of prose that fit a column ``width`` wide (in the default font's digit widths).

    Prose is on average a little narrower than a digit, but capitals and word-boundary wrapping take that
    back, so one character per unit, scaled by the cell's font size against the default font's, less one
    unit for the cell's margins.
    """
    return max(1.0, (width - 1.0) * base_pt / max(font_pt, 1.0))


def height_for(lines: int, font_pt: float) -> float:
    """Row height in points for ``lines`` lines of a ``font_pt`` font, capped at Excel's maximum."""
    return min(MAX_ROW_HEIGHT, round(lines * font_pt * LINE_FACTOR + PADDING, 2))


@dataclass(frozen=True)
class SheetGeometry:
    """Column widths and default sizes of one worksheet, as its XML states them."""

    widths: dict[int, float]
    """Column number -> width, for columns with a ``<col>`` entry."""
    default_width: float
    """Width of any other column."""
    default_height: float
    """Height of a row without ``ht``."""

    def width(self, first: int, last: int) -> float:
        """Total width of columns ``first`` to ``last`` (a merged area)."""
        return sum(self.widths.get(c, self.default_width) for c in range(first, last + 1))


@dataclass(frozen=True)
class FitStyle:
    """What the writer knows of the cell formats: font size and wrapping per style index."""

    font_pt: Callable[[int | None], float]
    """Font size in points of a style index (None: the default format)."""
    wraps: Callable[[int | None], bool]
    """True when the format already wraps text."""
    base_pt: float
    """Size of the workbook's default font, the unit column widths are measured in."""
