"""``local``: no key, no network, deterministic.

Scores the note against each topic's name, description and the owner's own
filed notes. Words are cut into character n-grams ("книга", "книги", "книгу"
share "^кни", "книг"), which copes with Russian endings without a dictionary; a
small built-in thesaurus (``notes.ai.lexicon``) adds everyday concepts so that
"молоко, хлеб" meets a topic described as "продукты". Features are weighted by
how few topics share them (IDF over the owner's topics), so what sets a topic
apart counts most. The owner's filed examples outweigh the description as they
accumulate, and a correction pulls its text away from the topic it was wrongly
given. The index of a topic set is cached: scoring a note is a few hundred
dictionary look-ups.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext

from notes.ai.lexicon import concepts_of
from notes.ai.providers.base import Provider
from notes.ai.textfeatures import first_line_title, ngrams, words
from notes.ai.types import (
    Alternative,
    ClassificationResult,
    Example,
    NoteContext,
    TopicInfo,
)

NAME_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 1.0
EXAMPLE_WEIGHT = 1.0
# The owner said outright where such a note belongs: that counts double.
CORRECTION_WEIGHT = 2.0
CORRECTION_PENALTY = 0.5
CONCEPT_WEIGHT = 4.0
MAX_EXAMPLES_PER_TOPIC = 50
# Below this a topic shares nothing meaningful with the note.
MIN_SCORE = 0.05
# How sharply scores turn into confidences (a softmax temperature).
SHARPNESS = 3.0


@dataclass(frozen=True)
class _Index:
    keys: tuple[str, ...]
    vectors: tuple[dict[str, float], ...]
    idf: dict[str, float]


class LocalProvider(Provider):
    name = "local"
    remote = False
    can_rewrite = False

    def classify(self, context: NoteContext) -> ClassificationResult:
        ranked = rank(context)
        with translation.override(context.language):
            return _result(context, ranked)


def rank(context: NoteContext) -> list[tuple[str, float]]:
    """Topic keys with scores, best first (ties keep the owner's topic order)."""
    index = _index(context.topics, _examples_by_topic(context))
    query = note_features(_note_text(context))
    scores = []
    for key, vector in zip(index.keys, index.vectors, strict=True):
        score = sum(
            weight * vector[feature] * index.idf[feature]
            for feature, weight in query.items()
            if feature in vector
        )
        scores.append((key, score))
    return sorted(scores, key=lambda pair: -pair[1])


@lru_cache(maxsize=8192)
def note_features(text: str) -> dict[str, float]:
    """The note's features: n-grams of its words, then concepts, with damped counts.

    Cached (an index rebuilt after a new filing re-reads the same examples), so
    callers must not change the returned dict.
    """
    counts: dict[str, float] = defaultdict(float)
    tokens = words(text)
    for token in tokens:
        for gram in ngrams(token):
            counts[gram] += 1.0
    for concept in concepts_of(text, tokens):
        counts[concept] += CONCEPT_WEIGHT
    return {feature: 1.0 + math.log(count) for feature, count in counts.items()}


def _examples_by_topic(context: NoteContext) -> tuple[tuple[str, tuple[Example, ...]], ...]:
    grouped: dict[str, list[Example]] = defaultdict(list)
    for example in context.examples:
        if len(grouped[example.topic_key]) < MAX_EXAMPLES_PER_TOPIC:
            grouped[example.topic_key].append(example)
        if example.is_correction and example.suggested_key is not None:
            grouped[example.suggested_key].append(example)
    return tuple((key, tuple(examples)) for key, examples in sorted(grouped.items()))


@lru_cache(maxsize=256)
def _index(
    topics: tuple[TopicInfo, ...], examples: tuple[tuple[str, tuple[Example, ...]], ...]
) -> _Index:
    by_topic = dict(examples)
    raw = [_topic_vector(topic, by_topic.get(topic.key, ())) for topic in topics]
    document_frequency: Counter[str] = Counter()
    for vector in raw:
        document_frequency.update(feature for feature, weight in vector.items() if weight > 0)
    count = len(topics)
    idf = {
        feature: math.log((count + 1) / (frequency + 0.5))
        for feature, frequency in document_frequency.items()
    }
    vectors = tuple(_normalised(vector, idf) for vector in raw)
    return _Index(tuple(topic.key for topic in topics), vectors, idf)


def _topic_vector(topic: TopicInfo, examples: tuple[Example, ...]) -> dict[str, float]:
    vector: dict[str, float] = defaultdict(float)
    _add(vector, topic.name, NAME_WEIGHT)
    _add(vector, topic.description, DESCRIPTION_WEIGHT)
    for example in examples:
        if example.topic_key == topic.key:
            weight = CORRECTION_WEIGHT if example.is_correction else EXAMPLE_WEIGHT
            _add(vector, example.text, weight)
        else:  # a correction away from this topic
            _add(vector, example.text, -CORRECTION_PENALTY)
    return vector


def _add(vector: dict[str, float], text: str, weight: float) -> None:
    for feature, value in note_features(text).items():
        vector[feature] += weight * value


def _normalised(vector: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    positive = {feature: weight for feature, weight in vector.items() if weight > 0}
    norm = math.sqrt(sum((weight * idf[feature]) ** 2 for feature, weight in positive.items()))
    if not norm:
        return {}
    return {feature: weight * idf[feature] / norm for feature, weight in positive.items()}


def _note_text(context: NoteContext) -> str:
    parts = [context.text, context.forward_from]
    if context.link:
        parts += [context.link.title, context.link.description]
    return "\n".join(part for part in parts if part)


def _confidences(ranked: list[tuple[str, float]]) -> list[float]:
    best = ranked[0][1] if ranked else 0.0
    if best <= 0:
        return [0.0 for _ in ranked]
    exps = [math.exp(SHARPNESS * (score / best - 1)) for _, score in ranked]
    total = sum(exps)
    return [value / total for value in exps]


def _result(context: NoteContext, ranked: list[tuple[str, float]]) -> ClassificationResult:
    title = context.link.title if context.link and context.link.title else ""
    title = first_line_title(title or context.text)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return ClassificationResult(
            topic_key=None,
            confidence=0.0,
            reason=gettext("No topic shares enough words with this note."),
            title=title,
            provider=LocalProvider.name,
        )
    confidences = _confidences(ranked)
    best_key = ranked[0][0]
    alternatives = tuple(
        Alternative(key, round(confidence, 4))
        for (key, score), confidence in zip(ranked[1:4], confidences[1:4], strict=False)
        if score >= MIN_SCORE
    )
    return ClassificationResult(
        topic_key=best_key,
        confidence=round(confidences[0], 4),
        reason=_reason(context, best_key),
        alternatives=alternatives,
        title=title,
        provider=LocalProvider.name,
    )


def _reason(context: NoteContext, key: str) -> str:
    topic = context.topic(key)
    name = topic.name if topic else key
    if any(example.topic_key == key for example in context.examples):
        return gettext("Closest to the topic «%(topic)s» and to notes you filed there.") % {
            "topic": name
        }
    return gettext("Closest to the description of the topic «%(topic)s».") % {"topic": name}
