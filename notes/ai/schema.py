"""The JSON schema the models must answer in, and the check of what they answered.

The schema restricts the topic to an enum of the owner's topic keys plus
"none"; the same rule is checked again here, because a model's output is data
from outside: anything unparseable or outside the set is an ``InvalidAnswer``
(the provider failed), never a filing.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from notes.ai.errors import InvalidAnswer
from notes.ai.types import NONE_KEY, Alternative, ClassificationResult, NoteContext

MAX_ALTERNATIVES = 3
MAX_TAGS = 5
_TAG_CHARS = re.compile(r"[^\w]+", re.UNICODE)


def classification_schema(context: NoteContext) -> dict[str, Any]:
    """Strict JSON schema (OpenAI structured outputs subset, also valid for Gemini)."""
    keys = [topic.key for topic in context.topics] + [NONE_KEY]
    topic_enum = {"type": "string", "enum": keys}
    return {
        "type": "object",
        "properties": {
            "topic": {**topic_enum, "description": "Key of the best topic, or none."},
            "confidence": {"type": "number", "description": "0 to 1."},
            "reason": {"type": "string", "description": "One short sentence for the owner."},
            "alternatives": {
                "type": "array",
                "description": "Up to 3 other plausible topics, best first.",
                "items": {
                    "type": "object",
                    "properties": {"topic": topic_enum, "confidence": {"type": "number"}},
                    "required": ["topic", "confidence"],
                    "additionalProperties": False,
                },
            },
            "title": {"type": "string", "description": "A short title, under 80 characters."},
            "summary": {"type": "string", "description": "One sentence."},
            "tags": {"type": "array", "items": {"type": "string"}},
            "suggested_topic_name": {
                "type": "string",
                "description": "A new topic's name when topic is none, else empty.",
            },
        },
        "required": [
            "topic",
            "confidence",
            "reason",
            "alternatives",
            "title",
            "summary",
            "tags",
            "suggested_topic_name",
        ],
        "additionalProperties": False,
    }


def rewrite_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"title": {"type": "string"}, "body": {"type": "string"}},
        "required": ["title", "body"],
        "additionalProperties": False,
    }


def transcript_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "language": {"type": "string", "description": "ISO 639-1 code."},
        },
        "required": ["text", "language"],
        "additionalProperties": False,
    }


def parse_json_object(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw or "")
    except (TypeError, ValueError):
        raise InvalidAnswer(f"not JSON: {_preview(raw)}") from None
    if not isinstance(data, dict):
        raise InvalidAnswer(f"not a JSON object: {_preview(raw)}")
    return data


def parse_classification(raw: str | None, context: NoteContext) -> ClassificationResult:
    """Validate a model's answer against the context's topics."""
    data = parse_json_object(raw)
    allowed = {topic.key for topic in context.topics}
    topic = _string(data, "topic")
    if topic != NONE_KEY and topic not in allowed:
        raise InvalidAnswer(f"topic {topic[:40]!r} is not one of the owner's topics")
    alternatives = _alternatives(data.get("alternatives", []), allowed, chosen=topic)
    chosen = None if topic == NONE_KEY else topic
    return ClassificationResult(
        topic_key=chosen,
        confidence=_confidence(data.get("confidence")),
        reason=_string(data, "reason", required=False)[:300],
        alternatives=alternatives,
        title=_string(data, "title", required=False)[:120],
        summary=_string(data, "summary", required=False)[:500],
        tags=clean_tags(data.get("tags", [])),
        suggested_topic_name=(
            _string(data, "suggested_topic_name", required=False)[:64] if chosen is None else ""
        ),
    )


def parse_rewrite(raw: str | None) -> tuple[str, str]:
    data = parse_json_object(raw)
    body = _string(data, "body")
    if not body.strip():
        raise InvalidAnswer("empty body")
    return _string(data, "title", required=False)[:120], body


def clean_tags(value: object) -> tuple[str, ...]:
    """Hashtag-ready tags: word characters only, no duplicates, at most ``MAX_TAGS``."""
    if not isinstance(value, list):
        raise InvalidAnswer("tags is not a list")
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidAnswer("a tag is not a string")
        tag = _TAG_CHARS.sub("_", item.strip().lstrip("#")).strip("_")[:40]
        if tag and not tag.isdigit() and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


def _alternatives(value: object, allowed: set[str], *, chosen: str) -> tuple[Alternative, ...]:
    if not isinstance(value, list):
        raise InvalidAnswer("alternatives is not a list")
    result: list[Alternative] = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidAnswer("an alternative is not an object")
        key = _string(item, "topic")
        if key != NONE_KEY and key not in allowed:
            raise InvalidAnswer(f"alternative {key[:40]!r} is not one of the owner's topics")
        if key in (NONE_KEY, chosen) or any(alt.topic_key == key for alt in result):
            continue
        result.append(Alternative(key, _confidence(item.get("confidence"))))
    return tuple(result[:MAX_ALTERNATIVES])


def _confidence(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise InvalidAnswer(f"confidence {value!r} is not a number")
    return round(min(1.0, max(0.0, float(value))), 4)


def _string(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidAnswer(f"{key} is missing or not a string")
    return value.strip()


def _preview(raw: str | None) -> str:
    text = (raw or "").strip().replace("\n", " ")
    return repr(text[:60] + ("…" if len(text) > 60 else ""))
