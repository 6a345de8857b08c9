"""What one reviewed questionnaire teaches: decisions from one labelled file, applied to the others.

A reviewer who works through a questionnaire records a decision per question (``trustfill learn --from``). This
script stands in for that reviewer with the labels of ``--source`` (benchmarks/data/shared_labels.yaml: the entry a
person judged right, or "not in bank"), records them as learned mappings, and fills every other labelled
questionnaire with and without them. Decisions apply only to the same question text (folded case, spacing and
punctuation), so what carries over is what questionnaire families repeat between versions.

Run: python benchmarks/learning_transfer.py [FOLDER] [--source hecvat-4.1.4.xlsx]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from coverage import DEFAULT_FOLDER, LABELS, NOT_SECURITY, SKIP, Tally
from trustfill.fill import answer_questionnaire
from trustfill.importers import load_questionnaire
from trustfill.matching import Matcher
from trustfill.matching.mappings import Mappings
from trustfill.session import open_session
from trustfill.workspace import default_root


def main(argv: list[str] | None = None) -> int:
    """Print, per labelled file, right matches from the bank alone and with the source file's decisions; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--source", default="hecvat-4.1.4.xlsx", help="the questionnaire whose labels stand for a reviewer")
    args = parser.parse_args(argv)
    labels = yaml.safe_load(LABELS.read_text())
    if not args.folder.is_dir() or args.source not in labels or not (args.folder / args.source).is_file():
        print(f"{args.folder / args.source}: not found, or not labelled in {LABELS.name}", file=sys.stderr)
        return 2
    mappings = Mappings()
    for row in load_questionnaire(args.folder / args.source).questions:
        truth = labels[args.source].get(row.question_id or row.location)
        if truth != SKIP and (row.question_id or row.location) in labels[args.source]:
            mappings.record(row.text, truth if truth is None or isinstance(truth, str) else truth[0])
    session = open_session(None, default_root() / "examples" / "saas-heroku.yaml")
    learned = Matcher(session.matcher.entries, mappings=mappings)
    print(f"{len(mappings)} decisions recorded from {args.source}\n")
    print(f"{'file':<40} {'sec lab':>7} {'right (bank)':>13} {'right (+decisions)':>19} {'auto ok':>9} {'by decision':>12}")
    for name in sorted(n for n in labels if n != args.source and not n.startswith(NOT_SECURITY)):
        path = args.folder / name
        if not path.is_file():
            continue
        questionnaire = load_questionnaire(path)
        tallies = []
        decided = 0
        for matcher in (session.matcher, learned):
            filled = answer_questionnaire(questionnaire, session.engine, matcher, session.profile_name)
            tally = Tally()
            for r in filled.results:
                key = r.question.question_id or r.question.location
                if key in labels[name] and labels[name][key] != SKIP:
                    tally.add(r.status, r.match.entry_id, labels[name][key])
                    decided += matcher is learned and r.match.reason.startswith("reviewer")
            tallies.append(tally)
        bank, plus = tallies
        if not bank.labelled:
            continue
        print(f"{name:<40} {bank.labelled:>7} {bank.correct:>6} ({100 * bank.correct / bank.labelled:>4.1f}%) "
              f"{plus.correct:>11} ({100 * plus.correct / plus.labelled:>4.1f}%) {plus.auto_correct:>4}/{plus.auto:<4} {decided:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
