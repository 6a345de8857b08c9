"""Flat answer documents: csv, json (the report) and Markdown."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any, ClassVar

from ..report import build_report
from ._rows import (
    answer_rows,
    by_category,
    by_section,
    company_title,
    customer_rows,
    demo_label,
    evidence_appendix,
    safe_cell_text,
)
from .interface import Exporter

CSV_HEADER = ["location", "question_id", "question", "status", "score", "match", "answer", "narrative", "evidence", "notes"]
"""The internal version's columns."""
CUSTOMER_CSV_HEADER = ["question_id", "section", "question", "answer", "narrative", "evidence"]


class _Versioned(Exporter):
    """The customer's version by default; ``internal=True`` for the reviewer's, with status, score and notes."""

    def __init__(self, *, internal: bool = False) -> None:
        self.internal = internal


class CsvExporter(_Versioned):
    """One row per question; cells that would start a formula are quoted with an apostrophe."""

    format: ClassVar[str] = "csv"

    def write(self, filled: Any, dest: Path) -> None:
        """Write the csv (utf-8 with BOM so Excel reads accents)."""
        with dest.open("w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            if not self.internal:
                out.writerow(CUSTOMER_CSV_HEADER)
                for r in customer_rows(filled):
                    values = [r.question_id, r.section, r.question, r.short, r.narrative, "; ".join(e.title for e in r.evidence)]
                    out.writerow([safe_cell_text(v) for v in values])
                return
            out.writerow(CSV_HEADER)
            for r in answer_rows(filled):
                values = [r.location, r.question_id, r.question, r.status, f"{r.score:.0f}", r.entry_id, r.short,
                          r.narrative, "; ".join(e.title for e in r.evidence), r.notes]
                out.writerow([safe_cell_text(v) for v in values])


class JsonExporter(_Versioned):
    """The customer's answers as JSON; the internal version is the review report."""

    format: ClassVar[str] = "json"

    def write(self, filled: Any, dest: Path) -> None:
        """Write the JSON."""
        if self.internal:
            data: dict[str, Any] = build_report(filled)
        else:
            company, product = company_title(filled)
            data = {
                "company": company or None, "product": product or None, "questionnaire": filled.questionnaire.path.name,
                "demo": demo_label(filled) is not None,
                "answers": [{"question_id": r.question_id or None, "section": r.section or None, "question": r.question,
                             "answer": r.short or None, "narrative": r.narrative or None,
                             "evidence": [e.title for e in r.evidence]} for r in customer_rows(filled)],
            }
        dest.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


class MarkdownExporter(_Versioned):
    """A readable answer document for wikis and pull requests."""

    format: ClassVar[str] = "md"

    def write(self, filled: Any, dest: Path) -> None:
        """Write Markdown: the customer's version, or the internal one (totals, categories, review notes)."""
        if not self.internal:
            dest.write_text(_customer_md(filled), encoding="utf-8")
            return
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


def _customer_md(filled: Any) -> str:
    company, product = company_title(filled)
    rows = customer_rows(filled)
    lines = [f"# {_md(company) + ': s' if company else 'S'}ecurity questionnaire answers", ""]
    demo = demo_label(filled)
    if demo:
        lines += [f"**{_md(demo)}**", ""]
    if product:
        lines += [f"Product: {_md(product)}", ""]
    lines += [f"Questionnaire: {_md(filled.questionnaire.path.name)}", ""]
    for section, members in by_section(rows):
        if section:
            lines += [f"## {_md(section)}", ""]
        for r in members:
            ref = f"{_md(r.question_id)} " if r.question_id else ""
            lines += [f"### {ref}{_md(r.question)}", "", f"**Answer:** {_md(r.short)}".rstrip(), ""]
            if r.narrative and r.narrative != r.short:
                lines += [_md(r.narrative), ""]
            if r.evidence:
                lines += ["Evidence: " + "; ".join(_md(e.title) for e in r.evidence), ""]
    appendix = evidence_appendix(rows)
    if appendix:
        lines += ["## Appendix: evidence to attach", "", "| Document | Visibility | Valid until |", "|---|---|---|"]
        lines += [f"| {_md(e.title)} | {e.visibility} | {e.valid_until or ''} |" for e, _ in appendix]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Customer and template text as literal Markdown: no HTML, no links (``[x](javascript:...)``), no emphasis.

    ``&`` and ``<``/``>`` become entities (HTML and autolinks), Markdown punctuation is backslash-escaped.
    """
    text = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)
