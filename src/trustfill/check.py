"""``trustfill check``: everything wrong with a workspace, located, in one pass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, nodes

from .answers import AnswerEngine
from .errors import Problem, ProfileError
from .templating import make_env, referenced_facts
from .workspace import Library, load_library, load_profile, shown

EXPIRY_WARNING_DAYS = 60
REVIEW_WARNING_DAYS = 30
LIBRARY_POSITIONS_BYTES = 2_000_000


@dataclass(frozen=True)
class CheckReport:
    """Result of checking a workspace."""

    workspace: str
    """Workspace folder checked."""
    profile: str | None
    """Profile checked against, if any."""
    entries: int
    """Bank entries loaded."""
    facts: int
    """Facts declared."""
    templates: int
    """Template files parsed."""
    evidence: int
    """Evidence documents indexed."""
    problems: tuple[Problem, ...]
    """Errors and warnings, in file order."""

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the check fail."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not fail the check."""
        return [p for p in self.problems if p.level == "warning"]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``--json``."""
        return {
            "workspace": self.workspace,
            "profile": self.profile,
            "counts": {"entries": self.entries, "facts": self.facts, "templates": self.templates, "evidence": self.evidence},
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [{"place": p.place, "level": p.level, "message": p.message} for p in self.problems],
        }


def check_workspace(lib: Library | None = None, *, workspace: Any = None, profile: Path | None = None,
                    today: dt.date | None = None) -> CheckReport:
    """Validate bank, templates, evidence and (when given or found) a profile and its answers."""
    if lib is None:
        lib = load_library(workspace)
    today = today or dt.date.today()
    problems: list[Problem] = list(lib.problems)
    env = make_env(lib.template_loader())
    templates = _check_templates(lib, env, problems)
    _check_entries(lib, problems, today)
    _check_evidence(lib, problems, today)
    profile = profile or lib.workspace.default_profile()
    if profile is not None and not any(p.level == "error" for p in problems):
        _check_profile(lib, env, profile, problems)
    return CheckReport(
        workspace=shown(lib.workspace.root), profile=shown(profile) if profile else None, entries=len(lib.entries),
        facts=len(lib.facts.decls), templates=templates, evidence=len(lib.evidence), problems=tuple(problems),
    )


def _undeclared(lib: Library, paths: set[str]) -> list[str]:
    declared = lib.facts.decls
    out = []
    for path in sorted(paths):
        if path in declared or any(d.startswith(path + ".") for d in declared):
            continue
        # ``hosting.regions.0`` style reads past a declared leaf are fine.
        if any(path.startswith(d + ".") for d in declared):
            continue
        out.append(path)
    return out


def _line_of(ast: nodes.Template, fact: str) -> int:
    root, _, rest = fact.partition(".")
    last = rest.rsplit(".", 1)[-1] if rest else None
    for node in ast.find_all((nodes.Getattr, nodes.Name)):
        if isinstance(node, nodes.Getattr) and last and node.attr == last:
            return node.lineno
        if isinstance(node, nodes.Name) and not last and node.name == root:
            return node.lineno
    return 1


def _check_templates(lib: Library, env: Any, problems: list[Problem]) -> int:
    seen: dict[str, nodes.Template | None] = {}
    for entry_id, entry in lib.entries.items():
        spec = entry.answer
        if spec.template is not None:
            name = spec.template
            if name not in seen:
                seen[name] = _parse_template(env, name, lib.place_of(entry_id, "answer", "template"), problems, lib)
            ast = seen[name]
            if ast is not None:
                if not {"short", "narrative"} <= {b.name for b in ast.find_all(nodes.Block)}:
                    problems.append(Problem(_template_place(env, name), "template needs both {% block short %} and {% block narrative %}"))
                for fact in _undeclared(lib, referenced_facts(ast)):
                    problems.append(Problem(f"{_template_place(env, name)}:{_line_of(ast, fact)}",
                                            f"uses fact '{fact}', which no question_bank file declares; declare it under 'facts:' or fix the name"))
        else:
            for i, case in enumerate(spec.cases or ()):
                for label, source in (("when", "{{ " + case.when + " }}" if case.when else None), ("narrative", case.narrative)):
                    if source is None:
                        continue
                    at = lib.place_of(entry_id, "answer", "cases", i, label)
                    try:
                        ast = env.parse(source)
                    except TemplateSyntaxError as exc:
                        problems.append(Problem(at, f"answer.cases[{i}].{label}: template syntax error: {exc.message}"))
                        continue
                    for fact in _undeclared(lib, referenced_facts(ast)):
                        problems.append(Problem(at, f"answer.cases[{i}].{label} uses fact '{fact}', which no question_bank file declares"))
    return len(seen)


def _template_place(env: Any, name: str) -> str:
    try:
        _, filename, _ = env.loader.get_source(env, name)
        return shown(Path(filename))
    except TemplateNotFound:
        return name


def _parse_template(env: Any, name: str, place: str, problems: list[Problem], lib: Library) -> nodes.Template | None:
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except TemplateNotFound:
        problems.append(Problem(place, f"answer template '{name}' does not exist under {shown(lib.workspace.templates_dir)}/"))
        return None
    try:
        return env.parse(source, name, filename)
    except TemplateSyntaxError as exc:
        problems.append(Problem(f"{shown(Path(filename))}:{exc.lineno}", f"template syntax error: {exc.message}"))
        return None


def _check_entries(lib: Library, problems: list[Problem], today: dt.date) -> None:
    for entry_id, entry in lib.entries.items():
        place = lib.place_of(entry_id, "id")
        for ref in entry.cites:
            if ref not in lib.evidence:
                problems.append(Problem(place, f"{entry_id}: cites '{ref}', which is not in evidence/index.yaml"))
        for rel in entry.implies:
            if rel.entry not in lib.entries:
                problems.append(Problem(place, f"{entry_id}: implies a relation with unknown entry '{rel.entry}'"))
        if entry.review_by is not None:
            if entry.review_by < today:
                problems.append(Problem(place, f"{entry_id}: review was due on {entry.review_by}; review the entry and move review_by forward"))
            elif (entry.review_by - today).days <= REVIEW_WARNING_DAYS:
                problems.append(Problem(place, f"{entry_id}: review due on {entry.review_by}", "warning"))


def _check_evidence(lib: Library, problems: list[Problem], today: dt.date) -> None:
    for evidence_id, item in lib.evidence.items():
        place = lib.evidence_places[evidence_id]
        if not (lib.workspace.evidence_dir / item.path).is_file():
            problems.append(Problem(place, f"{evidence_id}: file {item.path} does not exist under {shown(lib.workspace.evidence_dir)}/"))
        if item.valid_until is not None:
            if item.valid_until < today:
                problems.append(Problem(place, f"{evidence_id}: expired on {item.valid_until}; replace the document and update valid_until"))
            elif (item.valid_until - today).days <= EXPIRY_WARNING_DAYS:
                days = (item.valid_until - today).days
                problems.append(Problem(place, f"{evidence_id}: expires on {item.valid_until} (in {days} days); renew it", "warning"))


def _check_profile(lib: Library, env: Any, profile: Path, problems: list[Problem]) -> None:
    try:
        facts, _ = load_profile(lib, profile)
    except ProfileError as exc:
        problems.extend(exc.problems)
        return
    engine = AnswerEngine(lib.entries, facts, lib.evidence, env)
    where = shown(profile)
    unset: dict[str, list[str]] = {}
    for entry_id in lib.entries:
        result = engine.render(entry_id)
        if result.status == "needs_input":
            for fact in result.missing_facts:
                unset.setdefault(fact, []).append(entry_id)
        elif result.status == "error":
            problems.append(Problem(lib.place_of(entry_id, "id"), f"{entry_id}: {'; '.join(result.problems)}"))
    for fact, ids in sorted(unset.items()):
        listed = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        problems.append(Problem(where, f"fact '{fact}' is not set; {len(ids)} answer(s) need it: {listed}", "warning"))
    _check_consistency(lib, engine, problems)
    _check_answer_library(lib, engine, problems)


def _check_consistency(lib: Library, engine: AnswerEngine, problems: list[Problem]) -> None:
    for entry_id, entry in lib.entries.items():
        for rel in entry.implies:
            if rel.entry not in lib.entries:
                continue
            mine, theirs = engine.render(entry_id), engine.render(rel.entry)
            if mine.short == rel.if_short and theirs.short is not None and theirs.short not in rel.short:
                about = f" on fact '{rel.fact}'" if rel.fact else ""
                problems.append(Problem(lib.place_of(entry_id, "id"),
                                        f"{entry_id} answers '{mine.short}' but {rel.entry} answers '{theirs.short}' "
                                        f"(expected {' or '.join(rel.short)}): the answers contradict each other{about}"))



def _check_answer_library(lib: Library, engine: AnswerEngine, problems: list[Problem]) -> None:
    """Past answers (library/) that contradict what the profile renders today: stale before they are reused."""
    from .answer_library.store import library_dir, library_files, load_answer_library
    from .errors import WorkspaceError

    folder = library_dir(lib.workspace.root)
    if not library_files(folder):
        return
    # Positions need the slow YAML loader: worth it for a few files, not for fifty (then places name answers[i]).
    positions = sum(p.stat().st_size for p in library_files(folder)) <= LIBRARY_POSITIONS_BYTES
    try:
        library = load_answer_library(folder, shown(folder), positions=positions)
    except WorkspaceError as exc:
        problems.extend(exc.problems)
        return
    for past in library.answers:
        entry = lib.entries.get(past.entry_id) if past.entry_id and past.match in ("auto", "reviewer") else None
        if entry is None or past.normalised not in entry.answer.choices:
            continue
        now = engine.render(entry.id)
        if now.status == "ok" and now.short != past.normalised:
            problems.append(Problem(past.place, f"past answer '{past.normalised}' to {past.question[:80]!r} ({past.source()}) "
                                                f"contradicts the profile's answer today, '{now.short}' (entry {entry.id}); "
                                                "fix the profile or drop the stale answer before it is reused", "warning"))
    for conflict in library.conflicts():
        said = "; ".join(f"'{a.shown_short}' ({a.file} {a.cell})" for a in conflict.answers)
        problems.append(Problem(conflict.answers[0].place, f"{conflict.question[:80]!r} was answered differently: {said}",
                                "warning"))
