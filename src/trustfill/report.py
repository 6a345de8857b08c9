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
        "ownership": a.ownership if a is not None else None,
        "ownership_basis": a.ownership_basis if a is not None and a.ownership_basis else None,
        "customer_responsibility": a.customer_responsibility if a is not None else None,
        "facts": {name: value if not isinstance(value, dt.date) else value.isoformat() for name, value in a.facts} if a else {},
        "evidence": [{"id": e.id, "title": e.title, "visibility": e.visibility, "valid_until": e.valid_until} for e in a.evidence] if a else [],
        "template": a.source if a is not None else None,
        "written": [w.address for w in result.writes],
        "notes": list(result.notes),
        "past_answer": None if result.past is None else {
            "question": result.past.question, "answer": result.past.shown_short, "file": result.past.file,
            "cell": result.past.cell, "date": result.past.date.isoformat(), "customer": result.past.customer,
            "owner": result.past.owner,
        },
        "suggestions": [_suggestion(c) for c in getattr(m, "candidates", ())][:3]
        if result.status in ("unmatched", "review") else [],
        "why": _why(m) if m is not None and result.status in ("auto", "review") and m.entry_id else None,
    }


def _suggestion(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"entry": c.entry_id, "score": round(float(c.score), 1)}
    if getattr(c, "semantic", None) is not None:
        out["lexical_score"] = round(float(c.lexical or 0.0), 1)
        out["semantic_similarity"] = round(float(c.semantic), 3)
    return out


def _why(m: Any) -> dict[str, Any]:
    """The evidence for the match: lexical score and shared terms beside semantic similarity and nearest phrasing."""
    e = getattr(m, "explanation", None)
    lexical = getattr(m, "lexical", None)
    return {
        "lexical_score": round(float(lexical if lexical is not None else m.score), 1),
        "shared_terms": [t.lstrip("@") for t in e.shared_terms] if e is not None else [],
        "matched_text": e.alias_used if e is not None else None,
        "semantic_similarity": None if getattr(m, "semantic", None) is None else round(float(m.semantic), 3),
        "nearest_phrasing": getattr(m, "nearest", None),
        "reason": m.reason,
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
