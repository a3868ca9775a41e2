"""Reads kept in the cache (Redis in production) for the hot path, forgotten on change.

The cache being down costs a query, never an answer: every failure is logged and the
value is read from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cached[T](key: str, seconds: int, load: Callable[[], T], *, kind: type | None = None) -> T:
    """The value under ``key``, else ``load()`` (then kept ``seconds``). With ``kind`` a
    cached value of another type (an older shape) counts as missing."""
    try:
        value = cache.get(key)
    except Exception as error:
        logger.warning("Cache read of %s failed: %s", key, error)
        value = None
    if value is not None and (kind is None or isinstance(value, kind)):
        return value
    value = load()
    try:
        cache.set(key, value, seconds)
    except Exception as error:
        logger.warning("Cache write of %s failed: %s", key, error)
    return value


def forget(key: str) -> None:
    """What is under ``key`` changed: the next read loads it again."""
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("Cache delete of %s failed: %s", key, error)
