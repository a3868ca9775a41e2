"""Celery tasks of the notes app. Thin: they call services."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from notes.services.expiry import pending_confirmations_expire
from telegram_bot.retry import retry_later

logger = logging.getLogger(__name__)

# How often a preview is tried again when Telegram fails for a while.
TELEGRAM_RETRIES = 5


@contextmanager
def _note_lock(note_id: int) -> Iterator[bool]:
    """One worker at a time shows a note's preview (the cache is Redis when there are workers)."""
    key = f"note-preview-lock:{note_id}"
    acquired = cache.add(key, "1", timeout=settings.CELERY_TASK_TIME_LIMIT)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(key)


@contextmanager
def _retry_when_telegram_stumbles(
    task: Task, note_id: int, kwargs: dict[str, Any]
) -> Iterator[None]:
    """Telegram down, slow or rate limiting: the same run again later, a few times.

    The runs are idempotent; the note keeps its state in the database meanwhile.
    """
    try:
        yield
    except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as error:
        if task.request.retries >= TELEGRAM_RETRIES:
            logger.error("Note %s: Telegram kept failing: %s", note_id, error)
            return
        backoff = 2**task.request.retries
        countdown = error.retry_after if isinstance(error, TelegramRetryAfter) else backoff
        retry_later(task, countdown=countdown, args=(note_id,), kwargs=kwargs)


@shared_task(name="notes.tasks.expire_pending_confirmations")
def expire_pending_confirmations() -> int:
    """Beat job: expire every pending confirmation past its TTL; their previews say so."""
    note_ids = pending_confirmations_expire()
    if note_ids:
        logger.info("Expired %d pending confirmations", len(note_ids))
        transaction.on_commit(lambda: previews_mark_expired.delay(note_ids))
    return len(note_ids)


@shared_task(name="notes.tasks.previews_mark_expired")
def previews_mark_expired(note_ids: list[int]) -> int:
    from telegram_bot.services.notes import previews_show_expired

    return previews_show_expired(note_ids=note_ids)


@shared_task(name="notes.tasks.note_process", bind=True, max_retries=60)
def note_process(self: Task, note_id: int, parts: int = 0) -> None:
    """Transcribe, classify, render, then preview the note (or file it at once)."""
    from telegram_bot.services.notes import note_process as process

    kwargs = {"parts": parts}
    with _retry_when_telegram_stumbles(self, note_id, kwargs), _note_lock(note_id) as acquired:
        if acquired:
            process(note_id=note_id, parts=parts)
    if not acquired:  # another worker is on this note: come back when it is done
        retry_later(self, countdown=1, args=(note_id,), kwargs=kwargs)


@shared_task(name="notes.tasks.note_refresh_preview", bind=True, max_retries=60)
def note_refresh_preview(self: Task, note_id: int, resend: bool = False) -> None:
    """Render the note for its (new) topic and show the preview again."""
    from telegram_bot.services.notes import note_refresh_preview as refresh

    kwargs = {"resend": resend}
    with _retry_when_telegram_stumbles(self, note_id, kwargs), _note_lock(note_id) as acquired:
        if acquired:
            refresh(note_id=note_id, resend=resend)
    if not acquired:
        retry_later(self, countdown=1, args=(note_id,), kwargs=kwargs)


@shared_task(name="notes.tasks.note_publish", bind=True, max_retries=None)
def note_publish(self: Task, note_id: int) -> None:
    """Post a confirmed note into its topic; a 429 waits ``retry_after``, a bounded number
    of times, then the note goes back to pending."""
    from telegram_bot.services.notes import PublishRetry, note_publish_gave_up
    from telegram_bot.services.notes import note_publish as publish

    try:
        publish(note_id=note_id)
    except PublishRetry as retry:
        if self.request.retries >= settings.TELEGRAM_PUBLISH_MAX_RETRIES:
            note_publish_gave_up(note_id=note_id, error="Too Many Requests")
            return
        retry_later(self, countdown=retry.countdown, args=(note_id,))
