"""The JSON review report: one record per question, plus totals. Its shape is documented in the README."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import __version__
from .fill import FilledQuestionnaire, QuestionResult

REPORT_VERSION = 1


def record(result: QuestionResult) -> dict[str, Any]:
    """One question's record."""
    q, m, a = result.question, result.match, result.answer
    fact = getattr(m, "profile_fact", None)
    return {
        "location": q.location,
        "question_id": q.question_id,
        "question": q.text,
        "section": q.section,
        "match": m.entry_id if m is not None and result.status != "skipped" else (f"profile:{fact}" if fact else None),
        "score": round(float(m.score), 1) if m is not None else 0.0,
        "status": result.status,
        "answer": result.short_written if result.short_written is not None else result.fact_value,
        "narrative": a.narrative if a is not None else None,
        "facts": {name: value if not isinstance(value, dt.date) else value.isoformat() for name, value in a.facts} if a else {},
        "evidence": [{"id": e.id, "title": e.title, "visibility": e.visibility, "valid_until": e.valid_until} for e in a.evidence] if a else [],
        "template": a.source if a is not None else None,
        "written": [w.address for w in result.writes],
        "notes": list(result.notes),
        "suggestions": [{"entry": c.entry_id, "score": round(float(c.score), 1)} for c in getattr(m, "candidates", ())][:3]
        if result.status in ("unmatched", "review") else [],
    }


def build_report(filled: FilledQuestionnaire, output: str | None = None) -> dict[str, Any]:
    """The whole report."""
    return {
        "report_version": REPORT_VERSION,
        "trustfill": __version__,
        "input": str(filled.questionnaire.path),
        "input_sha256": _sha256(getattr(filled.questionnaire, "data", None)),
        "format": filled.questionnaire.format,
        "output": output,
        "profile": filled.profile,
        "totals": filled.totals(),
        "import_problems": [str(p) for p in filled.questionnaire.problems],
        "questions": [record(r) for r in filled.results],
    }


def _sha256(data: bytes | None) -> str | None:
    """The hash of the exact bytes answered (the file is read once; a later change to it does not alter this)."""
    import hashlib

    return hashlib.sha256(data).hexdigest() if data is not None else None
