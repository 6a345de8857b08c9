"""What the matcher decides: result types and the settings that shape decisions.

Internal results are frozen dataclasses; :class:`Thresholds` and :class:`Scoring` are the knobs an
evaluation tunes (see :mod:`trustfill.matching.matcher` for how the defaults were chosen).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Candidate", "Explanation", "Fusion", "MatchResult", "Scoring", "Status", "Thresholds"]

Status = Literal["auto", "review", "unmatched", "skipped"]
"""``auto`` (fill), ``review`` (fill and flag), ``unmatched`` (leave for a person), ``skipped`` (not a security question)."""


@dataclass(frozen=True)
class Thresholds:
    """When a match is filled automatically, flagged for review or left unmatched (see module docstring)."""

    auto_score: float = 55.0
    """Minimum score (0-100) to fill an answer without review."""
    auto_margin: float = 12.0
    """Minimum lead of the best entry over the second-best entry to fill without review."""
    review_score: float = 40.0
    """Minimum score to propose the best entry for review; below it the row is unmatched."""
    auto_coverage: float = 0.6
    """Minimum share of the question's weight (sum of squared term weights) that the best entry's texts
    explain, to fill without review. A big margin can rest on one or two rare shared words ("in the past
    five years" of a litigation question and a breach-history alias); the rest of the question is then
    about something else. Questions of at most ``short_terms`` terms are exempt: "RTO (hours)" is all
    about its one concept. 0 turns the check off."""
    short_terms: int = 3
    """Questions with at most this many terms skip the ``auto_coverage`` check."""

    def __post_init__(self) -> None:
        if not 0 <= self.review_score <= self.auto_score <= 100 or self.auto_margin < 0:
            raise ValueError("thresholds need 0 <= review_score <= auto_score <= 100 and auto_margin >= 0")
        if not 0 <= self.auto_coverage <= 1 or self.short_terms < 0:
            raise ValueError("thresholds need 0 <= auto_coverage <= 1 and short_terms >= 0")


@dataclass(frozen=True)
class Scoring:
    """How the fine score is computed; change only together with a re-calibration of :class:`Thresholds`."""

    fuzzy_weight: float = 0.3
    """Share of the score that rapidfuzz ``token_sort_ratio`` of the normalised texts can take away:
    score = 100 x overlap x (1 - fuzzy_weight + fuzzy_weight x ratio / 100). Multiplying, not adding,
    means a text sharing no weighted term scores 0 however alike the letters look, and the overlap
    alone bounds the score, which keeps the index's pruning exact."""
    coverage_power: float = -1.0
    """How the two coverages (share of the question's weight the text explains, and share of the text's
    weight the question explains) combine into the overlap: their power mean with this exponent. 0 is
    the geometric mean (= cosine); -1 the harmonic mean, stricter when one side has a heavy term the
    other lacks ("is the IR plan *tested*" vs "do you have an IR plan"). Must be <= 0 (the index's
    cosine bound relies on it)."""
    idf_power: float = 0.75
    """Term weight is IDF to this power: 1 is classic TF-IDF; lower values let common words count more."""
    concept_boost: float = 1.3
    """Weight multiplier of thesaurus concepts over plain words (IDF alone does not know that "SOC 2"
    matters more than "recent")."""
    contrast_factor: float = 0.7
    """Score multiplier when the question names one side of a thesaurus contrast (``customer``) and the
    text only another (``staff``): MFA for customers is not MFA for the workforce."""
    agree_window: float = 5.0
    """Other texts of the same entry within this many points of its best text count as agreeing."""
    agree_bonus: float = 1.0
    """Points added per agreeing text (only when the best text reaches ``review_score``)."""
    agree_bonus_cap: float = 2.0
    """Most points the agreement bonus adds."""
    bag_weight: float = 0.8
    """Score multiplier of an entry's *bag*, all terms of its question and aliases as one document
    scored without the fuzzy factor (see :class:`~trustfill.matching.index.TermIndex`); the entry
    scores the better of its best text and its bag. 0 turns bags off."""
    rerank: int = 10
    """Entries scored finely per question."""
    rerank_max: int = 40
    """Entries scored finely when an unseen entry could still change the decision."""
    spelling: bool = True
    """Read an unknown word of 6+ letters as the bank or thesaurus word one typo away (see
    ``Matcher._learn_spellings``)."""

    def __post_init__(self) -> None:
        if (
            not 0 <= self.fuzzy_weight <= 1
            or not 0 <= self.contrast_factor <= 1
            or not 0 <= self.bag_weight <= 1
        ):
            raise ValueError("fuzzy_weight, contrast_factor and bag_weight must be between 0 and 1")
        if self.coverage_power > 0:
            raise ValueError("coverage_power must be <= 0")
        if self.rerank < 1 or self.rerank_max < self.rerank:
            raise ValueError("need 1 <= rerank <= rerank_max")


@dataclass(frozen=True)
class Fusion:
    """How the semantic matcher fuses meaning with words, and when it fills (see the matcher docstring)."""

    weight: float = 0.64
    """Share of the fused score that meaning takes: fused = (1 - weight) x lexical + weight x 100 x meaning."""
    centroid: float = 0.54
    """Share of an entry's meaning that its centroid takes: meaning = (1 - centroid) x best cosine over its texts
    + centroid x cosine with the normalised mean of its text vectors. ``weight`` and ``centroid`` are fitted by
    ``benchmarks/fit_ranker.py``."""
    auto_score: float = 57.5
    """Minimum fused score to fill without review."""
    auto_margin: float = 6.0
    """Minimum fused lead over the second-best entry to fill without review."""
    review_score: float = 40.0
    """Minimum fused score to propose the best entry for review; below it the row is unmatched."""
    top_k: int = 10
    """Entries nearest in meaning that are scored lexically too (beside the lexical matcher's own candidates)."""

    def __post_init__(self) -> None:
        if not 0 <= self.weight <= 1 or not 0 <= self.centroid <= 1 or self.top_k < 1:
            raise ValueError("fusion needs 0 <= weight <= 1, 0 <= centroid <= 1 and top_k >= 1")
        if not 0 <= self.review_score <= self.auto_score <= 100 or self.auto_margin < 0:
            raise ValueError("fusion needs 0 <= review_score <= auto_score <= 100 and auto_margin >= 0")


@dataclass(frozen=True)
class Candidate:
    """A bank entry proposed for a question."""

    entry_id: str
    """The bank entry's id."""
    score: float
    """Match score, 0-100."""
    matched_text: str
    """The entry's question or alias that matched best."""
    lexical: float | None = None
    """Lexical score (0-100) when the semantic matcher fused it into ``score``."""
    semantic: float | None = None
    """Best cosine (-1-1) of the question with the entry's texts, with the semantic matcher."""


@dataclass(frozen=True)
class Explanation:
    """Why the best candidate scored what it did."""

    shared_terms: tuple[str, ...]
    """Terms the question and the matched text share (stems, and concepts as ``@name``), heaviest first."""
    thesaurus_hits: tuple[str, ...]
    """Thesaurus concepts the two texts share, e.g. ``('mfa', 'privileged')``."""
    alias_used: str
    """The entry text that matched (its question or one of its aliases)."""
    weights: tuple[tuple[str, float], ...]
    """IDF weight of every term of the question, heaviest first: rare words decide, boilerplate barely counts."""
    missing_terms: tuple[str, ...] = ()
    """Terms of the question the matched text lacks, heaviest first."""
    overlap: float = 0.0
    """Weighted term overlap (0-1) with the matched text (see :attr:`Scoring.coverage_power`)."""
    fuzzy: float = 0.0
    """rapidfuzz token_sort_ratio (0-100) of the normalised texts."""
    contrasts: tuple[str, ...] = ()
    """Alternatives the question and the text name differently, e.g. ``customer (question) vs staff (text)``;
    each multiplies the score by :attr:`Scoring.contrast_factor`."""
    semantic_similarity: float | None = None
    """Cosine of the question with the entry's nearest phrasing (semantic matcher only)."""
    nearest_phrasing: str | None = None
    """The entry's question or alias closest in meaning (semantic matcher only)."""


@dataclass(frozen=True)
class MatchResult:
    """The matcher's decision for one question."""

    status: Status
    """``auto`` (fill), ``review`` (fill and flag), ``unmatched`` (leave for a person) or ``skipped``."""
    entry_id: str | None
    """The chosen entry (auto and review), else None."""
    score: float
    """Score of the best entry, 0-100 (100 for a reviewer's mapping)."""
    margin: float
    """Lead of the best entry over the second-best entry, in points (a lower bound when entries the
    index did not score could come closer; never more generous than the truth)."""
    candidates: tuple[Candidate, ...]
    """Up to three best entries, best first."""
    reason: str
    """One line saying why this status."""
    profile_fact: str | None = None
    """For skipped profile questions: the fact that answers them, e.g. ``company.name``."""
    explanation: Explanation | None = None
    """Filled when asked for (``explain=True``)."""
    lexical: float | None = None
    """The best entry's lexical score, when the semantic matcher fused it into ``score``."""
    semantic: float | None = None
    """The best entry's semantic similarity (cosine of its nearest phrasing), semantic matcher only."""
    nearest: str | None = None
    """The best entry's phrasing nearest in meaning to the question, semantic matcher only."""
