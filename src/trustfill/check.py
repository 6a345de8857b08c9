"""``trustfill check``: everything wrong with a workspace, located, in one pass."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, nodes

from .answers import AnswerEngine
from .errors import Problem, ProfileError, WorkspaceError
from .templating import TemplateOutsideRoot, make_env, referenced_facts
from .workspace import Library, load_library, load_profile, shown

EXPIRY_WARNING_DAYS = 60
REVIEW_WARNING_DAYS = 30
# The bundled evidence files are stand-ins; each has a line starting with this. A real document does not.
PLACEHOLDER_MARK = "Placeholder."
# A value copied word for word from an example profile is flagged when at least this long: shorter ones
# ("none", "United States") are as likely true of any company.
VERBATIM_MIN_CHARS = 30
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
    unset_facts: int = 0
    """Facts the profile does not set that some answer needs."""

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
            "counts": {"entries": self.entries, "facts": self.facts, "templates": self.templates, "evidence": self.evidence,
                       "unset_facts": self.unset_facts},
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
    _check_settings(lib, problems)
    profile = profile or lib.workspace.default_profile()
    unset = 0
    if profile is not None and not any(p.level == "error" for p in problems):
        unset = _check_profile(lib, env, profile, problems)
    return CheckReport(
        workspace=shown(lib.workspace.root), profile=shown(profile) if profile else None, entries=len(lib.entries),
        facts=len(lib.facts.decls), templates=templates, evidence=len(lib.evidence), problems=tuple(problems),
        unset_facts=unset,
    )


def _check_settings(lib: Library, problems: list[Problem]) -> None:
    """``trustfill.yaml``: its keys and values, and another model's folder (manifest, files and their hashes), which
    would otherwise fail only at the first fill."""
    from .settings import load_settings

    try:
        settings = load_settings(lib.workspace.root)
        if settings.model_dir is not None and settings.matcher == "semantic":
            from .matching.embedding import load_encoder, model_files_from_dir

            load_encoder(model_files_from_dir(settings.model_dir))
    except WorkspaceError as exc:
        problems.extend(exc.problems or (Problem(str(lib.workspace.root / "trustfill.yaml"), str(exc)),))


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
        if entry.negation is not None and entry.negation.narrative:
            # the inverted narrative is a template too: a typo in it must fail check, not a fill
            _lint_source(lib, env, lib.place_of(entry_id, "negation", "narrative"), "negation.narrative",
                         entry.negation.narrative, problems)
            bad = sorted(set(entry.negation.short) - set(spec.choices)) + sorted(set(entry.negation.short.values()) - set(spec.choices))
            if bad:
                problems.append(Problem(lib.place_of(entry_id, "negation", "short"),
                                        f"negation.short uses {', '.join(bad)}, not among the choices {', '.join(spec.choices)}"))
        if spec.template is None:
            for i, case in enumerate(spec.cases or ()):
                for label, source in (("when", "{{ " + case.when + " }}" if case.when else None), ("narrative", case.narrative)):
                    if source is None:
                        continue
                    _lint_source(lib, env, lib.place_of(entry_id, "answer", "cases", i, label), f"answer.cases[{i}].{label}",
                                 source, problems)
        _check_ssrm_sources(lib, env, entry_id, entry, problems)
    return len(seen)


def _lint_source(lib: Library, env: Any, at: str, label: str, source: str, problems: list[Problem]) -> None:
    """One inline Jinja source of an entry: it parses, and reads only declared facts."""
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        problems.append(Problem(at, f"{label}: template syntax error: {exc.message}"))
        return
    for fact in _undeclared(lib, referenced_facts(ast)):
        problems.append(Problem(at, f"{label} uses fact '{fact}', which no question_bank file declares"))


def _check_ssrm_sources(lib: Library, env: Any, entry_id: str, entry: Any, problems: list[Problem]) -> None:
    """Ownership cases and the customer-responsibility template read only declared facts."""
    sources: list[tuple[tuple[Any, ...], str, str]] = []
    if entry.customer_responsibility:
        sources.append((("customer_responsibility",), "customer_responsibility", entry.customer_responsibility))
    for i, case in enumerate(getattr(entry.ownership, "cases", None) or ()):
        if case.when:
            sources.append((("ownership", "cases", i, "when"), f"ownership.cases[{i}].when", "{{ " + case.when + " }}"))
    for path, label, source in sources:
        _lint_source(lib, env, lib.place_of(entry_id, *path), label, source, problems)
    if entry.policy_family is not None and not any(e.covers for e in lib.evidence.values()):
        problems.append(Problem(lib.place_of(entry_id, "id"), f"{entry_id}: a policy-family entry, but no document in "
                                "evidence/index.yaml lists the topics it covers (covers:); every such question goes to review",
                                "warning"))


def _template_place(env: Any, name: str) -> str:
    try:
        _, filename, _ = env.loader.get_source(env, name)
        return shown(Path(filename))
    except (TemplateNotFound, TemplateOutsideRoot):
        return name


def _parse_template(env: Any, name: str, place: str, problems: list[Problem], lib: Library) -> nodes.Template | None:
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except TemplateNotFound:
        problems.append(Problem(place, f"answer template '{name}' does not exist under {shown(lib.workspace.templates_dir)}/"))
        return None
    except TemplateOutsideRoot as exc:
        problems.append(Problem(place, str(exc)))
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
        root = Path(os.path.realpath(lib.workspace.evidence_dir))
        real = Path(os.path.realpath(lib.workspace.evidence_dir / item.path))
        if root not in real.parents:
            problems.append(Problem(place, f"{evidence_id}: file {item.path} resolves to {real}, outside "
                                           f"{shown(lib.workspace.evidence_dir)}/ (a symlink or '..'?); keep evidence inside it"))
        elif not real.is_file():
            problems.append(Problem(place, f"{evidence_id}: file {item.path} does not exist under {shown(lib.workspace.evidence_dir)}/"))
        elif is_placeholder(real):
            problems.append(Problem(place, f"{evidence_id}: {item.path} is still the placeholder trustfill ships; "
                                           "replace it with your real document before answers cite it", "warning"))
        if item.valid_until is not None:
            if item.valid_until < today:
                problems.append(Problem(place, f"{evidence_id}: expired on {item.valid_until}; replace the document and update valid_until"))
            elif (item.valid_until - today).days <= EXPIRY_WARNING_DAYS:
                days = (item.valid_until - today).days
                problems.append(Problem(place, f"{evidence_id}: expires on {item.valid_until} (in {days} days); renew it", "warning"))


def is_placeholder(path: Path) -> bool:
    """True for an evidence file that is still a bundled stand-in (a line starts with ``Placeholder.``)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return any(line.startswith(PLACEHOLDER_MARK) for line in head.splitlines())


