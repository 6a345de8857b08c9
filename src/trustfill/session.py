"""Everything a command needs, loaded once: library, profile facts, answer engine and matcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers import AnswerEngine
from .errors import ProfileError
from .templating import make_env
from .workspace import Library, find_workspace, load_library, load_profile, require_clean, shown


@dataclass
class Session:
    """A loaded workspace with one profile."""

    lib: Library
    """Bank, facts and evidence."""
    facts: dict[str, Any]
    """Profile facts by dotted name."""
    profile_name: str
    """The profile's path as shown to the user."""
    engine: AnswerEngine
    """Renders answers under the profile."""
    _matcher: Any = field(default=None, repr=False)

    @property
    def matcher(self) -> Any:
        """The matcher over the bank and the workspace's learned mappings, built on first use."""
        if self._matcher is None:
            from .matching import Matcher
            from .matching.mappings import Mappings

            path = self.lib.workspace.mappings_path
            mappings = Mappings.load(path) if path.is_file() else None
            self._matcher = Matcher(list(self.lib.entries.values()), mappings=mappings)
        return self._matcher


def open_session(workspace: Path | None = None, profile: Path | None = None) -> Session:
    """Load the workspace (or the bundled default) and a profile; raise located errors for any problem."""
    lib = require_clean(load_library(find_workspace(workspace)))
    profile = profile or lib.workspace.default_profile()
    if profile is None:
        raise ProfileError(
            f"{shown(lib.workspace.root)}: no profile.yaml in the workspace; pass --profile PATH or create one with 'trustfill init'"
        )
    facts, _ = load_profile(lib, profile)
    engine = AnswerEngine(lib.entries, facts, lib.evidence, make_env(lib.template_loader()))
    return Session(lib, facts, shown(profile), engine)
