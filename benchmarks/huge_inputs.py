"""Time and peak memory of ``trustfill fill`` on large generated inputs (issue 18, point 8).

Each run is a fresh process (``python -m trustfill fill``), so its peak RSS is the child's ``ru_maxrss``.
Targets: a 100k-question workbook in <= 1 GB peak, and time roughly linear in rows.

    python benchmarks/huge_inputs.py                 # xlsx 10k / 30k / 100k questions
    python benchmarks/huge_inputs.py --rows 10000 --kind csv-line vsaq-caption
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "Do you encrypt customer data at rest?",
    "Is multi-factor authentication required for administrative access?",
    "Do you use customer data to train AI/ML models?",
    "Do you have a documented incident response plan?",
    "Are backups tested at least annually?",
    "Do you perform annual penetration tests by a third party?",
    "Is access to production reviewed quarterly?",
    "Do you have a data retention policy?",
]


def make_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Questions")
    ws.append(["ID", "Question", "Answer", "Comments"])
    for i in range(rows):
        ws.append([f"Q{i + 1}", f"{QUESTIONS[i % len(QUESTIONS)]} (item {i + 1})", None, None])
    wb.save(path)


def make_csv_line(path: Path, rows: int) -> None:
    """One line of about a megabyte: every cell a header candidate."""
    path.write_text(",".join(f"Question {i} response comment" for i in range(rows)) + "\n", encoding="utf-8")


def make_vsaq_caption(path: Path, rows: int) -> None:
    """One caption of ~300 KB of unclosed tags (quadratic for html.parser)."""
    caption = "<b" * (rows * 15)
    doc = {"questionnaire": [{"type": "block", "text": "S", "items": [{"type": "line", "id": "q1", "text": caption}]}]}
    path.write_text(json.dumps(doc), encoding="utf-8")


MAKERS = {"xlsx": (make_xlsx, ".xlsx", ".xlsx"), "csv-line": (make_csv_line, ".csv", ".csv"),
          "vsaq-caption": (make_vsaq_caption, ".json", ".json")}


def run(kind: str, rows: int, folder: Path) -> tuple[float, float, int]:
    make, suffix, out_suffix = MAKERS[kind]
    src = folder / f"in-{kind}-{rows}{suffix}"
    make(src, rows)
    out = folder / f"out-{kind}-{rows}{out_suffix}"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "trustfill", "fill", str(src), "-o", str(out), "--demo", "--force"],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode not in (0, 4):
        print(proc.stderr[-2000:], file=sys.stderr)
    return wall, peak_mb, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--kind", nargs="*", default=["xlsx"], choices=sorted(MAKERS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kind:
            for rows in args.rows:
                # ru_maxrss of children is the max over all children so far: run each size in its own process.
                code = ("import sys, pathlib; sys.path.insert(0, 'benchmarks'); import huge_inputs as h; "
                        f"w, p, rc = h.run({kind!r}, {rows}, pathlib.Path({tmp!r})); print(f'{{w:.1f}} {{p:.0f}} {{rc}}')")
                res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
                wall, peak, rc = [*res.stdout.split(), "?", "?", "?"][:3]
                print(f"{kind:13} {rows:>7,} rows: {wall} s, peak {peak} MB, exit {rc}", flush=True)
                if res.returncode:
                    print(res.stderr[-1500:], file=sys.stderr)


if __name__ == "__main__":
    main()
