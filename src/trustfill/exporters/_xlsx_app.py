"""Keep docProps/app.xml's list of sheet names in step when a sheet is added.

Excel writes the workbook's sheet names into the extended properties (``TitlesOfParts``, grouped by
``HeadingPairs``: "Worksheets" 13, "Named Ranges" 4, ...). Excel and LibreOffice rebuild the list on
save and do not check it on open, but file browsers, DLP scanners and document-management systems
show it, so an added review sheet belongs there too. Edited as text, like every other part we touch:
the rest of the file keeps its bytes.
"""

from __future__ import annotations

import re

from ._xlsx_xml import escape_text

__all__ = ["add_sheet_title", "remove_sheet_title"]

# The worksheet group's label as Excel writes it in the languages its users most often save in.
# An unknown label leaves the file alone: a stale list is harmless, a wrong one is not.
WORKSHEET_LABELS = frozenset({
    "worksheets", "arbeitsblätter", "feuilles de calcul", "hojas de cálculo", "fogli di lavoro",
    "planilhas", "werkbladen", "arkusze", "kalkylblad", "regneark", "laskentataulukot", "ワークシート", "工作表",
})

_VECTOR = r"(<(?P<p>\w+:)?vector\b[^>]*\bsize=\")(?P<size>\d+)(\"[^>]*>)(?P<body>.*?)(</(?P=p)?vector>)"
_HEADING = re.compile(r"<HeadingPairs>\s*" + _VECTOR, re.S)
_TITLES = re.compile(r"<TitlesOfParts>\s*" + _VECTOR, re.S)
_VARIANT = re.compile(r"<(\w+:)?variant>\s*<(\w+:)?(lpstr|i4)>(.*?)</(\w+:)?(lpstr|i4)>\s*</(\w+:)?variant>", re.S)
_LPSTR = re.compile(r"<(\w+:)?lpstr>.*?</(\w+:)?lpstr>|<(\w+:)?lpstr/>", re.S)


def _groups(xml: str) -> tuple[re.Match[str], re.Match[str], list[re.Match[str]], list[tuple[str, int]], list[re.Match[str]]] | None:
    heading, titles = _HEADING.search(xml), _TITLES.search(xml)
    if heading is None or titles is None:
        return None
    variants = list(_VARIANT.finditer(heading.group("body")))
    if len(variants) % 2 or len(variants) != int(heading.group("size")):
        return None
    groups: list[tuple[str, int]] = []
    for label, count in zip(variants[::2], variants[1::2], strict=True):
        if label.group(3) != "lpstr" or count.group(3) != "i4" or not count.group(4).strip().isdigit():
            return None
        groups.append((label.group(4).strip(), int(count.group(4))))
    entries = list(_LPSTR.finditer(titles.group("body")))
    if sum(n for _, n in groups) != len(entries) or len(entries) != int(titles.group("size")):
        return None
    return heading, titles, variants, groups, entries


def _worksheets(xml: str) -> tuple[re.Match[str], re.Match[str], list[re.Match[str]], list[re.Match[str]], int, int, int] | None:
    """The parsed sheet list and its worksheet group: (heading, titles, variants, entries, the group's index, its
    first title's position, its title count); None when there is none this module understands."""
    parsed = _groups(xml)
    if parsed is None:
        return None
    heading, titles, variants, groups, entries = parsed
    index = next((i for i, (label, _) in enumerate(groups) if label.lower() in WORKSHEET_LABELS), None)
    if index is None:
        return None
    return heading, titles, variants, entries, index, sum(n for _, n in groups[:index]), groups[index][1]


def remove_sheet_title(xml: str, name: str) -> str | None:
    """``xml`` (docProps/app.xml) without the worksheet title ``name``, or None to leave it as is (no such
    title, or a list this function does not fully understand)."""
    found = _worksheets(xml)
    if found is None:
        return None
    heading, titles, variants, entries, index, at, count = found
    wanted = f">{escape_text(name)}<"
    hit = next((j for j in range(at, at + count) if wanted in entries[j].group(0)), None)
    if hit is None:
        return None
    body = titles.group("body")
    return _splice(xml, heading, titles, variants[2 * index + 1], count - 1,
                   body[: entries[hit].start()] + body[entries[hit].end() :], len(entries) - 1)


def add_sheet_title(xml: str, name: str) -> str | None:
    """``xml`` (docProps/app.xml) with ``name`` added as the last worksheet, or None to leave it as is.

    None when the file has no sheet list, or one this function does not fully understand (a group it
    cannot read, counts that do not add up): the list is metadata, never worth a damaged part.
    """
    found = _worksheets(xml)
    if found is None:
        return None
    heading, titles, variants, entries, index, at, count = found
    # insert the title after the group's last one (or at the group's start when it is empty)
    prefix = titles.group("p") or ""
    title = f"<{prefix}lpstr>{escape_text(name)}</{prefix}lpstr>"
    body = titles.group("body")
    cut = entries[at + count - 1].end() if count else (entries[at].start() if at < len(entries) else len(body))
    return _splice(xml, heading, titles, variants[2 * index + 1], count + 1, body[:cut] + title + body[cut:], len(entries) + 1)


def _splice(xml: str, heading: re.Match[str], titles: re.Match[str], count_match: re.Match[str], count: int,
            titles_body: str, n_titles: int) -> str:
    """``xml`` with the worksheet group's count (``count_match``, a HeadingPairs variant) set to ``count`` and the
    titles list replaced by ``titles_body`` of ``n_titles`` entries."""
    new_titles = titles.group(1) + str(n_titles) + titles.group(4) + titles_body + titles.group(6)
    hbody = heading.group("body")
    inner = re.sub(r">(\s*)\d+(\s*)<", lambda m: f">{m.group(1)}{count}{m.group(2)}<", count_match.group(0), count=1)
    new_heading = (heading.group(1) + heading.group("size") + heading.group(4) + hbody[: count_match.start()] + inner
                   + hbody[count_match.end() :] + heading.group(6))
    spans = sorted(
        [((heading.start(1), heading.end(6)), new_heading), ((titles.start(1), titles.end(6)), new_titles)],
        reverse=True,
    )
    for (lo, hi), text in spans:  # from the back, so the earlier span's offsets still hold
        xml = xml[:lo] + text + xml[hi:]
    return xml
