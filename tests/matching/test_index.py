"""The candidate index prunes work, never decisions: its answers equal exhaustive scoring."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustfill.matching import Matcher
from trustfill.matching.index import TermIndex, overlap

from .conftest import entry

CONTROLS = [
    "multi-factor authentication",
    "single sign-on",
    "encryption at rest",
    "encryption in transit",
    "vulnerability scanning",
    "penetration testing",
    "security awareness training",
    "background checks",
    "incident response plan",
    "disaster recovery plan",
    "business continuity plan",
    "backups",
    "access reviews",
    "role-based access control",
    "password policy",
    "account lockout",
    "audit logging",
    "log retention",
    "network segmentation",
    "firewalls",
    "endpoint protection",
    "patch management",
    "change management",
    "code review",
    "static code analysis",
    "threat modeling",
    "data classification",
    "data deletion",
    "key management",
    "vendor risk assessment",
    "subprocessor list",
    "GDPR compliance",
    "SOC 2 report",
    "ISO 27001 certificate",
    "physical access control",
    "CCTV",
    "visitor logs",
    "cyber insurance",
    "bug bounty",
    "time synchronization",
    "capacity monitoring",
    "tenant isolation",
    "API authentication",
    "rate limiting",
    "input validation",
    "secrets management",
    "container scanning",
]
SCOPES = [
    "for administrators",
    "for employees",
    "for customer accounts",
    "on production systems",
    "in development environments",
    "for contractors",
    "for laptops",
    "for the mobile app",
    "for databases",
    "for email",
]
ASPECTS = [
    ("Is there a documented policy for {c} {s}?", "Documented {c} policy {s}"),
    ("Is {c} tested every year {s}?", "Annual testing of {c} {s}"),
    ("Is {c} reviewed by management {s}?", "Management review of {c} {s}"),
    ("Is {c} monitored with alerts {s}?", "Alerting on {c} {s}"),
    ("Is {c} audited independently {s}?", "Independent audit of {c} {s}"),
]


def synthetic_bank(n: int, seed: int) -> list:
    rng = random.Random(seed)
    combos = [(c, s, a) for c in CONTROLS for s in SCOPES for a in ASPECTS]
    rng.shuffle(combos)
    return [
        entry(f"e{i:04d}", a[0].format(c=c, s=s), a[1].format(c=c, s=s))
        for i, (c, s, a) in enumerate(combos[:n])
    ]


@pytest.fixture(scope="module")
def big() -> Matcher:
    # Enough entries that the index really prunes: it scores 10 to 40 of them per question.
    return Matcher(synthetic_bank(600, seed=7))


EXTRA_WORDS = ["documented", "policy", "annual", "audit", "alerts", "management", "review", "tested"]
WORDS = [
    *sorted({w for c in CONTROLS for w in c.split()} | {w for s in SCOPES for w in s.split()}),
    *EXTRA_WORDS,
]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_index_never_makes_a_decision_more_confident_than_exhaustive(big: Matcher, words: list[str]) -> None:
    # A dense synthetic bank (hundreds of entries differing by one word) is the index's worst case:
    # it may stop before it has seen every near-tie, but only on the safe side.
    question = " ".join(words)
    result = big.match(question)
    ranked = big.score_all(question)
    if result.status == "skipped":
        return
    true_best = ranked[0].score if ranked else 0.0
    true_margin = true_best - (ranked[1].score if len(ranked) > 1 else 0.0)
    assert result.score <= true_best + 1e-9  # scores it reports are real scores
    assert result.margin <= true_margin + 1e-9  # the margin never flatters the best entry
    if result.status == "auto":
        assert result.entry_id == ranked[0].entry_id
    if result.status == "unmatched":
        assert true_best < big.thresholds.review_score


def _perturb(text: str, rng: random.Random) -> str:
    words = text.rstrip("?.").split()
    if len(words) > 3:
        del words[rng.randrange(len(words))]
    rng.shuffle(words)
    return " ".join(words)


def test_index_top_candidate_equals_exhaustive_on_a_sample(big: Matcher, real_matcher: Matcher) -> None:
    rng = random.Random(11)
    for matcher in (real_matcher, big):
        sample = rng.sample(matcher.entries, 40)
        questions = [_perturb(rng.choice([e.question, *e.aliases]), rng) for e in sample]
        for question, result in zip(questions, matcher.match_many(questions), strict=True):
            ranked = matcher.score_all(question)
            if result.status not in ("auto", "review"):
                continue
            tied = {c.entry_id for c in ranked if c.score == pytest.approx(ranked[0].score)}
            assert result.candidates[0].entry_id in tied, question
            assert result.score == pytest.approx(ranked[0].score)


def test_search_batch_equals_brute_force_overlap() -> None:
    rng = np.random.default_rng(3)
    vocab = [f"t{i}" for i in range(40)]
    doc_terms, doc_entry = [], []
    for e in range(150):
        for _ in range(int(rng.integers(1, 4))):
            doc_terms.append(list(rng.choice(vocab, size=int(rng.integers(1, 6)), replace=False)))
            doc_entry.append(e)
    index = TermIndex(doc_terms, doc_entry, 150, coverage_power=-1.0)
    queries = [
        index.vector(list(rng.choice(vocab, size=int(rng.integers(1, 5)), replace=False))) for _ in range(30)
    ]
    hits = index.search_batch(queries, 5)
    for i, q in enumerate(queries):
        shared = index.all_shared(q)
        scores = overlap(shared, np.full(shared.size, q.norm), index.doc_norm, -1.0)
        per_entry = np.maximum.reduceat(scores, index.entry_start)
        # what it returns is exact, best first ...
        assert hits.best[i] == pytest.approx(per_entry[hits.entries[i]])
        assert list(hits.best[i]) == sorted(hits.best[i], reverse=True)
        # ... and nothing it left out beats the bound it reports
        left_out = np.delete(per_entry, hits.entries[i])
        assert left_out.max() <= hits.unseen_bound[i] + 1e-12
