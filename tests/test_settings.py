"""trustfill.yaml: the matcher a workspace uses, and another sentence model's folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustfill.errors import WorkspaceError
from trustfill.session import open_session
from trustfill.settings import WorkspaceSettings, load_settings


def test_no_file_means_the_semantic_default(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == WorkspaceSettings()
    assert WorkspaceSettings().matcher == "semantic"


def test_an_unknown_key_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "trustfill.yaml").write_text("matcher: lexical\nmatch: semantic\n")
    with pytest.raises(WorkspaceError, match=r"trustfill\.yaml:2:1"):
        load_settings(tmp_path)


def test_a_bad_matcher_value_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "trustfill.yaml").write_text("matcher: neural\n")
    with pytest.raises(WorkspaceError, match=r"trustfill\.yaml:1:10"):
        load_settings(tmp_path)


def test_model_dir_is_relative_to_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "trustfill.yaml").write_text("model_dir: models/big\n")
    assert load_settings(tmp_path).model_dir == tmp_path / "models" / "big"


def test_the_workspace_setting_picks_the_lexical_matcher(mini_workspace: Path) -> None:
    (mini_workspace / "trustfill.yaml").write_text("matcher: lexical\n")
    session = open_session(mini_workspace)
    assert session.matcher.semantic is None
    assert open_session(mini_workspace, matcher="semantic").matcher.semantic is not None  # the flag wins


def test_a_model_dir_without_its_manifest_is_one_line(mini_workspace: Path) -> None:
    (mini_workspace / "models").mkdir()
    (mini_workspace / "trustfill.yaml").write_text("model_dir: models\n")
    with pytest.raises(WorkspaceError) as err:
        open_session(mini_workspace).build_matcher()
    assert "\n" not in str(err.value)
    assert "model.yaml: missing" in str(err.value)


def test_cli_matcher_lexical_and_the_semantic_explanation(run_cli, mini_workspace: Path) -> None:
    question = "Do you encrypt stored data?"
    code, out, _ = run_cli("answer", question, "-w", str(mini_workspace), "--json", "--matcher", "lexical")
    assert code == 0
    assert "semantic_similarity" not in json.loads(out)["match"]
    code, out, _ = run_cli("answer", question, "-w", str(mini_workspace), "--json")
    match = json.loads(out)["match"]
    assert match["entry"] == "crypto-at-rest"
    assert match["semantic_similarity"] > 0.9
    assert match["nearest_phrasing"] == "Do you encrypt stored data?"


def test_init_keeps_the_vector_cache_out_of_git(run_cli, tmp_path: Path) -> None:
    code, _, _ = run_cli("init", str(tmp_path / "ws"))
    assert code == 0
    assert ".trustfill-cache/" in (tmp_path / "ws" / ".gitignore").read_text().splitlines()


def test_check_reports_a_bad_settings_file(mini_workspace: Path) -> None:
    from trustfill.check import check_workspace

    (mini_workspace / "trustfill.yaml").write_text("matcher: neural\n")
    from trustfill.workspace import find_workspace

    errors = [str(p) for p in check_workspace(workspace=find_workspace(mini_workspace)).errors]
    assert any("trustfill.yaml:1:10" in e for e in errors), errors


def test_check_reports_a_model_dir_that_would_fail_the_first_fill(run_cli, mini_workspace: Path) -> None:
    (mini_workspace / "models").mkdir()
    (mini_workspace / "trustfill.yaml").write_text("model_dir: models\n")
    code, out, err = run_cli("check", str(mini_workspace))
    assert code != 0
    assert "model.yaml: missing" in out + err
    (mini_workspace / "trustfill.yaml").write_text("matcher: lexical\nmodel_dir: models\n")  # not used: not checked
    code, out, err = run_cli("check", str(mini_workspace))
    assert "model.yaml" not in out + err
