"""Inverted index over normalised terms: IDF weights from the bank and batched candidate search.

Every entry's question and aliases are *documents*; documents of one entry get consecutive ids, so
per-entry work is slicing. A query is scored against documents by IDF-weighted cosine (binary term
frequencies).

Search runs for many queries at once, in two numpy steps:

1. Entry-level postings give each entry the weight ``S_E`` it shares with the query over its whole
   vocabulary (accumulated with one ``bincount`` per chunk of queries, not per query). Since a
   document's norm is at least the square root of what it shares, ``sqrt(S_E) / |q|`` bounds the
   cosine of every document of the entry. The ``pool`` entries with the highest bound are candidates.
2. The candidates' documents are scored exactly from a document-term matrix, and the best ``k``
   entries (by their best document) are kept.

Like MaxScore, a query's most common terms do not make candidates while their share of the query
is small; their weight is added to every entry's bound instead.

``BatchHits.unseen_bound`` is the highest cosine any entry that was not kept could reach (the bound
of the first entry left out of the pool, or the exact best of a pool entry not kept). The matcher
turns it into the highest *score* an unseen entry could reach, so the index never hides an entry
that could change a decision; it only spares the work on the ones that cannot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BatchHits", "QueryVector", "TermIndex", "bm25_idf", "overlap"]

# Dense work buffers per chunk of queries: chunk x max(entries, terms) cells (8 bytes each).
CHUNK_CELLS = 500_000
# A term in more than this share of the entries (and at least COMMON_MIN_POSTINGS of them) is
# "common": it does not make candidates while common terms hold at most COMMON_MAX_SHARE of the
# query's norm (see TermIndex._upper_bounds).
COMMON_SHARE = 0.05
COMMON_MIN_POSTINGS = 200
COMMON_MAX_SHARE = 0.35
# Tie-breaking ramp per entry index; far below any real difference of shared weight (>= ~1e-3).
RAMP_STEP = 1e-12


def overlap(shared: np.ndarray, qnorm: np.ndarray, dnorm: np.ndarray, power: float) -> np.ndarray:
    """Weighted overlap of query and document, 0-1: the power mean of the two coverages.

    ``shared / |q|^2`` is the share of the query's weight the document explains, ``shared / |d|^2``
    the share of the document's weight the query explains. ``power`` 0 gives their geometric mean,
    which is the cosine; below 0 the mean leans towards the smaller coverage. It never exceeds the
    cosine for ``power <= 0``, so cosine bounds stay valid.
    """
    if shared.size == 0:
        return np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov_q = np.where(qnorm > 0, shared / (qnorm * qnorm), 0.0)
    # capped: a bag document's norm is its entry's typical text norm, which a question can outweigh
    cov_d = np.minimum(shared / (dnorm * dnorm), 1.0)
    if power == 0:
        return np.sqrt(cov_q * cov_d)
    ok = (cov_q > 0) & (cov_d > 0)
    out = np.zeros(shared.size)
    out[ok] = ((cov_q[ok] ** power + cov_d[ok] ** power) / 2.0) ** (1.0 / power)
    return out


def bm25_idf(df: int | np.ndarray, n: int) -> np.ndarray:
    """BM25's IDF, ``ln(1 + (n - df + 0.5) / (df + 0.5))``: ~0 for a term in every entry, never negative."""
    df_arr = np.asarray(df, dtype=np.float64)
    return np.log1p((n - df_arr + 0.5) / (df_arr + 0.5))


@dataclass(frozen=True)
class QueryVector:
    """A query's known terms and weights."""

    term_ids: np.ndarray
    """Ids of the query's terms that occur in the bank (int64)."""
    w2: np.ndarray
    """Squared weight of each known term."""
    norm: float
    """Norm of the whole query, unknown terms included (they count as rare terms, so they lower scores)."""
    weights: dict[str, float]
    """Weight of every query term, known or not."""


@dataclass(frozen=True)
class BatchHits:
    """For each of ``n`` queries: the ``k`` best entries and the shared weight of each of their documents."""

    entries: np.ndarray
    """(n, k) entry indices, best first by best-document overlap (ties: lower index first)."""
    best: np.ndarray
    """(n, k) best document :func:`overlap` of each entry."""
    unseen_bound: np.ndarray
    """(n,) no entry outside a row of ``entries`` has a document with an overlap above this."""
    doc_ids: np.ndarray
    """Documents of every (query, entry) cell, row-major, each cell's documents together."""
    doc_shared: np.ndarray
    """Shared weight (sum of the query's squared weights over common terms) of each document in ``doc_ids``."""
    cell_offsets: np.ndarray
    """(n * k,) start of each cell's documents in ``doc_ids``."""
    cell_lens: np.ndarray
    """(n * k,) number of documents of each cell."""


