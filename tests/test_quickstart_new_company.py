"""The README quick start, followed for a new company, fills the shared HECVAT Lite with none of the example
companies' names or domains in any answer (the issue's done-when test)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from trustfill.check import example_markers
from trustfill.models import FactDecl
from trustfill.profiling import interview
from trustfill.workspace import Workspace, default_root, load_library

pytestmark = pytest.mark.shared

ZEPHYR = {
    "company.name": "Zephyr Analytics",
    "company.product": "Zephyr Insight",
    "company.legal_name": "Zephyr Analytics GmbH",
    "company.security_contact": "security@zephyranalytics.io",
    "company.website": "https://zephyranalytics.io",
    "company.headquarters": "Vienna, Austria",
    "company.incorporated_in": "Austria",
    "deployment.model": "saas",
    "hosting.provider": "Google Cloud",  # not an example company's provider, so a leaked one would show
    "hosting.regions": ["European Union"],
}


def zephyr_value(fact: str, decl: FactDecl) -> Any:
    """A value for every fact, each plainly Zephyr's own (the wording need not be good; it must not be borrowed)."""
    if fact in ZEPHYR:
        return ZEPHYR[fact]
    leaf = fact.split(".")[-1]
    words = leaf.replace("_", " ")
    if decl.type == "bool":
        return True
    if decl.type == "enum":
        return (decl.values or [])[0]
    if decl.type == "int":
        return 2019 if "year" in leaf else 30
    if decl.type == "date":
        return dt.date(2027, 6, 30)
    if decl.type == "list":
        return (decl.values or [])[:1] or [f"Zephyr {words}"]
    if leaf.endswith("url"):
        return f"https://zephyranalytics.io/{leaf}"
    if "contact" in leaf or "email" in leaf:
        return f"{leaf}@zephyranalytics.io"
    return f"Zephyr's {words}"


def _forbidden() -> list[str]:
    """The example companies' names, products and domains, and their hosting providers."""
    words: list[str] = []
    for path in sorted((default_root() / "examples").glob("*.yaml")):
        flat: dict[str, Any] = {}

        def walk(node: Any, prefix: tuple[str, ...], out: dict[str, Any] = flat) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, (*prefix, str(key)))
            else:
                out[".".join(prefix)] = node

        walk(yaml.safe_load(path.read_text()), ())
        words += [marker for marker, _ in example_markers(flat)]
        provider = str(flat.get("hosting.provider", "")).split("(")[0].strip()
        if provider and provider.lower() != "none":
            words.append(provider)
    assert {"Acme", "Acme Notes", "acmenotes.example", "Heroku", "Keystone", "Brightlane"} <= set(words)
    return sorted(set(words))


def _count(text: str, word: str) -> int:
    return len(re.findall(r"(?<![A-Za-z0-9])" + re.escape(word) + r"(?![A-Za-z0-9])", text, flags=re.IGNORECASE))


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))


def test_quick_start_fills_hecvat_lite_for_a_new_company_with_no_example_value(
    shared: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUSTFILL_WORKSPACE", raising=False)
    source = shared / "hecvat-lite-2.11.xlsx"
    if not source.is_file():
        pytest.skip("hecvat-lite-2.11.xlsx is not in ../shared/questionnaires")
    shutil.copyfile(source, tmp_path / "questionnaire.xlsx")

    # 1. trustfill init my-company
    code, _, err = run_cli("init", "my-company", cwd=tmp_path)
    assert code == 0, err
    # 2. trustfill profile my-company: the same interview, answered from Zephyr's facts instead of a keyboard
    lib = load_library(Workspace(tmp_path / "my-company"))
    asked: list[str] = []

    def ask(fact: str, decl: FactDecl, waiting: Any) -> Any:
        asked.append(fact)
        return zephyr_value(fact, decl)

    result = interview(lib, tmp_path / "my-company" / "profile.yaml", ask, where="my-company")
    assert result.unset == ()
    assert asked[:2] == ["deployment.model", "hosting.provider"]  # the deciding facts come first
    assert len(asked) == len(set(asked))  # nothing is asked twice
    # 3. trustfill check my-company: nothing borrowed from the examples
    code, out, err = run_cli("check", "my-company", cwd=tmp_path)
    assert code == 0, out + err
    assert "example company" not in out + err
    assert "copied word for word" not in out + err
    # 4. trustfill fill questionnaire.xlsx -w my-company -o answers.xlsx --report answers.json
    code, out, err = run_cli("fill", "questionnaire.xlsx", "-w", "my-company", "-o", "answers.xlsx",
                             "--report", "answers.json", cwd=tmp_path)
    assert code == 0, err
    report = json.loads((tmp_path / "answers.json").read_text())
    assert report["demo"] is False
    assert report["totals"]["auto"] > 20
    assert any("Zephyr" in (q["narrative"] or "") for q in report["questions"])

    answers = json.dumps([{k: q[k] for k in ("answer", "narrative", "facts", "evidence")} for q in report["questions"]])
    before, after = _xlsx_text(tmp_path / "questionnaire.xlsx"), _xlsx_text(tmp_path / "answers.xlsx")
    for word in _forbidden():
        assert _count(answers, word) == 0, f"the report's answers name {word!r}"
        # the customer's own text may name a provider; trustfill must add no mention of any
        assert _count(after, word) == _count(before, word), f"answers.xlsx gained {word!r}"
