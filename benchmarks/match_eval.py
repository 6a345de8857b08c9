"""Score the question matcher on the labelled evaluation set in benchmarks/data/match_eval.yaml.

The set is written from the *meaning* of bank entries, never by editing their question or aliases, so
the numbers estimate how the matcher does on questionnaires nobody has tuned it to. Three kinds of item:

* ``in_bank``: a customer's phrasing and the bank entry that answers it (``also`` lists entries that
  answer it equally well, where the bank holds near-duplicates);
* ``out_of_bank``: questions no entry answers (``near`` names the entry they share vocabulary with);
* ``non_security``: company details (name, address, signature) the matcher should skip.

A fixed quarter of the questions (by a hash of their text) is *held out*: ``--errors`` does not list
its mistakes, so that whoever improves aliases, thesaurus or matcher from the error list cannot fit
them, and the report prints the held-out numbers next to the rest. A gap between the two means the
improvements fitted the listed questions rather than the way customers write.

Usage (from the repo, with ``PYTHONPATH=src`` or an installed trustfill)::

    python benchmarks/match_eval.py            # the report
    python benchmarks/match_eval.py --errors   # plus wrong top-1s, wrong auto-fills and confusions (not held out)
    python benchmarks/match_eval.py --sweep    # plus a table over threshold settings
    python benchmarks/match_eval.py --check    # exit 1 when a target fails (for CI)

A second section scores the answer-fit rules (issue 15) on ``benchmarks/data/fit_eval.yaml``: negated questions
(the declared inversion, or review; never the entry's own answer) and open questions (the narrative, never a bare
Yes/No), answered under ``examples/saas-heroku.yaml``.

The report exits 0 whatever the numbers are, unless ``--check`` is given.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import itertools
import sys
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "match_eval.yaml"

try:  # an installed trustfill, or PYTHONPATH=src
    import trustfill  # noqa: F401
except ImportError:  # a bare checkout: use the source tree next to this file
    sys.path.insert(0, str(REPO / "src"))

from trustfill.matching import Fusion, Matcher, MatchResult, Thresholds  # noqa: E402
from trustfill.workspace import Workspace, find_workspace, load_library  # noqa: E402

# Targets the matcher must meet on this set.
TARGET_AUTO_PRECISION = 0.98
TARGET_OOB_AUTO = 0.02
TARGET_TOP1 = 0.93  # issue 14 (semantic matcher); the lexical matcher was held to 90 %

Style = Literal["caiq", "sig", "hecvat", "vsaq", "sheet", "long", "typo"]
Kind = Literal["in_bank", "out_of_bank", "non_security"]


# --- the data file ------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InBank(_Strict):
    """A customer's phrasing of a question the bank answers."""

    question: str = Field(min_length=3)
    entry: str = Field(description="Id of the bank entry that answers it.")
    also: list[str] = Field(default_factory=list, description="Other entries that answer it equally well.")
    style: Style | None = Field(None, description="Questionnaire style the phrasing imitates.")

    @property
    def labels(self) -> frozenset[str]:
        """Every entry id that counts as correct."""
        return frozenset([self.entry, *self.also])


class OutOfBank(_Strict):
    """A question no bank entry answers."""

    question: str = Field(min_length=3)
    near: str | None = Field(None, description="Entry it shares vocabulary with (a near-miss); None for far ones.")


class NonSecurity(_Strict):
    """A company-detail question the matcher should skip."""

    question: str = Field(min_length=2)


class EvalSet(_Strict):
    """benchmarks/data/match_eval.yaml"""

    in_bank: list[InBank]
    out_of_bank: list[OutOfBank]
    non_security: list[NonSecurity]


def load_eval(path: Path = DEFAULT_DATA) -> EvalSet:
    """Read and validate the evaluation set.

    Raises:
        pydantic.ValidationError: The file has unknown keys or missing fields.
    """
    with path.open(encoding="utf-8") as fh:
        return EvalSet.model_validate(yaml.safe_load(fh))


# --- running the matcher ------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One question to run, with what is expected of it."""

    question: str
    """The question text."""
    kind: Kind
    """Which section of the set it comes from."""
    labels: frozenset[str] = frozenset()
    """Correct entry ids (in_bank only)."""
    style: str | None = None
    """Questionnaire style (in_bank only)."""
    near: str | None = None
    """Entry the question resembles (out_of_bank near-misses only)."""

    @property
    def held_out(self) -> bool:
        """In the held-out quarter, whose mistakes are never listed (see module docstring)."""
        return zlib.crc32(self.question.encode("utf-8")) % 4 == 0


