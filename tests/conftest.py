from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "questionnaires"


@pytest.fixture
def shared() -> Path:
    """The real questionnaires in ../shared/questionnaires; skips the test when absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/questionnaires is not present")
    return SHARED
