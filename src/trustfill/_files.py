"""Small text files the workspace keeps (learned mappings, the answer library), written all or nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def write_text_atomic(path: Path, text: str, what: str) -> None:
    """Write ``text`` to ``path`` through a synced temporary file and a rename: a crash leaves the old file or the
    new one, never half of either. ``what`` names the file in the error (``the mappings file``)."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write {what}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
