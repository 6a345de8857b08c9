"""The bank as sentence vectors: every text of every entry, and each question's similarity to each entry.

An entry's semantic similarity to a question reads two cosines: the best over its texts (question and aliases),
the same "best phrasing" rule the lexical score uses, and the cosine with the entry's centroid (the normalised
mean of its text vectors: what its phrasings say in common). :class:`~trustfill.matching.matcher.Matcher` blends
them and fuses the blend with the lexical score (see its docstring for how, and how that was calibrated).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..models import BankEntry
from .embedding import Encoder, Progress, bank_texts, bank_vectors

# Questions scored against the whole bank at once: 128 x 62,621 texts (a 10,000-entry bank) of float32 is 32 MB.
CHUNK = 128


@dataclass(frozen=True)
class SemanticHits:
    """One chunk of questions against every entry."""

    rows: np.ndarray
    """Question positions (in the batch given to :meth:`SemanticBank.search`) of this chunk."""
    sims: np.ndarray
    """(len(rows), n_entries) best cosine of each entry's texts."""
    centroid: np.ndarray | None = None
    """(len(rows), n_entries) cosine with each entry's centroid (the normalised mean of its text vectors); None
    reads as ``sims``."""


class SemanticBank:
    """Unit vectors of the bank's texts, grouped by entry in bank order."""

    def __init__(
        self,
        entries: Sequence[BankEntry],
        encoder: Encoder,
        *,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        shipped: Path | bool | None = True,
    ) -> None:
        """Embed (or load from the caches) every text of every entry.

        Args:
            entries: The bank's entries, in the matcher's order (policy-family entries are left out, as the matcher does).
            encoder: A loaded encoder.
            cache_dir: The workspace cache folder, or None for no cache file.
            progress: Called with (done, total) while texts are embedded (large banks only).
            shipped: The shipped vectors file to read first; True for the bundled one, None for none.
        """
        from .embedding import SHIPPED_VECTORS

        # Policy-family entries are routed by their wording and never scored (see Matcher), so they get no
        # vectors: the entry indices here must be the matcher's.
        entries = [e for e in entries if e.policy_family is None]
        self.encoder = encoder
        self.texts = bank_texts(entries)
        lens = np.array([1 + len(e.aliases) for e in entries], dtype=np.int64)
        self.entry_start = np.cumsum(lens) - lens
        self.text_entry = np.repeat(np.arange(len(entries)), lens)
        source = SHIPPED_VECTORS if shipped is True else (shipped or None)
        self.vectors = bank_vectors(encoder, self.texts, cache_dir, shipped=source, progress=progress)
        self.n_entries = len(entries)
        # An entry's centroid: what its phrasings say in common. It ranks a question the entry's texts
        # each half-match above an entry that one text happens to echo (see the matcher's calibration).
        # One vector per entry: a second product of n_entries columns is cheaper than summing the text cosines
        # per entry (np.add.reduceat over the question x text block; measured).
        if self.n_entries:
            sums = np.add.reduceat(self.vectors, self.entry_start, axis=0)
            self.centroids = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(self.vectors.dtype)
        else:
            self.centroids = np.zeros((0, self.vectors.shape[1] if self.vectors.ndim == 2 else 0), dtype=np.float32)

    def embed(self, questions: Sequence[str]) -> np.ndarray:
        """Unit vectors of customer questions."""
        return self.encoder.encode(questions)

    def search(self, qvecs: np.ndarray) -> Iterator[SemanticHits]:
        """Per chunk of questions, every entry's best cosine and its centroid cosine."""
        for start in range(0, len(qvecs), CHUNK):
            chunk = qvecs[start : start + CHUNK]
            block = chunk @ self.vectors.T
            if self.n_entries:
                sims = np.maximum.reduceat(block, self.entry_start, axis=1)
            else:
                sims = np.zeros((len(block), 0), dtype=np.float32)
            yield SemanticHits(np.arange(start, start + len(block)), sims, chunk @ self.centroids.T)

    def nearest(self, qvec: np.ndarray, entry: int) -> tuple[str, float]:
        """The entry's text closest in meaning to the question, and its cosine."""
        start = int(self.entry_start[entry])
        end = int(self.entry_start[entry + 1]) if entry + 1 < self.n_entries else len(self.texts)
        sims = self.vectors[start:end] @ qvec
        k = int(np.argmax(sims))
        return self.texts[start + k], float(sims[k])
