"""Every command the README shows, run on a real file: a crash (exit 70) anywhere fails here, not at a user's desk."""

from __future__ import annotations

import importlib.util
import io
import re
import shlex
from pathlib import Path

import pytest

from trustfill.cli import cli
from trustfill.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def _build_questionnaire(dest: Path) -> Path:
    spec = importlib.util.spec_from_file_location("mkq", REPO / "examples" / "make_example_questionnaire.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    dest.parent.mkdir(parents=True, exist_ok=True)
    return module.build(dest)


def readme_commands() -> list[list[str]]:
    """The trustfill invocations of the README's sh blocks, in order, as argument lists."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)\n\s*```", README.read_text(), flags=re.S):
        for line in block.splitlines():
            line = line.split(" # ")[0].strip()
            for part in line.split("&&"):
                words = shlex.split(part.strip())
                if words and Path(words[0]).name == "trustfill":
                    commands.append(words[1:])
    return commands


def test_the_readme_shows_the_quick_start_commands() -> None:
    names = [c[0] for c in readme_commands()]
    assert names == ["fill", "init", "profile", "check", "fill", "learn"]


def test_every_readme_command_runs_on_a_real_file(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTFILL_WORKSPACE", raising=False)
    _build_questionnaire(tmp_path / "examples" / "acme-customer-questionnaire.xlsx")
    _build_questionnaire(tmp_path / "questionnaire.xlsx")
    for args in readme_commands():
        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # the interview: stop at once, as if the person left
        code, _, err = run_cli(*args, cwd=tmp_path)
        assert code != ExitCode.INTERNAL, f"trustfill {' '.join(args)} crashed: {err}"
        assert code == 0, f"trustfill {' '.join(args)}: exit {code}: {err}"
    assert (tmp_path / "acme-answers.xlsx").is_file()
    assert (tmp_path / "answers.xlsx").is_file()
    assert (tmp_path / "my-company" / "profile.yaml").is_file()


def test_every_command_runs_on_a_real_file(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTFILL_WORKSPACE", raising=False)
    q = str(_build_questionnaire(tmp_path / "q.xlsx"))
    ws = str(tmp_path / "ws")
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ("init", ws),
        ("profile", ws),
        ("check", ws),
        ("check", ws, "--json", "--strict"),
        ("schema", "bank"),
        ("schema", "profile", "-w", ws),
        ("schema", "evidence"),
        ("inspect", q),
        ("inspect", q, "--json", "--all"),
        ("match", q, "-w", ws),
        ("match", q, "-w", ws, "--explain"),
        ("match", q, "-w", ws, "--json", "--explain"),
        ("match", q, "--demo"),
        ("answer", "Is customer data encrypted at rest?", "-w", ws),
        ("answer", "Is customer data encrypted at rest?", "--demo", "--json"),
        ("fill", q, "-w", ws, "-o", str(out / "a.xlsx"), "--report", str(out / "a.json")),
        ("fill", q, "--demo", "-o", str(out / "d.xlsx"), "--review-mode", "fill"),
        *[("fill", q, "--demo", "-o", str(out / f"d-{fmt}.{fmt}"), "--format", fmt) for fmt in ("docx", "md", "csv", "json")],
        ("fill", q, "--demo", "-o", str(out / "x.xlsx"), "--format", "xlsx", "--review-file", str(out / "r.xlsx")),
        ("fill", q, "-w", ws, "-o", str(out / "i.xlsx"), "--internal", "--review-in-file"),
        ("entry", "ai-training-customer-data", "-w", ws),
        ("entry", "ai-training-customer-data", "-w", ws, "--json", "--profile", str(Path(ws) / "profile.yaml")),
        ("learn", "Do you train AI models on our data?", "ai-training-customer-data", "-w", ws),
        ("learn", "--from", str(out / "a.review.xlsx"), "-w", ws),
        ("harvest", str(out / "a.xlsx"), "-w", ws, "--customer", "Example University", "--date", "2026-11-01"),
    ]
    assert {r[0] for r in runs} == set(cli.commands), "a command is missing from this list"
    for args in runs:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        code, _, err = run_cli(*args, cwd=tmp_path)
        assert code != ExitCode.INTERNAL, f"trustfill {' '.join(args)} crashed: {err}"
        assert code in (0, 1), f"trustfill {' '.join(args)}: exit {code}: {err}"
