"""Who owns a control under the shared security responsibility model (CAIQ's SSRM column).

An entry may say (``ownership:`` a value, or cases over facts). Most need not: ownership follows from what
the control is about and how the product runs, so :func:`default_ownership` derives it from the entry's
category and three profile facts. The rules, in the words a reviewer would use:

* Physical and data-center controls of a SaaS in a cloud provider's data centers
  (``hosting.uses_third_party_datacenters``) are shared with that provider (*Shared CSP and 3rd-party*);
  so are infrastructure and network controls, which the provider's platform carries under our
  configuration. In our own data centers they are ours (*CSP-owned*).
* An on-premises product leaves the running of it to the customer: physical, infrastructure, network,
  backup, continuity, monitoring and data-location controls are *CSC-owned*; controls of the software we
  build that the customer configures (access, encryption, application security, federation) are
  *Shared CSP and CSC*.
* Single sign-on and federation need the customer's identity provider: *Shared CSP and CSC* in every model.
* Everything about us as a company (governance, people, risk, development, vulnerability and incident
  handling, suppliers, compliance) is *CSP-owned* in every model.
* Hybrid deployments share the running of the service with the customer: *Shared CSP and CSC* for what an
  on-premises product leaves to the customer.

* A control the default calls *CSP-owned* whose entry gives the customer responsibilities
  (``customer_responsibility:`` renders text) is *Shared CSP and CSC*: the customer has a part to play.
  (The answer engine applies this, since only it renders the responsibilities.)

When ``deployment.model`` is not set, or a rule needs ``hosting.uses_third_party_datacenters`` and it is not
set, there is no ownership: the cell is left empty with a note, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

CSP, CSC, THIRD = "CSP-owned", "CSC-owned", "3rd-party outsourced"
SHARED_CSC, SHARED_THIRD = "Shared CSP and CSC", "Shared CSP and 3rd-party"

# Category words -> what the control is about. First group that matches wins.
_PHYSICAL = re.compile(r"physical|data ?cent(?:er|re)|environmental", re.IGNORECASE)
_PLATFORM = re.compile(r"infrastructure|network|virtuali[sz]ation|hosting", re.IGNORECASE)
_RUNNING = re.compile(
    r"backup|continuity|disaster|resilien|operations|monitoring|logging|data location|residency", re.IGNORECASE
)
_FEDERATION = re.compile(r"federation|single sign", re.IGNORECASE)
_PRODUCT = re.compile(r"identity|access|crypto|encryption|key management|application security", re.IGNORECASE)


def default_ownership(category: str, facts: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...], str]:
    """The owner of a control in ``category`` under ``facts`` (flat, dotted names).

    Returns:
        (owner or None, the facts the rule read, the rule in words for the report).
    """
    model = facts.get("deployment.model")
    if model is None:
        return None, ("deployment.model",), "deployment.model is not set"
    used: tuple[str, ...] = ("deployment.model",)
    if _FEDERATION.search(category):
        return SHARED_CSC, used, "federation needs the customer's identity provider"
    physical, platform = bool(_PHYSICAL.search(category)), bool(_PLATFORM.search(category))
    running = physical or platform or bool(_RUNNING.search(category))
    if model == "on_prem":
        if running:
            return CSC, used, "on-premises: the customer runs the product"
        if _PRODUCT.search(category):
            return SHARED_CSC, used, "on-premises: we build it, the customer configures it"
        return CSP, used, "a control of our own organisation"
    if model == "hybrid" and running:
        return SHARED_CSC, used, "hybrid: the customer runs part of the service"
    if physical or platform:
        third = facts.get("hosting.uses_third_party_datacenters")
        used += ("hosting.uses_third_party_datacenters",)
        if third is None:
            return None, used, "hosting.uses_third_party_datacenters is not set"
        if third:
            return SHARED_THIRD, used, "the service runs in a cloud provider's data centers"
        return CSP, used, "the service runs in our own data centers"
    return CSP, used, "a control of our own service or organisation"


def _fold(text: str) -> str:
    t = text.casefold().replace("third", "3rd").replace("consumer", "csc").replace("provider", "csp")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", t).split())


def fit_ownership(owner: str, allowed: Sequence[str] | None) -> str | None:
    """The allowed value that means ``owner``, spelled as the list spells it; None when none fits."""
    if not allowed:
        return owner
    want = _fold(owner)
    return next((value for value in allowed if _fold(value) == want), None)
