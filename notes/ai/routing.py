"""Notes that never reach a model: routed by hand, or private.

*Routed by hand*: the note starts with a hashtag naming one of the owner's
topics — ``#книги Мастер и Маргарита`` or ``#фильмы_и_сериалы …`` — so the
owner has already chosen; no provider is asked. The tag matches a topic's
whole name (emoji, spaces and punctuation ignored) or, when only one topic
starts with it, its first word.

*Private*: a remote provider never sees a private topic. When the owner has
no topic that is not private, or the note's plausible topics (the ones the
local classifier ranks close to the best) are all private, the note itself
stays on this machine: only ``local`` classifies it.
"""

from __future__ import annotations

import re

from notes.ai.textfeatures import normalise
from notes.ai.types import NoteContext, TopicInfo

_LEADING_TAG = re.compile(r"^\s*#([^\W_](?:[\w]*))", re.UNICODE)
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# A topic ranked within this share of the best score counts as plausible.
PLAUSIBLE_SHARE = 0.6


def hand_routed_topic(context: NoteContext) -> TopicInfo | None:
    """The topic the note's leading hashtag names, if exactly one matches."""
    match = _LEADING_TAG.match(context.text)
    if not match:
        return None
    tag = _squash(match.group(1))
    whole = [topic for topic in context.topics if _squash(topic.name) == tag]
    if len(whole) == 1:
        return whole[0]
    first_word = [topic for topic in context.topics if _first_word(topic.name) == tag]
    return first_word[0] if len(first_word) == 1 else None


def public_topics(context: NoteContext) -> tuple[TopicInfo, ...]:
    return tuple(topic for topic in context.topics if not topic.is_private)


def plausible_keys(ranked: list[tuple[str, float]]) -> list[str]:
    """Keys whose local score is close to the best one (all of them when nothing scored)."""
    best = ranked[0][1] if ranked else 0.0
    if best <= 0:
        return [key for key, _ in ranked]
    return [key for key, score in ranked if score >= best * PLAUSIBLE_SHARE]


def _squash(text: str) -> str:
    return _NOT_ALNUM.sub("", normalise(text))


def _first_word(name: str) -> str:
    for word in _NOT_ALNUM.split(normalise(name)):
        if word:
            return word
    return ""
