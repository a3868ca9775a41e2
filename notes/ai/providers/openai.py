"""OpenAI: Chat Completions with strict JSON-schema structured output; audio transcriptions.

One client per operation, closed after it (no client shared across event loops
or processes); the SDK's retries are off and ours are bounded (``notes.ai.retry``).
The base URL comes from ``OPENAI_BASE_URL``, read by the SDK itself.
"""

from __future__ import annotations

import os
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
)
from notes.ai.types import (
    AudioInput,
    ClassificationResult,
    NoteContext,
    RenderContext,
    Transcript,
    Usage,
)
from secretary.tls import client_context

if TYPE_CHECKING:
    from openai import OpenAI

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_OUTPUT_TOKENS = 800
REASONING_MODELS = ("o1", "o3", "o4", "gpt-5")


class OpenAIProvider(Provider):
    name = "openai"
    can_transcribe = True

    def unavailable_reason(self) -> str | None:
        return None if settings.OPENAI_API_KEY else "OPENAI_API_KEY is not set"

    def classify(self, context: NoteContext) -> ClassificationResult:
        prefix = prompts.classification_prefix(context)
        completion = self._complete(
            prefix,
            prompts.note_message(context),
            schema_name="note_classification",
            schema=classification_schema(context),
        )
        result = parse_classification(_content(completion), context)
        usage = _usage(completion)
        return replace(
            result,
            provider=self.name,
            model=settings.OPENAI_MODEL,
            usage=usage,
            cost_usd=cost_usd(settings.OPENAI_MODEL, usage),
        )

    def rewrite(self, context: RenderContext) -> Rewrite:
        completion = self._complete(
            prompts.rewrite_prefix(context),
            prompts.rewrite_message(context),
            schema_name="note_rewrite",
            schema=rewrite_schema(),
        )
        title, body = parse_rewrite(_content(completion))
        usage = _usage(completion)
        model = settings.OPENAI_MODEL
        return Rewrite(title, body, self.name, model, usage, cost_usd(model, usage))

    def takes_audio(self, *, seconds: float | None, size: int | None) -> bool:
        longest = _longest_audio(settings.OPENAI_STT_MODEL)
        too_long = seconds is not None and longest is not None and seconds > longest
        return not too_long and (size or 0) <= UPLOAD_LIMIT

    def transcribe(self, audio: AudioInput) -> Transcript:
        model = settings.OPENAI_STT_MODEL
        with _client() as client:
            answer = call_with_retries(
                lambda: _translated(
                    lambda: client.audio.transcriptions.create(
                        file=(audio.filename, audio.data, audio.mime_type),
                        model=model,
                        response_format="json",
                    )
                ),
                provider=self.name,
            )
        try:
            text = str(answer.text).strip()
            languages = getattr(answer, "languages", None) or []
            language = str(languages[0].code) if languages else ""
            usage, seconds = _transcription_usage(getattr(answer, "usage", None))
        except (AttributeError, TypeError, IndexError):
            raise InvalidAnswer("malformed transcription") from None
        if not text:
            raise InvalidAnswer("empty transcription")
        return Transcript(
            text=text,
            language=language or audio.language,
            duration=seconds if seconds is not None else audio.duration,
            provider=self.name,
            model=model,
            usage=usage,
            cost_usd=cost_usd(model, usage),
        )

    def _complete(self, prefix: str, message: str, *, schema_name: str, schema: dict) -> Any:
        with _client() as client:
            return call_with_retries(
                lambda: _translated(
                    lambda: client.chat.completions.create(
                        model=settings.OPENAI_MODEL,
                        messages=[
                            {"role": "system", "content": prefix},
                            {"role": "user", "content": message},
                        ],
                        response_format={
                            "type": "json_schema",
                            "json_schema": {"name": schema_name, "strict": True, "schema": schema},
                        },
                        prompt_cache_key=prompts.cache_key(prefix),
                        **_sampling(settings.OPENAI_MODEL),
                    )
                ),
                provider=self.name,
            )


