"""Flat answer documents: csv, json (the report) and Markdown."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any, ClassVar

from ..report import build_report
from ._rows import answer_rows, by_category, evidence_appendix, safe_cell_text
from .interface import Exporter

CSV_HEADER = ["location", "question_id", "question", "status", "score", "match", "answer", "narrative", "evidence", "notes"]


class CsvExporter(Exporter):
    """One row per question; cells that would start a formula are quoted with an apostrophe."""

    format: ClassVar[str] = "csv"

    def write(self, filled: Any, dest: Path) -> None:
        """Write the csv (utf-8 with BOM so Excel reads accents)."""
        with dest.open("w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(CSV_HEADER)
            for r in answer_rows(filled):
                values = [r.location, r.question_id, r.question, r.status, f"{r.score:.0f}", r.entry_id, r.short,
                          r.narrative, "; ".join(e.title for e in r.evidence), r.notes]
                out.writerow([safe_cell_text(v) for v in values])


class JsonExporter(Exporter):
    """The review report as the answer document."""

    format: ClassVar[str] = "json"

    def write(self, filled: Any, dest: Path) -> None:
        """Write the report JSON."""
        dest.write_text(json.dumps(build_report(filled), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


class MarkdownExporter(Exporter):
    """A readable answer document for wikis and pull requests."""

    format: ClassVar[str] = "md"

    def write(self, filled: Any, dest: Path) -> None:
        """Write Markdown: totals, one section per category, evidence appendix."""
        rows = answer_rows(filled)
        totals = filled.totals()
        lines = [f"# Answers: {filled.questionnaire.path.name}", "",
                 f"Profile: `{filled.profile}`. {totals['questions']} questions: {totals['auto']} answered, "
                 f"{totals['review']} to review, {totals['unmatched']} unmatched, {totals['skipped']} not security questions.", ""]
        for category, members in by_category(rows).items():
            lines += [f"## {category}", ""]
            for r in members:
                ref = f"{_md(r.question_id)} " if r.question_id else ""
                lines.append(f"### {ref}{_md(r.question)}")
                lines.append("")
                if r.needs_review:
                    lines += [f"> **Review ({r.status}, score {r.score:.0f}):** {_md(r.notes) or 'no confident match'}", ""]
                if r.short:
                    lines += [f"**Answer: {_md(r.short)}**", ""]
                if r.narrative:
                    lines += [_md(r.narrative), ""]
                if r.evidence:
                    lines += ["Evidence: " + "; ".join(_md(e.title) for e in r.evidence), ""]
                lines += [f"<sub>{_md(r.location)}{' · entry ' + _md(r.entry_id) if r.entry_id else ''}</sub>", ""]
        appendix = evidence_appendix(rows)
        if appendix:
            lines += ["## Appendix: evidence to attach", "", "| Document | Visibility | Valid until | Answers |", "|---|---|---|---|"]
            lines += [f"| {_md(e.title)} | {e.visibility} | {e.valid_until or ''} | {n} |" for e, n in appendix]
        dest.write_text("\n".join(lines) + "\n", encoding="utf-8")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|!#~])")


def _md(text: str) -> str:
    """Customer and template text as literal Markdown: no HTML, no links (``[x](javascript:...)``), no emphasis.

    ``&`` and ``<``/``>`` become entities (HTML and autolinks), Markdown punctuation is backslash-escaped.
    """
    text = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)
