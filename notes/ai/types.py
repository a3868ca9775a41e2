"""What goes into the AI layer and what comes out of it. Plain data, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

# The answer's topic when no topic fits; never a topic key (keys are checked against it).
NONE_KEY = "none"


@dataclass(frozen=True)
class TopicInfo:
    """One topic the note may go to. ``key`` is what the model answers with."""

    key: str
    name: str
    description: str = ""
    style_instructions: str = ""
    is_private: bool = False


@dataclass(frozen=True)
class Example:
    """A note the owner filed: ``topic_key`` is where it went.

    A correction also names ``suggested_key``, the topic the AI had proposed
    ("moved from Books to Movies"). ``kind`` is the note's (text, voice, link,
    photo…). ``embedding`` is its stored sentence vector (``notes.ai.embeddings``),
    empty when it has none. A context's examples are newest first: their order is
    their recency.
    """

    text: str
    topic_key: str
    suggested_key: str | None = None
    kind: str = ""
    embedding: bytes = field(default=b"", repr=False)

    @property
    def is_correction(self) -> bool:
        return self.suggested_key is not None and self.suggested_key != self.topic_key


@dataclass(frozen=True)
class LinkInfo:
    """A link of the note and what its page says about itself (empty until fetched)."""

    url: str = ""
    title: str = ""
    description: str = ""
    site_name: str = ""


@dataclass(frozen=True)
class NoteContext:
    """Everything a provider may know about one note and its owner."""

    text: str
    language: str
    topics: tuple[TopicInfo, ...]
    kind: str = "text"
    link: LinkInfo | None = None  # the first of ``links``
    links: tuple[LinkInfo, ...] = ()
    forward_from: str = ""
    examples: tuple[Example, ...] = ()
    providers: tuple[str, ...] = ("local",)

    def topic(self, key: str | None) -> TopicInfo | None:
        return next((topic for topic in self.topics if topic.key == key), None)

    def restricted_to(self, topics: tuple[TopicInfo, ...]) -> NoteContext:
        """The same note with only ``topics`` (and only their examples) in view."""
        keys = {topic.key for topic in topics}
        examples = tuple(
            example
            for example in self.examples
            if example.topic_key in keys and (example.suggested_key in keys | {None})
        )
        return NoteContext(
            text=self.text,
            language=self.language,
            topics=topics,
            kind=self.kind,
            link=self.link,
            links=self.links,
            forward_from=self.forward_from,
            examples=examples,
            providers=self.providers,
        )


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_tokens + other.cached_tokens,
        )


@dataclass(frozen=True)
class Alternative:
    topic_key: str
    confidence: float


@dataclass(frozen=True)
class ClassificationResult:
    """The validated answer: ``topic_key`` is one of the context's topics, or None."""

    topic_key: str | None
    confidence: float
    reason: str
    alternatives: tuple[Alternative, ...] = ()
    title: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    suggested_topic_name: str = ""
    provider: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: Decimal = Decimal(0)
    failures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON kept on the note (``Note.classification``)."""
        return {
            "topic": self.topic_key,
            "confidence": self.confidence,
            "reason": self.reason,
            "alternatives": [
                {"topic": alt.topic_key, "confidence": alt.confidence} for alt in self.alternatives
            ],
            "title": self.title,
            "summary": self.summary,
            "tags": list(self.tags),
            "suggested_topic_name": self.suggested_topic_name,
            "provider": self.provider,
            "model": self.model,
            "usage": {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
                "cached_tokens": self.usage.cached_tokens,
            },
            "cost_usd": str(self.cost_usd),
            "failures": dict(self.failures),
        }


@dataclass(frozen=True)
class RenderContext:
    """A note to be shown in one topic."""

    topic: TopicInfo
    template: str
    language: str
    body_html: str
    text: str = ""
    title: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    link: LinkInfo | None = None  # the first of ``links``
    links: tuple[LinkInfo, ...] = ()
    source_html: str = ""
    date: datetime | None = None
    kind: str = "text"
    providers: tuple[str, ...] = ("local",)


@dataclass(frozen=True)
class RenderedNote:
    """``body`` and ``html`` are Telegram-safe HTML; ``html`` is the final message text."""

    title: str
    body: str
    tags: tuple[str, ...]
    html: str
    provider: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: Decimal = Decimal(0)
    failures: dict[str, str] = field(default_factory=dict)
    # Why the topic's format gave way to the default for this note ("" when it did not).
    format_refusal: str = ""


@dataclass(frozen=True)
class AudioInput:
    data: bytes
    filename: str = "voice.ogg"
    mime_type: str = "audio/ogg"
    language: str = ""
    duration: float | None = None
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str = ""
    duration: float | None = None
    provider: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: Decimal = Decimal(0)
    failures: dict[str, str] = field(default_factory=dict)