@dataclass(frozen=True)
class Outcome:
    """What the matcher did with one evaluation question."""

    item: Item
    """The question and its labels."""
    status: str
    """auto, review, unmatched or skipped."""
    got: str | None
    """Entry id of the best candidate, whatever the status."""
    score: float
    """Score of the best entry, 0-100."""
    margin: float
    """Lead of the best entry over the second-best."""
    runner_up: str | None
    """Second-best candidate, if any."""

    @property
    def top1_ok(self) -> bool:
        """The best candidate is a correct entry, whatever the status."""
        return self.got is not None and self.got in self.item.labels

    @property
    def auto_ok(self) -> bool:
        """Auto-filled with a correct entry."""
        return self.status == "auto" and self.top1_ok


def items_of(data: EvalSet) -> list[Item]:
    """Every evaluation question, in_bank first."""
    out = [Item(x.question, "in_bank", x.labels, style=x.style) for x in data.in_bank]
    out += [Item(x.question, "out_of_bank", near=x.near) for x in data.out_of_bank]
    out += [Item(x.question, "non_security") for x in data.non_security]
    return out


def _outcome(item: Item, res: MatchResult) -> Outcome:
    got = res.entry_id or (res.candidates[0].entry_id if res.candidates else None)
    runner = res.candidates[1].entry_id if len(res.candidates) > 1 else None
    return Outcome(item, res.status, got, res.score, res.margin, runner)


def run(matcher: Matcher, items: Sequence[Item]) -> list[Outcome]:
    """Match every question in one batch."""
    results = matcher.match_many([it.question for it in items])
    return [_outcome(it, res) for it, res in zip(items, results, strict=True)]


# --- metrics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """The numbers the report prints."""

    n_in: int
    """in_bank questions."""
    n_oob: int
    """out_of_bank questions."""
    n_non: int
    """non_security questions."""
    top1: float
    """Share of in_bank whose best candidate is correct, whatever the status."""
    auto_precision: float
    """Correct autos / all autos; autos on out_of_bank and non_security questions count as wrong."""
    n_auto: int
    """Auto-filled questions, all kinds."""
    oob_auto: float
    """Share of out_of_bank questions auto-filled."""
    coverage: float
    """Share of in_bank auto-filled with a correct entry."""
    review_in: float
    """Share of in_bank sent to review."""
    review_oob: float
    """Share of out_of_bank sent to review."""
    unmatched_in: float
    """Share of in_bank left unmatched or skipped."""
    skipped_non: float
    """Share of non_security questions skipped."""
    skipped_in: float
    """Share of in_bank questions wrongly skipped."""


def _share(num: int, den: int) -> float:
    return num / den if den else 0.0


def metrics(outcomes: Sequence[Outcome]) -> Metrics:
    """Compute the report's numbers."""
    inb = [o for o in outcomes if o.item.kind == "in_bank"]
    oob = [o for o in outcomes if o.item.kind == "out_of_bank"]
    non = [o for o in outcomes if o.item.kind == "non_security"]
    autos = [o for o in outcomes if o.status == "auto"]
    return Metrics(
        n_in=len(inb),
        n_oob=len(oob),
        n_non=len(non),
        top1=_share(sum(o.top1_ok for o in inb), len(inb)),
        auto_precision=_share(sum(o.auto_ok for o in autos), len(autos)) if autos else 1.0,
        n_auto=len(autos),
        oob_auto=_share(sum(o.status == "auto" for o in oob), len(oob)),
        coverage=_share(sum(o.auto_ok for o in inb), len(inb)),
        review_in=_share(sum(o.status == "review" for o in inb), len(inb)),
        review_oob=_share(sum(o.status == "review" for o in oob), len(oob)),
        unmatched_in=_share(sum(o.status in ("unmatched", "skipped") for o in inb), len(inb)),
        skipped_non=_share(sum(o.status == "skipped" for o in non), len(non)),
        skipped_in=_share(sum(o.status == "skipped" for o in inb), len(inb)),
    )


