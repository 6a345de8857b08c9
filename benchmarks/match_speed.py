"""Time the matcher on a synthetic 10,000-entry bank and 2,000 questions, against naive rapidfuzz cdist.

Run: ``python benchmarks/match_speed.py`` (with ``PYTHONPATH=src`` or trustfill installed).
Options: ``--entries N``, ``--questions N``, ``--naive-entries N`` (slice for the naive run), ``--seed N``.

The bank is generated from a vocabulary of security controls, scopes and aspects (deterministic
seed), plus the real bank under ``question_bank/`` when present. Questions are paraphrases and
perturbations of bank entries (new template, synonyms, dropped words, typos) and out-of-bank
questions (combinations the bank lacks, and non-security business questions).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from trustfill.matching import Matcher
from trustfill.models import AnswerSpec, BankEntry, BankFile

REPO = Path(__file__).resolve().parents[1]

# (canonical phrase, synonyms) of controls questionnaires ask about
CONTROLS = [
    ("multi-factor authentication", ["MFA", "two-factor authentication", "2FA"]),
    ("single sign-on", ["SSO", "SAML single sign-on"]),
    ("encryption of data at rest", ["at-rest encryption", "encryption of stored data"]),
    ("encryption of data in transit", ["TLS encryption in transit", "encryption of data over the network"]),
    ("vulnerability scanning", ["scanning for vulnerabilities", "vuln scans"]),
    ("penetration testing", ["pen testing", "a penetration test"]),
    ("security awareness training", ["security training", "awareness training"]),
    ("background checks", ["background screening", "pre-employment screening"]),
    ("an incident response plan", ["a breach response plan", "an IR plan"]),
    ("a disaster recovery plan", ["a DR plan", "disaster recovery procedures"]),
    ("a business continuity plan", ["a BCP", "business continuity procedures"]),
    ("backups", ["data backups", "back-ups"]),
    ("restore testing", ["testing of backup restoration", "restore tests"]),
    ("access reviews", ["user access reviews", "access recertification"]),
    ("role-based access control", ["RBAC", "role based permissions"]),
    ("least privilege", ["need-to-know access", "the principle of least privilege"]),
    ("privileged access management", ["PAM", "control of administrator accounts"]),
    ("password complexity rules", ["password requirements", "password strength rules"]),
    ("account lockout", ["lockout after failed login attempts", "locking accounts after failed logins"]),
    ("session timeouts", ["session expiration", "idle session timeouts"]),
    ("audit logging", ["audit logs", "an audit trail"]),
    ("log retention", ["retention of logs", "keeping logs"]),
    ("a SIEM", ["security information and event management", "log correlation"]),
    ("intrusion detection", ["IDS/IPS", "intrusion prevention"]),
    ("a web application firewall", ["a WAF", "web application firewalls"]),
    ("network segmentation", ["segmented networks", "network segregation"]),
    ("firewalls", ["network firewalls", "firewall rules"]),
    ("DDoS protection", ["denial of service protection", "DDoS mitigation"]),
    ("endpoint protection", ["anti-malware", "antivirus"]),
    ("mobile device management", ["MDM", "device management"]),
    ("full disk encryption on laptops", ["laptop disk encryption", "encrypted laptops"]),
    ("patch management", ["patching", "security updates"]),
    ("change management", ["change control", "a change approval process"]),
    ("secure code review", ["code reviews", "peer review of code"]),
    ("static code analysis", ["SAST", "static application security testing"]),
    ("dynamic application testing", ["DAST", "dynamic scanning"]),
    ("software composition analysis", ["dependency scanning", "SCA"]),
    ("threat modeling", ["threat models", "threat analysis"]),
    ("a secure development lifecycle", ["an SDLC", "a secure SDLC"]),
    (
        "separation of production and test environments",
        ["separate test environments", "environment separation"],
    ),
    ("data classification", ["classification of data", "information classification"]),
    ("data retention rules", ["a retention schedule", "data retention periods"]),
    ("secure data deletion", ["data destruction", "secure disposal of data"]),
    ("data loss prevention", ["DLP", "exfiltration controls"]),
    ("key management", ["encryption key management", "a KMS"]),
    ("key rotation", ["rotation of encryption keys", "rotating cryptographic keys"]),
    ("customer-managed keys", ["BYOK", "bring your own key"]),
    ("a vendor risk assessment process", ["third-party risk assessments", "supplier security reviews"]),
    ("a subprocessor list", ["a list of subprocessors", "sub-processor disclosure"]),
    ("a data processing agreement", ["a DPA", "data processing terms"]),
    ("GDPR compliance", ["compliance with the GDPR", "General Data Protection Regulation compliance"]),
    ("HIPAA compliance", ["compliance with HIPAA", "HIPAA safeguards"]),
    ("a SOC 2 Type II report", ["a SOC 2 report", "SOC 2 attestation"]),
    ("ISO 27001 certification", ["an ISO 27001 certificate", "ISO/IEC 27001"]),
    ("physical access controls", ["badge access", "physical security controls"]),
    ("CCTV monitoring", ["video surveillance", "security cameras"]),
    ("visitor logs", ["visitor management", "visitor registers"]),
    ("an information security policy", ["a security policy", "an infosec policy"]),
    ("an acceptable use policy", ["an AUP", "rules of behaviour"]),
    ("a risk register", ["a risk log", "risk tracking"]),
    ("risk assessments", ["risk analysis", "security risk assessments"]),
    ("cyber insurance", ["cyber liability insurance", "breach insurance"]),
    ("a bug bounty program", ["a bug bounty", "crowdsourced security testing"]),
    ("a vulnerability disclosure program", ["a VDP", "responsible disclosure"]),
    ("time synchronization", ["NTP", "clock synchronization"]),
    ("capacity monitoring", ["capacity planning", "resource monitoring"]),
    ("24x7 monitoring", ["round-the-clock monitoring", "24/7 monitoring"]),
    ("an on-call rotation", ["on-call coverage", "pager duty"]),
    ("tenant isolation", ["logical separation of customer data", "multi-tenant segregation"]),
    ("API authentication", ["authentication of API calls", "API keys"]),
    ("rate limiting", ["request throttling", "API rate limits"]),
    ("input validation", ["validation of user input", "injection protection"]),
    ("secrets management", ["a secrets vault", "management of credentials"]),
    ("container scanning", ["scanning container images", "image scanning"]),
    ("infrastructure as code review", ["review of Terraform changes", "IaC scanning"]),
    (
        "AI model training on customer data",
        ["training ML models on client data", "using customer data for AI training"],
    ),
    ("human review of AI output", ["human oversight of AI", "human-in-the-loop review"]),
    ("an AI usage policy", ["a generative AI policy", "rules for AI use"]),
    ("offboarding of leavers", ["employee offboarding", "access removal for departing staff"]),
    ("onboarding security steps", ["new hire security onboarding", "onboarding checks"]),
    ("confidentiality agreements", ["NDAs", "non-disclosure agreements"]),
    ("disciplinary procedures", ["a sanctions process", "disciplinary action for violations"]),
    ("remote access via VPN", ["VPN access", "secure remote access"]),
    ("wireless network security", ["Wi-Fi security", "wireless controls"]),
    ("removable media controls", ["USB restrictions", "blocking USB drives"]),
    ("email filtering", ["spam and phishing filtering", "email security gateways"]),
    ("phishing simulations", ["phishing tests", "simulated phishing campaigns"]),
    ("asset inventory", ["an inventory of assets", "an asset register"]),
    ("configuration hardening", ["CIS benchmarks", "secure baseline configurations"]),
    ("database activity monitoring", ["monitoring of database access", "DB audit logging"]),
    ("file integrity monitoring", ["FIM", "integrity monitoring"]),
    ("data masking in test environments", ["masked test data", "anonymised test data"]),
    (
        "customer data deletion at contract end",
        ["deletion of client data after termination", "data return and deletion"],
    ),
    ("breach notification to customers", ["notifying clients of breaches", "customer breach notification"]),
    ("forensic readiness", ["digital forensics capability", "forensic investigation capability"]),
    ("tabletop exercises", ["incident simulations", "IR drills"]),
    ("root cause analysis", ["post-incident reviews", "lessons learned reviews"]),
    ("an uptime SLA", ["a service level agreement", "an availability commitment"]),
    ("failover", ["automatic failover", "standby systems"]),
    ("geographic redundancy", ["multi-region deployment", "redundant data centers"]),
]
SCOPES = [
    "for administrators",
    "for all employees",
    "for customer accounts",
    "for remote access",
    "on production systems",
    "in the development environment",
    "for third-party vendors",
    "for laptops",
    "in the cloud environment",
    "for backups",
    "for the mobile app",
    "for the public API",
    "for contractors",
    "across all offices",
    "for service accounts",
    "for the corporate network",
    "for source code repositories",
    "for the hosted service",
    "for databases",
    "for email",
]
ASPECTS = [
    ("a documented policy covering", "documented"),
    ("annual testing of", "tested annually"),
    ("quarterly review of", "reviewed quarterly"),
    ("automated enforcement of", "enforced automatically"),
    ("management approval of", "approved by management"),
    ("monitoring and alerting on", "monitored with alerts"),
    ("independent audit of", "audited independently"),
    ("an exception process for", "subject to an exception process"),
    ("metrics reported to leadership on", "measured and reported to leadership"),
    ("customer-configurable settings for", "configurable by customers"),
]
TEMPLATES = [
    "Do you have {aspect} {control} {scope}?",
    "Is {control} {aspect_pp} {scope}?",
    "Does the vendor maintain {aspect} {control} {scope}?",
    "Describe how {control} is {aspect_pp} {scope}.",
    "Please provide details of {aspect} {control} {scope}.",
    "Has your organization implemented {aspect} {control} {scope}?",
    "{Control} {scope}: {aspect_pp}?",
    "Is there a formal process ensuring {control} is {aspect_pp} {scope}?",
]
OUT_OF_BANK = [
    "Do you offer discounts for non-profit organizations?",
    "What payment terms do you accept?",
    "Can invoices be sent by post?",
    "Is the user interface available in Spanish?",
    "Do you sponsor industry conferences?",
    "How many product releases do you ship per year?",
    "Do you offer on-site training sessions for end users?",
    "What is your roadmap for mobile features?",
    "Do you support dark mode?",
    "Is there a customer community forum?",
]
TYPO_RATE = 0.03
RUNS = 3


def _pick_texts(
    rng: random.Random, control: tuple[str, list[str]], scope: str, aspect: tuple[str, str], n: int
) -> list[str]:
    texts = []
    names = [control[0], *control[1]]
    for template in rng.sample(TEMPLATES, n):
        name = rng.choice(names)
        text = template.format(
            aspect=aspect[0],
            aspect_pp=aspect[1],
            control=name,
            Control=name[:1].upper() + name[1:],
            scope=scope,
        )
        texts.append(text[:1].upper() + text[1:])
    return texts


def synthetic_bank(n: int, rng: random.Random) -> tuple[list[BankEntry], list[tuple[int, int, int]]]:
    """``n`` entries, each a distinct (control, scope, aspect) with a question and 4-6 aliases."""
    combos = [
        (c, s, a) for c in range(len(CONTROLS)) for s in range(len(SCOPES)) for a in range(len(ASPECTS))
    ]
    rng.shuffle(combos)
    combos = combos[:n]
    answer = AnswerSpec(cases=[{"short": "Yes", "narrative": "Yes."}])
    entries = []
    for i, (c, s, a) in enumerate(combos):
        texts = _pick_texts(rng, CONTROLS[c], SCOPES[s], ASPECTS[a], rng.randint(5, 7))
        entries.append(
            BankEntry.model_construct(
                id=f"syn-{i:05d}",
                question=texts[0],
                aliases=texts[1:],
                category="Synthetic",
                explanation="x",
                rationale="x",
                evidence=[],
                cites=[],
                frameworks={},
                answer=answer,
                tags=[],
                owner=None,
                review_by=None,
                implies=[],
            )
        )
    return entries, combos


def real_bank() -> list[BankEntry]:
    """Entries of the real bank under question_bank/, if present (invalid files are skipped)."""
    out: list[BankEntry] = []
    for path in sorted((REPO / "question_bank").glob("*.yaml")):
        try:
            out.extend(BankFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).entries)
        except Exception:  # a file being edited right now; the benchmark does not need it
            continue
    return out


def _typo(text: str, rng: random.Random) -> str:
    chars = list(text)
    for i in range(len(chars)):
        if chars[i].isalpha() and rng.random() < TYPO_RATE:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def questions(
    n: int, combos: list[tuple[int, int, int]], entries: list[BankEntry], rng: random.Random
) -> list[tuple[str, str | None]]:
    """(question, expected entry id or None): 75 % paraphrases of bank entries, 25 % out of bank."""
    taken = set(combos)
    out: list[tuple[str, str | None]] = []
    n_in = n * 3 // 4
    for _ in range(n_in):
        i = rng.randrange(len(combos))
        c, s, a = combos[i]
        text = _pick_texts(rng, CONTROLS[c], SCOPES[s], ASPECTS[a], 1)[0]
        if rng.random() < 0.3:
            text = _typo(text, rng)
        out.append((text, entries[i].id))
    while len(out) < n:
        if rng.random() < 0.2:
            out.append((rng.choice(OUT_OF_BANK), None))
            continue
        combo = (rng.randrange(len(CONTROLS)), rng.randrange(len(SCOPES)), rng.randrange(len(ASPECTS)))
        if combo in taken:
            continue
        out.append((_pick_texts(rng, CONTROLS[combo[0]], SCOPES[combo[1]], ASPECTS[combo[2]], 1)[0], None))
    rng.shuffle(out)
    return out


def workload(args: argparse.Namespace) -> tuple[list[BankEntry], list[tuple[str, str | None]], list[str], int]:
    """The bank (synthetic plus the real one), the questions with their expected entries, their texts, and how many
    texts the bank holds: the same for both matchers, from ``--seed``."""
    rng = random.Random(args.seed)
    real = real_bank()
    synthetic, combos = synthetic_bank(max(0, args.entries - len(real)), rng)
    bank = synthetic + real
    qs = questions(args.questions, combos, synthetic, rng)
    return bank, qs, [q for q, _ in qs], sum(1 + len(e.aliases) for e in bank)


def _rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=2_000)
    parser.add_argument("--naive-entries", type=int, default=1_000, help="bank slice for the naive cdist run")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--matcher", choices=("lexical", "semantic", "both"), default="both",
                        help="lexical alone, the semantic (fused) matcher, or both (default)")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".trustfill-cache" / "bench",
                        help="bank-vector cache of the semantic run (delete it, or --fresh, to time the first embedding)")
    parser.add_argument("--fresh", action="store_true", help="embed the bank into an empty cache first (slow: minutes)")
    args = parser.parse_args(argv)
    if args.matcher == "semantic":
        return semantic_main(args)
    bank, qs, texts, n_texts = workload(args)
    rss_start = _rss_mb()

    t0 = time.perf_counter()
    matcher = Matcher(bank)
    build_s = time.perf_counter() - t0
    rss_built = _rss_mb()

    matcher.match_many(texts[:50])  # warm-up: thread pools, caches of the first few queries
    runs = []
    for _ in range(RUNS):
        matcher.normalizer._cache.clear()  # every run starts cold, as a new questionnaire would
        matcher._spelling.clear()
        t0 = time.perf_counter()
        results = matcher.match_many(texts)
        runs.append(time.perf_counter() - t0)
    match_s = statistics.median(runs)
    rss_matched = _rss_mb()

    tracemalloc.start()
    matcher.normalizer._cache.clear()
    matcher.match_many(texts)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Naive: every question against every bank text with token_set_ratio.
    naive_bank = bank[: args.naive_entries] if args.naive_entries and args.naive_entries < len(bank) else bank
    naive_texts: list[str] = []
    owner: list[str] = []
    for e in naive_bank:
        for t in (e.question, *e.aliases):
            naive_texts.append(t)
            owner.append(e.id)
    t0 = time.perf_counter()
    scores = process.cdist(texts, naive_texts, scorer=fuzz.token_set_ratio, workers=-1, processor=str.lower)
    naive_s = time.perf_counter() - t0
    naive_full_est = naive_s * n_texts / len(naive_texts)

    # Accuracy on the paraphrases whose entry is inside the naive slice (same questions for both).
    in_slice = {e.id for e in naive_bank}
    ours_hit = naive_hit = n_eval = 0
    for (_, gold), res, row in zip(qs, results, scores, strict=True):
        if gold is None or gold not in in_slice:
            continue
        n_eval += 1
        ours_hit += bool(res.candidates) and res.candidates[0].entry_id == gold
        naive_hit += owner[int(np.argmax(row))] == gold
    statuses = Counter(r.status for r in results)
    wrong_auto = sum(
        1 for (_, gold), r in zip(qs, results, strict=True) if r.status == "auto" and r.entry_id != gold
    )
    in_bank = sum(1 for _, gold in qs if gold is not None)
    right_auto = sum(
        1
        for (_, gold), r in zip(qs, results, strict=True)
        if r.status == "auto" and gold is not None and r.entry_id == gold
    )

    slice_note = (
        ""
        if len(naive_bank) == len(bank)
        else f" ({len(naive_bank):,}-entry slice; full bank est. {naive_full_est:,.1f} s)"
    )
    rows = [
        ("bank", f"{len(bank):,} entries ({sum(not e.id.startswith('syn-') for e in bank):,} real), {n_texts:,} texts"),
        (
            "questions",
            f"{len(texts):,} ({in_bank:,} paraphrases/perturbations, {len(texts) - in_bank:,} out of bank)",
        ),
        ("Matcher build", f"{build_s:.2f} s"),
        (
            "match_many (all questions)",
            f"{match_s:.3f} s median of {RUNS} ({match_s / len(texts) * 1e3:.3f} ms per question; "
            f"min {min(runs):.3f}, max {max(runs):.3f})",
        ),
        ("naive cdist token_set_ratio", f"{naive_s:.2f} s{slice_note}"),
        (
            "top-1 on paraphrases in slice",
            f"matcher {ours_hit / max(n_eval, 1):.1%}  naive {naive_hit / max(n_eval, 1):.1%}  (n={n_eval})",
        ),
        ("statuses", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))),
        ("auto right / wrong", f"{right_auto} / {wrong_auto} (wrong = out-of-bank or other entry)"),
        (
            "peak RSS",
            f"start {rss_start:.0f} MB, after build {rss_built:.0f} MB, after matching {rss_matched:.0f} MB",
        ),
        ("tracemalloc peak (match_many)", f"{traced_peak / 1e6:.1f} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if args.matcher == "both":
        print()
        return semantic_main(args)
    return 0


def semantic_main(args: argparse.Namespace) -> int:
    """The semantic matcher on the same bank and questions: first embedding, cached build, matching, memory."""
    import shutil
    import tempfile

    from trustfill.matching.embedding import default_model_files, load_encoder
    from trustfill.matching.semantic import SemanticBank

    bank, qs, texts, n_texts = workload(args)
    rss_start = _rss_mb()
    t0 = time.perf_counter()
    encoder = load_encoder(default_model_files())
    load_s = time.perf_counter() - t0
    cache = Path(tempfile.mkdtemp(prefix="trustfill-bench-")) if args.fresh else args.cache_dir
    first = "cached already (pass --fresh to time it)"
    t0, c0 = time.perf_counter(), time.process_time()
    SemanticBank(bank, encoder, cache_dir=cache, shipped=None)
    embed_s, embed_cpu = time.perf_counter() - t0, time.process_time() - c0
    if embed_s > 5:
        # CPU time beside wall time: on a shared machine the wall time mostly measures the neighbours
        first = f"{embed_s:.1f} s wall, {embed_cpu:.1f} s CPU ({embed_s / n_texts * 1e3:.2f} ms per text)"
    t0 = time.perf_counter()
    semantic = SemanticBank(bank, encoder, cache_dir=cache, shipped=None)
    cached_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = Matcher(bank, semantic=semantic)
    build_s = time.perf_counter() - t0
    rss_built = _rss_mb()
    matcher.match_many(texts[:50])
    runs, cpus = [], []
    for _ in range(RUNS):
        matcher.normalizer._cache.clear()
        matcher._spelling.clear()
        encoder._memo.clear()  # a new questionnaire's questions are embedded afresh
        t0, c0 = time.perf_counter(), time.process_time()
        results = matcher.match_many(texts)
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    encoder._memo.clear()
    t0 = time.perf_counter()
    encoder.encode(texts)
    encode_s = time.perf_counter() - t0
    rss_matched = _rss_mb()
    if args.fresh:
        shutil.rmtree(cache, ignore_errors=True)
    match_s = statistics.median(runs)
    hit = sum(1 for (_, gold), r in zip(qs, results, strict=True) if gold is not None and r.candidates and r.candidates[0].entry_id == gold)
    in_bank = sum(1 for _, gold in qs if gold is not None)
    wrong_auto = sum(1 for (_, gold), r in zip(qs, results, strict=True) if r.status == "auto" and r.entry_id != gold)
    statuses = Counter(r.status for r in results)
    rows = [
        ("semantic matcher", f"{len(bank):,} entries, {n_texts:,} texts, {len(texts):,} questions"),
        ("model load + hash check", f"{load_s:.2f} s"),
        ("first embedding of the bank", first),
        ("bank vectors from the cache", f"{cached_s:.2f} s"),
        ("Matcher build (lexical index)", f"{build_s:.2f} s"),
        ("match_many, vectors cached", f"{match_s:.3f} s median of {RUNS} (min {min(runs):.3f}, max {max(runs):.3f}; CPU median "
                                       f"{statistics.median(cpus):.2f} s over all threads); "
                                       f"of which embedding the questions alone {encode_s:.2f} s"),
        ("top-1 on paraphrases (whole bank)", f"{hit / max(in_bank, 1):.1%} (n={in_bank})"),
        ("statuses", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))),
        ("auto wrong", f"{wrong_auto} (out-of-bank or other entry)"),
        ("peak RSS", f"start {rss_start:.0f} MB, after build {rss_built:.0f} MB, after matching {rss_matched:.0f} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    wrong = [(q, gold, r) for (q, gold), r in zip(qs, results, strict=True) if r.status == "auto" and r.entry_id != gold]
    for q, gold, r in wrong[:8]:
        print(f"  wrong auto: {q!r} -> {r.entry_id} (expected {gold}); {r.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
