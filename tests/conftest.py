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


MINI_BANK = """\
facts:
  deployment.model:
    type: enum
    values: [saas, on_prem]
    description: How customers run the product.
  crypto.at_rest:
    type: bool
    description: Customer data is encrypted at rest.
  company.name:
    type: str
    description: Company name.
entries:
  - id: crypto-at-rest
    question: Is customer data encrypted at rest?
    aliases:
      - Do you encrypt stored data?
    category: Cryptography
    explanation: Asks whether stored data is encrypted.
    rationale: Stolen disks stay unreadable.
    cites: [crypto-policy]
    answer:
      template: crypto/at-rest.j2
  - id: crypto-aes256
    question: Is data at rest encrypted with AES-256?
    category: Cryptography
    explanation: Asks for the cipher.
    rationale: Weak ciphers fall.
    implies:
      - {if_short: "Yes", entry: crypto-at-rest, short: ["Yes"], fact: crypto.at_rest}
    answer:
      cases:
        - when: "deployment.model == 'on_prem'"
          short: N/A
          narrative: The customer runs the software.
        - short: "Yes"
          narrative: Yes. {{ company.name }} encrypts data at rest with AES-256.
"""

MINI_TEMPLATE = """\
{% block short %}{% if deployment.model == 'on_prem' %}N/A{% else %}{{ crypto.at_rest | yesno }}{% endif %}{% endblock %}
{% block narrative %}
{% if deployment.model == 'on_prem' %}Not applicable: the customer runs the software.
{% elif crypto.at_rest %}Yes. {{ company.name }} encrypts customer data at rest.{{ cite('crypto-policy') }}
{% else %}No. Customer data is not encrypted at rest.
{% endif %}
{% endblock %}
"""

MINI_EVIDENCE = """\
documents:
  - id: crypto-policy
    title: Cryptography Policy
    path: docs/crypto.md
    owner: security@example.com
    valid_until: 2030-01-01
    visibility: nda
"""

MINI_PROFILE = """\
company:
  name: Example Co
deployment:
  model: saas
crypto:
  at_rest: true
"""


@pytest.fixture
def mini_workspace(tmp_path: Path) -> Path:
    """A tiny, valid workspace built in code."""
    return build_mini_workspace(tmp_path / "ws")


def build_mini_workspace(root: Path) -> Path:
    """The tiny workspace of :func:`mini_workspace` at ``root`` (for tests that cannot take a fixture)."""
    (root / "question_bank").mkdir(parents=True)
    (root / "answer_templates" / "crypto").mkdir(parents=True)
    (root / "evidence" / "docs").mkdir(parents=True)
    (root / "question_bank" / "core.yaml").write_text(MINI_BANK)
    (root / "answer_templates" / "crypto" / "at-rest.j2").write_text(MINI_TEMPLATE)
    (root / "evidence" / "index.yaml").write_text(MINI_EVIDENCE)
    (root / "evidence" / "docs" / "crypto.md").write_text("placeholder\n")
    (root / "profile.yaml").write_text(MINI_PROFILE)
    return root


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Run the real CLI entry point; return (exit code, stdout, stderr)."""
    from trustfill.cli import main

    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        # Away from the repository by default, so the bundled default workspace is what a bare command sees.
        monkeypatch.chdir(cwd if cwd is not None else tmp_path_factory.mktemp("cwd"))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(autouse=True)
def _vector_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Bank vectors of the bundled workspace go to a per-run folder, never the user's cache."""
    monkeypatch.setenv("TRUSTFILL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "trustfill-cache"))


def _caiq_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_caiq_v4", REPO / "examples" / "make_caiq_v4.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def caiq_builder():
    """examples/make_caiq_v4.py as a module: ``build(path)``, ``rows()``, the layout constants."""
    return _caiq_builder()


@pytest.fixture
def caiq_v4(tmp_path: Path, caiq_builder) -> Path:
    """A synthetic CSA CAIQ v4 workbook (the real layout, our own question texts), built in code."""
    return caiq_builder.build(tmp_path / "caiq-v4.xlsx")
