"""Celery tasks of the bot. Thin: load, call the dispatcher or a service, record."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import Update
from asgiref.sync import async_to_sync
from celery import Task, shared_task

from telegram_bot.client import bot_session
from telegram_bot.dispatcher import dispatcher
from telegram_bot.handlers.errors import TRANSIENT_ERRORS
from telegram_bot.retry import retry_later
from telegram_bot.services.updates import (
    telegram_update_claim,
    telegram_update_fail,
    telegram_update_finish,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4


async def _feed(payload: dict[str, Any]) -> bool:
    """Hand one update to the dispatcher, on a Bot made for this event loop."""
    async with bot_session() as bot:
        update = Update.model_validate(payload, context={"bot": bot})
        result = await dispatcher().feed_update(bot, update)
    return result is not UNHANDLED


@shared_task(name="telegram_bot.tasks.process_update", bind=True, max_retries=MAX_ATTEMPTS - 1)
def process_update(self: Task, update_id: int) -> str:
    """Process a stored update once. Idempotent: a processed update is skipped.

    ``async_to_sync`` gives the handlers a fresh event loop while the database
    work they hand to ``sync_to_async`` runs back in this thread, on its
    connection. Temporary failures (Telegram or the database) are retried.
    """
    update = telegram_update_claim(update_id=update_id)
    if update is None:
        return "skipped"
    try:
        handled = async_to_sync(_feed)(update.payload)
    except TRANSIENT_ERRORS as error:
        telegram_update_fail(update_id=update_id, error=f"{type(error).__name__}: {error}")
        if self.request.retries >= (self.max_retries or 0):
            logger.error("Update %s failed %d times: %s", update_id, update.attempts, error)
            return "failed"
        countdown = (
            error.retry_after if isinstance(error, TelegramRetryAfter) else 2**self.request.retries
        )
        retry_later(self, countdown=countdown, args=(update_id,))
        return "retrying"
    except Exception as error:
        logger.exception("Update %s failed", update_id)
        telegram_update_fail(update_id=update_id, error=f"{type(error).__name__}: {error}")
        return "failed"
    telegram_update_finish(update_id=update_id, handled=handled)
    return "processed" if handled else "ignored"
