"""The answer library's targets (issue 16), on HECVATs completed in code for made-up companies.

1. Harvest a completed 331-question HECVAT 4.1.4: in-process (bank, matcher, import, match, write) and the CLI
   end to end (Python start-up included), with a CLI fill of the blank file interleaved as the machine's reference;
   medians of --runs runs.
2. Fill a different version (Full 3.06) from that library, and the other way round: questions present in both,
   questions answered with the past answer (auto / review), and reuse across different questions (must be 0).
3. Draft a profile from both Northwind versions (the company the draft code was developed against) and, held out,
   from Fernhill Forms (rules written afterwards, never used to tune): share of harvested Yes/No answers the draft
   renders back alike, and the conflicts.
4. Fill HECVAT Full 3.06 with a generated 50-questionnaire library (~15,000 answers) and without one: medians of
   interleaved runs, side by side (the bank and matcher are loaded once, outside the timings, so the ratio is the
   library's own cost; the library's cache is warm, as 'harvest' leaves it).

Run: python benchmarks/library_reuse.py [--runs 5] [--folder ../shared/questionnaires]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from trustfill.answer_library.harvest import run_harvest
from trustfill.answer_library.reuse import MIN_WORDS, SAME_ID_SIMILARITY
from trustfill.answer_library.store import LIBRARY_DIR
from trustfill.fill import FillOptions
from trustfill.importers import load_questionnaire
from trustfill.matching.normalize import question_key
from trustfill.pipeline import fill_file
from trustfill.session import open_session
from trustfill.workspace import default_root, init_workspace

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = REPO.parent / "shared" / "questionnaires"
PROFILE = default_root() / "examples" / "saas-heroku.yaml"
RECENT = dt.date.today() - dt.timedelta(days=60)


def _northwind():
    spec = importlib.util.spec_from_file_location("northwind", REPO / "tests" / "answer_library" / "northwind.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _same(a, b) -> bool:
    from rapidfuzz import fuzz

    ka, kb = question_key(a.text), question_key(b.text)
    if ka == kb:
        return len(ka.split()) >= MIN_WORDS or question_key(a.section or "") == question_key(b.section or "")
    return bool(a.question_id) and a.question_id == b.question_id and fuzz.token_sort_ratio(ka, kb) >= SAME_ID_SIMILARITY


def _fresh_ws(root: Path, name: str) -> Path:
    ws = root / name
    if ws.exists():
        shutil.rmtree(ws)
    init_workspace(ws)
    return ws


def harvest_speed(root: Path, completed: Path, blank: Path, runs: int) -> None:
    inproc, cli, fill_cli = [], [], []
    exe = Path(sys.executable).with_name("trustfill")
    for _ in range(runs):
        # The README's reference on the same machine at the same moment: fill of the blank file, end to end.
        start = time.perf_counter()
        subprocess.run([str(exe), "fill", str(blank), "-o", str(root / "ref.xlsx"), "--demo", "--force"], check=True,
                       capture_output=True)
        fill_cli.append(time.perf_counter() - start)
        ws = _fresh_ws(root, "speed")
        start = time.perf_counter()
        run_harvest(ws, [completed], customer="Lakeside University", date=RECENT)
        inproc.append(time.perf_counter() - start)
        shutil.rmtree(ws / LIBRARY_DIR)
        start = time.perf_counter()
        subprocess.run([str(exe), "harvest", str(completed), "-w", str(ws), "--date", RECENT.isoformat()], check=True,
                       capture_output=True)
        cli.append(time.perf_counter() - start)
    print(f"harvest {completed.name} (331 questions): in-process median {statistics.median(inproc):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in inproc)}); CLI wall median {statistics.median(cli):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in cli)}); for reference, CLI fill of the blank file, interleaved: median "
          f"{statistics.median(fill_cli):.2f} s ({', '.join(f'{t:.2f}' for t in fill_cli)})")


def reuse_counts(root: Path, completed: Path, blank: Path, label: str) -> None:
    ws = _fresh_ws(root, "reuse")
    run_harvest(ws, [completed], customer="Lakeside University", date=RECENT)
    session = open_session(ws, PROFILE)
    out = root / f"reuse-{label}.xlsx"
    summary = fill_file(session, blank, out, options=FillOptions(customer="Harbor State College"), force=True)
    old = load_questionnaire(completed).questions
    records = summary.report["questions"]
    new = summary.filled.questionnaire.questions
    shared = {q.location for q in new if any(_same(q, p) for p in old)}
    reused = {r["location"]: r for r in records if r["past_answer"] is not None}
    wrong = [loc for loc in reused if loc not in shared]
    missed = sorted(shared - set(reused))
    auto = sum(1 for r in reused.values() if r["status"] == "auto")
    print(f"{label}: {len(new)} questions, {len(shared)} present in both; answered with the past answer {len(reused)} "
          f"({auto} auto, {len(reused) - auto} review: contradicts the profile, customer-specific or not a choice of "
          f"the cell); reused across different questions {len(wrong)}; shared but not reused {len(missed)}")


def draft_figures(root: Path, files: list[tuple[Path, str, dt.date]], label: str) -> None:
    ws = _fresh_ws(root, "draft")
    for path, customer, date in files[:-1]:
        run_harvest(ws, [path], customer=customer, date=date)
    path, customer, date = files[-1]
    summary = run_harvest(ws, [path], customer=customer, date=date, propose_profile=root / f"draft-{label}.yaml",
                          force=True)
    d = summary.draft
    print(f"draft {label}: {len(d.proposals)} facts proposed, {len(d.undecided)} choices open; reproduces "
          f"{d.reproduced}/{d.yes_no} harvested Yes/No answers ({100 * d.reproduced / d.yes_no:.1f}%); "
          f"{len(summary.conflicts)} conflicting question(s) across sources")
    for c in summary.conflicts:
        print("   conflict:", c.question[:70], "|", "; ".join(f"{a.shown_short} ({a.file})" for a in c.answers))
    for m in d.mismatches:
        print(f"   not reproduced: {m.answer.entry_id}: past {m.answer.shown_short}, draft {m.rendered or 'undecided'}"
              f" ({m.answer.question[:60]})")


def big_library_speed(root: Path, completed: Path, blank: Path, runs: int, copies: int = 50) -> None:
    ws = _fresh_ws(root, "big")
    run_harvest(ws, [completed], customer="Lakeside University", date=RECENT)
    [first] = (ws / LIBRARY_DIR).glob("*.yaml")
    data = yaml.safe_load(first.read_text())
    items = 0
    for k in range(1, copies):
        clone = json.loads(json.dumps(data, default=str))
        clone["source"]["file"] = f"generated-{k:02d}.xlsx"
        clone["source"]["sha256"] = f"{k:064x}"
        clone["source"]["customer"] = f"Customer {k:02d}"
        for a in clone["answers"]:
            a["question"] = f"{a['question']} (form {k})"  # other questionnaires ask other wordings
        items += len(clone["answers"])
        (ws / LIBRARY_DIR / f"generated-{k:02d}.yaml").write_text(yaml.safe_dump(clone, sort_keys=False))
    items += len(data["answers"])
    session = open_session(ws, PROFILE)
    session.matcher  # noqa: B018  built once, outside the timings
    # The generated files were written without 'harvest', which leaves library/.cache warm; one fill warms it.
    fill_file(session, blank, root / "big.xlsx", force=True)
    hidden = ws / "library-off"
    with_lib, without = [], []
    for i in range(runs * 2):
        use = i % 2 == 0
        if not use:
            (ws / LIBRARY_DIR).rename(hidden)
        start = time.perf_counter()
        fill_file(session, blank, root / "big.xlsx", force=True)
        (with_lib if use else without).append(time.perf_counter() - start)
        if not use:
            hidden.rename(ws / LIBRARY_DIR)
    ratio = statistics.median(with_lib) / statistics.median(without)
    print(f"fill {blank.name} with a {copies}-questionnaire library ({items:,} answers): median "
          f"{statistics.median(with_lib):.2f} s ({', '.join(f'{t:.2f}' for t in with_lib)}) vs without "
          f"{statistics.median(without):.2f} s ({', '.join(f'{t:.2f}' for t in without)}): {ratio:.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 2 when the HECVAT files are missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    h4, h3 = args.folder / "hecvat-4.1.4.xlsx", args.folder / "hecvat-full-3.06.xlsx"
    if not h4.is_file() or not h3.is_file():
        print(f"{args.folder}: needs hecvat-4.1.4.xlsx and hecvat-full-3.06.xlsx", file=sys.stderr)
        return 2
    nw = _northwind()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        done = {}
        for company in ("northwind", "fernhill"):
            for version, src in (("hecvat-4.1.4", h4), ("hecvat-full-3.06", h3)):
                done[company, version] = root / f"{company}-{version}.xlsx"
                nw.complete_xlsx(src, done[company, version], version, company)
        harvest_speed(root, done["northwind", "hecvat-4.1.4"], h4, args.runs)
        reuse_counts(root, done["northwind", "hecvat-4.1.4"], h3, "4.1.4 library -> Full 3.06")
        reuse_counts(root, done["northwind", "hecvat-full-3.06"], h4, "Full 3.06 library -> 4.1.4")
        older = RECENT - dt.timedelta(days=120)
        draft_figures(root, [(done["northwind", "hecvat-4.1.4"], "Lakeside University", RECENT),
                             (done["northwind", "hecvat-full-3.06"], "Harbor State College", older)], "northwind")
        draft_figures(root, [(done["fernhill", "hecvat-4.1.4"], "Lakeside University", RECENT),
                             (done["fernhill", "hecvat-full-3.06"], "Harbor State College", older)], "fernhill (held out)")
        big_library_speed(root, done["northwind", "hecvat-4.1.4"], h3, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