def targets(m: Metrics) -> list[tuple[str, float, str, bool]]:
    """(name, value, target, passed) for each target."""
    return [
        ("auto precision", m.auto_precision, f">= {TARGET_AUTO_PRECISION:.0%}", m.auto_precision >= TARGET_AUTO_PRECISION),
        ("out-of-bank auto-filled", m.oob_auto, f"<= {TARGET_OOB_AUTO:.0%}", m.oob_auto <= TARGET_OOB_AUTO),
        ("top-1 accuracy (in bank)", m.top1, f">= {TARGET_TOP1:.0%}", m.top1 >= TARGET_TOP1),
    ]


def meets_fill_targets(m: Metrics) -> bool:
    """The two targets thresholds can trade for coverage: auto precision and out-of-bank auto-fill."""
    return m.auto_precision >= TARGET_AUTO_PRECISION and m.oob_auto <= TARGET_OOB_AUTO


# --- report -------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def print_report(m: Metrics, outcomes: Sequence[Outcome], bank_size: int, thresholds: Thresholds | Fusion, seconds: float) -> None:
    """Targets with PASS/FAIL, the other rates, and breakdowns by style and by out-of-bank kind."""
    t = thresholds
    print(f"bank: {bank_size} entries; eval set: {m.n_in} in bank, {m.n_oob} out of bank, {m.n_non} non-security")
    print(f"thresholds: auto_score={t.auto_score:g} auto_margin={t.auto_margin:g} review_score={t.review_score:g}")
    print(f"matched {m.n_in + m.n_oob + m.n_non} questions in {seconds:.2f}s (index build included)\n")
    print("targets")
    for name, value, target, ok in targets(m):
        print(f"  {name:<30} {_pct(value)}   target {target:<7} {'PASS' if ok else 'FAIL'}")
    print("\nrates")
    for name, value in (
        ("coverage (in bank, auto & right)", m.coverage),
        ("review rate (in bank)", m.review_in),
        ("unmatched/skipped (in bank)", m.unmatched_in),
        ("review rate (out of bank)", m.review_oob),
        ("out of bank NOT auto-filled", 1 - m.oob_auto),
        ("non-security skipped", m.skipped_non),
        ("in bank wrongly skipped", m.skipped_in),
    ):
        print(f"  {name:<36} {_pct(value)}")
    print(f"  {'auto-filled questions (all kinds)':<36} {m.n_auto:6d}")

    print("\nsplit             n(in)    top-1  coverage  auto-precision  oob-auto")
    for name, held in (("listed", False), ("held out", True)):
        sm = metrics([o for o in outcomes if o.item.held_out == held])
        print(
            f"  {name:<14} {sm.n_in:6d}   {_pct(sm.top1)}    {_pct(sm.coverage)}          {_pct(sm.auto_precision)}   {_pct(sm.oob_auto)}"
        )

    inb = [o for o in outcomes if o.item.kind == "in_bank"]
    print("\nin bank by style        n    top-1  coverage    review")
    for style in sorted({o.item.style or "-" for o in inb}):
        g = [o for o in inb if (o.item.style or "-") == style]
        print(
            f"  {style:<16} {len(g):5d}   {_pct(_share(sum(o.top1_ok for o in g), len(g)))}"
            f"    {_pct(_share(sum(o.auto_ok for o in g), len(g)))}"
            f"    {_pct(_share(sum(o.status == 'review' for o in g), len(g)))}"
        )
    oob = [o for o in outcomes if o.item.kind == "out_of_bank"]
    print("\nout of bank             n     auto    review  unmatched")
    for label, g in (("near-miss", [o for o in oob if o.item.near]), ("far", [o for o in oob if not o.item.near])):
        print(
            f"  {label:<16} {len(g):5d}   {_pct(_share(sum(o.status == 'auto' for o in g), len(g)))}"
            f"    {_pct(_share(sum(o.status == 'review' for o in g), len(g)))}"
            f"    {_pct(_share(sum(o.status in ('unmatched', 'skipped') for o in g), len(g)))}"
        )


def _row(o: Outcome) -> str:
    it = o.item
    near = f"(none, near {it.near})" if it.near else "(none)"
    label = "|".join(sorted(it.labels)) if it.labels else near
    return (
        f"  [{o.status:<9}] score {o.score:5.1f} margin {o.margin:5.1f}  label={label}  got={o.got}"
        f"  (2nd {o.runner_up})\n      {it.question}"
    )


