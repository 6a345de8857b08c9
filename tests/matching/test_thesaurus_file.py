"""A thesaurus file people edit: every mistake is reported with its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustfill.errors import WorkspaceError
from trustfill.matching import Matcher, load_thesaurus

from .conftest import entry

GOOD = """\
stop_words: [the, do, you]
groups:
  - concept: mfa
    terms: [mfa, 2fa, two-factor authentication]
  - concept: widget
    terms: [widget, gizmo]
contrasts:
  - [mfa, widget]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thesaurus.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_custom_thesaurus_replaces_the_builtin(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    matcher = Matcher(
        [entry("w", "Do you sell widgets?"), entry("m", "Do you use 2FA?")], thesaurus_path=path
    )
    assert matcher.match("Do you sell gizmos?").candidates[0].entry_id == "w"
    assert load_thesaurus(path).analyze("the gizmo").terms == ("@widget",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("stop_words", "stopwords"),
            r"thesaurus.yaml:1:1: stopwords: unknown key; did you mean 'stop_words'\?",
        ),
        (
            GOOD.replace("[widget, gizmo]", "[widget, 2fa]"),
            r"thesaurus.yaml:6:21: groups\[1\].terms\[1\]: '2fa' already belongs to concept 'mfa' \(at .*thesaurus.yaml:4:18\)",
        ),
        (
            GOOD.replace("[widget, gizmo]", "[widget, the you]"),
            r"thesaurus.yaml:6:21: .*'the you' is nothing but stop words",
        ),
        (
            GOOD.replace("[mfa, widget]", "[mfa, widgets]"),
            r"thesaurus.yaml:8:11: contrasts\[0\]\[1\]: no group has concept 'widgets'; did you mean 'widget'\?",
        ),
        (
            GOOD.replace("concept: widget", "concept: mfa"),
            r"thesaurus.yaml:5:14: groups\[1\].concept: 'mfa' is already a group",
        ),
        (
            GOOD.replace("concept: widget", "concept: Widget!"),
            r"thesaurus.yaml:5:14: groups\[1\].concept: 'Widget!' does not match",
        ),
        ("groups:\n  - concept: mfa\n\tterms: [mfa]\n", r"thesaurus.yaml:3:1: a tab character"),
    ],
)
def test_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WorkspaceError, match=message):
        load_thesaurus(path)


def test_a_missing_file_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="cannot read the thesaurus"):
        load_thesaurus(tmp_path / "nope.yaml")
