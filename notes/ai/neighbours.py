"""The owner's filings that *mean* the same as a note: k nearest neighbours by embedding.

The lexical vote in ``notes.ai.providers.local`` hears only filings that share
two words with the note. This one compares sentence embeddings
(``notes.ai.embeddings``), so "Присед 80 кг" finds "Жим лёжа 60 кг".

The ``NEIGHBOURS`` closest filings vote for their topics. A vote is
``exp((similarity − best) / TEMPERATURE)``: the closest counts 1, one a little
further much less (e5's similarities sit in a narrow band, 0.8–0.95).
A correction counts ``CORRECTION_WEIGHT`` times and votes against the topic
that was wrongly suggested; a filing's vote halves every ``RECENCY_HALF_LIFE``
newer filings. Where the nearest filings are corrections, the owner has said
the words mislead here: the vote keeps its full weight however clearly the
words point elsewhere. So five notes moved from Books to Movies send the sixth
like them to Movies.

How much the vote weighs beside the description (``trust``): up to ``SHARE``,
scaled by how much of the topic set the owner has filed into, or by how close
the nearest filings are when that is more (a near copy of one filing is
evidence even when it is the only one). Tuned on ``tune.jsonl`` with the dev,
held-out and unseen sets as history; ``blind.jsonl`` was not used.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from notes.ai import embeddings
from notes.ai.types import Example

NEIGHBOURS = 7
TEMPERATURE = 0.02
SHARE = 0.5
CORRECTION_WEIGHT = 2.0
CORRECTION_PENALTY = 0.5
RECENCY_HALF_LIFE = 100
# Closeness on its own: a neighbour at similarity s counts exp((s − 1) / TEMPERATURE)
# (0.95 → 0.08, 0.9 → 0.007) and closeness is their sum over (sum + CLOSE_HALF).
CLOSE_HALF = 0.1
MAX_EXAMPLES = 2000


@dataclass(frozen=True)
class Vote:
    """Each topic's share of the vote (negative: voted against), its weight (0..SHARE),
    and how much of it came from corrections (0..1)."""

    shares: dict[str, float]
    trust: float
    corrected: float = 0.0


NO_VOTE = Vote({}, 0.0)


@dataclass(frozen=True)
class _Filed:
    matrix: np.ndarray
    positions: tuple[int, ...]  # rows → positions in the examples (those with a vector)


def vote(text: str, examples: tuple[Example, ...], topic_count: int, *, query: bytes = b"") -> Vote:
    """The filings' vote for ``text`` (embedded unless ``query`` is given)."""
    examples = examples[:MAX_EXAMPLES]
    filed = _filed(examples)
    if not filed.positions or topic_count <= 0:
        return NO_VOTE
    note = embeddings.vector(query or embeddings.embed(text))
    if note is None:
        return NO_VOTE
    # einsum stays on this thread: BLAS's own thread pool fights the worker's processes
    # for the cores (2,000 filings: ≈ 0.3–0.9 ms here, up to 9 ms through BLAS under load).
    similarities = np.einsum("ij,j->i", filed.matrix, note)
    count = min(NEIGHBOURS, len(similarities))
    nearest = np.argpartition(-similarities, count - 1)[:count]
    nearest = nearest[np.argsort(-similarities[nearest], kind="stable")]
    best = float(similarities[nearest[0]])
    votes: dict[str, float] = defaultdict(float)
    closeness = corrections = 0.0
    for row in nearest:
        similarity = float(similarities[row])
        position = filed.positions[row]
        example = examples[position]
        weight = math.exp((similarity - best) / TEMPERATURE) * 0.5 ** (position / RECENCY_HALF_LIFE)
        if example.is_correction:
            weight *= CORRECTION_WEIGHT
            corrections += weight
            if example.suggested_key is not None:
                votes[example.suggested_key] -= CORRECTION_PENALTY * weight
        votes[example.topic_key] += weight
        closeness += math.exp((similarity - 1) / TEMPERATURE)
    total = sum(weight for weight in votes.values() if weight > 0)
    if total <= 0:
        return NO_VOTE
    covered = len({example.topic_key for example in examples}) / topic_count
    corrected = corrections / total
    # The owner's corrections are evidence however few topics they have filed into.
    evidence = max(min(1.0, covered), closeness / (closeness + CLOSE_HALF), min(1.0, corrected))
    shares = {key: weight / total for key, weight in votes.items()}
    return Vote(shares, SHARE * evidence, min(1.0, corrected))


def _filed(examples: tuple[Example, ...]) -> _Filed:
    """The examples' stored vectors as one matrix.

    Built for every note rather than cached: joining 2,000 stored vectors costs less
    than hashing 2,000 examples to look a cached matrix up.
    """
    positions = tuple(
        position
        for position, example in enumerate(examples)
        if len(example.embedding) == embeddings.VECTOR_BYTES
    )
    return _Filed(
        embeddings.matrix(tuple(examples[position].embedding for position in positions)),
        positions,
    )