def _check_profile(lib: Library, env: Any, profile: Path, problems: list[Problem]) -> int:
    """Problems of the profile and of every answer under it; returns how many needed facts it leaves unset."""
    from .profiling import blocked_reads

    try:
        facts, located = load_profile(lib, profile)
    except ProfileError as exc:
        problems.extend(exc.problems)
        return 0
    engine = AnswerEngine(lib.entries, facts, lib.evidence, env)
    where = shown(profile)
    for entry_id in lib.entries:
        result = engine.render(entry_id)
        if result.status == "error":
            problems.append(Problem(lib.place_of(entry_id, "id"), f"{entry_id}: {'; '.join(result.problems)}"))
    _check_example_values(profile, facts, located, problems)
    # Every fact at once: rendering stops at the first missing fact, so the facts read further on are added.
    unset = blocked_reads(lib, facts, env)
    for fact, ids in unset.items():
        listed = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        problems.append(Problem(where, f"fact '{fact}' is not set; {len(ids)} answer(s) wait for it: {listed}", "warning"))
    _check_consistency(lib, engine, problems)
    _check_answer_library(lib, engine, problems)
    return len(unset)


def _example_profiles() -> dict[str, dict[str, Any]]:
    """The bundled example profiles' facts by dotted name, by example path as shown."""
    import yaml

    from .workspace import default_root

    out: dict[str, dict[str, Any]] = {}
    for path in sorted((default_root() / "examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        flat: dict[str, Any] = {}
        _flatten(data, (), flat)
        out[path.name] = {"path": path, "facts": flat}
    return out


def _flatten(node: Any, prefix: tuple[str, ...], out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, (*prefix, str(key)), out)
    elif node is not None:
        out[".".join(prefix)] = node


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def example_markers(example: dict[str, Any]) -> list[tuple[str, str]]:
    """Words that name an example company or its domains, each with what it is: ('Acme', 'company name')."""
    import re

    markers: list[tuple[str, str]] = []
    for fact in ("company.name", "company.product", "company.legal_name"):
        value = example.get(fact)
        if isinstance(value, str) and value.strip():
            markers.append((value.strip(), fact))
    name = example.get("company.name")
    if isinstance(name, str) and len(name.split()[0]) >= 4:
        markers.append((name.split()[0], "company.name"))
    for value in example.values():
        for text in _strings(value):
            for domain in re.findall(r"\b([a-z0-9-]+\.example)\b", text.lower()):
                markers.append((domain, "domain"))
    return list(dict.fromkeys(markers))


def _contains(text: str, marker: str) -> bool:
    import re

    return re.search(r"(?<![A-Za-z0-9])" + re.escape(marker) + r"(?![A-Za-z0-9])", text, flags=re.IGNORECASE) is not None


def _check_example_values(profile: Path, facts: dict[str, Any], located: Any, problems: list[Problem]) -> None:
    """Values copied from the bundled example profiles: their company's names and domains, a hosting provider
    the profile does not use, or long phrases word for word."""
    examples = _example_profiles()
    if any(profile.resolve() == e["path"].resolve() for e in examples.values()):
        return  # checking an example itself (or --demo's profile)
    own_provider = str(facts.get("hosting.provider", ""))
    for fact, value in facts.items():
        place = located.place(tuple(fact.split(".")))
        for text in _strings(value):
            found = None
            for name, example in examples.items():
                ex = example["facts"]
                for marker, kind in example_markers(ex):
                    if _contains(text, marker):
                        found = (f"{fact}: '{text}' names {marker} ({kind} of the example company in examples/{name}); "
                                 "write your own company's value", "error")
                        break
                provider = str(ex.get("hosting.provider", "")).split("(")[0].strip()
                if found is None and provider and provider.lower() != "none" and _contains(text, provider) \
                        and not _contains(own_provider, provider):
                    found = (f"{fact}: '{text}' names {provider}, the example company's hosting provider "
                             f"(examples/{name}), but hosting.provider does not; write your own company's value", "error")
                if found is None and len(text) >= VERBATIM_MIN_CHARS and text in _strings(ex.get(fact)):
                    found = (f"{fact}: '{text}' is copied word for word from examples/{name}; "
                             "confirm it is true of your company or rewrite it", "warning")
                if found is not None:
                    break
            if found is not None:
                problems.append(Problem(place, found[0], found[1]))


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
