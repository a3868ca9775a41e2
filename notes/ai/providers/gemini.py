"""Google Gemini through google-genai: ``generateContent`` with a response JSON schema.

One client per operation, closed after it; the SDK retries nothing (no
``retry_options``) and ours are bounded. The base URL comes from
``GOOGLE_GEMINI_BASE_URL``, read by the SDK itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from notes.ai import prompts
from notes.ai.errors import (
    InvalidAnswer,
    ProviderError,
    ProviderTimeout,
    RateLimited,
    ServerError,
)
from notes.ai.pricing import cost_usd
from notes.ai.providers.base import Provider, Rewrite
from notes.ai.retry import call_with_retries, parse_retry_after
from notes.ai.schema import (
    classification_schema,
    parse_classification,
    parse_json_object,
    parse_rewrite,
    rewrite_schema,
    transcript_schema,
)
from notes.ai.types import (
    AudioInput,
    ClassificationResult,
    NoteContext,
    RenderContext,
    Transcript,
    Usage,
)

if TYPE_CHECKING:
    from google.genai import Client

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/"
MAX_OUTPUT_TOKENS = 800
THINKING_OPTIONAL_MODELS = ("gemini-2.5-flash", "gemini-2.0-flash")
_RETRY_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


class GeminiProvider(Provider):
    name = "gemini"
    can_transcribe = True

    def unavailable_reason(self) -> str | None:
        return None if settings.GEMINI_API_KEY else "GEMINI_API_KEY is not set"

    def classify(self, context: NoteContext) -> ClassificationResult:
        response = self._generate(
            prompts.classification_prefix(context),
            [prompts.note_message(context)],
            classification_schema(context),
        )
        result = parse_classification(_text(response), context)
        usage = _usage(response)
        return replace(
            result,
            provider=self.name,
            model=settings.GEMINI_MODEL,
            usage=usage,
            cost_usd=cost_usd(settings.GEMINI_MODEL, usage),
        )

    def rewrite(self, context: RenderContext) -> Rewrite:
        response = self._generate(
            prompts.rewrite_prefix(context), [prompts.rewrite_message(context)], rewrite_schema()
        )
        title, body = parse_rewrite(_text(response))
        usage = _usage(response)
        model = settings.GEMINI_MODEL
        return Rewrite(title, body, self.name, model, usage, cost_usd(model, usage))

    def takes_audio(self, *, seconds: float | None, size: int | None) -> bool:
        return (seconds or 0) <= LONGEST_AUDIO_SECONDS and (size or 0) <= INLINE_AUDIO_LIMIT

    def transcribe(self, audio: AudioInput) -> Transcript:
        from google.genai import types

        response = self._generate(
            prompts.TRANSCRIBE_INSTRUCTIONS,
            [types.Part.from_bytes(data=audio.data, mime_type=audio.mime_type)],
            transcript_schema(),
        )
        data = parse_json_object(_text(response))
        text, language = data.get("text"), data.get("language")
        if not isinstance(text, str) or not text.strip():
            raise InvalidAnswer("empty transcription")
        usage = _usage(response)
        return Transcript(
            text=text.strip(),
            language=(language if isinstance(language, str) else "")[:8] or audio.language,
            duration=audio.duration,
            provider=self.name,
            model=settings.GEMINI_MODEL,
            usage=usage,
            cost_usd=cost_usd(settings.GEMINI_MODEL, usage),
        )

    def _generate(self, system: str, parts: list[Any], schema: dict[str, Any]) -> Any:
        from google.genai import types

        model = settings.GEMINI_MODEL
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_json_schema=schema,
            temperature=0,
            max_output_tokens=MAX_OUTPUT_TOKENS,
            # Filing a note needs no deliberation: thinking tokens cost and delay. Only
            # the flash models accept a zero budget; others keep their own default.
            thinking_config=(
                types.ThinkingConfig(thinking_budget=0)
                if model.startswith(THINKING_OPTIONAL_MODELS)
                else None
            ),
        )
        contents = [
            types.Content(
                role="user",
                parts=[types.Part.from_text(text=p) if isinstance(p, str) else p for p in parts],
            )
        ]
        with _client() as client:
            return call_with_retries(
                lambda: _translated(
                    lambda: client.models.generate_content(
                        model=model, contents=contents, config=config
                    )
                ),
                provider=self.name,
            )


@contextmanager
def _client() -> Iterator[Client]:
    from google import genai
    from google.genai import types

    options = types.HttpOptions(timeout=int(settings.AI_TIMEOUT * 1000))
    if not os.environ.get("GOOGLE_GEMINI_BASE_URL", "").strip():
        options.base_url = DEFAULT_BASE_URL  # an empty variable means "not set"
    client = genai.Client(api_key=settings.GEMINI_API_KEY, http_options=options)
    try:
        yield client
    finally:
        client.close()


def _translated[T](call: Callable[[], T]) -> T:
    """Run an SDK call; its errors become ours (temporary ones are retried by the caller)."""
    import httpx
    import httpx2
    from google.genai import errors

    try:
        return call()
    except (httpx.TimeoutException, httpx2.TimeoutException):
        raise ProviderTimeout(f"no answer within {settings.AI_TIMEOUT:g} s") from None
    except (httpx.TransportError, httpx2.TransportError):
        raise ServerError("connection failed") from None
    except errors.APIError as exc:
        if exc.code == 429:
            raise RateLimited("HTTP 429 rate limited", retry_after=_retry_after(exc)) from None
        if exc.code and exc.code >= 500:
            raise ServerError(f"HTTP {exc.code}") from None
        raise ProviderError(f"HTTP {exc.code}: {str(exc.message or '')[:160]}") from None
    except ValueError:  # the SDK's JSON decoding of a garbled body
        raise InvalidAnswer("malformed response") from None


def _retry_after(exc: Any) -> float | None:
    """Google says when to retry in the body (RetryInfo) and sometimes in a header."""
    error = exc.details.get("error") if isinstance(exc.details, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        match = _RETRY_DELAY.match(str(delay or ""))
        if match:
            return float(match.group(1))
    return parse_retry_after(getattr(exc.response, "headers", None))


def _text(response: Any) -> str:
    try:
        text = response.text
    except (AttributeError, IndexError, TypeError, ValueError):
        raise InvalidAnswer("malformed response") from None
    if not text:
        candidates = getattr(response, "candidates", None) or []
        reason = getattr(candidates[0], "finish_reason", None) if candidates else "no candidates"
        raise InvalidAnswer(f"empty answer ({reason})")
    return str(text)


def _usage(response: Any) -> Usage:
    meta = getattr(response, "usage_metadata", None)
    if meta is None:
        return Usage()
    return Usage(
        input_tokens=int(meta.prompt_token_count or 0),
        # Thinking tokens are billed as output.
        output_tokens=int(meta.candidates_token_count or 0) + int(meta.thoughts_token_count or 0),
        cached_tokens=int(meta.cached_content_token_count or 0),
    )


# The audio goes inline (``Part.from_bytes``, base64 in the JSON body), and the Gemini API
# takes requests up to 20 MB that way (the Files API is for bigger ones): three quarters of
# that, less room for the instructions, is the audio it can be sent.
INLINE_AUDIO_LIMIT = 20 * 1024 * 1024 * 3 // 4 - 64 * 1024
# Gemini takes at most 9.5 hours of audio in one prompt.
LONGEST_AUDIO_SECONDS = 9.5 * 3600
