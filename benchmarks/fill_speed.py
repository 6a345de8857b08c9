"""``trustfill fill`` of the shared HECVAT 4.1.4 end to end, beside a bare openpyxl load and save of the same file.

Both run as fresh processes (Python start-up included), interleaved, several times; the medians are compared.
The fill uses the bundled default bank and example profile, once with the semantic matcher (the default) and
once with ``--matcher lexical``. Bank vectors come from the shipped file; the customer's questions are embedded
on every run, as for a new questionnaire.

Run: ``python benchmarks/fill_speed.py [--runs N] [--file PATH]`` from the repository with trustfill installed.
Timings on a shared machine are noisy: read the medians, and the spread beside them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE.parent.parent / "shared" / "questionnaires" / "hecvat-4.1.4.xlsx"

OPENPYXL = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])"


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print the medians side by side; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: not found; pass --file", file=sys.stderr)
        return 2
    from trustfill.workspace import default_root

    profile = default_root() / "examples" / "saas-heroku.yaml"
    times: dict[str, list[float]] = {"openpyxl load+save": [], "trustfill fill (semantic)": [], "trustfill fill (lexical)": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.xlsx"
        fill = [sys.executable, "-m", "trustfill", "fill", str(args.file), "-o", str(out), "--profile", str(profile), "--force"]
        _time(fill)  # warm the file cache and the user's vector cache once
        for _ in range(args.runs):
            times["openpyxl load+save"].append(_time([sys.executable, "-c", OPENPYXL, str(args.file), str(out)]))
            times["trustfill fill (semantic)"].append(_time(fill))
            times["trustfill fill (lexical)"].append(_time([*fill, "--matcher", "lexical"]))
    base = statistics.median(times["openpyxl load+save"])
    print(f"{args.file.name}, {args.runs} interleaved runs each, wall time with Python start-up")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<27} median {med:6.2f} s  (min {min(ts):.2f}, max {max(ts):.2f})  {med / base:5.2f}x openpyxl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
