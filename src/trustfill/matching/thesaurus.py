"""Load ``thesaurus.yaml`` (abbreviations, stop phrases, stop words, concept groups) into a :class:`Normalizer`.

The file is data people edit, so it is validated like the bank: unknown keys, empty terms and a term
claimed by two groups are errors that name ``path:line:col``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from pydantic import Field

from .._validate import validate_located
from .._yaml import Located, YamlLoadError, load_file, load_text
from ..errors import Problem, WorkspaceError
from ..models import Strict
from .normalize import Normalizer, tokens

__all__ = ["DEFAULT_THESAURUS", "ConceptGroup", "ThesaurusFile", "load_thesaurus"]

DEFAULT_THESAURUS = "thesaurus.yaml"
"""Name of the built-in thesaurus inside the ``trustfill.matching`` package."""

_CONCEPT_PATTERN = r"^[a-z][a-z0-9_]*$"
# The matcher keeps each text's contrast concepts as bits of one 64-bit integer.
MAX_CONTRAST_CONCEPTS = 64


class ConceptGroup(Strict):
    """Terms that mean the same thing in a security questionnaire."""

    concept: str = Field(pattern=_CONCEPT_PATTERN, description="Concept name, e.g. mfa.")
    terms: list[str] = Field(min_length=1, description="Words or phrases that name the concept.")


class ThesaurusFile(Strict):
    """thesaurus.yaml"""

    abbreviations: dict[str, str] = Field(default_factory=dict, description="One-token acronym -> words.")
    stop_phrases: list[str] = Field(default_factory=list, description="Boilerplate phrases to drop.")
    stop_words: list[str] = Field(default_factory=list, description="Single words to drop.")
    contrasts: list[list[str]] = Field(
        default_factory=list,
        description="Sets of concepts that are alternatives (customer vs staff), not synonyms.",
    )
    groups: list[ConceptGroup] = Field(
        default_factory=list, description="Equivalent terms, one concept each."
    )


_CACHE: dict[tuple[str, int, int], Normalizer] = {}


def load_thesaurus(path: Path | None = None) -> Normalizer:
    """Build the normaliser from a thesaurus file (the built-in one when ``path`` is None).

    Args:
        path: A thesaurus YAML file; None for ``trustfill/matching/thesaurus.yaml``.

    Returns:
        A :class:`Normalizer` configured with the file's vocabulary. Loads are cached per file version.

    Raises:
        WorkspaceError: The file is not valid YAML or not a valid thesaurus; the message lists every
            problem as ``path:line:col: ...``.
    """
    if path is None:
        resource = resources.files("trustfill.matching") / DEFAULT_THESAURUS
        text = resource.read_text(encoding="utf-8")
        key = (f"<builtin>/{DEFAULT_THESAURUS}", len(text), hash(text))
        if key not in _CACHE:
            _CACHE[key] = _build(_load(lambda: load_text(text, f"trustfill/matching/{DEFAULT_THESAURUS}")))
        return _CACHE[key]
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot read the thesaurus: {exc.strerror or exc}") from exc
    if key not in _CACHE:
        _CACHE[key] = _build(_load(lambda: load_file(path)))
    return _CACHE[key]


def _load(read: Callable[[], Located]) -> tuple[ThesaurusFile, Located]:
    try:
        located = read()
    except YamlLoadError as exc:
        raise WorkspaceError.from_problems([exc.problem]) from exc
    model, problems = validate_located(ThesaurusFile, located)
    if model is None:
        raise WorkspaceError.from_problems(problems)
    return model, located


def _build(loaded: tuple[ThesaurusFile, Located]) -> Normalizer:
    model, located = loaded
    problems: list[Problem] = []
    for abbr, expansion in model.abbreviations.items():
        if len(tokens(abbr)) != 1 or not tokens(expansion):
            problems.append(
                Problem(
                    located.place(("abbreviations", abbr), key=True),
                    f"abbreviations.{abbr}: the key must be one word and the value at least one word",
                )
            )
    normalizer = Normalizer(
        abbreviations=model.abbreviations, stop_phrases=model.stop_phrases, stop_words=model.stop_words
    )
    for i, phrase in enumerate(model.stop_phrases):
        if not tokens(phrase):
            problems.append(Problem(located.place(("stop_phrases", i)), f"stop_phrases[{i}]: has no words"))
    concepts: dict[str, int] = {}
    claimed: dict[tuple[str, ...], tuple[str, str]] = {}
    for g, group in enumerate(model.groups):
        if group.concept in concepts:
            first = located.place(("groups", concepts[group.concept], "concept"))
            problems.append(
                Problem(
                    located.place(("groups", g, "concept")),
                    f"groups[{g}].concept: '{group.concept}' is already a group (at {first}); merge the two",
                )
            )
            continue
        concepts[group.concept] = g
        for t, term in enumerate(group.terms):
            place = located.place(("groups", g, "terms", t))
            phrase = normalizer.phrase(term)
            if not phrase or all(w in normalizer.stop_words for w in tokens(term)):
                problems.append(
                    Problem(place, f"groups[{g}].terms[{t}]: '{term}' is nothing but stop words; remove it")
                )
                continue
            owner = claimed.get(phrase)
            if owner is not None and owner[0] != group.concept:
                problems.append(
                    Problem(
                        place,
                        f"groups[{g}].terms[{t}]: '{term}' already belongs to concept '{owner[0]}' "
                        f"(at {owner[1]}); a term may name one concept only",
                    )
                )
                continue
            if owner is None:
                claimed[phrase] = (group.concept, place)
                normalizer.add_concept(term, phrase, group.concept)
    members: set[str] = set()
    for c, contrast in enumerate(model.contrasts):
        if len(set(contrast)) < 2:
            problems.append(
                Problem(
                    located.place(("contrasts", c)), f"contrasts[{c}]: needs at least two different concepts"
                )
            )
        for m, name in enumerate(contrast):
            if name not in concepts:
                close = difflib.get_close_matches(name, list(concepts), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    Problem(
                        located.place(("contrasts", c, m)),
                        f"contrasts[{c}][{m}]: no group has concept '{name}'{hint}",
                    )
                )
            members.add(name)
    if len(members) > MAX_CONTRAST_CONCEPTS:
        problems.append(
            Problem(
                located.place(("contrasts",), key=True),
                f"contrasts: {len(members)} concepts in all; at most {MAX_CONTRAST_CONCEPTS} are supported",
            )
        )
    if problems:
        raise WorkspaceError.from_problems(problems)
    normalizer.contrasts = tuple(frozenset(c) for c in model.contrasts)
    return normalizer
