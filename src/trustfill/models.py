"""Pydantic models for the files people edit: bank files, fact declarations, evidence index.

The profile's model is built at run time from the fact declarations (see :mod:`trustfill.facts`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
FACT_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
DEFAULT_CHOICES = ("Yes", "No", "N/A")


class Strict(BaseModel):
    """Base for edited files: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


class Case(Strict):
    """One declarative answer rule: the first case whose ``when`` holds gives the answer."""

    when: str | None = Field(
        None, description="Jinja expression over profile facts, e.g. \"deployment.model == 'on_prem'\". Omit for the fallback case."
    )
    short: str = Field(description="Short answer: one of the entry's choices (Yes / No / N/A by default).")
    narrative: str = Field("", description="Jinja template for the narrative answer.")
    cites: list[str] = Field(default_factory=list, description="Evidence ids this case cites.")


class AnswerSpec(Strict):
    """How an entry is answered: a template file, or declarative cases."""

    template: str | None = Field(
        None, description="Path under answer_templates/ of a Jinja file with blocks `short` and `narrative`."
    )
    cases: list[Case] | None = Field(None, description="Declarative rules, tried in order.")
    choices: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CHOICES), description="Allowed short answers."
    )

    @model_validator(mode="after")
    def _one_source(self) -> AnswerSpec:
        if (self.template is None) == (self.cases is None):
            raise ValueError("give exactly one of 'template' or 'cases'")
        if self.cases is not None:
            if not self.cases:
                raise ValueError("'cases' needs at least one case")
            for case in self.cases:
                if case.short not in self.choices:
                    raise ValueError(f"case short answer '{case.short}' is not one of the choices {self.choices}")
        return self


class Implication(Strict):
    """A declared relation between two entries' answers, checked by ``trustfill check``."""

    if_short: str = Field(description="When this entry's short answer is this value ...")
    entry: str = Field(pattern=ID_PATTERN, description="... the other entry's id ...")
    short: list[str] = Field(description="... must give one of these short answers.")
    fact: str | None = Field(None, description="The fact both answers depend on, shown in the report.")


class Negation(Strict):
    """How to answer a question that asks the opposite of the entry's question ("passwords stored in plain text?"
    against "passwords stored as salted hashes?"). Without it such a question goes to review."""

    short: dict[str, str] = Field(
        description="The entry's short answer -> the short answer to the negated question, e.g. {'Yes': 'No'}. "
                    "A short answer not listed sends the negated question to review."
    )
    narrative: str = Field(
        "", description="Jinja narrative that reads right after the inverted short answer; empty keeps the entry's narrative."
    )


OWNERSHIP_VALUES = ("CSP-owned", "CSC-owned", "3rd-party outsourced", "Shared CSP and CSC", "Shared CSP and 3rd-party")
"""Who owns a control under the cloud shared security responsibility model (SSRM), spelled as CAIQ v4 spells it:
the provider (CSP, us), the cloud customer (CSC), a third party we outsource to, or two of them together."""
Ownership = Literal["CSP-owned", "CSC-owned", "3rd-party outsourced", "Shared CSP and CSC", "Shared CSP and 3rd-party"]


class OwnershipCase(Strict):
    """One ownership rule: the first case whose ``when`` holds gives the owner."""

    when: str | None = Field(None, description="Jinja expression over profile facts. Omit for the fallback case.")
    value: Ownership = Field(description="The owner, spelled as CAIQ v4 spells it.")


class OwnershipSpec(Strict):
    """Ownership that depends on facts (deployment model, hosting)."""

    cases: list[OwnershipCase] = Field(min_length=1, description="Rules, tried in order.")


