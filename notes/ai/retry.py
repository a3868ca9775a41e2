"""Our own bounded retries around one provider call (the SDKs' retries are off)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings

from notes.ai.errors import RateLimited, ServerError

logger = logging.getLogger(__name__)


def call_with_retries[T](call: Callable[[], T], *, provider: str) -> T:
    """Run ``call``; retry a 429 or a server error at most ``AI_MAX_RETRIES`` times.

    A 429 waits what the server asked (Retry-After) but never longer than
    ``AI_RETRY_AFTER_MAX``, so a note is never held for minutes; other errors
    propagate at once (a timeout already cost the full timeout).
    """
    attempt = 0
    while True:
        try:
            return call()
        except (RateLimited, ServerError) as exc:
            if attempt >= settings.AI_MAX_RETRIES:
                raise
            delay = _delay(exc, attempt)
            attempt += 1
            logger.info("%s: %s; retry %d in %.2f s", provider, exc, attempt, delay)
            time.sleep(delay)


def _delay(exc: RateLimited | ServerError, attempt: int) -> float:
    backoff = float(settings.AI_RETRY_BACKOFF) * (2**attempt)
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        backoff = exc.retry_after
    return max(0.0, min(backoff, float(settings.AI_RETRY_AFTER_MAX)))


def parse_retry_after(headers: object) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds) headers."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except (TypeError, ValueError):
            continue  # an HTTP date: fall back to our own backoff
    return None
