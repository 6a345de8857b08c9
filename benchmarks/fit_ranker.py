"""Refit how the semantic matcher ranks entries (``Fusion.weight`` and ``Fusion.centroid``), train vs held out.

The fused score of an entry is a linear mix of three signals (see the matcher docstring):

    fused = a x lexical + 100 x (b x best cosine over the entry's texts + c x cosine with the entry's centroid)

with a + b + c = 1, i.e. ``weight`` = b + c and ``centroid`` = c / (b + c). This script fits (a, b, c) as a
listwise logistic regression (a softmax over each question's candidate entries, the labelled right entries as the
target) in numpy, on the labelled questions nobody holds out:

* the labelled shared questionnaires of ``benchmarks/coverage.py`` (``benchmarks/data/shared_labels.yaml``), minus
  its held-out parts (``HELD_OUT_FROM``: HECVAT 4.1.4 from DATA-18 on, all of HECVAT Full 3.06);
* the listed (not held-out) in-bank questions of ``benchmarks/data/match_eval.yaml``.

It prints top-1 right (the labelled entry ranked first among the candidates) for the old fusion (0.5 / 0), the
shipped defaults and the refit, on the training questions and on each held-out part, which are only measured,
never fitted. Candidates are those the matcher scores (its lexical candidates plus the ``Fusion.top_k`` entries
nearest in meaning); questions whose right entry is not among them are left out (no ranking can fix them).

Run: python benchmarks/fit_ranker.py [--folder ../shared/questionnaires]

Without the shared questionnaires only the evaluation set is used. Copy a refit into ``Fusion``'s defaults only
together with a ``match_eval.py --sweep`` and ``coverage.py`` run (the thresholds live on the fused score's scale).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import coverage  # noqa: E402
import match_eval  # noqa: E402
from trustfill.importers import load_questionnaire  # noqa: E402
from trustfill.matching import Fusion  # noqa: E402
from trustfill.matching import matcher as matcher_module  # noqa: E402
from trustfill.session import open_session  # noqa: E402
from trustfill.workspace import default_root  # noqa: E402

FEATURES = ("lexical / 100", "best cosine", "centroid cosine")


def capture(matcher, rows) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Question text -> (candidate entry indices, their features), read from the matcher's own fusion step."""
    seen: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    original = matcher_module.Matcher._fused_decision
    centroids = matcher.semantic.centroids

    def hook(self, text, analysis, vec, decision, qvec, sims, near, outside, lex, unseen, explain, best_cos):
        pool = np.array(sorted(set(lex) | set(near.tolist())), dtype=np.int64)
        if pool.size:
            lexical = np.array([lex.get(int(e), (0.0,))[0] for e in pool]) / 100.0
            seen[text] = (pool, np.column_stack([lexical, best_cos[pool], centroids[pool] @ qvec]))
        return original(self, text, analysis, vec, decision, qvec, sims, near, outside, lex, unseen, explain, best_cos)

    matcher_module.Matcher._fused_decision = hook
    try:
        matcher.match_many(rows)
    finally:
        matcher_module.Matcher._fused_decision = original
    return seen


def questions(folder: Path, matcher) -> dict[str, list[tuple[str, set[str], str]]]:
    """Labelled questions as (text, right entry ids, source) per part: train, held out (shared), held out (eval)."""
    parts: dict[str, list] = {"train": [], "held out: shared files": [], "held out: match_eval quarter": []}
    labels = yaml.safe_load(coverage.LABELS.read_text()) if coverage.LABELS.is_file() else {}
    if folder.is_dir():
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in coverage.SUFFIXES):
            file_labels = labels.get(path.name) or {}
            if path.name.startswith(coverage.NOT_SECURITY) or not file_labels:
                continue
            held_from = coverage.HELD_OUT_FROM.get(path.name)
            held = path.name in coverage.HELD_OUT_FROM and held_from is None
            for row in load_questionnaire(path).questions:
                qid = row.question_id or row.location
                held = held or (held_from is not None and qid == held_from)
                truth = file_labels.get(qid, coverage.SKIP)
                if truth in (coverage.SKIP, None):
                    continue
                parts["held out: shared files" if held else "train"].append((row, coverage._entries(truth), "shared"))
    for item in match_eval.items_of(match_eval.load_eval()):
        if item.kind == "in_bank":
            part = "held out: match_eval quarter" if item.held_out else "train"
            parts[part].append((item.question, set(item.labels), "match_eval"))
    return parts


