"""Find and load a workspace: question bank, fact declarations, profile, templates and evidence index."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import ChoiceLoader, PrefixLoader

from ._validate import validate_located
from ._yaml import Located, YamlLoadError, load_file
from .errors import BankFormatError, EvidenceError, Problem, ProfileError, WorkspaceError
from .facts import FactSchema, validate_profile
from .models import BankEntry, BankFile, EvidenceIndex, EvidenceItem, FactDecl
from .templating import ConfinedLoader

BANK_DIR = "question_bank"
TEMPLATES_DIR = "answer_templates"
EVIDENCE_DIR = "evidence"
EVIDENCE_INDEX = "index.yaml"
PROFILE_FILE = "profile.yaml"
MAPPINGS_FILE = "mappings.yaml"
# The bundled example company's profile: used only by --demo, never in place of a missing profile.
DEMO_PROFILE = "examples/saas-heroku.yaml"
DEFAULT_PROFILE = DEMO_PROFILE
ENV_WORKSPACE = "TRUSTFILL_WORKSPACE"
M = TypeVar("M", BankFile, EvidenceIndex)


def default_root() -> Path:
    """The bundled default workspace: package data in a wheel, the repository in a source checkout."""
    data = Path(str(resources.files("trustfill"))) / "data"
    if (data / BANK_DIR).is_dir():
        return data
    repo = Path(__file__).resolve().parents[2]
    if (repo / BANK_DIR).is_dir():
        return repo
    raise WorkspaceError(f"{data}: the bundled default bank is missing; reinstall trustfill")


def shown(path: Path) -> str:
    """A path as the user should read it: relative to the current directory when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


@dataclass(frozen=True)
class Workspace:
    """Where a bank, its templates, its evidence and a profile live."""

    root: Path
    """The workspace folder."""
    is_default: bool = False
    """True for the bundled default content."""
    found_by: str = "given"
    """How it was chosen, as the first line of each command tells the user: -w, TRUSTFILL_WORKSPACE, ..."""

    @property
    def bank_dir(self) -> Path:
        """question_bank/"""
        return self.root / BANK_DIR

    @property
    def templates_dir(self) -> Path:
        """answer_templates/"""
        return self.root / TEMPLATES_DIR

    @property
    def evidence_dir(self) -> Path:
        """evidence/"""
        return self.root / EVIDENCE_DIR

    @property
    def mappings_path(self) -> Path:
        """Reviewer decisions learned for matching."""
        return self.root / MAPPINGS_FILE

    def default_profile(self) -> Path | None:
        """profile.yaml in the workspace, or None.

        Never an example profile: a fictional company's facts standing in silently would put false statements
        into a customer's questionnaire (a repository checkout included).
        """
        own = self.root / PROFILE_FILE
        return own if own.is_file() else None

    def describe(self) -> str:
        """The workspace as the first line of a command names it."""
        if self.is_default and self.found_by == "bundled":
            return "bundled default bank (no workspace)"
        return shown(self.root) if self.found_by == "given" else f"{shown(self.root)} ({self.found_by})"


def find_workspace(path: Path | None = None) -> Workspace:
    """``path`` if given; else $TRUSTFILL_WORKSPACE; else the current directory when it holds a question_bank/;
    else the bundled default."""
    if path is not None:
        if not (path / BANK_DIR).is_dir():
            raise WorkspaceError(f"{shown(path)}: not a trustfill workspace (no {BANK_DIR}/ folder); create one with 'trustfill init {path}'")
        return Workspace(path.resolve())
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        root = Path(env).expanduser()
        if not (root / BANK_DIR).is_dir():
            raise WorkspaceError(f"{ENV_WORKSPACE}={env}: not a trustfill workspace (no {BANK_DIR}/ folder); "
                                 f"create one with 'trustfill init {env}' or unset {ENV_WORKSPACE}")
        return Workspace(root.resolve(), found_by=ENV_WORKSPACE)
    cwd = Path.cwd()
    if (cwd / BANK_DIR).is_dir():
        root = default_root()
        return Workspace(cwd, is_default=cwd.resolve() == root.resolve(), found_by="current folder")
    return Workspace(default_root(), is_default=True, found_by="bundled")


@dataclass
class Library:
    """A loaded bank: entries, facts, evidence, and every problem found while loading."""

    workspace: Workspace
    entries: dict[str, BankEntry] = field(default_factory=dict)
    entry_sources: dict[str, tuple[str, int]] = field(default_factory=dict)
    facts: FactSchema = field(default_factory=lambda: FactSchema({}, {}))
    evidence: dict[str, EvidenceItem] = field(default_factory=dict)
    evidence_places: dict[str, str] = field(default_factory=dict)
    files: dict[str, Located] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def place_of(self, entry_id: str, *sub: str | int) -> str:
        """``path:line:col`` of a key inside an entry, e.g. ``place_of(id, 'answer', 'template')``."""
        name, index = self.entry_sources[entry_id]
        return self.files[name].place(("entries", index, *sub))

    def template_loader(self) -> ChoiceLoader:
        """Workspace templates first, then built-ins; built-ins also reachable as ``default:name``."""
        default = default_root() / TEMPLATES_DIR
        loaders: list[Any] = []
        if self.workspace.templates_dir.is_dir():
            loaders.append(ConfinedLoader(str(self.workspace.templates_dir)))
        loaders.append(PrefixLoader({"default": ConfinedLoader(str(default))}, delimiter=":"))
        if default != self.workspace.templates_dir:
            loaders.append(ConfinedLoader(str(default)))
        return ChoiceLoader(loaders)


