"""A Word answer document: title page, one section per category, evidence appendix, review items highlighted."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, ClassVar

from docx import Document
from docx.enum.text import WD_BREAK, WD_COLOR_INDEX

from ..errors import OutputError
from ._rows import (
    answer_rows,
    by_category,
    by_section,
    company_title,
    customer_rows,
    demo_label,
    evidence_appendix,
)
from .interface import Exporter

# Characters XML 1.0 forbids; a customer's question text can carry them from a pasted PDF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


class DocxAnswerDocument(Exporter):
    """Writes a new .docx answer document.

    The customer's version (the default) names the company and product, follows the customer's order,
    sections and question ids, and carries answers and evidence only. ``internal=True`` writes the
    reviewer's version: grouped by bank category, with each row's status, score, notes, location and entry.
    """

    format: ClassVar[str] = "docx"

    def __init__(self, *, internal: bool = False) -> None:
        self.internal = internal

    def write(self, filled: Any, dest: Path) -> None:
        """Build and save the document."""
        doc = Document()
        if self.internal:
            self._internal(doc, filled)
        else:
            self._customer(doc, filled)
        # Saved in memory first: a full disk is one clear error, never a half-closed zip's "Exception ignored".
        buf = io.BytesIO()
        doc.save(buf)
        try:
            dest.write_bytes(buf.getvalue())
        except OSError as exc:
            raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc

    def _customer(self, doc: Any, filled: Any) -> None:
        company, product = company_title(filled)
        rows = customer_rows(filled)
        doc.add_heading(_clean(f"{company}: security questionnaire answers" if company else "Security questionnaire answers"), level=0)
        demo = demo_label(filled)
        if demo:
            doc.add_paragraph().add_run(demo).bold = True
        if product:
            doc.add_paragraph(_clean(f"Product: {product}"))
        doc.add_paragraph(_clean(f"Questionnaire: {filled.questionnaire.path.name}"))
        doc.add_paragraph(f"Date: {dt.date.today().isoformat()}")
        for section, members in by_section(rows):
            if section:
                doc.add_heading(_clean(section), level=1)
            for r in members:
                prefix = f"{r.question_id} " if r.question_id else ""
                doc.add_heading(_clean(f"{prefix}{r.question}"), level=3)
                p = doc.add_paragraph()
                p.add_run("Answer: ").bold = True
                if r.short:
                    p.add_run(_clean(r.short))
                if r.narrative and r.narrative != r.short:
                    for para in r.narrative.split("\n\n"):
                        doc.add_paragraph(_clean(para))
                if r.evidence:
                    doc.add_paragraph("Evidence: " + "; ".join(_clean(e.title) for e in r.evidence))
        _appendix(doc, rows)

    def _internal(self, doc: Any, filled: Any) -> None:
        rows = answer_rows(filled)
        totals = filled.totals()
        doc.add_heading("INTERNAL review copy: not for the customer", level=0)
        doc.add_paragraph(_clean(f"Questionnaire: {filled.questionnaire.path.name}"))
        doc.add_paragraph(_clean(f"Profile: {filled.profile}"))
        doc.add_paragraph(f"Prepared: {dt.date.today().isoformat()}")
        table = doc.add_table(rows=0, cols=2)
        table.style = "Light List Accent 1"
        for label, key in (("Questions", "questions"), ("Answered", "auto"), ("To review", "review"),
                           ("Unmatched", "unmatched"), ("Not security questions", "skipped")):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, str(totals[key])
        doc.add_paragraph("Items marked REVIEW were answered with less certainty or need a person; check them before sending.")
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for category, members in by_category(rows).items():
            doc.add_heading(_clean(category), level=1)
            for r in members:
                prefix = f"{r.question_id} " if r.question_id else ""
                doc.add_heading(_clean(f"{prefix}{r.question}"), level=3)
                if r.needs_review:
                    run = doc.add_paragraph().add_run(_clean(f"REVIEW ({r.status}, score {r.score:.0f}): {r.notes or 'no confident match'}"))
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                    run.bold = True
                if r.short:
                    p = doc.add_paragraph()
                    p.add_run("Answer: ").bold = True
                    p.add_run(_clean(r.short))
                if r.narrative:
                    for para in r.narrative.split("\n\n"):
                        doc.add_paragraph(_clean(para))
                if r.evidence:
                    doc.add_paragraph("Evidence: " + "; ".join(_clean(e.title) for e in r.evidence))
                meta = doc.add_paragraph().add_run(_clean(f"{r.location}{' · bank entry ' + r.entry_id if r.entry_id else ''}"))
                meta.italic = True
        _appendix(doc, rows)


def _appendix(doc: Any, rows: list[Any]) -> None:
    appendix = evidence_appendix(rows)
    if appendix:
        doc.add_heading("Appendix: evidence to attach", level=1)
        ev = doc.add_table(rows=1, cols=4)
        ev.style = "Light List Accent 1"
        for cell, text in zip(ev.rows[0].cells, ("Document", "Visibility", "Valid until", "Answers"), strict=True):
            cell.text = text
        for ref, count in appendix:
            cells = ev.add_row().cells
            cells[0].text, cells[1].text, cells[2].text, cells[3].text = _clean(ref.title), ref.visibility, ref.valid_until or "", str(count)