def dataset(matcher, items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded (questions, candidates, features), right-entry mask and candidate mask."""
    seen = capture(matcher, [row for row, _, _ in items])
    pos = {e.id: i for i, e in enumerate(matcher.entries)}
    feats, right = [], []
    for row, truth, _ in items:
        text = row if isinstance(row, str) else row.text
        if text not in seen:
            continue
        pool, f = seen[text]
        y = np.isin(pool, [pos[t] for t in truth if t in pos])
        if y.any():
            feats.append(f)
            right.append(y)
    width = max(len(f) for f in feats)
    x = np.zeros((len(feats), width, len(FEATURES)))
    y = np.zeros((len(feats), width))
    mask = np.zeros((len(feats), width), dtype=bool)
    for i, (f, r) in enumerate(zip(feats, right, strict=True)):
        x[i, : len(f)], y[i, : len(r)], mask[i, : len(f)] = f, r, True
    return x, y, mask


def fit(x: np.ndarray, y: np.ndarray, mask: np.ndarray, *, l2: float = 1e-3, steps: int = 3000, rate: float = 1.0) -> np.ndarray:
    """Coefficients maximising the softmax probability of the right entries (gradient descent, L2 penalty)."""
    w = np.zeros(x.shape[2])
    for _ in range(steps):
        s = np.where(mask, x @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        q = p * y / (p * y).sum(axis=1, keepdims=True)  # the posterior over the right entries
        w -= rate * (np.einsum("nm,nmf->f", p - q, x) / len(x) + l2 * w)
    return w


def top1(x: np.ndarray, y: np.ndarray, mask: np.ndarray, w: np.ndarray) -> int:
    """Questions whose right entry the coefficients rank first."""
    s = np.where(mask, x @ w, -np.inf)
    return int(y[np.arange(len(s)), s.argmax(axis=1)].sum())


def as_fusion(w: np.ndarray) -> tuple[float, float]:
    """(weight, centroid) of coefficients (a, b, c)."""
    _, b, c = np.maximum(w, 0.0) / max(float(np.maximum(w, 0.0).sum()), 1e-12)
    return float(b + c), float(c / (b + c)) if b + c > 0 else 0.0


def coefficients(weight: float, centroid: float) -> np.ndarray:
    """(a, b, c) of a fusion setting."""
    return np.array([1 - weight, weight * (1 - centroid), weight * centroid])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=coverage.DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    session = open_session(None, default_root() / "examples" / "saas-heroku.yaml", "semantic")
    matcher = session.matcher
    parts = {name: dataset(matcher, items) for name, items in questions(args.folder, matcher).items() if items}
    w = fit(*parts["train"])
    weight, centroid = as_fusion(w)
    shipped = Fusion()
    rows = [("old fusion (0.5, 0)", coefficients(0.5, 0.0)), (f"shipped ({shipped.weight:g}, {shipped.centroid:g})",
            coefficients(shipped.weight, shipped.centroid)), (f"refit ({weight:.3f}, {centroid:.3f})", w)]
    print(f"features: {', '.join(FEATURES)}; refit coefficients {np.round(w, 3).tolist()}")
    print(f"refit as Fusion: weight={weight:.3f} centroid={centroid:.3f}\n")
    print(f"{'top-1 right':28}" + "".join(f"{name} ({len(p[0])})".rjust(36) for name, p in parts.items()))
    for name, coef in rows:
        print(f"{name:28}" + "".join(f"{top1(*p, coef)}".rjust(36) for p in parts.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
