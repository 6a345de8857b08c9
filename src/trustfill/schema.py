"""JSON Schemas for the files people edit, so editors can complete and check the YAML."""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .facts import profile_model
from .models import BankFile, EvidenceIndex
from .workspace import Library

KINDS = ("bank", "profile", "evidence")


def json_schema(kind: str, lib: Library | None = None) -> dict[str, Any]:
    """The schema of ``kind``; the profile's comes from the bank's fact declarations, so it needs ``lib``."""
    if kind == "bank":
        schema = BankFile.model_json_schema()
        schema["title"] = "trustfill question bank file"
    elif kind == "evidence":
        schema = EvidenceIndex.model_json_schema()
        schema["title"] = "trustfill evidence index"
    elif kind == "profile":
        if lib is None:
            raise UsageError("the profile schema is built from the bank's facts; load a workspace first")
        schema = profile_model(lib.facts).model_json_schema()
        schema["title"] = "trustfill company profile"
    else:
        raise UsageError(f"unknown schema '{kind}'; choose one of {', '.join(KINDS)}")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