def print_errors(outcomes: Sequence[Outcome], *, include_held_out: bool = False) -> None:
    """Wrong top-1s, wrong autos, non-security rows not skipped, then frequent confusions.

    Held-out questions are left out unless ``include_held_out`` (see module docstring).
    """
    hidden = 0 if include_held_out else sum(o.item.held_out and _is_error(o) for o in outcomes)
    outcomes = [o for o in outcomes if include_held_out or not o.item.held_out]
    wrong_top1 = [o for o in outcomes if o.item.kind == "in_bank" and not o.top1_ok]
    wrong_auto = [o for o in outcomes if o.status == "auto" and not o.top1_ok]
    missed = [o for o in outcomes if o.item.kind == "non_security" and o.status != "skipped"]
    print(f"\nwrong top-1 ({len(wrong_top1)})")
    for o in sorted(wrong_top1, key=lambda o: -o.score):
        print(_row(o))
    print(f"\nwrong auto-fills ({len(wrong_auto)})")
    for o in sorted(wrong_auto, key=lambda o: -o.score):
        print(_row(o))
    print(f"\nnon-security questions not skipped ({len(missed)})")
    for o in missed:
        print(_row(o))
    if hidden:
        print(f"\n({hidden} mistakes on held-out questions not listed)")
    pairs = Counter((o.item.labels and min(o.item.labels), o.got) for o in wrong_top1)
    if pairs:
        print("\nconfusions (label -> got), most frequent first")
        for (label, got), n in pairs.most_common(30):
            print(f"  {n:2d}  {label} -> {got}")


def _is_error(o: Outcome) -> bool:
    if o.item.kind == "in_bank":
        return not o.top1_ok
    if o.item.kind == "out_of_bank":
        return o.status == "auto"
    return o.status != "skipped"


# --- threshold sweep ----------------------------------------------------------------------------

SWEEP_AUTO_SCORE = (45.0, 50.0, 55.0, 57.5, 60.0, 62.5, 65.0, 67.5, 70.0, 75.0, 80.0, 85.0, 90.0)
SWEEP_AUTO_MARGIN = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0)
SWEEP_REVIEW_SCORE = (25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0)
# Below this share of right suggestions among reviewed rows, review mostly shows reviewers noise.
REVIEW_USEFUL = 0.75


def with_thresholds(matcher: Matcher, thresholds: Thresholds) -> Matcher:
    """A shallow copy of ``matcher`` deciding with other thresholds (the index is shared, not rebuilt)."""
    other = copy.copy(matcher)
    if isinstance(thresholds, Fusion):
        other.fusion = thresholds
    else:
        other.thresholds = thresholds
    return other


def knobs(matcher: Matcher) -> Thresholds | Fusion:
    """The settings the sweep moves: the fusion's with the semantic matcher, else the lexical thresholds."""
    return matcher.fusion if matcher.semantic is not None else matcher.thresholds


@dataclass(frozen=True)
class SweepRow:
    """Results of one threshold setting."""

    thresholds: Thresholds
    """The setting."""
    metrics: Metrics
    """Its numbers."""
    review_precision: float
    """Share of reviewed rows (all kinds) whose best candidate is right: how often a reviewer's suggestion helps."""
    wrong_autos: int
    """Auto-filled rows with a wrong entry, or with no right entry at all."""


def _sweep_row(matcher: Matcher, items: Sequence[Item], t: Thresholds) -> SweepRow:
    outcomes = run(with_thresholds(matcher, t), items)
    reviewed = [o for o in outcomes if o.status == "review"]
    return SweepRow(
        t,
        metrics(outcomes),
        _share(sum(o.top1_ok for o in reviewed), len(reviewed)),
        sum(o.status == "auto" and not o.top1_ok for o in outcomes),
    )


def sweep_auto(matcher: Matcher, items: Sequence[Item]) -> list[SweepRow]:
    """Every auto_score x auto_margin of the grid, at the matcher's review_score."""
    base = knobs(matcher)
    return [
        _sweep_row(matcher, items, dataclasses.replace(base, auto_score=a, auto_margin=mg, review_score=min(base.review_score, a)))
        for a, mg in itertools.product(SWEEP_AUTO_SCORE, SWEEP_AUTO_MARGIN)
    ]