def _sampling(model: str) -> dict[str, Any]:
    """Deterministic answers where the model allows; reasoning models take no temperature
    and spend output tokens thinking, so they get a small effort and more room."""
    if model.startswith(REASONING_MODELS):
        return {"reasoning_effort": "low", "max_completion_tokens": 4 * MAX_OUTPUT_TOKENS}
    return {"temperature": 0, "max_completion_tokens": MAX_OUTPUT_TOKENS}


@contextmanager
def _client() -> Iterator[OpenAI]:
    from openai import DefaultHttpxClient, OpenAI

    kwargs: dict[str, Any] = {
        "api_key": settings.OPENAI_API_KEY,
        "max_retries": 0,
        "timeout": settings.AI_TIMEOUT,
        # The SDK's own client, with the process's TLS context (not one built per call).
        "http_client": DefaultHttpxClient(verify=client_context(), timeout=settings.AI_TIMEOUT),
    }
    if "OPENAI_BASE_URL" in os.environ and not os.environ["OPENAI_BASE_URL"].strip():
        kwargs["base_url"] = DEFAULT_BASE_URL  # an empty variable means "not set"
    client = OpenAI(**kwargs)
    try:
        yield client
    finally:
        client.close()


def _translated[T](call: Callable[[], T]) -> T:
    """Run an SDK call; its errors become ours (temporary ones are retried by the caller)."""
    import openai

    try:
        return call()
    except openai.APITimeoutError:
        raise ProviderTimeout(f"no answer within {settings.AI_TIMEOUT:g} s") from None
    except openai.APIConnectionError:
        raise ServerError("connection failed") from None
    except openai.RateLimitError as exc:
        raise RateLimited(
            "HTTP 429 rate limited", retry_after=parse_retry_after(exc.response.headers)
        ) from None
    except openai.APIStatusError as exc:
        if exc.status_code >= 500:
            raise ServerError(f"HTTP {exc.status_code}") from None
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") or exc.message
        raise ProviderError(f"HTTP {exc.status_code}: {str(message)[:160]}") from None
    except openai.APIResponseValidationError:
        raise InvalidAnswer("malformed response") from None
    except openai.OpenAIError as exc:
        raise ProviderError(f"{type(exc).__name__}: {str(exc)[:160]}") from None


def _content(completion: Any) -> str:
    try:
        choice = completion.choices[0]
        message = choice.message
    except (AttributeError, IndexError, TypeError):
        raise InvalidAnswer("no choices in the response") from None
    if getattr(message, "refusal", None):
        raise InvalidAnswer(f"refused: {str(message.refusal)[:100]}")
    if getattr(choice, "finish_reason", None) == "length":
        raise InvalidAnswer("answer cut off at the token limit")
    content = getattr(message, "content", None)
    if not isinstance(content, str):
        raise InvalidAnswer("empty answer")
    parse_json_object(content)  # fail early with a clear reason
    return content


def _usage(completion: Any) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    details = getattr(usage, "prompt_tokens_details", None)
    return Usage(
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        cached_tokens=int(getattr(details, "cached_tokens", 0) or 0) if details else 0,
    )


def _transcription_usage(usage: Any) -> tuple[Usage, float | None]:
    if usage is None:
        return Usage(), None
    if getattr(usage, "type", None) == "duration":
        return Usage(), float(usage.seconds)
    return Usage(int(usage.input_tokens or 0), int(usage.output_tokens or 0)), None


# The transcription endpoint refuses uploads over 25 MB ("Maximum content size limit
# (26214400) exceeded"), whatever the model.
UPLOAD_LIMIT = 25 * 1024 * 1024
# The gpt-4o transcribe models refuse longer audio ("audio duration … seconds is longer than
# 1400 seconds which is the maximum for this model"); whisper-1 has no length limit.
GPT_4O_TRANSCRIBE_SECONDS = 1400


def _longest_audio(model: str) -> int | None:
    """The longest recording ``model`` transcribes, in seconds (None: no limit)."""
    return GPT_4O_TRANSCRIBE_SECONDS if model.startswith("gpt-4o") else None