class BankEntry(Strict):
    """One canonical question with everything a reviewer needs to trust its answer."""

    id: str = Field(pattern=ID_PATTERN, description="Stable id, lowercase, e.g. ai-training-customer-data.")
    question: str = Field(min_length=8, description="The canonical question.")
    aliases: list[str] = Field(default_factory=list, description="Other phrasings questionnaires use.")
    category: str = Field(min_length=2, description="Domain, e.g. 'Access control'.")
    explanation: str = Field(min_length=1, description="What the question is asking, in plain words.")
    rationale: str = Field(min_length=1, description="Why it matters to the customer.")
    evidence: list[str] = Field(default_factory=list, description="What a reviewer expects to see.")
    cites: list[str] = Field(default_factory=list, description="Evidence index ids every answer of this entry cites.")
    frameworks: dict[str, list[str]] = Field(
        default_factory=dict, description="Framework references, e.g. {'SOC 2': ['CC6.1'], 'ISO 27001': ['A.8.5']}."
    )
    answer: AnswerSpec
    tags: list[str] = Field(default_factory=list)
    owner: str | None = Field(None, description="Who keeps this entry true.")
    review_by: dt.date | None = Field(None, description="Date by which the entry must be reviewed again.")
    implies: list[Implication] = Field(default_factory=list, description="Answers of other entries this one constrains.")
    negation: Negation | None = Field(
        None, description="The answer to questions that ask the opposite of this entry's question; omit when it is not safe to invert."
    )
    ownership: Ownership | OwnershipSpec | None = Field(
        None,
        description="Who owns the control under the shared responsibility model (CAIQ's SSRM column): a value, or "
        "cases over facts. Omitted: derived from the entry's category and the profile's deployment model and hosting.",
    )
    customer_responsibility: str | None = Field(
        None,
        description="Jinja template: what the customer must do for this control (set up SSO, enforce MFA for its own "
        "users, set its retention period). Omitted: the customer has nothing to do beyond using the service.",
    )
    policy_family: Literal["established", "reviewed"] | None = Field(
        None,
        description="Answers a policy-family question for any topic: 'Are <topic> policies and procedures established, "
        "documented, approved, ...?' (established) or '... reviewed and updated at least annually?' (reviewed). The topic "
        "is looked up in the evidence index's covers: lists; the narrative can use {{ policy.title }} and "
        "{{ policy.topic }}; a topic no document covers goes to review.",
    )

    @field_validator("aliases")
    @classmethod
    def _aliases_distinct(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for alias in value:
            folded = alias.casefold().strip()
            if folded in seen:
                raise ValueError(f"alias repeated: '{alias}'")
            seen.add(folded)
        return value


FactType = Literal["bool", "enum", "str", "int", "date", "list"]


class FactDecl(Strict):
    """Declaration of one profile fact: its type, allowed values and meaning."""

    type: FactType
    values: list[str] | None = Field(None, description="Allowed values (enum) or allowed items (list).")
    description: str = Field(min_length=1)
    example: str | int | bool | list[str] | dt.date | None = None

    @model_validator(mode="after")
    def _values_fit(self) -> FactDecl:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum fact needs 'values'")
        if self.type not in ("enum", "list") and self.values is not None:
            raise ValueError(f"'values' applies only to enum and list facts, not {self.type}")
        return self


class BankFile(Strict):
    """One YAML file under question_bank/: fact declarations and entries."""

    facts: dict[str, FactDecl] = Field(default_factory=dict, description="Facts the entries of this file use.")
    entries: list[BankEntry] = Field(default_factory=list)

    @field_validator("facts")
    @classmethod
    def _fact_names(cls, value: dict[str, FactDecl]) -> dict[str, FactDecl]:
        import re

        for name in value:
            if not re.match(FACT_PATTERN, name):
                raise ValueError(f"fact name '{name}' must be dotted lowercase words, e.g. ai.training")
        return value


Visibility = Literal["public", "nda", "internal"]


class EvidenceItem(Strict):
    """A document an answer cites."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    path: str = Field(min_length=1, description="File path, relative to the evidence folder.")
    owner: str = Field(min_length=1)
    valid_until: dt.date | None = Field(None, description="Date after which the document is stale.")
    visibility: Visibility = Field(description="public, nda (share under NDA) or internal (never share).")
    description: str = ""
    covers: list[str] = Field(
        default_factory=list,
        description="Topics this policy document covers, as questionnaires name them ('key management', 'logging and "
        "monitoring'); policy-family questions about a listed topic are answered citing this document.",
    )


class EvidenceIndex(Strict):
    """evidence/index.yaml"""

    documents: list[EvidenceItem] = Field(default_factory=list)
