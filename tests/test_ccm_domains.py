"""The bundled bank covers every CSA CCM v4 domain, and CCM ids are spelled as domain-number (benchmarks/ccm_domains.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from trustfill.workspace import find_workspace, load_library

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "ccm_domains.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ccm_domains", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_ccm_domain_has_an_entry_and_no_id_is_misspelt(script: ModuleType) -> None:
    entries = load_library(find_workspace(REPO)).entries
    entries_by, _, unknown = script.domain_counts(entries)
    assert unknown == []
    assert [d for d in script.DOMAINS if not entries_by[d]] == []


def test_counts_an_entry_once_per_domain_and_reports_unknown_prefixes(script: ModuleType) -> None:
    entries = {
        "a": SimpleNamespace(frameworks={"CCM v4": ["CEK-10", "CEK-12", "A&A-01"]}),
        "b": SimpleNamespace(frameworks={"CCM v4": ["CEK-10"], "ISO 27001": ["A.8.24"]}),
        "c": SimpleNamespace(frameworks={"CCM v4": ["XYZ-01"]}),
    }
    entries_by, controls_by, unknown = script.domain_counts(entries)
    assert entries_by["CEK"] == {"a", "b"}
    assert controls_by["CEK"] == {"CEK-10", "CEK-12"}
    assert entries_by["A&A"] == {"a"}
    assert unknown == ["c: XYZ-01"]
