"""VSAQ answers file: choice captions become checked choice ids, yes/no become VSAQ's values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustfill.errors import OutputError
from trustfill.exporters.interface import SlotWrite
from trustfill.exporters.vsaq_answers import write_vsaq_answers
from trustfill.importers.interface import ImportOptions
from trustfill.importers.vsaq import VsaqImporter

TEMPLATE = {
    "questionnaire": [
        {
            "type": "block",
            "items": [
                {"type": "line", "id": "app_name", "text": "Name?"},
                {"type": "yesno", "id": "mfa", "text": "MFA?"},
                {"type": "radiogroup", "id": "sso", "text": "SSO?", "choices": [{"sso_yes": "Yes, SAML."}, {"sso_no": "No."}]},
                {"type": "checkgroup", "text": "Logs?", "choices": [{"log_app": "Application"}, {"log_net": "Network"}]},
                {"type": "check", "id": "agree", "text": "Agree?"},
            ],
        }
    ]
}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "t.json"
    path.write_text("// c\n" + json.dumps(TEMPLATE), encoding="utf-8")
    return path


def test_values_follow_the_vsaq_answer_format(template: Path, tmp_path: Path) -> None:
    dest = tmp_path / "answers.json"
    writes = [
        SlotWrite("app_name", "Acme Portal"),
        SlotWrite("mfa", "Yes"),
        SlotWrite("sso", "Yes"),  # first word matches exactly one choice
        SlotWrite("log_app", "Application\nNetwork"),
        SlotWrite("agree", "No"),
    ]
    write_vsaq_answers(dest, writes, template=template)
    assert json.loads(dest.read_text(encoding="utf-8")) == {
        "app_name": "Acme Portal",
        "mfa": "yes",
        "sso_yes": "checked",
        "log_app": "checked",
        "log_net": "checked",
        "agree": "",
    }


def test_addresses_from_the_importer_round_trip(template: Path, tmp_path: Path) -> None:
    q = VsaqImporter().collect(template, ImportOptions())
    writes = [SlotWrite(row.slots[0].address, (row.slots[0].allowed or ("text",))[-1]) for row in q.questions]
    dest = tmp_path / "a.json"
    write_vsaq_answers(dest, writes, template=template)
    assert json.loads(dest.read_text(encoding="utf-8")) == {
        "app_name": "text", "mfa": "no", "sso_no": "checked", "log_net": "checked", "agree": "",
    }


def test_value_outside_the_choices_is_an_error(template: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"item sso: 'Maybe' is not one of its choices \(Yes, SAML\.; No\.\)"):
        write_vsaq_answers(tmp_path / "a.json", [SlotWrite("sso", "Maybe")], template=template)


def test_unknown_item_is_an_error(template: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="item nope: no such answerable item"):
        write_vsaq_answers(tmp_path / "a.json", [SlotWrite("nope", "x")], template=template)


def test_without_template_values_are_written_as_given(tmp_path: Path) -> None:
    dest = tmp_path / "a.json"
    write_vsaq_answers(dest, [SlotWrite("app_name", "Ünïcode ✓")])
    assert json.loads(dest.read_text(encoding="utf-8")) == {"app_name": "Ünïcode ✓"}
