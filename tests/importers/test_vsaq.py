"""VSAQ template import: the JSON-ish syntax, what counts as a question, and errors with line:col."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustfill.errors import ImportFormatError
from trustfill.importers.interface import ImportOptions
from trustfill.importers.vsaq import VsaqImporter, clean_vsaq_text, looks_like_vsaq, strip_html
from trustfill.questionnaire import SlotKind

TEMPLATE = r"""
// Licence header, like the real templates.
/* a block comment */
{
  "questionnaire": [
    {
      "type": "block",
      "text": "Title block",
      "items": [
        {"type": "checkgroup", "id": "options", "defaultChoice": false,
         "choices": [{"req_sensitive": "<b>Sensitive</b> data"}]},
        {"type": "block", "id": "b1", "text": "Access <i>control</i>", "items": [
          {"type": "info", "text": "Why this matters // not a comment"},
          {"type": "line", "id": "app_name", "text": "Name of the " +
                                                     "application:"},
          {"type": "yesno", "id": "mfa", "text": "Do you use <a href='https://x.example/a//b'>MFA</a>?"},
          {"type": "radiogroup", "id": "sso", "text": "Do you support SSO?", "defaultChoice": false,
           "choices": [{"sso_yes": "Yes, SAML &amp; OIDC."}, {"sso_no": "No."}]},
          {"type": "tip", "id": "warn_sso", "cond": "sso_no", "warn": "yes", "why": "Explain:", "text": "SSO helps."},
          // a comment between items
          {"type": "checkgroup", "text": "Which logs do you keep?", "defaultChoice": false,
           "choices": [{"log_app": "Application"}, {"log_net": "Network"}]},
          {"type": "box", "id": "notes", "text": "Anything else?"}
        ]}
      ]
    }
  ]
}
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "mini.json"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def test_clean_strips_comments_outside_strings_and_joins_concatenations() -> None:
    text, origin = clean_vsaq_text('// c\n{"a": "x//y" + /* k */ "z", "b": 1} // tail')
    assert json.loads(text) == {"a": "x//yz", "b": 1}
    assert len(origin) == len(text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab/*+" \\\n')), max_size=40), st.text(max_size=20))
def test_clean_never_changes_string_contents(value: str, other: str) -> None:
    text, _ = clean_vsaq_text(json.dumps({"a": value, "b": [other]}))
    assert json.loads(text) == {"a": value, "b": [other]}


def test_strip_html_decodes_entities_and_drops_tags() -> None:
    assert strip_html("<p>Yes, SAML &amp; <b>OIDC</b>.</p><ul><li>one</li></ul>") == "Yes, SAML & OIDC. one"


def test_collect_counts_only_answerable_items(template: Path) -> None:
    q = VsaqImporter().collect(template, ImportOptions())
    assert [row.question_id for row in q.questions] == ["app_name", "mfa", "sso", "log_app", "notes"]
    assert q.format == "vsaq"
    assert q.layouts[0].questions == 5


def test_question_text_section_and_slots(template: Path) -> None:
    rows = {row.question_id: row for row in VsaqImporter().collect(template, ImportOptions()).questions}
    assert rows["app_name"].text == "Name of the application:"
    assert rows["app_name"].slots[0].kind is SlotKind.NARRATIVE
    assert rows["mfa"].text == "Do you use MFA?"
    assert rows["mfa"].slots[0].allowed == ("Yes", "No")
    assert rows["sso"].slots[0].allowed == ("Yes, SAML & OIDC.", "No.")
    assert rows["sso"].section == "Access control"
    assert rows["sso"].location == "item sso"
    # An id-less group is addressed by its first choice id.
    assert rows["log_app"].slots[0].address == "log_app"
    assert rows["log_app"].slots[0].allowed == ("Application", "Network")


def test_syntax_error_names_line_and_column_in_the_original_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('// header\n// more\n{"questionnaire": [\n  {"type": "block" "items": []}\n]}\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad\.json:4:20: not valid VSAQ JSON"):
        VsaqImporter().collect(path, ImportOptions())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b'{"foo": 1}', 'no top-level "questionnaire" list'),
        (b"\xff\xfe\x00junk", "not UTF-8 text"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        VsaqImporter().collect(path, ImportOptions())


def test_duplicate_ids_and_id_less_value_items_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        json.dumps({"questionnaire": [{"type": "block", "items": [
            {"type": "line", "id": "a", "text": "One?"},
            {"type": "line", "id": "a", "text": "Two?"},
            {"type": "box", "text": "No id?"},
        ]}]}),
        encoding="utf-8",
    )
    q = VsaqImporter().collect(path, ImportOptions())
    assert len(q.questions) == 2
    messages = " | ".join(p.message for p in q.problems)
    assert "appears twice" in messages
    assert "without an id" in messages


def test_content_sniffing(template: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"name": "package", "questionnaire_count": 3}', encoding="utf-8")
    assert looks_like_vsaq(template)
    assert not looks_like_vsaq(other)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "count"),
    [("infrastructure", 95), ("physical_and_datacenter", 29), ("security_privacy_programs", 45), ("webapp", 73)],
)
def test_real_templates(shared: Path, name: str, count: int) -> None:
    path = shared / f"vsaq-{name}.json"
    q = VsaqImporter().collect(path, ImportOptions())
    assert len(q.questions) == count
    assert not q.problems
    # Markup is gone; escaped code samples such as "&lt;script&gt;" legitimately stay as text.
    assert all(row.text and not re.search(r"</?(p|b|i|a|ul|li|br|code)\b", row.text) for row in q.questions)
    assert len({row.question_id for row in q.questions}) == count