def bank_files(bank_dir: Path) -> list[Path]:
    """Every YAML file under the bank folder, in a stable order."""
    return sorted(p for p in bank_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_library(workspace: Workspace) -> Library:
    """Load bank files and the evidence index; problems are collected, not raised."""
    lib = Library(workspace)
    if not workspace.bank_dir.is_dir():
        lib.problems.append(Problem(shown(workspace.bank_dir), "question bank folder is missing"))
        return lib
    decls: dict[str, FactDecl] = {}
    origins: dict[str, str] = {}
    for path in bank_files(workspace.bank_dir):
        loaded = _load_model(lib, path, BankFile)
        if loaded is None:
            continue
        bank, located = loaded
        for fact, decl in bank.facts.items():
            place = located.place(("facts", fact), key=True)
            if fact in decls and decls[fact] != decl:
                lib.problems.append(Problem(place, f"fact '{fact}' is declared again, differently (first at {origins[fact]}); keep one declaration"))
                continue
            decls.setdefault(fact, decl)
            origins.setdefault(fact, place)
        for i, entry in enumerate(bank.entries):
            if entry.id in lib.entries:
                first = lib.place_of(entry.id, "id")
                lib.problems.append(Problem(located.place(("entries", i, "id")), f"duplicate id '{entry.id}' (first defined at {first}); ids must be unique across the bank"))
                continue
            lib.entries[entry.id] = entry
            lib.entry_sources[entry.id] = (located.path, i)
    lib.facts = FactSchema(decls, origins)
    lib.problems.extend(lib.facts.conflicts())
    _load_evidence(lib)
    return lib


def _load_model(lib: Library, path: Path, model: type[M]) -> tuple[M, Located] | None:
    """Load and validate one file, recording its problems in ``lib``; None when it is unusable."""
    name = shown(path)
    try:
        located = load_file(path, name)
    except YamlLoadError as exc:
        lib.problems.append(exc.problem)
        return None
    lib.files[name] = located
    parsed, problems = validate_located(model, located)
    lib.problems.extend(problems)
    return (parsed, located) if parsed is not None else None


def _load_evidence(lib: Library) -> None:
    index = lib.workspace.evidence_dir / EVIDENCE_INDEX
    if not index.is_file():
        return
    loaded = _load_model(lib, index, EvidenceIndex)
    if loaded is None:
        return
    model, located = loaded
    for i, item in enumerate(model.documents):
        place = located.place(("documents", i, "id"))
        if item.id in lib.evidence:
            lib.problems.append(Problem(place, f"duplicate evidence id '{item.id}' (first at {lib.evidence_places[item.id]})"))
            continue
        lib.evidence[item.id] = item
        lib.evidence_places[item.id] = place


def require_clean(lib: Library) -> Library:
    """Raise the right error when loading found problems (errors only; warnings pass)."""
    errors = [p for p in lib.problems if p.level == "error"]
    if not errors:
        return lib
    first = errors[0].place
    cls: type[WorkspaceError] = EvidenceError if EVIDENCE_DIR in first and BANK_DIR not in first else BankFormatError
    raise cls.from_problems(errors)


def load_profile(lib: Library, path: Path) -> tuple[dict[str, Any], Located]:
    """Load and validate a profile against the bank's declared facts; raise ProfileError listing every problem."""
    name = shown(path)
    try:
        located = load_file(path, name)
    except YamlLoadError as exc:
        raise ProfileError.from_problems([exc.problem]) from exc
    facts, problems = validate_profile(located, lib.facts)
    if problems:
        raise ProfileError.from_problems(problems)
    return facts, located


def init_workspace(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the bundled bank, templates and evidence into ``dest`` and write a blank profile for the user's own
    company (kept when one exists); return what was created."""
    import shutil

    from .errors import OutputError

    if (dest / BANK_DIR).exists() and not force:
        raise OutputError(f"{shown(dest)}: already holds a {BANK_DIR}/ folder; use --force to replace the defaults in it")
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"{shown(dest)}: exists and is not a folder")
    if dest.is_symlink() and not dest.exists():
        raise OutputError(f"{shown(dest)}: is a symlink to {os.readlink(dest)}, which does not exist; create the folder or choose another")
    root = default_root()
    created = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for name in (BANK_DIR, TEMPLATES_DIR, EVIDENCE_DIR):
            target = dest / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            created.append(target)
        # the bank-vector cache (see trustfill.matching.embedding) is rebuilt on demand: keep it out of version control
        ignore = dest / ".gitignore"
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
        if ".trustfill-cache/" not in lines:
            ignore.write_text("\n".join([*lines, ".trustfill-cache/"]) + "\n", encoding="utf-8")
            created.append(ignore)
        profile = dest / PROFILE_FILE
        # Never the example company's profile: its values read as true statements once copied. The user's own
        # profile is their data, so even --force keeps it.
        if not profile.exists():
            from .profiling import write_profile

            write_profile(require_clean(load_library(Workspace(dest.resolve()))), profile, {}, where=shown(dest))
            created.append(profile)
    except shutil.Error as exc:
        raise OutputError(f"{shown(dest)}: cannot create the workspace: {str(exc)[:300]}") from exc
    except OSError as exc:
        where = exc.filename or dest
        raise OutputError(f"{shown(Path(where))}: cannot create the workspace: {exc.strerror or exc}") from exc
    return created