def _edge(rows: Sequence[SweepRow]) -> SweepRow | None:
    """The setting with the most coverage that meets the fill targets (ties: fewer wrong autos, stricter)."""
    safe = [r for r in rows if meets_fill_targets(r.metrics)]
    return max(safe, key=lambda r: (r.metrics.coverage, -r.wrong_autos, r.thresholds.auto_margin), default=None)


def recommend_auto(rows: Sequence[SweepRow]) -> SweepRow | None:
    """Most coverage among *robust* settings: those meeting the fill targets whose looser grid neighbours do too.

    The setting with the most coverage usually sits on the edge of the safe region, where one more
    wrong auto on tomorrow's questionnaire breaks the precision target. A setting counts as robust when
    the next lower auto_score (same margin) and the next lower auto_margin (same score) also meet the
    targets, so there is one grid step of slack on both knobs. Falls back to the edge when nothing is robust.
    """
    by_key = {(r.thresholds.auto_score, r.thresholds.auto_margin): r for r in rows}

    def ok(score: float, margin: float) -> bool:
        row = by_key.get((score, margin))
        return row is not None and meets_fill_targets(row.metrics)

    def looser(values: Sequence[float], value: float) -> float | None:
        i = values.index(value)
        return values[i - 1] if i > 0 else None

    robust = []
    for r in rows:
        a, mg = r.thresholds.auto_score, r.thresholds.auto_margin
        la, lm = looser(SWEEP_AUTO_SCORE, a), looser(SWEEP_AUTO_MARGIN, mg)
        if ok(a, mg) and la is not None and ok(la, mg) and (lm is None or ok(a, lm)):
            robust.append(r)
    return max(robust, key=lambda r: (r.metrics.coverage, -r.wrong_autos, r.thresholds.auto_margin), default=_edge(rows))


def sweep_review(matcher: Matcher, items: Sequence[Item], auto: Thresholds) -> list[SweepRow]:
    """review_score over its grid at fixed auto settings: it only moves rows between review and unmatched."""
    return [
        _sweep_row(matcher, items, dataclasses.replace(auto, review_score=r))
        for r in SWEEP_REVIEW_SCORE
        if r <= auto.auto_score
    ]


def recommend_review(rows: Sequence[SweepRow]) -> SweepRow | None:
    """The lowest review_score at which at least three in four reviewed rows carry the right suggestion."""
    useful = [r for r in rows if r.review_precision >= REVIEW_USEFUL]
    return min(useful, key=lambda r: r.thresholds.review_score) if useful else None


def print_sweep(matcher: Matcher, items: Sequence[Item]) -> None:
    """The auto trade-off table, the review table at the recommended auto settings, and the pick."""
    current = knobs(matcher)
    rows = sweep_auto(matcher, items)
    print(f"\nthreshold sweep over auto_score x auto_margin (review_score {current.review_score:g});")
    print("x = misses the auto-precision or out-of-bank target")
    print("  auto_score auto_margin  precision  wrong-autos  oob-auto  coverage  review(in)")
    for r in rows:
        t, m = r.thresholds, r.metrics
        mark = " " if meets_fill_targets(m) else "x"
        cur = "  <- current" if (t.auto_score, t.auto_margin) == (current.auto_score, current.auto_margin) else ""
        print(
            f" {mark}{t.auto_score:9g} {t.auto_margin:11g}   {_pct(m.auto_precision)}  {r.wrong_autos:11d}"
            f"    {_pct(m.oob_auto)}   {_pct(m.coverage)}     {_pct(m.review_in)}{cur}"
        )
    pick = recommend_auto(rows)
    if pick is None:
        print("\nno setting meets the auto-precision and out-of-bank targets; the matcher or the bank must improve")
        return
    edge = _edge(rows)
    if edge is not None and edge is not pick:
        t, m = edge.thresholds, edge.metrics
        print(
            f"\nedge of the safe region: auto_score={t.auto_score:g} auto_margin={t.auto_margin:g} -> coverage"
            f" {_pct(m.coverage).strip()}, precision {_pct(m.auto_precision).strip()}, out-of-bank auto {_pct(m.oob_auto).strip()}"
            " (no slack: a neighbouring setting misses a target)"
        )
    review_rows = sweep_review(matcher, items, pick.thresholds)
    print(f"\nreview_score at auto_score={pick.thresholds.auto_score:g} auto_margin={pick.thresholds.auto_margin:g}")
    print("  review_score  review(in)  unmatched(in)  review(oob)  reviewed rows with the right suggestion")
    for r in review_rows:
        m = r.metrics
        print(
            f"  {r.thresholds.review_score:12g}   {_pct(m.review_in)}       {_pct(m.unmatched_in)}       {_pct(m.review_oob)}"
            f"       {_pct(r.review_precision)}"
        )
    review = recommend_review(review_rows)
    review_score = review.thresholds.review_score if review else current.review_score
    m = pick.metrics
    chosen = dataclasses.replace(pick.thresholds, review_score=review_score)
    outcomes = run(with_thresholds(matcher, chosen), items)
    print("\nrecommended setting, listed vs held-out questions:")
    for name, held in (("listed", False), ("held out", True)):
        sm = metrics([o for o in outcomes if o.item.held_out == held])
        print(
            f"  {name:<9} auto precision {_pct(sm.auto_precision)}  out-of-bank auto {_pct(sm.oob_auto)}"
            f"  coverage {_pct(sm.coverage)}  review {_pct(sm.review_in)}"
        )
    print(
        f"\nrecommended: {type(current).__name__}(auto_score={pick.thresholds.auto_score:g}, auto_margin={pick.thresholds.auto_margin:g},"
        f" review_score={review_score:g})\n  auto precision {_pct(m.auto_precision).strip()},"
        f" out-of-bank auto {_pct(m.oob_auto).strip()}, coverage {_pct(m.coverage).strip()}"
        f" (current {_pct(metrics(run(matcher, items)).coverage).strip()});"
        f" review_score is the lowest at which >= {REVIEW_USEFUL:.0%} of reviewed rows carry the right suggestion"
    )


