"""How many bank entries are tagged with CSA CCM v4 control ids, per CCM domain.

A CAIQ v4 asks about all 17 CCM domains; a domain no entry is tagged with is a domain whose questions can only be
matched by chance. Counts entries (an entry tagged with two controls of one domain counts once for it) and the
distinct controls tagged. Exits 1 when a domain has no entry, so it can guard a release.

Run: python benchmarks/ccm_domains.py [WORKSPACE]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from trustfill.workspace import find_workspace, load_library

FRAMEWORK = "CCM v4"
DOMAINS = {
    "A&A": "Audit and Assurance",
    "AIS": "Application and Interface Security",
    "BCR": "Business Continuity Management and Operational Resilience",
    "CCC": "Change Control and Configuration Management",
    "CEK": "Cryptography, Encryption and Key Management",
    "DCS": "Datacenter Security",
    "DSP": "Data Security and Privacy Lifecycle Management",
    "GRC": "Governance, Risk and Compliance",
    "HRS": "Human Resources",
    "IAM": "Identity and Access Management",
    "IPY": "Interoperability and Portability",
    "IVS": "Infrastructure and Virtualization Security",
    "LOG": "Logging and Monitoring",
    "SEF": "Security Incident Management, E-Discovery and Cloud Forensics",
    "STA": "Supply Chain Management, Transparency and Accountability",
    "TVM": "Threat and Vulnerability Management",
    "UEM": "Universal Endpoint Management",
}


def domain_counts(entries: dict) -> tuple[dict[str, set[str]], dict[str, set[str]], list[str]]:
    """Entries and controls per domain, and control ids naming no known domain."""
    entries_by: dict[str, set[str]] = defaultdict(set)
    controls_by: dict[str, set[str]] = defaultdict(set)
    unknown = []
    for entry_id, entry in entries.items():
        for control in entry.frameworks.get(FRAMEWORK, []):
            domain = control.rsplit("-", 1)[0]
            if domain not in DOMAINS:
                unknown.append(f"{entry_id}: {control}")
                continue
            entries_by[domain].add(entry_id)
            controls_by[domain].add(control)
    return entries_by, controls_by, unknown


def main(argv: list[str]) -> int:
    workspace = find_workspace(Path(argv[0]) if argv else None)
    entries = load_library(workspace).entries
    entries_by, controls_by, unknown = domain_counts(entries)
    tagged = set().union(*entries_by.values()) if entries_by else set()
    print(f"{'domain':6} {'entries':>7} {'controls':>8}  title")
    for domain, title in DOMAINS.items():
        print(f"{domain:6} {len(entries_by[domain]):7} {len(controls_by[domain]):8}  {title}")
    print(f"\n{len(entries)} entries in the bank, {len(tagged)} tagged with {FRAMEWORK} ids")
    for line in unknown:
        print(f"unknown CCM domain: {line}")
    missing = [d for d in DOMAINS if not entries_by[d]]
    if missing:
        print("domains with no entry: " + ", ".join(missing))
    return 1 if missing or unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
