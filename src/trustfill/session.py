"""Everything a command needs, loaded once: library, profile facts, answer engine and matcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers import AnswerEngine
from .errors import UsageError
from .templating import make_env
from .workspace import (
    DEMO_PROFILE,
    Library,
    Workspace,
    default_root,
    find_workspace,
    load_library,
    load_profile,
    require_clean,
    shown,
)


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
    profile_path: Path | None = None
    """The profile file loaded."""
    demo: bool = False
    """True when the bundled example company stands in (``--demo``): every output must say so."""
    _matcher: Any = field(default=None, repr=False)
    matcher_kind: str = "semantic"
    """``semantic`` (words and meaning) or ``lexical`` (words only): the command line's, else the workspace's."""
    model_dir: Path | None = None
    """Another sentence encoder's folder (workspace setting), or None for the bundled one."""

    @property
    def matcher(self) -> Any:
        """The matcher over the bank and the workspace's learned mappings, built on first use."""
        return self.build_matcher()

    def build_matcher(self, progress: Any = None) -> Any:
        """Build the matcher now (``progress(done, total)`` is called while a large bank is embedded)."""
        if self._matcher is None:
            from .matching import Matcher
            from .matching.mappings import Mappings

            path = self.lib.workspace.mappings_path
            mappings = Mappings.load(path) if path.is_file() else None
            entries = list(self.lib.entries.values())
            semantic = None
            if self.matcher_kind == "semantic":
                from .matching.embedding import default_model_files, load_encoder, model_files_from_dir
                from .matching.semantic import SemanticBank

                files = model_files_from_dir(self.model_dir) if self.model_dir else default_model_files()
                # the shipped vectors serve any bank's texts that the bundled one has too (they are keyed by text)
                semantic = SemanticBank(entries, load_encoder(files), cache_dir=cache_dir(self.lib.workspace), progress=progress,
                                        shipped=True if self.model_dir is None else None)
            self._matcher = Matcher(entries, mappings=mappings, semantic=semantic)
        return self._matcher


def cache_dir(workspace: Any) -> Path:
    """Where a workspace's bank vectors are cached: ``.trustfill-cache/`` in it; for the bundled default (which may
    sit read-only in site-packages) the user's cache folder. ``TRUSTFILL_CACHE_DIR`` overrides both."""
    import os

    from .matching.embedding import CACHE_DIR

    if os.environ.get("TRUSTFILL_CACHE_DIR"):
        return Path(os.environ["TRUSTFILL_CACHE_DIR"])
    if workspace.is_default:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trustfill"
    return workspace.root / CACHE_DIR


def open_session(workspace: Path | None = None, profile: Path | None = None, matcher: str | None = None, *,
                 demo: bool = False) -> Session:
    """Load the workspace (or the bundled default) and a profile; raise located errors for any problem.

    The profile must be explicit: ``profile``, or the workspace's own profile.yaml. Only ``demo`` uses the
    bundled example company, and the session then says so. ``matcher`` (``semantic`` or ``lexical``) overrides
    the workspace's ``trustfill.yaml``.
    """
    from .settings import load_settings

    if demo:
        if workspace is not None or profile is not None:
            raise UsageError("--demo: uses the bundled example workspace and profile; leave out -w and --profile")
        ws = Workspace(default_root(), is_default=True, found_by="bundled")
        profile = ws.root / DEMO_PROFILE
    else:
        ws = find_workspace(workspace)
        profile = profile or ws.default_profile()
        if profile is None:
            raise UsageError(no_profile_message(ws))
    lib = require_clean(load_library(ws))
    settings = load_settings(lib.workspace.root)
    facts, _ = load_profile(lib, profile)
    from .profiling import with_declared_groups

    # Missing facts are then named one by one ("crypto.at_rest"), not by their group ("crypto").
    engine = with_declared_groups(AnswerEngine(lib.entries, facts, lib.evidence, make_env(lib.template_loader())), lib)
    name = f"DEMO DATA, a fictional company ({shown(profile)})" if demo else shown(profile)
    return Session(lib, facts, name, engine, profile_path=profile, demo=demo,
                   matcher_kind=matcher or settings.matcher, model_dir=settings.model_dir)


def no_profile_message(ws: Workspace) -> str:
    """One line: where no profile was found, and the ways forward."""
    where = str(Path.cwd()) if ws.found_by == "bundled" else shown(ws.root)
    what = "no trustfill workspace here" if ws.found_by == "bundled" else "no profile.yaml in this workspace"
    return (f"{where}: {what} and no --profile, so there are no company facts to answer from; "
            f"create your own with 'trustfill init DIR' and 'trustfill profile DIR', then pass -w DIR "
            f"(or run from DIR, or set TRUSTFILL_WORKSPACE=DIR); or try the bundled example company with --demo")


def describe(session: Session) -> str:
    """The first line of a command: which workspace and profile it used."""
    if session.demo:
        return (f"DEMO: bundled example bank and the fictional company in {shown(session.profile_path or Path())}; "
                "nothing here describes your company")
    return f"workspace: {session.lib.workspace.describe()}; profile: {session.profile_name}"