# --- command line -------------------------------------------------------------------------------


def _workspace(path: Path | None) -> Workspace:
    if path is not None:
        return find_workspace(path)
    # this repo's bank when run from a checkout, else whatever find_workspace picks (the bundled default)
    return find_workspace(REPO) if (REPO / "question_bank").is_dir() else find_workspace()


def _thresholds(text: str) -> Thresholds:
    try:
        auto, margin, review = (float(x) for x in text.split(","))
        return Thresholds(auto_score=auto, auto_margin=margin, review_score=review)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected AUTO,MARGIN,REVIEW numbers, e.g. 65,10,45 ({exc})") from exc


FIT_DATA = Path(__file__).resolve().parent / "data" / "fit_eval.yaml"


def fit_report(path: Path = FIT_DATA, workspace: Path | None = None) -> dict[str, int]:
    """Score the answer-fit rules on the negated and open questions of ``path``; print and return the counts."""
    from trustfill.fit import fit_answer
    from trustfill.session import open_session

    data = yaml.safe_load(path.read_text())
    session = open_session(workspace, REPO / "examples" / "saas-heroku.yaml")
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    for group in ("negated", "open", "scoped"):
        for item in data.get(group) or ():
            q, expect = item["question"], item["expect"]
            match = session.matcher.match(q)
            entry = session.lib.entries.get(match.entry_id) if match.entry_id else None
            base = session.engine.render(entry.id) if entry is not None else None
            fitted = (fit_answer(q, None, entry, base, session.engine, item.get("section"))
                      if base is not None and base.status == "ok" else None)
            answer = fitted.answer if fitted is not None else None
            # what fill writes without a person: an auto match whose fitted answer needs no review
            written = answer is not None and match.status == "auto" and not fitted.review
            counts[f"{expect}"] += 1
            if expect == "not_applicable":
                right = written and (answer.short == "N/A" or answer.narrative.startswith("Not applicable"))
                unsafe = written and not right
            elif expect == "no":
                right = written and answer.short == "No"
                unsafe = written and not right
            elif expect == "qualifier":
                right = not written  # the entry's answer does not establish what the question asks
                unsafe = not right
            elif expect in ("inverted", "same"):
                right = written and answer.short == item["answer"]
                unsafe = written and answer.short != item["answer"]
            elif expect == "review":
                right = not written or answer.short != base.short  # nothing written, or not the entry's own answer
                unsafe = not right
            else:  # narrative
                bare = written and (answer.short in ("Yes", "No", "N/A") or not fitted.text_only)
                right, unsafe = written and not bare, bare
            counts[f"{expect}_right"] += right
            counts[f"{expect}_unsafe"] += unsafe
            counts[f"{expect}_review"] += not written and not unsafe
            if unsafe or (not right and expect not in ("review", "qualifier")):
                shown = None if answer is None else (answer.short or answer.narrative[:40])
                wrong.append(f"  {'UNSAFE ' if unsafe else ''}{expect}: {q} -> {match.status} {match.entry_id} {shown!r}")
    print(f"\nAnswer fit ({path.name}, examples/saas-heroku.yaml):")
    for expect, what in (("inverted", "declared inversion written"), ("same", "entry's answer written"),
                         ("review", "not written with the entry's own answer"), ("narrative", "narrative written"),
                         ("not_applicable", "N/A written"), ("no", "No written"),
                         ("qualifier", "not written without a person")):
        n = counts[expect]
        if n:
            print(f"  {expect:9} {n:3} questions: {what} {counts[expect + '_right']}, left for review "
                  f"{counts[expect + '_review']}, wrong answer written {counts[expect + '_unsafe']}")
    for line in wrong:
        print(line)
    return dict(counts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation; returns the exit code."""
    parser = argparse.ArgumentParser(description="Score trustfill's question matcher on the labelled evaluation set.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="evaluation set (default: %(default)s)")
    parser.add_argument("--workspace", type=Path, help="workspace whose question_bank/ to use (default: this repo's)")
    parser.add_argument("--errors", action="store_true", help="list wrong top-1s, wrong autos and confusions")
    parser.add_argument(
        "--show-held-out", action="store_true", help="with --errors, list held-out mistakes too (spoils the held-out numbers)"
    )
    parser.add_argument("--sweep", action="store_true", help="table of results over threshold settings")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--matcher", choices=("semantic", "lexical"), default="semantic", help="matcher to score (default: %(default)s)"
    )
    parser.add_argument("--fusion-weight", type=float, help="semantic matcher: Fusion.weight to evaluate")
    parser.add_argument("--fusion-centroid", type=float, help="semantic matcher: Fusion.centroid to evaluate")
    parser.add_argument(
        "--thresholds",
        type=_thresholds,
        metavar="AUTO,MARGIN,REVIEW",
        help="evaluate at these auto_score,auto_margin,review_score instead of the matcher's defaults",
    )
    args = parser.parse_args(argv)

    data = load_eval(args.data)
    lib = load_library(_workspace(args.workspace))
    items = items_of(data)
    unknown = sorted({lab for it in items for lab in it.labels} - set(lib.entries))
    if unknown:
        print(f"warning: labels not in the bank (these questions can never be right): {', '.join(unknown)}\n")

    start = time.perf_counter()
    entries = list(lib.entries.values())
    if args.matcher == "semantic":
        from trustfill.matching.embedding import default_model_files, load_encoder
        from trustfill.matching.semantic import SemanticBank

        fusion = Fusion()
        if args.thresholds is not None:
            t = args.thresholds
            fusion = dataclasses.replace(fusion, auto_score=t.auto_score, auto_margin=t.auto_margin, review_score=t.review_score)
        if args.fusion_weight is not None:
            fusion = dataclasses.replace(fusion, weight=args.fusion_weight)
        if args.fusion_centroid is not None:
            fusion = dataclasses.replace(fusion, centroid=args.fusion_centroid)
        semantic = SemanticBank(entries, load_encoder(default_model_files()), cache_dir=REPO / ".trustfill-cache")
        matcher = Matcher(entries, semantic=semantic, fusion=fusion)
    else:
        matcher = Matcher(entries, thresholds=args.thresholds)
    outcomes = run(matcher, items)
    seconds = time.perf_counter() - start

    m = metrics(outcomes)
    print(f"matcher: {args.matcher}" + (f" (fusion weight {matcher.fusion.weight:g}, centroid {matcher.fusion.centroid:g})" if matcher.semantic is not None else ""))
    print_report(m, outcomes, len(lib.entries), knobs(matcher), seconds)
    if args.errors:
        print_errors(outcomes, include_held_out=args.show_held_out)
    if args.sweep:
        print_sweep(matcher, items)
    if FIT_DATA.is_file() and args.data == DEFAULT_DATA:
        fit_report(FIT_DATA, args.workspace)
    failed = [name for name, _, _, ok in targets(m) if not ok]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
