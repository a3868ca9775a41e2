"""The provider chain: try each provider in order, fall through on failure, say why.

``classify_note`` never raises because a provider failed: when every provider
fails, the result has no topic and ``failures`` says what happened to each.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import partial

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from notes.ai import routing
from notes.ai.errors import ProviderError, TranscriptionFailed, TranscriptionUnavailable
from notes.ai.providers import PROVIDERS, Provider, Rewrite, get_provider
from notes.ai.providers.local import LocalProvider, rank
from notes.ai.templates import FormattedNote, format_note
from notes.ai.textfeatures import first_line_title
from notes.ai.types import (
    AudioInput,
    ClassificationResult,
    NoteContext,
    RenderContext,
    RenderedNote,
    Transcript,
    Usage,
)
from secretary.metrics import ai_call_record

logger = logging.getLogger(__name__)

MANUAL = "manual"


def classify_note(context: NoteContext) -> ClassificationResult:
    """The best topic for the note among ``context.topics``, or none."""
    with translation.override(context.language):
        if not context.topics:
            return ClassificationResult(
                topic_key=None, confidence=0.0, reason=gettext("There are no topics to file into.")
            )
        chosen = routing.hand_routed_topic(context)
        if chosen is not None:
            return ClassificationResult(
                topic_key=chosen.key,
                confidence=1.0,
                reason=gettext("You chose the topic with its hashtag."),
                title=first_line_title(context.text.split(maxsplit=1)[-1]),
                provider=MANUAL,
            )
        return _classify_with_chain(context)


def _classify_with_chain(context: NoteContext) -> ClassificationResult:
    failures: dict[str, str] = {}
    remote_context = _remote_context(context)
    names = _known(context.providers, failures)
    if remote_context is None:
        for name in names:
            if get_provider(name).remote:
                failures[name] = "not asked: the note's topics are private"
        names = [LocalProvider.name]
    for name in names:
        provider = get_provider(name)
        view = remote_context if provider.remote else context
        if view is None:
            continue
        result = _attempt(provider, "classify", partial(provider.classify, view), failures)
        if result is not None:
            return replace(result, failures=failures)
    return ClassificationResult(
        topic_key=None,
        confidence=0.0,
        reason=gettext("No AI provider could classify this note; choose the topic yourself."),
        title=first_line_title(context.text),
        failures=failures,
    )


def _known(names: tuple[str, ...], failures: dict[str, str]) -> list[str]:
    """The chain's provider names in order, once each; unknown ones are reported, not fatal."""
    known = []
    for name in dict.fromkeys(names):
        if name in PROVIDERS:
            known.append(name)
        else:
            failures[name] = "unknown provider"
    return known


def _remote_context(context: NoteContext) -> NoteContext | None:
    """What remote providers may see, or None when the note must stay local."""
    public = routing.public_topics(context)
    if not public:
        return None
    if len(public) < len(context.topics):
        plausible = routing.plausible_keys(rank(context))
        private_keys = {topic.key for topic in context.topics if topic.is_private}
        if all(key in private_keys for key in plausible):
            return None
    return context.restricted_to(public)


def _attempt[T](
    provider: Provider, operation: str, call: Callable[[], T], failures: dict[str, str]
) -> T | None:
    """One provider call; its outcome, latency, tokens and cost go to the metrics."""
    reason = provider.unavailable_reason()
    if reason:
        failures[provider.name] = reason
        ai_call_record(provider.name, operation, "unavailable", 0.0, None)
        return None
    started = time.perf_counter()
    try:
        result = call()
    except ProviderError as exc:
        failures[provider.name] = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a provider's bug must not stop the chain
        logger.exception("%s failed unexpectedly", provider.name)
        failures[provider.name] = f"unexpected {type(exc).__name__}"
    else:
        ai_call_record(provider.name, operation, "ok", time.perf_counter() - started, result)
        return result
    ai_call_record(provider.name, operation, "failed", time.perf_counter() - started, None)
    logger.warning("%s failed: %s", provider.name, failures[provider.name])
    return None


def render_note(context: RenderContext) -> RenderedNote:
    """The topic's template over the note; a model rewrite only if the topic's style asks."""
    failures: dict[str, str] = {}
    rewrite = _rewrite(context, failures) if _wants_rewrite(context) else None
    title = (rewrite.title if rewrite and rewrite.title else context.title).strip()
    body = escape(rewrite.body) if rewrite else context.body_html
    formatted = _templated(context, title, body, rewrite.body if rewrite else context.text)
    return RenderedNote(
        title=title,
        body=body,
        tags=context.tags,
        html=formatted.html,
        format_refusal=formatted.refusal,
        provider=rewrite.provider if rewrite else "",
        usage=rewrite.usage if rewrite else Usage(),
        cost_usd=rewrite.cost_usd if rewrite else Decimal(0),
        failures=failures,
    )


def preview_note(context: RenderContext) -> FormattedNote:
    """The note through ``context.template`` as it is, no model asked: a live preview."""
    return _templated(context, context.title.strip(), context.body_html, context.text)


def _templated(context: RenderContext, title: str, body: str, body_text: str) -> FormattedNote:
    zone = context.date.tzinfo if context.date and context.date.tzinfo else None
    with translation.override(context.language), timezone.override(zone):
        return format_note(
            context.template,
            title="" if _title_repeats_body(title, body_text) else title,
            body=body,
            tags=context.tags,
            summary=context.summary,
            link=context.link,
            links=context.links,
            source_html=context.source_html,
            date=context.date,
            topic=context.topic.name,
            kind=context.kind,
            text=context.text,
        )


def _title_repeats_body(title: str, body_text: str) -> bool:
    """A title cut from the note's own first line would only say it twice."""

    def folded(text: str) -> str:
        return " ".join(text.split()).casefold()

    stem = folded(title.removesuffix("…"))
    return bool(stem) and folded(body_text).startswith(stem)


def _wants_rewrite(context: RenderContext) -> bool:
    return bool(context.topic.style_instructions.strip()) and not context.topic.is_private


def _rewrite(context: RenderContext, failures: dict[str, str]) -> Rewrite | None:
    for name in _known(context.providers, failures):
        provider = get_provider(name)
        if not provider.can_rewrite:
            continue
        rewrite = _attempt(provider, "rewrite", partial(provider.rewrite, context), failures)
        if rewrite is not None:
            return rewrite
    return None


def speech_providers(providers: tuple[str, ...]) -> list[Provider]:
    """The providers of the chain that can turn speech into text right now (they have keys)."""
    chain = [get_provider(name) for name in _known(providers, {})]
    return [p for p in chain if p.can_transcribe and not p.unavailable_reason()]


def transcribe_voice(audio: AudioInput) -> Transcript:
    """Speech to text through the chain's capable providers; raises when none could."""
    capable = speech_providers(audio.providers)
    if not capable:
        raise TranscriptionUnavailable("no speech-to-text provider is configured")
    failures: dict[str, str] = {}
    for provider in capable:
        if not provider.takes_audio(seconds=audio.duration, size=len(audio.data)):
            failures[provider.name] = "the recording is too long or too big for it"
            continue
        transcript = _attempt(provider, "transcribe", partial(provider.transcribe, audio), failures)
        if transcript is not None:
            return replace(transcript, failures=failures)
    raise TranscriptionFailed(failures)
