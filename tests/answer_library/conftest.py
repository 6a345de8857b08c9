from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

NORTHWIND = Path(__file__).with_name("northwind.py")


def load_northwind() -> ModuleType:
    """The made-up company's completed-questionnaire writer (a helper module, not a test)."""
    spec = importlib.util.spec_from_file_location("northwind", NORTHWIND)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def northwind() -> ModuleType:
    return load_northwind()