class TermIndex:
    """Bank texts by term: entry-level postings for candidates, a document-term matrix for exact scores."""

    def __init__(
        self,
        doc_terms: Sequence[Iterable[str]],
        doc_entry: Sequence[int],
        n_entries: int,
        *,
        idf_power: float = 1.0,
        coverage_power: float = 0.0,
        boost: Callable[[str], float] | None = None,
        bags: Sequence[bool] | None = None,
    ) -> None:
        """Index documents.

        Args:
            doc_terms: Terms of each document.
            doc_entry: Entry index of each document; non-decreasing (an entry's documents together),
                and every entry has at least one document.
            n_entries: Number of entries.
            idf_power: Term weight is ``idf ** idf_power``; below 1 flattens the contrast between rare
                and common words.
            coverage_power: Exponent of :func:`overlap`, which ranks documents (<= 0).
            boost: Multiplier of a term's weight (e.g. thesaurus concepts count more); 1 when None.
            bags: Per document, True for an entry's *bag* (every term of its texts in one document).
                A bag's norm is the largest norm of its entry's other documents, not its own: the bag
                stands for "a text of this entry", so a question explaining as much weight as the
                entry's longest text covers it fully (:func:`overlap` caps coverage at 1). Bag terms are a subset of
                the entry's vocabulary, so the entry bounds stay valid.
        """
        if coverage_power > 0:
            raise ValueError("coverage_power must be <= 0")
        self.coverage_power = coverage_power
        entry_arr = np.asarray(doc_entry, dtype=np.int64)
        if entry_arr.size != len(doc_terms) or (
            entry_arr.size
            and (
                np.any(np.diff(entry_arr) < 0)
                or not np.array_equal(np.unique(entry_arr), np.arange(n_entries))
            )
        ):
            raise ValueError("documents must be grouped by entry, and every entry needs a document")
        self.n_docs = len(doc_terms)
        self.n_entries = n_entries
        self.doc_entry = entry_arr
        self.vocab: dict[str, int] = {}
        doc_sets: list[frozenset[int]] = []
        for terms in doc_terms:
            ids = set()
            for term in terms:
                tid = self.vocab.get(term)
                if tid is None:
                    tid = self.vocab[term] = len(self.vocab)
                ids.add(tid)
            doc_sets.append(frozenset(ids))
        n_terms = len(self.vocab)
        self.doc_sets = doc_sets
        # Document-term matrix (CSR). A document without terms gets the sentinel column n_terms, whose
        # query weight is always 0, so every row has a cell and reduceat stays simple.
        rows = [sorted(s) if s else [n_terms] for s in doc_sets]
        lens = np.array([len(r) for r in rows], dtype=np.int64)
        self.doc_indptr = np.zeros(self.n_docs + 1, dtype=np.int64)
        np.cumsum(lens, out=self.doc_indptr[1:])
        self.doc_cols = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=int(lens.sum()))
        # Entry-level postings and document frequency: an entry's eight aliases all saying "MFA" must
        # not make MFA look common.
        if self.n_docs:
            pairs = np.unique(np.stack([self.doc_cols, np.repeat(entry_arr, lens)]), axis=1)
        else:
            pairs = np.zeros((2, 0), dtype=np.int64)
        pairs = pairs[:, pairs[0] < n_terms]
        split = np.searchsorted(pairs[0], np.arange(n_terms + 1))
        # entry postings as CSR: the entries of term t are post_entries[post_indptr[t]:post_indptr[t + 1]]
        self.post_indptr = split.astype(np.int64)
        self.post_entries = pairs[1].astype(np.int64)
        df = np.diff(split)
        self.posting_sizes = df.astype(np.int64)
        self.idf: np.ndarray = bm25_idf(df, max(n_entries, 1)) ** idf_power
        self.unknown_idf = float(bm25_idf(1, max(n_entries, 1))) ** idf_power
        self._boost = boost
        if boost is not None:
            for term, tid in self.vocab.items():
                self.idf[tid] *= boost(term)
        w2 = np.append(self.idf**2, 0.0)
        norm2 = np.add.reduceat(w2[self.doc_cols], self.doc_indptr[:-1]) if self.n_docs else np.zeros(0)
        self.doc_norm = np.sqrt(norm2)
        self.doc_norm[self.doc_norm == 0] = np.inf  # a text of stop words only matches nothing
        self.is_bag = np.zeros(self.n_docs, dtype=bool) if bags is None else np.asarray(bags, dtype=bool)
        if self.is_bag.size != self.n_docs:
            raise ValueError("bags needs one flag per document")
        if self.is_bag.any():
            text = ~self.is_bag & np.isfinite(self.doc_norm)
            typical = np.zeros(n_entries)
            np.maximum.at(typical, entry_arr[text], self.doc_norm[text])
            typical = np.where(typical > 0, typical, np.inf)[entry_arr[self.is_bag]]
            self.doc_norm[self.is_bag] = np.minimum(self.doc_norm[self.is_bag], typical)
        starts = np.searchsorted(entry_arr, np.arange(n_entries + 1))
        self.entry_start = np.asarray(starts[:-1], dtype=np.int64)
        self.entry_end = np.asarray(starts[1:], dtype=np.int64)
        self._ramp = np.arange(n_entries) * RAMP_STEP

    def weight(self, term: str) -> float:
        """Weight of ``term``; a term the bank never uses weighs like the rarest bank term."""
        tid = self.vocab.get(term)
        if tid is not None:
            return float(self.idf[tid])
        return self.unknown_idf * (self._boost(term) if self._boost is not None else 1.0)

    def vector(self, terms: Iterable[str]) -> QueryVector:
        """The weighted query vector of a set of terms."""
        ids: list[int] = []
        weights: dict[str, float] = {}
        for term in dict.fromkeys(terms):
            tid = self.vocab.get(term)
            if tid is not None:
                ids.append(tid)
            weights[term] = self.weight(term)
        id_arr = np.asarray(ids, dtype=np.int64)
        w2 = self.idf[id_arr] ** 2 if ids else np.zeros(0)
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return QueryVector(id_arr, w2, norm, weights)

    def search_batch(self, queries: Sequence[QueryVector], k: int, pool: int | None = None) -> BatchHits:
        """The ``k`` entries whose best document has the highest cosine, for every query.

        Args:
            queries: Query vectors; each needs at least one known term and a positive norm.
            k: Entries to keep per query (capped at the number of entries).
            pool: Entries scored exactly per query (default ``2 k``).

        Returns:
            Row ``i`` of every array belongs to ``queries[i]``.
        """
        n = len(queries)
        k = min(k, self.n_entries)
        pool = min(max(pool or 2 * k, k), self.n_entries)
        width = max(self.n_entries, len(self.vocab) + 1)
        chunk = max(1, CHUNK_CELLS // width)
        parts = [self._search_chunk(queries[lo : lo + chunk], k, pool) for lo in range(0, n, chunk)]
        if len(parts) == 1:
            return parts[0]
        shift = np.cumsum([0] + [p.doc_ids.size for p in parts[:-1]])
        return BatchHits(
            entries=np.concatenate([p.entries for p in parts]),
            best=np.concatenate([p.best for p in parts]),
            unseen_bound=np.concatenate([p.unseen_bound for p in parts]),
            doc_ids=np.concatenate([p.doc_ids for p in parts]),
            doc_shared=np.concatenate([p.doc_shared for p in parts]),
            cell_offsets=np.concatenate([p.cell_offsets + off for p, off in zip(parts, shift, strict=True)]),
            cell_lens=np.concatenate([p.cell_lens for p in parts]),
        )

    def _search_chunk(self, queries: Sequence[QueryVector], k: int, pool: int) -> BatchHits:
        n = len(queries)
        norms = np.array([q.norm for q in queries])
        shared_sq, slack = self._entry_shared(queries)
        outside = np.sqrt(slack) / norms
        if pool < self.n_entries:
            # Rank on the shared weight itself: per row, sqrt(. + slack) / |q| is monotonic in it.
            # After the partition, the last `pool` columns are the pool and the one before them is
            # the best entry left out.
            # A tiny ramp breaks ties (most entries share nothing): introselect slows down tenfold on
            # equal keys. It also prefers earlier entries, like every other tie-break here.
            shared_sq -= self._ramp
            order = np.argpartition(shared_sq, self.n_entries - pool - 1, axis=1)
            cand = order[:, self.n_entries - pool :]
            left = np.take_along_axis(
                shared_sq, order[:, self.n_entries - pool - 1 : self.n_entries - pool], axis=1
            )[:, 0]
            left = np.maximum(left + RAMP_STEP * self.n_entries, 0.0)
            outside = np.maximum(outside, np.sqrt(left + slack) / norms)
        else:
            cand = np.broadcast_to(np.arange(self.n_entries), (n, self.n_entries))
        # exact cosine of every document of every pool entry
        flat = cand.ravel()
        lens = self.entry_end[flat] - self.entry_start[flat]
        offsets = np.cumsum(lens) - lens
        docs = np.repeat(self.entry_start[flat] - offsets, lens) + np.arange(int(lens.sum()))
        query_of_doc = np.repeat(np.arange(n), lens.reshape(n, pool).sum(axis=1))
        shared = self._shared(docs, query_of_doc, queries)
        score = overlap(shared, norms[query_of_doc], self.doc_norm[docs], self.coverage_power)
        best = np.maximum.reduceat(score, offsets).reshape(n, pool)
        order = np.lexsort((cand, -best), axis=1)
        top = order[:, :k]
        if pool > k:
            outside = np.maximum(outside, np.take_along_axis(best, order[:, k : k + 1], axis=1)[:, 0])
        # the kept cells' documents, in the new order
        cell = (np.arange(n)[:, None] * pool + top).ravel()
        cell_lens = lens[cell]
        cell_offsets = np.cumsum(cell_lens) - cell_lens
        pick = np.repeat(offsets[cell] - cell_offsets, cell_lens) + np.arange(int(cell_lens.sum()))
        return BatchHits(
            entries=np.take_along_axis(cand, top, axis=1),
            best=np.take_along_axis(best, top, axis=1),
            unseen_bound=outside,
            doc_ids=docs[pick],
            doc_shared=shared[pick],
            cell_offsets=cell_offsets,
            cell_lens=cell_lens,
        )

    def postings(self, term_id: int) -> np.ndarray:
        """Entries whose texts use the term."""
        return self.post_entries[self.post_indptr[term_id] : self.post_indptr[term_id + 1]]

    def _entry_shared(self, queries: Sequence[QueryVector]) -> tuple[np.ndarray, np.ndarray]:
        """(len(queries), n_entries) weight each entry's vocabulary shares with each query, and per query
        the weight of the common terms left out of it.

        ``sqrt(shared + slack) / |q|`` bounds the cosine of every document of an entry. Common terms
        (postings over ``COMMON_SHARE`` of the entries) are left out while their share of the query
        stays small, MaxScore-style: their weight (the slack) is added to every entry's bound instead,
        which is cheaper than touching thousands of postings.
        """
        n = len(queries)
        qid = np.repeat(np.arange(n), [q.term_ids.size for q in queries])
        tids = np.concatenate([q.term_ids for q in queries])
        w2 = np.concatenate([q.w2 for q in queries])
        norms = np.array([q.norm for q in queries])
        sizes = self.posting_sizes[tids]
        limit = max(COMMON_MIN_POSTINGS, int(COMMON_SHARE * self.n_entries))
        # per query, lightest common terms first, while their running total fits the budget
        order = np.lexsort((w2, qid))
        qid, tids, w2, sizes = qid[order], tids[order], w2[order], sizes[order]
        common = np.where(sizes > limit, w2, 0.0)
        running = np.cumsum(common)
        first = np.searchsorted(qid, np.arange(n))
        running -= np.repeat(running[first] - common[first], np.diff(np.append(first, qid.size)))
        drop = (sizes > limit) & (running <= (COMMON_MAX_SHARE * norms[qid]) ** 2)
        kept_per_query = np.bincount(qid[~drop], minlength=n)
        for r in np.flatnonzero(kept_per_query == 0):  # something must make candidates
            heaviest = first[r] + int(np.argmax(w2[first[r] : first[r] + queries[r].term_ids.size]))
            drop[heaviest] = False
        slack = np.bincount(qid[drop], weights=w2[drop], minlength=n)
        keep = ~drop
        lens = sizes[keep]
        offsets = np.cumsum(lens) - lens
        cells = np.repeat(self.post_indptr[tids[keep]] - offsets, lens) + np.arange(int(lens.sum()))
        flat = np.repeat(qid[keep], lens) * self.n_entries + self.post_entries[cells]
        acc = np.bincount(flat, weights=np.repeat(w2[keep], lens), minlength=n * self.n_entries)
        return acc.reshape(n, self.n_entries), slack

    def _shared(
        self, docs: np.ndarray, query_of_doc: np.ndarray, queries: Sequence[QueryVector]
    ) -> np.ndarray:
        """Sum of each document's query's squared weights over the document's terms."""
        if docs.size == 0:
            return np.zeros(0)
        starts = self.doc_indptr[docs]
        lens = self.doc_indptr[docs + 1] - starts
        offsets = np.cumsum(lens) - lens
        cells = np.repeat(starts - offsets, lens) + np.arange(int(lens.sum()))
        table = np.zeros(
            (len(queries), len(self.vocab) + 1)
        )  # squared weights by (query, term); sentinel column 0
        for i, q in enumerate(queries):
            table[i, q.term_ids] = q.w2
        vals = table[np.repeat(query_of_doc, lens), self.doc_cols[cells]]
        return np.add.reduceat(vals, offsets)

    def all_shared(self, q: QueryVector) -> np.ndarray:
        """Shared weight of the query with every document (exhaustive; for evaluation and tests)."""
        return self.shared(q, np.arange(self.n_docs))

    def shared(self, q: QueryVector, docs: np.ndarray) -> np.ndarray:
        """Shared weight of one query with the given documents."""
        docs = np.asarray(docs, dtype=np.int64)
        return self._shared(docs, np.zeros(docs.size, dtype=np.int64), [q])

    def docs_of(self, entry: int) -> np.ndarray:
        """Document ids of one entry."""
        return np.arange(self.entry_start[entry], self.entry_end[entry])
