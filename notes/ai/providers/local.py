"""``local``: no key, no network, deterministic.

Two kinds of evidence, blended:

*The description.* The note is scored against each topic's name and
description. Words meet through their dictionary forms (``notes.ai.morphology``:
"купила", "покупок" and "купить" are forms of two words both descriptions of a
shopping topic use), through a bilingual thesaurus of everyday concepts
(``notes.ai.lexicon``: "молоко" meets "продукты"), and through character
n-grams for words no dictionary knows. A link counts by its site
(``arxiv.org`` is a paper), its path words and its fetched title; a forward by
its channel's name. Features are weighted by how few topics share them (IDF
over the owner's topics), so what sets a topic apart counts most.

*The owner's filings.* The most similar earlier filings (nearest neighbours over
the same words and sites, plus the note's kind; at least two words in common)
vote for their topics, weighted by similarity squared and recency; a correction
votes twice and against the topic that was wrongly suggested. The vote's share
of the final score grows with the evidence but never passes ``HISTORY_SHARE``,
so a few examples cannot drown a description the note clearly meets; when the
description is met only faintly, the filings decide. Then the filings that *mean*
the same as the note vote too (``notes.ai.neighbours``: sentence embeddings,
when ``CLASSIFIER_EMBEDDINGS`` is on), with their own share of the final score.

The confidence is calibrated on the evaluation sets (``notes.ai.confidence``): among
notes given 0.85 or more, at least 85 % were right. The index of a topic set and
its examples is cached: scoring a note is a few hundred dictionary look-ups.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import gettext

from notes.ai import neighbours
from notes.ai.confidence import confidences_of
from notes.ai.lexicon import domain_concepts, host_of, lemma_concepts, text_concepts
from notes.ai.morphology import lemma
from notes.ai.providers.base import Provider
from notes.ai.textfeatures import first_line_title, words
from notes.ai.types import (
    Alternative,
    ClassificationResult,
    Example,
    NoteContext,
    TopicInfo,
)

NAME_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 1.0
LEMMA_WEIGHT = 1.0
NGRAM_WEIGHT = 0.25
GRAM_SIZES = (3, 4, 5)
CONCEPT_WEIGHT = 4.0
# Words of a link's path ("/articles/…", "/hotel/…") say less than its title.
PATH_WEIGHT = 0.5
# Below this a topic shares nothing meaningful with the note; from this on the
# description's evidence counts in full (a concept or a word of the description
# in common scores 1.3 and more; n-grams alone stay under 0.5).
MIN_SCORE = 0.05
DESCRIPTION_FULL = 1.0

# The owner's filings: how many neighbours vote, how similar they must be.
NEIGHBOURS = 7
MIN_SIMILARITY = 0.15
# One word in common is a coincidence: a neighbour shares at least two words or sites.
MIN_SHARED = 2
# A vote is similarity ** VOTE_POWER: a near copy counts, a faint likeness hardly.
VOTE_POWER = 2.0
CORRECTION_WEIGHT = 2.0
CORRECTION_PENALTY = 0.5
# A filing's vote halves after this many newer filings.
RECENCY_HALF_LIFE = 100
# The vote's share of the score: evidence / (evidence + EVIDENCE_HALF), at most HISTORY_SHARE.
HISTORY_SHARE = 0.6
EVIDENCE_HALF = 0.4
MAX_EXAMPLES = 400
KNN_CONCEPT_SCALE = 0.0
# The filings' meaning (``notes.ai.neighbours``) weighs less the more clearly the words
# alone set one topic apart: its trust × (1 − MEANING_YIELDS × the words' margin), unless
# the nearest filings are corrections.
MEANING_YIELDS = 0.8


_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class _Index:
    keys: tuple[str, ...]
    vectors: tuple[dict[str, float], ...]
    idf: dict[str, float]
    examples: tuple[Example, ...]
    # feature → (example position, weight) over the examples' normalised vectors
    postings: dict[str, tuple[tuple[int, float], ...]]
    example_idf: dict[str, float]


@dataclass(frozen=True)
class Scored:
    key: str
    score: float
    description: float
    history: float
    # the filings' vote by meaning for this topic (``notes.ai.neighbours``); None: no vote
    meaning: float | None = None


class LocalProvider(Provider):
    name = "local"
    remote = False
    can_rewrite = False

    def classify(self, context: NoteContext) -> ClassificationResult:
        scored = score(context)
        with translation.override(context.language):
            return _result(context, scored)


def rank(context: NoteContext) -> list[tuple[str, float]]:
    """Topic keys with scores, best first (ties keep the owner's topic order)."""
    return [(item.key, item.score) for item in score(context)]


def score(context: NoteContext) -> list[Scored]:
    index = _index(context.topics, context.examples[:MAX_EXAMPLES])
    text = _note_text(context)
    query = note_features(text, context.kind)
    meant = neighbours.vote(text, context.examples, len(context.topics))
    described = [
        sum(
            weight * vector[feature] * index.idf[feature]
            for feature, weight in query.items()
            if feature in vector
        )
        for vector in index.vectors
    ]
    best = max(described, default=0.0)
    votes, evidence = _votes(index, query)
    trust = HISTORY_SHARE * evidence / (evidence + EVIDENCE_HALF) if evidence else 0.0
    total_vote = sum(vote for vote in votes.values() if vote > 0)
    worded = []
    # A description met only by a stray n-gram says little: the filings may outvote it.
    strength = min(1.0, best / DESCRIPTION_FULL)
    for key, raw in zip(index.keys, described, strict=True):
        description = strength * raw / best if best > 0 else 0.0
        history = votes.get(key, 0.0) / total_vote if total_vote else 0.0
        total = (1 - trust) * description + trust * history
        if best < MIN_SCORE and evidence == 0:
            total = 0.0
        worded.append(Scored(key, total, raw, trust * history))
    return _with_meaning(worded, meant)


def _with_meaning(worded: list[Scored], meant: neighbours.Vote) -> list[Scored]:
    """The words' scores blended with the filings' vote by meaning."""
    totals = sorted((item.score for item in worded), reverse=True)
    margin = 1 - max(totals[1], 0.0) / totals[0] if len(totals) > 1 and totals[0] > 0 else 0.0
    # Corrections among the nearest filings say the words mislead: they do not yield.
    trust = meant.trust * (1 - MEANING_YIELDS * margin * (1 - meant.corrected))
    scored = []
    for item in worded:
        alike = trust * meant.shares.get(item.key, 0.0)
        total = (1 - trust) * item.score + alike
        scored.append(
            Scored(
                item.key,
                total,
                item.description,
                item.history + max(alike, 0.0),
                meant.shares.get(item.key, 0.0) if meant.shares else None,
            )
        )
    return sorted(scored, key=lambda item: -item.score)


def nearest_examples(context: NoteContext, limit: int) -> list[Example]:
    """The owner's filings most like this note, most similar first (for few-shot prompts)."""
    if not context.examples or limit <= 0:
        return []
    index = _index(context.topics, context.examples[:MAX_EXAMPLES])
    query = note_features(_note_text(context), context.kind)
    return [index.examples[position] for position, _ in _neighbours(index, query, limit)]


def _neighbours(index: _Index, query: dict[str, float], limit: int) -> list[tuple[int, float]]:
    if not index.examples:
        return []
    weighted = {
        feature: weight * index.example_idf[feature]
        for feature, weight in _likeness(query).items()
        if feature in index.example_idf
    }
    norm = math.sqrt(sum(value * value for value in weighted.values()))
    if not norm:
        return []
    similarity: dict[int, float] = defaultdict(float)
    shared: Counter[int] = Counter()
    for feature, value in weighted.items():
        telling = feature[0] != "#"  # the kind alone makes no two notes alike
        for position, weight in index.postings[feature]:
            similarity[position] += value * weight / norm
            shared[position] += telling
    ranked = sorted(
        (
            (position, sim)
            for position, sim in similarity.items()
            if sim >= MIN_SIMILARITY and shared[position] >= MIN_SHARED
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return ranked[:limit]


def _likeness(features: dict[str, float]) -> dict[str, float]:
    """The features two notes are compared by: concepts count less (they are the
    description's part), n-grams not at all (lemmas already meet)."""
    return {
        feature: weight * KNN_CONCEPT_SCALE if feature[0] == "§" else weight
        for feature, weight in features.items()
        if feature[0] in "=§@#" and (KNN_CONCEPT_SCALE or feature[0] != "§")
    }


def _votes(index: _Index, query: dict[str, float]) -> tuple[dict[str, float], float]:
    votes: dict[str, float] = defaultdict(float)
    evidence = 0.0
    for position, similarity in _neighbours(index, query, NEIGHBOURS):
        example = index.examples[position]
        weight = similarity**VOTE_POWER * 0.5 ** (position / RECENCY_HALF_LIFE)
        if example.is_correction:
            weight *= CORRECTION_WEIGHT
            if example.suggested_key is not None:
                votes[example.suggested_key] -= CORRECTION_PENALTY * weight
        votes[example.topic_key] += weight
        evidence += weight
    return votes, evidence


@lru_cache(maxsize=16384)
def note_features(text: str, kind: str = "") -> dict[str, float]:
    """A text's features: lemmas, n-grams, concepts, sites; damped counts.

    Cached (an index rebuilt after a new filing re-reads the same examples), so
    callers must not change the returned dict.
    """
    counts: dict[str, float] = defaultdict(float)
    urls = _URL.findall(text)
    for token in words(_URL.sub(" ", text)):
        _add_word(counts, token, 1.0)
    for url in urls:
        host = host_of(url)
        if host:
            counts["@" + host] += 1.0
        for concept in domain_concepts(url):
            counts["§" + concept] += CONCEPT_WEIGHT
        for token in words(urlsplit(url).path):
            _add_word(counts, token, PATH_WEIGHT)
    for concept in text_concepts(text):
        counts["§" + concept] += CONCEPT_WEIGHT
    if kind:
        counts["#" + kind] += 1.0
    return {feature: math.log1p(count) for feature, count in counts.items()}


def _add_word(counts: dict[str, float], token: str, weight: float) -> None:
    base = lemma(token)
    if not base:
        return
    counts["=" + base] += LEMMA_WEIGHT * weight
    for gram in _grams(base):
        counts[gram] += NGRAM_WEIGHT * weight
    for concept in lemma_concepts(base):
        counts["§" + concept] += CONCEPT_WEIGHT * weight


@lru_cache(maxsize=65536)
def _grams(base: str) -> tuple[str, ...]:
    """Character n-grams of ``^lemma``: parts of compound and unknown words.

    No end marker: dictionary forms share their endings ("-ить", "-ость"), not meaning.
    """
    padded = "^" + base
    if len(padded) <= GRAM_SIZES[0]:
        return (padded,)
    return tuple(
        padded[start : start + size]
        for size in GRAM_SIZES
        for start in range(len(padded) - size + 1)
    )


@lru_cache(maxsize=256)
def _index(topics: tuple[TopicInfo, ...], examples: tuple[Example, ...]) -> _Index:
    raw = [_topic_vector(topic) for topic in topics]
    document_frequency: Counter[str] = Counter()
    for vector in raw:
        document_frequency.update(vector.keys())
    count = len(topics)
    idf = {
        feature: math.log((count + 1) / (frequency + 0.5))
        for feature, frequency in document_frequency.items()
    }
    vectors = tuple(_normalised(vector, idf) for vector in raw)
    postings, example_idf = _example_index(examples)
    return _Index(
        tuple(topic.key for topic in topics), vectors, idf, examples, postings, example_idf
    )


def _example_index(
    examples: tuple[Example, ...],
) -> tuple[dict[str, tuple[tuple[int, float], ...]], dict[str, float]]:
    vectors = [_likeness(note_features(example.text, example.kind)) for example in examples]
    document_frequency: Counter[str] = Counter()
    for vector in vectors:
        document_frequency.update(vector.keys())
    count = len(examples)
    idf = {
        feature: math.log((count + 1) / (frequency + 0.5)) + 1.0
        for feature, frequency in document_frequency.items()
    }
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for position, vector in enumerate(vectors):
        for feature, weight in _normalised(vector, idf).items():
            postings[feature].append((position, weight))
    return {feature: tuple(items) for feature, items in postings.items()}, idf


def _topic_vector(topic: TopicInfo) -> dict[str, float]:
    vector: dict[str, float] = defaultdict(float)
    for text, weight in ((topic.name, NAME_WEIGHT), (topic.description, DESCRIPTION_WEIGHT)):
        for feature, value in note_features(text).items():
            vector[feature] += weight * value
    return vector


def _normalised(vector: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    positive = {feature: weight for feature, weight in vector.items() if weight > 0}
    norm = math.sqrt(sum((weight * idf[feature]) ** 2 for feature, weight in positive.items()))
    if not norm:
        return {}
    return {feature: weight * idf[feature] / norm for feature, weight in positive.items()}


def _note_text(context: NoteContext) -> str:
    links = context.links or ((context.link,) if context.link else ())
    parts = [context.text, context.forward_from]
    for link in links:
        parts += [link.title, link.description, link.site_name]
        if link.url and link.url not in context.text:
            parts.append(link.url)
    return "\n".join(part for part in parts if part)


def _result(context: NoteContext, scored: list[Scored]) -> ClassificationResult:
    title = context.link.title if context.link and context.link.title else ""
    title = first_line_title(title or context.text)
    if not scored or scored[0].score <= 0:
        return ClassificationResult(
            topic_key=None,
            confidence=0.0,
            reason=gettext("No topic shares enough words with this note."),
            title=title,
            provider=LocalProvider.name,
        )
    confidences = confidences_of(scored)
    best = scored[0]
    alternatives = tuple(
        Alternative(item.key, round(confidence, 4))
        for item, confidence in zip(scored[1:4], confidences[1:4], strict=False)
        if item.score > 0
    )
    return ClassificationResult(
        topic_key=best.key,
        confidence=round(confidences[0], 4),
        reason=_reason(context, best),
        alternatives=alternatives,
        title=title,
        provider=LocalProvider.name,
    )


def _reason(context: NoteContext, best: Scored) -> str:
    topic = context.topic(best.key)
    name = topic.name if topic else best.key
    if best.history > 0:
        return gettext("Closest to the topic «%(topic)s» and to notes you filed there.") % {
            "topic": name
        }
    return gettext("Closest to the description of the topic «%(topic)s».") % {"topic": name}
