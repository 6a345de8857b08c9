"""Match customer questions to bank entries: normalisation, thesaurus, IDF-weighted index, decisions.

Typical use::

    matcher = Matcher(entries, mappings=Mappings.load(workspace / "mappings.yaml"))
    for result in matcher.match_many(questionnaire.rows, customer="Acme"):
        ...  # result.status is auto / review / unmatched / skipped
"""

from __future__ import annotations

from .mappings import Decision, MappingRecord, Mappings
from .matcher import Matcher
from .nonsecurity import NonSecurity, classify
from .normalize import Normalizer, question_key
from .results import Candidate, Explanation, Fusion, MatchResult, Scoring, Status, Thresholds
from .thesaurus import load_thesaurus

__all__ = [
    "Candidate",
    "Decision",
    "Explanation",
    "Fusion",
    "MappingRecord",
    "Mappings",
    "MatchResult",
    "Matcher",
    "NonSecurity",
    "Normalizer",
    "Scoring",
    "Status",
    "Thresholds",
    "classify",
    "load_thesaurus",
    "question_key",
]
