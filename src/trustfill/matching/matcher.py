"""Decide whether a customer's question is a bank entry: ``auto`` (fill it), ``review``, ``unmatched`` or ``skipped``.

A wrong confident match puts a false statement into a signed questionnaire, so the matcher is built
for precision:

* Rows that are not security questions (company name, contact, dates, headings) are skipped first
  (:mod:`.nonsecurity`), and reviewer decisions (:mod:`.mappings`) apply exactly before any scoring.
* Text is reduced to terms (:mod:`.normalize`): boilerplate goes, words are stemmed, typos one edit
  from a bank word are read as that word, and thesaurus phrases become concepts, so "2FA for
  admins" and "multi-factor authentication for administrators" are the same two terms.
* Terms are weighted by IDF over the bank's entries: words most entries use ("documented",
  "policy", "data") count for little, so "documented incident response plan" no longer looks like
  "documented data retention policy".
* A question is compared with every text of an entry (question and aliases); the entry's score is
  the best of them, plus up to 2 points when other aliases agree, or its *bag* score when higher:
  all the entry's terms as one document, scored 0.8 x 100 x overlap (no fuzzy factor), with the
  norm of the entry's longest text standing for the bag's own. A paraphrase whose words are spread
  over several aliases ("monitor expiry" from one, "renew automatically" from another) matches none
  of them well but the entry as a whole; the 0.8 keeps a bag below an alias that says it all.
* Score (0-100) = 100 x overlap x (1 - w + w x fuzzy / 100) x contrast. The overlap is the harmonic
  mean of two coverages: how much of the question's weight the text explains and how much of the
  text's weight the question explains, so a heavy word on either side that the other lacks ("...is
  *tested*") costs more than in a cosine. Weights are IDF^0.75, and thesaurus concepts count 1.3
  times a plain word. ``fuzzy`` is rapidfuzz ``token_sort_ratio`` of the normalised texts (word order
  and near-misses; never ``token_set_ratio``, which scores any subset 100), ``w`` = 0.3. ``contrast``
  is 0.7 when the question names one side of a thesaurus contrast and the text (or its entry's
  question, which sets the scope of every alias) only another (customer vs staff, at rest vs in
  transit, SOC 2 vs ISO 27001, endpoints vs servers), else 1. A parenthesised list of three or more
  examples ("(e.g., hosting providers, cloud services, PaaS, IaaS)") is left out of the question:
  its nouns would outweigh the question's own words.
* The decision uses the score and the **margin** over the second-best *entry*: two entries that both
  fit mean a person must choose, however high the score. An auto fill also needs the entry's texts
  to explain enough of the question's weight (:attr:`Thresholds.auto_coverage`, questions of more
  than three terms only): a big margin resting on two or three shared words ("in the past five
  years" of a litigation question and a breach-history alias) goes to review, since the rest of the
  question asks something else.
* A question still unmatched gets a second reading, which can send it to review but never fills it:
  each of its sentences alone (a question buried in context, "Offices need a lot of networking
  equipment. [...] It's important to protect access to network equipment"), and a choice question's
  stem with its answer options. On the labelled real questionnaires this found the right entry for
  18 more questions (440 -> 458 of 851) and put 13 wrong suggestions in front of a reviewer; the
  evaluation set did not move.

Meaning: the semantic matcher (the default since issue 14)
----------------------------------------------------------
With a :class:`~trustfill.matching.semantic.SemanticBank` (all-MiniLM-L6-v2, int8 ONNX; see
:mod:`.embedding`), every question is also embedded and compared with every text of every entry and with
every entry's centroid (the normalised mean of its text vectors). An entry's *meaning* score is
(1 - c) x the best cosine over its texts + c x its centroid cosine, c = ``Fusion.centroid`` = 0.54: an
entry whose phrasings all say what the question asks beats one with a single alias that happens to echo it.
Reviewer decisions and the company-detail skipping run first, unchanged; then:

* Candidates are the lexical ranking's entries (as above) plus the ``Fusion.top_k`` = 10 entries nearest
  in meaning, whose lexical score is computed exactly (:meth:`Matcher._pair_scores`).
* Fused score = (1 - w) x lexical + w x 100 x max(meaning, 0), w = ``Fusion.weight`` = 0.64. The margin
  counts entries outside both lists at the most they could score (the index's bound on the lexical side,
  the 11th-best meaning score on the other), so it is never too generous. The "semantic best" of the
  agreement rule below is the best meaning score; candidates and reasons show the best phrasing's cosine.
* Status by **agreement**: ``auto`` needs the fused best to be the lexical best *and* the semantic best,
  with fused score >= 57.5 and margin >= 6, plus the lexical guards (coverage, follow-up). Where the two
  signals point at different entries the row goes to review, with both entries among its candidates (the
  reason names both). Fused score >= 40 is review; below, unmatched with the top three as suggestions.
  A question sharing no word with the bank can reach review on meaning alone, never auto.

Ranking refit (session 6, 604-entry bank; ``benchmarks/fit_ranker.py``): a softmax over each question's
candidates, fitted in numpy on the labelled questions nobody holds out (coverage.py's files without their held-out
parts, and match_eval's listed part; 975 questions whose right entry is a candidate), over three features:
lexical / 100, best cosine, centroid cosine. Coefficients 9.24 / 7.53 / 8.65, i.e. w = 0.64, c = 0.54 (fitted on
the shared files alone: 0.62 / 0.51; on match_eval alone: 0.65 / 0.56). Top-1 right among the candidates, old
fusion (0.5, no centroid) -> now: train 842 -> 867 of 975; held out (measured only) match_eval quarter 182 -> 192
of 216, shared files 273 -> 272 of 385. The thresholds (57.5 / 6 / 40) were re-checked on the same tuned questions
and kept: 55-62.5 x margins 4-8 x review 37.5-42.5 trade autos for precision along the same line as before.
``match_eval.py --sweep`` again picks 57.5 / 2 / 50 (99.3 % precision, 51.8 % filled right against 51.0 %); margin
6 and review 40 stay for the reasons given below. ``match_speed.py``'s synthetic 10,000-entry bank at margin 6:
15 wrong autos of 1,090 (the old fusion: 33 of 1,043), top-1 on its paraphrases 94.9 % (95.2 %).
Measured with these defaults (lexical-only figures further below): ``coverage.py`` right entry proposed 568 of 851,
66.7 % (was 564, 66.3 %); held out 271 of 468, 57.9 % (273, 58.3 %); auto right 212/228, 93.0 % (211/228,
92.5 %); held out 111/122, 91.0 % (108/120, 90.0 %); in a reviewer's reach 665, 78.1 % (655, 77.0 %), held out 334,
71.4 % (327, 69.9 %). ``match_eval.py``: top-1 91.4 % (88.0 %), listed 92.2 % (89.3 %), held-out quarter 88.9 %
(84.3 %); auto precision 99.5 % (99.8 %), out-of-bank auto 0.7 % (0.7 %), filled right 51.0 % (49.2 %).
Tried on the same training questions and not adopted (top-1 train / held-out shared / held-out match_eval, against
867 / 272 / 192 for the three features): the second-best text's cosine added 864 / 268 / 192; the share of the
question's weight the entry explains (lexical coverage) 863 / 274 / 191, and with the second cosine 865 / 276 / 190
(no bound on it for unscored entries, so the margin could not stay honest); the cosine with the entry's own
question 859 / 264 / 191; lexical squared 866 / 272 / 192; the candidate's rank on each signal 858 / 278 / 192 (no
bound for unscored entries either; with the two above); a hubness term (mean cosine of the entry's centroid with
its 1-20 nearest entries) 867-869 / 271-272 / 191-192; products lexical x cosine and lexical x centroid 868-869 /
267-272 / 192; squared cosines 868 / 276 / 191; sqrt(lexical) for lexical 864 / 271 / 191. Blended by hand into the old fusion instead of the centroid:
a soft maximum over the entry's texts, or the second-best text's cosine: top-1 within 5 of the old fusion on every
set, the held-out shared files 4-5 lower. As auto rules: the softmax probability
of the chosen entry instead of the margin (0.5-0.9) trades precision for coverage along the same line as the margin
does (shared held-out autos stay about 91 % right whatever the setting). The held-out shared files did not move:
their misses are mostly near neighbours (backup-offsite vs backup-data-residency, BCP review vs BCP), not entries
ranked far down.

Calibration (session 5, 410-entry bank; tuned on ``match_eval.py --sweep`` and on the tuned, not held-out,
labelled real questions; the held-out files were only measured afterwards):

* Weight: exhaustive scores of the 383 tuned labelled real questions (368 with a right entry), top-1 right
  for w = 0.3 / 0.4 / 0.5 / 0.6 / 0.7: 287 / 295 / 296 / 296 / 293 (lexical alone 263, the model alone
  257). Other fusions measured there and not adopted: sqrt(lexical) + cosine 299, product 298, rank
  fusion (RRF) 293, squared terms 291, max of the two 265; entry centroid cosine added at 0.3: 303 (held
  out -1); an entry's explanation text embedded too: 298 / 297; a question's best sentence, or the
  question without its example list: no change. Gains of 3-7 questions on one set were read as noise,
  so the plain linear fusion stays.
* Auto: the sweep's robust pick is 57.5 / 2 (99.2 % precision, 3 wrong of 399 autos, out-of-bank auto
  1.4 %, 62.1 % filled right; held-out quarter 98.9 % precision, 51.1 % filled) against the lexical
  defaults' 99.7 % / 0.0 % / 54.4 % (held out 43.1 %). Agreement does most of the work there: without
  it real-file precision falls (tuned real questions at 55 / 2: 227 right of 262 without it, 190 of
  202 with it). The margin is 6, not 2, because of ``benchmarks/match_speed.py``'s 10,000-entry
  synthetic bank, dense with near-duplicate entries (one control for many scopes): its out-of-bank
  combinations ("Key rotation for email") were auto-filled with a neighbour at margin 2 (72 wrong of
  1,082 autos; the lexical matcher: 0 of 984); margins 4 / 6 / 8 / 10 / 12 give 42 / 25 / 19 / 18 / 18
  wrong. At 6 the evaluation set keeps 99.5 % precision and 60.7 % filled right, and the tuned real
  questions lose 3 right autos of 174 (171 of 178).
* Review 40: the evaluation set alone would pick 50 (the lowest at which 3 in 4 reviewed rows carry the
  right entry there, its out-of-bank questions included); on the tuned real questions 40 already gives
  78.6 % right among reviewed rows and proposes 11 more right entries than 50 (293 vs 282 of 383).
* Measured with these defaults (``benchmarks/coverage.py``; lexical in brackets): right entry proposed
  573 of 851 labelled, 67.3 % (460, 54.1 %); held out 279 of 468, 59.6 % (212, 45.3 %); auto right
  227/243, 93.4 % (197/220, 89.5 %); held out 120/132, 90.9 % (101/121, 83.5 %); in a reviewer's reach
  79.2 % (74.0 %), held out 72.6 % (67.1 %). Evaluation set: precision 99.5 %, out-of-bank auto 1.4 %,
  top-1 93.3 % (90.1 %), filled right 60.7 % (54.4 %); held-out quarter 100 %, top-1 86.8 %, 48.9 %. The wrong autos on tuned questions are near neighbours both
  signals prefer: directory integration read as customer SSO (the question opens "For customers not
  using SSO"), data available after the contract read as data return rather than deletion, devices of
  home workers read as remote-working policy rather than MDM; no extra rule measured on the tuned questions (a semantic margin, a lexical margin, a cosine floor, a
  lexical floor) removed wrong autos faster than right ones.

Thresholds (:class:`Thresholds`) and how they were chosen
---------------------------------------------------------
Calibrated on ``benchmarks/match_eval.py`` (519 labelled in-bank phrasings, 145 out-of-bank
questions, 22 company details; 354-entry bank, bank commit 0c14fba) with its ``--sweep``, which
recommends the setting with the most coverage that keeps auto precision >= 98 % and out-of-bank
auto-fill <= 2 % with one grid step of slack on both knobs.

* ``auto_score = 55``, ``auto_margin = 12``, ``auto_coverage = 0.6``: 98.7 % precision (3 wrong
  fills of 239), 0.7 % out-of-bank auto-fill, 45.5 % of in-bank questions filled right (held-out
  quarter: 100 % precision, 37 % filled). The coverage floor is what allows the lower margin: without
  it the same sweep recommends 55/20 and fills 41.4 % (held out 30 %); floors of 0.55 and 0.65 fill
  less (47 % at 57.5/2 with four wrong fills, 44 % at 55/8). Stricter settings trade coverage for
  safety: 57.5/15 has no wrong fill and fills 40 %.
* ``review_score = 40``: the lowest score at which at least three in four reviewed rows carry the
  right suggestion (77 %); 37 % of in-bank questions go to review, 17 % stay unmatched, and 20 % of
  out-of-bank questions get a (wrong) suggestion a reviewer must reject. Below it the row is
  unmatched and still carries the top three suggestions.
* History on the same bank and set: the thesaurus additions of commit a0403a1 (sibling details,
  GPL/copyleft, "gather", own keys, other companies, insurance apart from cyber insurance) took top-1
  from 86.9 % to 88.6 % (held out 76.5 % to 77.2 %) and out-of-bank auto-fill from 1.4 % to 0.7 % at
  the old 57.5/20; the coverage floor then took precision to 100 % there, and the re-sweep traded it
  for coverage (38.5 % -> 45.5 %). Entry bags had earlier taken top-1 from 87.0 % to 89.3 % on the
  337-entry bank.

Re-checked at the end of session 2 (638 in-bank / 138 out-of-bank / 22 company details, 410-entry bank):
the sweep's pick (57.5 / 2 / review 45) fills 53.9 % at 98.6 % precision against the defaults' 53.8 % at
99.7 %, so the defaults stay. On real questionnaires no threshold separates right from wrong auto answers:
the wrong ones score like the right ones (median 71 vs 73, margins 18 vs 23). They read the question's words
in a way its context rules out (BAA with subcontractors, SOC 2 report of the hosting provider, accessibility
in the development process), and a blind second labeller (session 4, 300 questions) judged every one in its
sample wrong too. Raising ``auto_score`` to 62.5 removes as many right fills as wrong ones.

Measured and not adopted (so nobody repeats them blind; "real" = the labelled shared questionnaires,
383 tuned-on and 468 held-out security questions, top-1 261 and 239 with this matcher):

* Explanation text in the entry bag: evaluation top-1 +2.5 points, real files worse (the evaluation
  phrasings echo the explanations).
* Section headings as query context, or a guard when the section names a regime the entry lacks:
  +1-2 right matches and as many new wrong auto fills. The guard as a demotion only (auto -> review when
  the section names HIPAA, PCI, GDPR, accessibility, AI, data centers... and neither the question nor the
  entry does; session 4): 5 wrong held-out auto answers out, but 12 right ones with them.
* Parent question or answer options as context for VSAQ items: appending them always loses 10-24 of
  the 123 right VSAQ matches (the parent's words outweigh the child's). Options read only when the
  question alone is unmatched gain 4 and lose none, so :meth:`Matcher.match_many` does that (review at
  most); the parent adds nothing there.
* Centroid cosine (mean of an entry's unit text vectors) blended into the score at 0.15-0.3: top-1
  +6-9 on each real set and flat on the evaluation set, but at re-swept thresholds no more right
  matches, and real-file auto precision fell (held out 102/125 -> 107/140).
* A linear SVM over word and character n-grams of each entry's texts, added to the score: top-1 +23
  tuned-on and +16 held out. It needs scikit-learn and scipy and a per-entry weight vector over the
  whole vocabulary (gigabytes and minutes for a 10,000-entry bank), and even perfect status decisions
  on its top-1 would give 63 % of labelled questions right, not the 70 % aimed at.
* Word embeddings: no vectors can be fetched at run time. The one model its author ships inside a PyPI
  wheel, WordLlama 0.4 (256 dimensions, 19 MB wheel; session 4), alone ranks about as well as this
  matcher (top-1 230 tuned-on, 225 held out, against 263 and 248), and the lexical score plus 50 x its
  best alias cosine ranks better (277 and 262; evaluation 583 of 638 against 575). At this matcher's
  status decisions that is only +4 and +6 right matches: again the re-ranked questions score below the
  review bar. It would add wordllama, tokenizers, safetensors and requests; its weights derive from
  Llama 2 token embeddings, a licence question for a compliance tool; and version 0.4 looks for its
  bundled tokenizer in the wrong folder and then tries Hugging Face, so offline use needs a workaround.
* An untargeted thesaurus round (about 30 new concepts, 100 extended; session 3): evaluation top-1 90.6 %,
  but 3 fewer right matches on tuned-on real questions, 2 fewer held out, and 4 more wrong held-out auto
  answers. Only its four fixes of plain misreadings were kept (log out, prompt injection, CSRF, ISO/IEC
  27001). Folding true synonyms into a concept also drops the rarer exact words an alias was matching.
* Bags of an entry's shared vocabulary only (terms in two or more of its texts, or in its question; session 4):
  fewer right matches on both real sets (248 -> 229 tuned-on, 210 -> 199 held out) and evaluation top-1
  86.5 %: the words only one alias uses are the ones that carry a paraphrase.
* Other second readings of unmatched questions: comma and "including/that/which" clauses (14 right of 68
  new suggestions), the section heading prefixed (13 of 46). Both too noisy for review.
* Dropping a leading condition ("For customers not using SSO, ..."): no real-file gain, evaluation
  top-1 -1.5 points. Weighting earlier query terms more: top-1 +2-5, but fewer right matches at the
  calibrated thresholds.

Re-calibrate with ``python benchmarks/match_eval.py --sweep`` (it reads score and margin of every
result) or :meth:`Matcher.score_all` (exhaustive scores), then pass a new :class:`Thresholds`;
nothing else changes. :class:`Scoring` holds the score's own knobs; changing them moves the score
scale, so thresholds must be re-calibrated with them.

Speed: candidates come from a batched inverted-index search (:mod:`.index`); only the best
``rerank`` entries are scored finely, and more only when an entry the index skipped could still
change the decision (the index reports how high such an entry could score).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..errors import BankFormatError
from ..models import BankEntry
from ..policies import family_of
from .index import QueryVector, TermIndex, overlap
from .mappings import Decision, Mappings
from .nonsecurity import classify
from .normalize import CONCEPT_PREFIX, Analysis, Normalizer, stem
from .results import Candidate, Explanation, Fusion, MatchResult, Scoring, Status, Thresholds
from .thesaurus import load_thesaurus

if TYPE_CHECKING:
    from .semantic import SemanticBank

__all__ = ["Candidate", "Explanation", "Fusion", "MatchResult", "Matcher", "Scoring", "Status", "Thresholds"]

# A follow-up ("Describe the other checks", "How are these restrictions enforced?") cannot be answered
# without the question before it, so it is never filled automatically.
FOLLOW_UP = re.compile(r"\b(these|those|the other|other (?:checks|methods|mechanisms|measures)|the above|above[- ]mentioned|previous(?:ly)?|aforementioned)\b", re.IGNORECASE)

def _follow_up(analysis: Analysis) -> bool:
    """True when the question leans on the one before it."""
    return bool(FOLLOW_UP.search(" ".join(analysis.words)))


# "(e.g., hosting providers, cloud services, PaaS)": examples illustrate the question, but their nouns
# outweigh its own words and pull it towards entries about the examples.
_EXAMPLES = re.compile(
    r"\((?:e\.?\s?g\.?|i\.?\s?e\.?|for example|for instance|such as|including|ex\.),?([^()]*)\)", re.IGNORECASE
)


def _without_examples(text: str) -> str:
    """The question without parenthesised lists of three or more examples, unless they are most of it.

    One or two examples often name the thing asked about ("(e.g. gold images)"); a list of several
    widens it ("(e.g. hosting providers, cloud services, PaaS, IaaS)").
    """
    stripped = _EXAMPLES.sub(lambda m: " " if m.group(1).count(",") >= 2 else m.group(0), text)
    return stripped if len(stripped.split()) >= 4 else text


# Sentence ends followed by a capital: "equipment. It's important", "Yes? If so".
_SENTENCE_END = re.compile(r"(?<=[.?!:])\s+(?=[A-Z])")


def _sentences(text: str) -> list[str]:
    """The sentences of a question that have three words or more."""
    return [part for part in _SENTENCE_END.split(text.strip()) if len(part.split()) >= 3]


def _clip(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters for a one-line reason."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _options(row: object) -> str:
    """The answer options a row offers (a choice group's captions), unless they are only yes / no / n/a."""
    captions = [c for slot in getattr(row, "slots", ()) for c in (slot.allowed or ())]
    if all(c.strip(" .").lower() in _PLAIN_OPTIONS for c in captions):
        return ""
    return " ".join(captions)


_PLAIN_OPTIONS = frozenset({"yes", "no", "n/a", "na", "not applicable", "unsure", "other"})


# Shorter words are left alone by the spelling corrector: one edit in a short word is often another real
# word ("kinds" is one letter from "kids", which the thesaurus reads as children's data).
SPELL_MIN_LEN = 6


class _Row(Protocol):
    text: str
    question_id: str | None


@dataclass(frozen=True)
class _PlainRow:
    text: str
    question_id: str | None


@dataclass(frozen=True)
class _Ranked:
    """Fine-scored entries of a batch of questions, each row sorted best first."""

    entries: np.ndarray
    """(n, k) entry indices."""
    scores: np.ndarray
    """(n, k) scores, 0-100."""
    docs: np.ndarray
    """(n, k) best document of each entry."""
    unseen: np.ndarray
    """(n,) highest score an entry outside the row could reach."""
    shared_max: np.ndarray
    """(n, k) largest squared query weight any one text of the entry shares (for the coverage guard)."""

    def best_two(self) -> tuple[np.ndarray, np.ndarray]:
        """Best and second-best score of every row (0 where missing)."""
        best = self.scores[:, 0] if self.scores.shape[1] else np.zeros(len(self.scores))
        second = self.scores[:, 1] if self.scores.shape[1] > 1 else np.zeros(len(self.scores))
        return best, second


class Matcher:
    """Matches customer questions to bank entries. Build once per bank; matching is then fast."""

    def __init__(
        self,
        entries: Sequence[BankEntry],
        *,
        thesaurus_path: Path | None = None,
        mappings: Mappings | None = None,
        thresholds: Thresholds | None = None,
        scoring: Scoring | None = None,
        semantic: SemanticBank | None = None,
        fusion: Fusion | None = None,
    ) -> None:
        """Index the bank.

        Args:
            entries: The bank's entries (every file's, in load order).
            thesaurus_path: A thesaurus file to use instead of the built-in one.
            mappings: Reviewer decisions to apply before matching.
            thresholds: Decision thresholds; the documented defaults when None.
            scoring: Fine-score settings; the defaults when None.
            semantic: The bank's sentence vectors (built over the same ``entries``); None matches by words alone.
            fusion: How meaning and words are fused and when that fills; the defaults when None.

        Raises:
            BankFormatError: Two entries share an id.
            WorkspaceError: The thesaurus file is invalid.
        """
        self.normalizer: Normalizer = load_thesaurus(thesaurus_path)
        self.mappings = mappings if mappings is not None else Mappings()
        self.thresholds = thresholds or Thresholds()
        self.scoring = scoring or Scoring()
        self.semantic = semantic
        self.fusion = fusion or Fusion()
        # Policy-family entries answer a fixed wording for any topic (trustfill.policies): they are routed by that
        # wording and never scored, so their generic text ("policies and procedures ... documented") can neither
        # outscore a topic entry nor be proposed for a question that lacks the family's wording.
        self._family_entries = {e.id: e for e in entries if e.policy_family is not None}
        self._families = {e.policy_family: e.id for e in self._family_entries.values()}
        self.entries: tuple[BankEntry, ...] = tuple(e for e in entries if e.policy_family is None)
        self._pos: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            if entry.id in self._pos:
                raise BankFormatError(
                    f"question bank: entry id '{entry.id}' is used twice; ids must be unique"
                )
            self._pos[entry.id] = i
        doc_terms: list[tuple[str, ...]] = []
        doc_entry: list[int] = []
        doc_bag: list[bool] = []
        known_words: list[tuple[str, ...]] = []
        self.doc_texts: list[str] = []
        self.doc_norm_texts: list[str] = []
        for i, entry in enumerate(self.entries):
            seen: set[str] = set()
            for text in (entry.question, *entry.aliases):
                analysis = self.normalizer.analyze(text)
                known_words.append(analysis.words)
                if analysis.text in seen:
                    continue  # two aliases that normalise alike would double the agreement bonus
                seen.add(analysis.text)
                doc_terms.append(analysis.terms)
                doc_entry.append(i)
                doc_bag.append(False)
                self.doc_texts.append(text)
                self.doc_norm_texts.append(analysis.text)
            if self.scoring.bag_weight > 0 and len(seen) > 1:
                # the entry's vocabulary as one more document: a paraphrase whose words are spread
                # over several aliases matches none of them well, but the entry as a whole
                first = len(doc_terms) - len(seen)
                doc_terms.append(tuple(dict.fromkeys(t for terms in doc_terms[first:] for t in terms)))
                doc_entry.append(i)
                doc_bag.append(True)
                self.doc_texts.append(entry.question)
                self.doc_norm_texts.append("")
        self._contrast_bit: dict[str, int] = {}
        self._contrast_masks: list[int] = []
        for group in self.normalizer.contrasts:
            mask = 0
            for name in sorted(group):
                mask |= 1 << self._contrast_bit.setdefault(CONCEPT_PREFIX + name, len(self._contrast_bit))
            self._contrast_masks.append(mask)
        # An alias inherits the scope its entry's question names: "secure configuration standards for
        # operating systems" is about servers when the entry asks about production servers, so a question
        # about client laptops meets the servers-vs-endpoints contrast even against that alias.
        scope = [self._mask(self.normalizer.analyze(e.question).terms) for e in self.entries]
        self._doc_mask = np.array(
            [self._mask(terms) | scope[e] for terms, e in zip(doc_terms, doc_entry, strict=True)], dtype=np.uint64
        )
        self.index = TermIndex(
            doc_terms,
            doc_entry,
            len(self.entries),
            idf_power=self.scoring.idf_power,
            coverage_power=self.scoring.coverage_power,
            boost=self._boost,
            bags=doc_bag,
        )
        self._is_bag = self.index.is_bag
        self._known_words = set(self.normalizer.vocabulary()).union(*known_words) if known_words else set()
        self._spell_vocab = sorted(
            w for w in self._known_words if w.isalpha() and len(w) >= SPELL_MIN_LEN - 2
        )
        self._spell_by_len: dict[int, list[str]] = {}
        for word in self._spell_vocab:
            self._spell_by_len.setdefault(len(word), []).append(word)
        self._spelling: dict[str, str | None] = {}

    # --- public API -------------------------------------------------------------------------------

    def entry(self, entry_id: str) -> BankEntry | None:
        """The entry with this id, or None."""
        pos = self._pos.get(entry_id)
        return self._family_entries.get(entry_id) if pos is None else self.entries[pos]

    def match(
        self, text: str, *, question_id: str | None = None, customer: str | None = None, explain: bool = False
    ) -> MatchResult:
        """Match one question.

        Args:
            text: The question as the customer wrote it.
            question_id: The customer's id for the row, if any (a row with an id is never taken for a heading).
            customer: The customer being answered; selects that customer's reviewer decisions.
            explain: Fill :attr:`MatchResult.explanation`.

        Returns:
            The decision, with up to three candidates.
        """
        return self.match_many([_PlainRow(text, question_id)], customer=customer, explain=explain)[0]

    def match_many(
        self, texts: Iterable[str | _Row], *, customer: str | None = None, explain: bool = False
    ) -> list[MatchResult]:
        """Match many questions at once (much faster than one by one: the work is batched).

        A row still unmatched is read a second time, sentence by sentence and (when its answer slot offers
        options beyond yes / no, as a VSAQ choice group does) with its options appended; the best reading
        that matches sends the row to review, never to auto.

        Args:
            texts: Question texts, or rows with ``text`` and ``question_id`` (e.g. importer QuestionRows).
            customer: The customer being answered.
            explain: Fill every result's explanation.

        Returns:
            One result per input, in order.
        """
        rows = list(texts)
        items = [(t, None) if isinstance(t, str) else (t.text, t.question_id) for t in rows]
        results = self._run(items, customer=customer, explain=explain)
        # An unmatched row gets a second reading, which can only send it to review:
        # - a choice question whose stem names no topic ("Select the option that best describes your web
        #   application:") is about what its options say: the stem is read with them;
        # - a question of several sentences ("Offices need a lot of networking equipment. [...] It's
        #   important to protect access to network equipment") may ask one thing among context: each
        #   sentence is read alone.
        retry: list[tuple[int, str, str]] = []
        for i, row in enumerate(rows):
            if results[i].status != "unmatched":
                continue
            if len(self.mappings) and self.mappings.lookup(items[i][0] or "", customer) is not None:
                continue  # a reviewer marked it as not in the bank
            if opts := _options(row):
                retry.append((i, f"{items[i][0]} {opts}", "with the answer options the question offers"))
            parts = _sentences(items[i][0])
            if len(parts) > 1:
                retry.extend((i, part, f"on one of its sentences ('{_clip(part)}')") for part in parts)
        if retry:
            again = self._run([(text, items[i][1]) for i, text, _ in retry], customer=customer, explain=explain)
            best: dict[int, tuple[MatchResult, str]] = {}
            for (i, _, how), res in zip(retry, again, strict=True):
                if res.status in ("auto", "review") and (i not in best or res.score > best[i][0].score):
                    best[i] = (res, how)
            for i, (res, how) in best.items():
                results[i] = replace(
                    res,
                    status="review",
                    reason=f"the whole question scored {results[i].score:.1f}; matched {how}: check the entry "
                    f"answers the whole question. Matcher: {res.reason}",
                )
        return results

    def score_all(self, text: str) -> list[Candidate]:
        """Score every entry exhaustively (no index, no thresholds, no mappings, no skipping), best first.

        For evaluation and calibration. Entries sharing no weighted term with the question score 0.
        Ties are ordered by bank order, as :meth:`match` orders them.
        """
        analysis = self._analyze(text)
        if not self.entries or not analysis.terms:
            return []
        vec = self.index.vector(analysis.terms)
        docs = np.arange(self.index.n_docs)
        overlap = self._overlap(self.index.all_shared(vec), docs, np.full(docs.size, vec.norm))
        fz = process.cdist([analysis.text], self.doc_norm_texts, scorer=fuzz.token_sort_ratio, workers=1)[0]
        clash = self._clash(np.full(docs.size, self._mask(vec.weights), dtype=np.uint64), docs)
        fine = self._fine(overlap, fz.astype(np.float64), clash, docs)
        starts = self.index.entry_start
        scores, arg = self._per_cell(fine, docs, starts, self.index.entry_end - starts)
        order = np.lexsort((np.arange(len(scores)), -scores))
        return [Candidate(self.entries[i].id, float(scores[i]), self.doc_texts[int(arg[i])]) for i in order]

    def explain(self, text: str, entry_id: str) -> Explanation:
        """Explain how ``text`` compares with the best-matching text of ``entry_id``.

        Raises:
            KeyError: No entry has this id.
        """
        pos = self._pos[entry_id]
        analysis = self._analyze(text)
        vec = self.index.vector(analysis.terms)
        docs = self.index.docs_of(pos)
        shared = self.index.shared(vec, docs)
        overlap = self._overlap(shared, docs, np.full(docs.size, vec.norm))
        fz = np.array(
            [fuzz.token_sort_ratio(analysis.text, self.doc_norm_texts[d]) for d in docs], dtype=np.float64
        )
        clash = self._clash(np.full(docs.size, self._mask(vec.weights), dtype=np.uint64), docs)
        fine = np.where(self._is_bag[docs], -1.0, self._fine(overlap, fz, clash, docs))
        k = int(np.argmax(fine))
        return self._explanation(analysis, vec, int(docs[k]), float(overlap[k]), float(fz[k]))

    # --- pipeline ---------------------------------------------------------------------------------

    def _run(
        self, items: list[tuple[str, str | None]], *, customer: str | None, explain: bool
    ) -> list[MatchResult]:
        results: list[MatchResult | None] = [None] * len(items)
        todo: list[tuple[int, Analysis, QueryVector, Decision | None]] = []
        texts: list[str] = []  # the questions of ``todo`` as written, for the sentence encoder
        bare: list[tuple[int, str, Analysis, QueryVector, Decision | None]] = []
        passed: list[tuple[int, str, Decision | None]] = []
        for pos, (text, qid) in enumerate(items):
            early, decision = self._prefilter(text or "", qid, customer)
            if early is not None:
                results[pos] = early
            else:
                passed.append((pos, text, decision))
        self._learn_spellings(self.normalizer.analyze(t) for _, t, _ in passed)
        for pos, text, decision in passed:
            analysis = self._analyze(text)
            if not analysis.terms:
                results[pos] = MatchResult(
                    "skipped", None, 0.0, 0.0, (), "only boilerplate words, nothing to match"
                )
                continue
            vec = self.index.vector(analysis.terms)
            if vec.term_ids.size == 0:
                if self.semantic is not None:
                    bare.append((pos, text, analysis, vec, decision))  # no shared word, but maybe the same meaning
                else:
                    results[pos] = self._decide(None, -1, analysis, vec, decision, explain)
                continue
            todo.append((pos, analysis, vec, decision))
            texts.append(text)
        if todo:
            ranked = self._rank([t[2] for t in todo], [t[1].text for t in todo], self.scoring.rerank)
            best, second = ranked.best_two()
            again = np.flatnonzero(~self._settled(best, second, ranked.unseen))
            wider = None
            if again.size and self.scoring.rerank_max > self.scoring.rerank:
                third = ranked.scores[again, 2] if ranked.scores.shape[1] > 2 else np.zeros(again.size)
                wider = self._rank(
                    [todo[i][2] for i in again],
                    [todo[i][1].text for i in again],
                    self.scoring.rerank_max,
                    floor=third,
                )
            where = {int(i): j for j, i in enumerate(again)} if wider is not None else {}
            for i, (pos, analysis, vec, decision) in enumerate(todo):
                use, row = (wider, where[i]) if i in where else (ranked, i)
                assert use is not None
                if self.semantic is not None:
                    bare.append((pos, texts[i], analysis, vec, decision, use, row))  # type: ignore[arg-type]
                else:
                    results[pos] = self._decide(use, row, analysis, vec, decision, explain)
        if bare:
            for pos, res in self._fuse(bare, explain):
                results[pos] = res
        return [r for r in results if r is not None]

    # --- fusion with meaning (semantic matcher) -----------------------------------------------------

    def _pair_scores(
        self, vectors: list[QueryVector], texts: list[str], q: np.ndarray, e: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact lexical scores of (question, entry) pairs the index did not rank: score, best text, shared max.

        The same fine score as :meth:`_rank` (agreement bonus and bag included), for entries the sentence
        encoder proposes that share few words with the question.
        """
        if q.size == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0)
        starts = self.index.entry_start[e]
        lens = self.index.entry_end[e] - starts
        offsets = np.cumsum(lens) - lens
        docs = np.repeat(starts - offsets, lens) + np.arange(int(lens.sum()))
        query_of_doc = np.repeat(q, lens)
        shared = self.index._shared(docs, query_of_doc, vectors)
        norms = np.array([v.norm for v in vectors])
        overlap = self._overlap(shared, docs, norms[query_of_doc])
        need = (overlap > 0) & ~self._is_bag[docs]
        fz = np.zeros(overlap.size)
        idx = np.flatnonzero(need)
        if idx.size:
            fz[idx] = process.cpdist(
                [texts[i] for i in query_of_doc[idx].tolist()],
                [self.doc_norm_texts[d] for d in docs[idx].tolist()],
                scorer=fuzz.token_sort_ratio,
                workers=1,
            )
        qmask = np.array([self._mask(v.weights) for v in vectors], dtype=np.uint64)
        clash = self._clash(qmask[query_of_doc], docs)
        fine = np.where(overlap > 0, self._fine(overlap, fz, clash, docs), 0.0)
        scores, arg = self._per_cell(fine, docs, offsets, lens)
        return scores, docs[arg], np.maximum.reduceat(shared, offsets)

    def _fuse(self, items: list[tuple], explain: bool) -> list[tuple[int, MatchResult]]:
        """Decide questions by the fused score, filling only where words and meaning agree.

        ``items`` are (position, text, analysis, vector, decision) for questions without a bank word, plus
        (ranked, row) for questions the index ranked.
        """
        assert self.semantic is not None
        f, sem = self.fusion, self.semantic
        qvecs = sem.embed([it[1] for it in items])
        out: list[tuple[int, MatchResult]] = []
        for hits in sem.search(qvecs):
            chunk = [items[i] for i in hits.rows.tolist()]
            # an entry's meaning: its best phrasing's cosine blended with its centroid's (Fusion.centroid), in place:
            # these are (chunk x entries) arrays
            meaning = hits.sims
            if f.centroid > 0 and hits.centroid is not None:
                meaning = hits.centroid
                meaning *= f.centroid
                meaning += (1 - f.centroid) * hits.sims
            lex: list[dict[int, tuple[float, int, float]]] = []  # entry -> (score, best doc, shared max)
            pair_q: list[int] = []
            pair_e: list[int] = []
            near: list[np.ndarray] = []
            outside: list[float] = []
            for j, it in enumerate(chunk):
                sims = meaning[j]
                known: dict[int, tuple[float, int, float]] = {}
                if len(it) > 5:
                    ranked, row = it[5], it[6]
                    for c in range(ranked.scores.shape[1]):
                        if ranked.scores[row, c] <= 0:
                            break
                        known[int(ranked.entries[row, c])] = (
                            float(ranked.scores[row, c]),
                            int(ranked.docs[row, c]),
                            float(ranked.shared_max[row, c]),
                        )
                k = min(f.top_k, sims.size)
                top = np.argpartition(-sims, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
                rest = float(-np.partition(-sims, k)[k]) if sims.size > k else 0.0
                near.append(top)
                outside.append(rest)
                lex.append(known)
                if len(it) > 5:
                    for ent in top.tolist():
                        if ent not in known:
                            pair_q.append(j)
                            pair_e.append(ent)
            if pair_q:
                vectors = [it[3] for it in chunk]
                scores, docs, shared = self._pair_scores(
                    vectors, [it[2].text for it in chunk], np.array(pair_q), np.array(pair_e)
                )
                for j, ent, sc, d, sh in zip(pair_q, pair_e, scores.tolist(), docs.tolist(), shared.tolist(), strict=True):
                    lex[j][ent] = (sc, d, sh)
            for j, it in enumerate(chunk):
                pos, text, analysis, vec, decision = it[:5]
                unseen = float(it[5].unseen[it[6]]) if len(it) > 5 else 0.0
                res = self._fused_decision(
                    text, analysis, vec, decision, qvecs[hits.rows[j]], meaning[j], near[j], outside[j], lex[j], unseen, explain,
                    hits.sims[j],
                )
                out.append((pos, res))
        return out

    def _fused_decision(
        self,
        text: str,
        analysis: Analysis,
        vec: QueryVector,
        decision: Decision | None,
        qvec: np.ndarray,
        sims: np.ndarray,
        near: np.ndarray,
        outside: float,
        lex: dict[int, tuple[float, int, float]],
        unseen: float,
        explain: bool,
        best_cos: np.ndarray,
    ) -> MatchResult:
        """Decide one question from its entries' lexical scores and meaning (``sims``: best-phrasing and centroid
        cosines blended; ``best_cos``: the best phrasing's alone, which the reasons and candidates show)."""
        f, t = self.fusion, self.thresholds
        assert self.semantic is not None
        w = f.weight
        pool = sorted(set(lex) | set(near.tolist()))
        fused = {e: (1 - w) * lex.get(e, (0.0,))[0] + w * 100.0 * max(float(sims[e]), 0.0) for e in pool}
        order = sorted(pool, key=lambda e: (-fused[e], e))
        lex_top = max(lex, key=lambda e: (lex[e][0], -e)) if lex else None
        sem_top = int(np.argmax(sims)) if sims.size else None
        # an entry outside both candidate lists scores at most this
        bound = (1 - w) * unseen + w * 100.0 * max(outside, 0.0)
        best = fused[order[0]] if order else 0.0
        second = fused[order[1]] if len(order) > 1 else 0.0
        margin = best - max(second, min(bound, best))
        chosen = order[0] if order else None
        shown = order[:3]
        # disagreement: both signals' picks are in front of the reviewer
        for pick in (lex_top, sem_top):
            if pick is not None and pick not in shown and best > 0:
                shown = [*shown[:2], pick] if len(shown) >= 3 else [*shown, pick]
        cands = []
        for e in shown:
            lscore, ldoc = lex.get(e, (0.0, -1))[:2]
            text_used = self.doc_texts[ldoc] if ldoc >= 0 and lscore > 0 else self.semantic.nearest(qvec, e)[0]
            cands.append(Candidate(self.entries[e].id, round(fused[e], 4), text_used, round(lscore, 4), round(float(best_cos[e]), 4)))
        agree = chosen is not None and chosen == lex_top == sem_top
        lbest = lex.get(chosen, (0.0, -1, 0.0))[0] if chosen is not None else 0.0
        shared_max = lex.get(chosen, (0.0, -1, 0.0))[2] if chosen is not None else 0.0
        covered = shared_max / (vec.norm * vec.norm) if vec.norm > 0 else 0.0
        short = len(vec.weights) <= t.short_terms

        def name(e: int | None) -> str:
            return f"'{self.entries[e].id}'" if e is not None else "none"

        if not cands or best <= 0:
            status: Status = "unmatched"
            reason = "no bank entry shares a word or a meaning with this question"
        elif best >= f.auto_score and margin >= f.auto_margin and agree and not _follow_up(analysis) and (
            short or covered >= t.auto_coverage
        ):
            status = "auto"
            runner = f" over {name(order[1])}" if len(order) > 1 else ""
            reason = (
                f"words and meaning agree: fused score {best:.1f} >= {f.auto_score:g} and margin {margin:.1f}{runner} "
                f">= {f.auto_margin:g} (lexical {lbest:.1f}, similarity {float(best_cos[chosen]):.2f})"
            )
        elif best >= f.auto_score and margin >= f.auto_margin and agree and _follow_up(analysis):
            status = "review"
            reason = "the question refers back to an earlier one ('these', 'the other', 'above'); read it in context"
        elif best >= f.auto_score and margin >= f.auto_margin and agree:
            status = "review"
            reason = (
                f"fused score {best:.1f} and margin {margin:.1f} would fill, but {name(chosen)} explains only "
                f"{covered:.0%} of the question's words (< {t.auto_coverage:.0%}): the rest may ask something else"
            )
        elif best >= f.review_score and not agree:
            status = "review"
            lexical = f"words point to {name(lex_top)}" if lex_top is not None else "no entry shares its words"
            meaning = f"meaning to {name(sem_top)}" if sem_top is not None else "no meaning found"
            reason = f"fused score {best:.1f}, but {lexical} and {meaning}: a person must choose"
        elif best >= f.auto_score:
            status = "review"
            reason = f"two entries fit: fused margin {margin:.1f} is below {f.auto_margin:g}"
        elif best >= f.review_score:
            status = "review"
            reason = f"fused score {best:.1f} is below the auto threshold {f.auto_score:g}"
        else:
            status = "unmatched"
            reason = f"best fused score {best:.1f} is below the review threshold {f.review_score:g}"
        entry_id = self.entries[chosen].id if status in ("auto", "review") and chosen is not None else None
        if decision is not None:
            status = "review"
            entry_id = self.entries[chosen].id if chosen is not None and best >= f.review_score else None
            reason = (
                f"reviewer mapped this question to '{decision.entry_id}', which is no longer in the bank "
                f"({decision.describe()}); fix or forget the mapping. Matcher: {reason}"
            )
        nearest, similarity = (None, None)
        if chosen is not None:
            nearest, similarity = self.semantic.nearest(qvec, chosen)
        explanation = None
        if explain and chosen is not None:
            base = self.explain(text, self.entries[chosen].id)
            explanation = replace(base, semantic_similarity=round(similarity or 0.0, 4), nearest_phrasing=nearest)
        return MatchResult(
            status, entry_id, best, margin, tuple(cands), reason, None, explanation, lbest,
            None if similarity is None else round(similarity, 4), nearest,
        )

    def _prefilter(
        self, text: str, qid: str | None, customer: str | None
    ) -> tuple[MatchResult | None, Decision | None]:
        skip = classify(text, question_id=qid)
        if skip is not None and skip.kind == "empty":
            return MatchResult("skipped", None, 0.0, 0.0, (), skip.reason), None
        decision = self.mappings.lookup(text, customer) if len(self.mappings) else None
        if decision is not None:
            if decision.entry_id is None:
                reason = f"reviewer marked: not in bank ({decision.describe()})"
                return MatchResult("unmatched", None, 0.0, 0.0, (), reason), None
            entry = self.entry(decision.entry_id)
            if entry is not None:
                cand = Candidate(entry.id, 100.0, entry.question)
                reason = f"reviewer mapped this question to '{entry.id}' ({decision.describe()})"
                return MatchResult("auto", entry.id, 100.0, 100.0, (cand,), reason), None
            return None, decision  # mapped to an entry that is gone: match, then flag for review
        if self._families and (family := family_of(text)) in self._families:
            entry_id = self._families[family]
            reason = f"policy-family question ({family}): answered from the policy document that covers its topic"
            return MatchResult("auto", entry_id, 100.0, 100.0, (Candidate(entry_id, 100.0, text),), reason), None
        if skip is not None:
            return MatchResult("skipped", None, 0.0, 0.0, (), skip.reason, skip.profile_fact), None
        return None, None

    def _unknown_words(self, analysis: Analysis) -> set[str]:
        return {
            w
            for w in analysis.words
            if len(w) >= SPELL_MIN_LEN
            and w not in self._known_words
            and w not in self._spelling
            and w.isalpha()
        }

    def _learn_spellings(self, analyses: Iterable[Analysis]) -> None:
        """Look up the unknown long words of a batch at once (one rapidfuzz call, not one per word).

        A word is read as a known word at most one edit away (insertion, deletion, substitution or
        swap of two neighbours; two edits from 9 letters), and only when every closest known word
        stems alike: "annualy" may be "annual" or "annually", which is fine, but "authenticaton"
        may be "authentication" or "authenticator", so it stays as written.
        """
        if not self.scoring.spelling or not self._spell_vocab:
            return
        unknown = sorted(set().union(*(self._unknown_words(a) for a in analyses)))
        by_len: dict[int, list[str]] = {}
        for word in unknown:
            self._spelling[word] = None
            by_len.setdefault(len(word), []).append(word)
        for length, words in by_len.items():
            allowed = 1 if length < 9 else 2
            # an edit changes the length by at most one: compare with similar lengths only
            vocab = [
                w
                for n in range(length - allowed, length + allowed + 1)
                for w in self._spell_by_len.get(n, ())
            ]
            if not vocab:
                continue
            workers = -1 if len(words) * len(vocab) > 200_000 else 1
            dist = process.cdist(
                words, vocab, scorer=OSA.distance, score_cutoff=allowed, dtype=np.uint8, workers=workers
            )
            nearest = dist.min(axis=1)
            for i, word in enumerate(words):
                if nearest[i] > allowed:
                    continue
                # typists rarely miss the first letter, while a real word one letter from a bank word
                # usually differs there ("entrusted" is not "untrusted")
                options = [vocab[j] for j in np.flatnonzero(dist[i] == nearest[i]) if vocab[j][0] == word[0]]
                if not options:
                    continue
                if len({stem(o) for o in options}) == 1:
                    self._spelling[word] = options[0]

    def _analyze(self, text: str) -> Analysis:
        """Normalise, reading an unknown long word as the known word it is one typo away from."""
        text = _without_examples(text)
        analysis = self.normalizer.analyze(text)
        if not self.scoring.spelling or not self._spell_vocab:
            return analysis
        if self._unknown_words(analysis):
            self._learn_spellings([analysis])
        fix = {w: f for w in analysis.words if (f := self._spelling.get(w))}
        return self.normalizer.analyze(text, fix) if fix else analysis

    def _boost(self, term: str) -> float:
        """Thesaurus concepts name the things questions are about: they weigh more than plain words."""
        return self.scoring.concept_boost if term.startswith(CONCEPT_PREFIX) else 1.0

    def _fine(self, overlap: np.ndarray, fz: np.ndarray, clash: np.ndarray, docs: np.ndarray) -> np.ndarray:
        w = self.scoring.fuzzy_weight
        factor = np.where(clash, self.scoring.contrast_factor, 1.0)
        # a bag is no sentence, so word order means nothing there: a flat weight replaces the fuzzy factor
        text = np.where(self._is_bag[docs], self.scoring.bag_weight, 1.0 - w + w * fz / 100.0)
        return 100.0 * overlap * text * factor

    def _mask(self, terms: Iterable[str]) -> int:
        """Bits of the contrast concepts among ``terms``."""
        mask = 0
        for term in terms:
            bit = self._contrast_bit.get(term)
            if bit is not None:
                mask |= 1 << bit
        return mask

    def _clash(self, qmask: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Per document: the question names one side of a contrast and the text only another side."""
        out = np.zeros(docs.size, dtype=bool)
        if not self._contrast_masks or not qmask.any():
            return out
        dmask = self._doc_mask[docs]
        for group in self._contrast_masks:
            g = np.uint64(group)
            q, d = qmask & g, dmask & g
            out |= (q != 0) & (d != 0) & ((q & d) == 0)
        return out

    def _overlap(self, shared: np.ndarray, docs: np.ndarray, qnorm: np.ndarray) -> np.ndarray:
        """Weighted overlap (see :attr:`Scoring.coverage_power`), 0-1."""
        return overlap(shared, qnorm, self.index.doc_norm[docs], self.scoring.coverage_power)

    def _rank(
        self, vectors: list[QueryVector], texts: list[str], k: int, floor: np.ndarray | None = None
    ) -> _Ranked:
        """Search the index for a batch of questions and score the kept entries finely.

        ``floor`` (per question) is a score below which nothing matters any more (the third-best
        score already found): documents that cannot reach it skip the fuzzy comparison.
        """
        hits = self.index.search_batch(vectors, k)
        n, k = hits.entries.shape
        per_query = hits.cell_lens.reshape(n, k).sum(axis=1)
        query_of_doc = np.repeat(np.arange(n), per_query)
        norms = np.array([v.norm for v in vectors])
        overlap = self._overlap(hits.doc_shared, hits.doc_ids, norms[query_of_doc])
        # fine = 100 x overlap x (fuzzy factor <= 1): a document with no overlap scores 0 anyway, and one
        # that stays under the floor (minus what the agreement rules could add) cannot matter
        need = overlap > 0
        bag = self._is_bag[hits.doc_ids]
        if floor is not None:
            s = self.scoring
            need &= 100.0 * overlap >= floor[query_of_doc] - s.agree_bonus_cap - s.agree_window
        fz = np.zeros(overlap.size)
        idx = np.flatnonzero(need & ~bag)
        if idx.size:
            queries = [texts[i] for i in query_of_doc[idx].tolist()]
            choices = [self.doc_norm_texts[d] for d in hits.doc_ids[idx].tolist()]
            workers = -1 if idx.size > 5000 else 1
            fz[idx] = process.cpdist(queries, choices, scorer=fuzz.token_sort_ratio, workers=workers)
        qmask = np.array([self._mask(v.weights) for v in vectors], dtype=np.uint64)
        clash = self._clash(qmask[query_of_doc], hits.doc_ids)
        fine = np.where(need, self._fine(overlap, fz, clash, hits.doc_ids), 0.0)
        scores, arg = self._per_cell(fine, hits.doc_ids, hits.cell_offsets, hits.cell_lens)
        scores = scores.reshape(n, k)
        docs = hits.doc_ids[arg].reshape(n, k)
        order = np.lexsort((hits.entries, -scores), axis=1)
        # overlap <= unseen_bound, and the fuzzy factor is at most 1
        unseen = 100.0 * hits.unseen_bound + self.scoring.agree_bonus_cap
        # every cell holds all texts of its entry (bag included): the coverage guard reads this
        shared_max = np.maximum.reduceat(hits.doc_shared, hits.cell_offsets).reshape(n, k)
        return _Ranked(
            np.take_along_axis(hits.entries, order, axis=1),
            np.take_along_axis(scores, order, axis=1),
            np.take_along_axis(docs, order, axis=1),
            unseen,
            np.take_along_axis(shared_max, order, axis=1),
        )

    def _per_cell(
        self, fine: np.ndarray, docs: np.ndarray, offsets: np.ndarray, lens: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per group of documents (one entry): its score and the position of its best text.

        The score is the better of the best text plus the agreement bonus and the bag. Every group
        has at least one text (bags are added only beside two or more).
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        bag = self._is_bag[docs]
        bag_best = np.maximum.reduceat(np.where(bag, fine, 0.0), offsets)
        fine = np.where(bag, -np.inf, fine)
        best = np.maximum.reduceat(fine, offsets)
        rep = np.repeat(best, lens)
        agreeing = np.add.reduceat((fine >= rep - self.scoring.agree_window).astype(np.int64), offsets) - 1
        bonus = np.minimum(agreeing * self.scoring.agree_bonus, self.scoring.agree_bonus_cap)
        bonus = np.where(best >= self.thresholds.review_score, bonus, 0.0)
        is_best = np.flatnonzero(fine == rep)
        owner = np.searchsorted(offsets, is_best, side="right") - 1
        _, first = np.unique(owner, return_index=True)  # owner is sorted: the first best document per group
        arg = np.empty(offsets.size, dtype=np.int64)
        arg[owner[first]] = is_best[first]
        return np.minimum(np.maximum(best + bonus, bag_best), 100.0), arg

    def _settled(self, best: np.ndarray, second: np.ndarray, unseen: np.ndarray) -> np.ndarray:
        """True where no entry outside the scored ones can change the chosen entry or the status.

        With ``unseen`` the highest score such an entry could reach: the top two are exact; or the top
        is exact and the status does not depend on the runner-up (review either way); or the status
        holds whatever the unseen entries score.
        """
        t = self.thresholds
        return (
            (unseen <= second)
            | ((unseen <= best) & ((best < t.auto_score) | (best - second < t.auto_margin)))
            | ((best >= t.review_score) & (unseen <= best - t.auto_margin))
            | ((best < t.review_score) & (unseen < t.review_score))
        )

    def _decide(
        self,
        ranked: _Ranked | None,
        row: int,
        analysis: Analysis,
        vec: QueryVector,
        decision: Decision | None,
        explain: bool,
    ) -> MatchResult:
        t = self.thresholds
        cands: list[Candidate] = []
        best_doc = -1
        best = second = unseen = covered = 0.0
        if ranked is not None:
            scores = ranked.scores[row]
            for j in range(min(3, scores.size)):
                if scores[j] <= 0:
                    break  # an entry sharing no weighted term is no suggestion
                d = int(ranked.docs[row, j])
                cands.append(
                    Candidate(
                        self.entries[int(ranked.entries[row, j])].id, float(scores[j]), self.doc_texts[d]
                    )
                )
                if j == 0:
                    best_doc = d
            best = float(scores[0]) if cands else 0.0
            covered = float(ranked.shared_max[row, 0]) / (vec.norm * vec.norm) if cands and vec.norm > 0 else 0.0
            second = float(scores[1]) if len(cands) > 1 else 0.0
            unseen = float(ranked.unseen[row])
        # Where an unseen entry could sit between the best and the found runner-up, count it as the
        # runner-up: the margin is then a lower bound, and never too generous.
        margin = best - max(second, min(unseen, best))
        if not cands:
            status: Status = "unmatched"
            reason = "no bank entry shares a content word with this question"
        elif (
            best >= t.auto_score
            and margin >= t.auto_margin
            and not _follow_up(analysis)
            and (
                len(vec.weights) <= t.short_terms or covered >= t.auto_coverage
            )
        ):
            status = "auto"
            runner = f" over '{cands[1].entry_id}'" if len(cands) > 1 else ""
            reason = (
                f"score {best:.1f} >= {t.auto_score:g} and margin {margin:.1f}{runner} >= {t.auto_margin:g}"
            )
        elif best >= t.auto_score and margin >= t.auto_margin and _follow_up(analysis):
            status = "review"
            reason = "the question refers back to an earlier one ('these', 'the other', 'above'); read it in context"
        elif best >= t.auto_score and covered < t.auto_coverage:
            status = "review"
            reason = (
                f"score {best:.1f} and margin {margin:.1f} would fill, but '{cands[0].entry_id}' explains only "
                f"{covered:.0%} of the question's weight (< {t.auto_coverage:.0%}): the rest may ask something else"
            )
        elif best >= t.auto_score:
            status = "review"
            other = (
                f"'{cands[1].entry_id}'"
                if len(cands) > 1 and best - cands[1].score <= margin
                else "another entry"
            )
            reason = f"two entries fit: margin {margin:.1f} over {other} is below {t.auto_margin:g}"
        elif best >= t.review_score:
            status = "review"
            reason = f"score {best:.1f} is below the auto threshold {t.auto_score:g}"
        else:
            status = "unmatched"
            reason = f"best score {best:.1f} is below the review threshold {t.review_score:g}"
        entry_id = cands[0].entry_id if status in ("auto", "review") else None
        if decision is not None:
            # A reviewer's mapping points at an entry that was removed or renamed: never fill silently.
            status = "review"
            entry_id = cands[0].entry_id if cands and best >= t.review_score else None
            reason = (
                f"reviewer mapped this question to '{decision.entry_id}', which is no longer in the bank "
                f"({decision.describe()}); fix or forget the mapping. Matcher: {reason}"
            )
        explanation = None
        if explain and best_doc >= 0:
            d = np.array([best_doc])
            overlap = float(self._overlap(self.index.shared(vec, d), d, np.array([vec.norm]))[0])
            fz = float(fuzz.token_sort_ratio(analysis.text, self.doc_norm_texts[best_doc]))
            explanation = self._explanation(analysis, vec, best_doc, overlap, fz)
        return MatchResult(status, entry_id, best, margin, tuple(cands), reason, None, explanation)

    def _explanation(
        self, analysis: Analysis, vec: QueryVector, doc: int, overlap: float, fz: float
    ) -> Explanation:
        doc_terms = set(self.normalizer.analyze(self.doc_texts[doc]).terms)
        weights = sorted(vec.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        shared = tuple(t for t, _ in weights if t in doc_terms)
        missing = tuple(t for t, _ in weights if t not in doc_terms)
        hits = tuple(t[len(CONCEPT_PREFIX) :] for t in shared if t.startswith(CONCEPT_PREFIX))
        # the text's side of a contrast includes its entry's question (see _doc_mask)
        scope = doc_terms | set(self.normalizer.analyze(self.entries[int(self.index.doc_entry[doc])].question).terms)
        clashes = []
        for group in self.normalizer.contrasts:
            mine = sorted(c for c in group if CONCEPT_PREFIX + c in vec.weights)
            theirs = sorted(c for c in group if CONCEPT_PREFIX + c in scope)
            if mine and theirs and not set(mine) & set(theirs):
                clashes.append(f"{'/'.join(mine)} (question) vs {'/'.join(theirs)} (text)")
        return Explanation(
            shared_terms=shared,
            thesaurus_hits=hits,
            alias_used=self.doc_texts[doc],
            weights=tuple((t, round(w, 3)) for t, w in weights),
            missing_terms=missing,
            overlap=round(overlap, 4),
            fuzzy=round(fz, 1),
            contrasts=tuple(clashes),
        )
