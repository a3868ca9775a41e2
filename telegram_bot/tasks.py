"""Celery tasks of the bot. Thin: load, call the dispatcher or a service, record."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update
from asgiref.sync import async_to_sync
from celery import Task, shared_task
from django.db.models import Q
from structlog.contextvars import bound_contextvars

from secretary.logs import update_correlation_id
from secretary.work import enqueue, work_run
from telegram_bot.archive import tasks as archive_tasks  # noqa: F401  (registers its tasks)
from telegram_bot.client import bot_session
from telegram_bot.dispatcher import dispatcher
from telegram_bot.handlers.errors import TRANSIENT_ERRORS
from telegram_bot.models import TelegramUpdate
from telegram_bot.services.updates import (
    telegram_update_fail,
    telegram_update_finish,
    telegram_update_note_error,
    telegram_update_payload,
    telegram_updates_reserve_stalled,
)

logger = logging.getLogger(__name__)


async def _feed(payload: dict[str, Any]) -> bool:
    """Hand one update to the dispatcher, on a Bot made for this event loop."""
    async with bot_session() as bot:
        update = Update.model_validate(payload, context={"bot": bot})
        result = await dispatcher().feed_update(bot, update)
    return result is not UNHANDLED


@shared_task(name="telegram_bot.tasks.process_update", bind=True, max_retries=None)
def process_update(self: Task, update_id: int) -> None:
    """Process a stored update once. Idempotent: a processed update is skipped.

    ``async_to_sync`` gives the handlers a fresh event loop while the database
    work they hand to ``sync_to_async`` runs back in this thread, on its
    connection. Temporary failures (Telegram or the database, the lease included)
    are retried and every run counts as an attempt; a handler that fails otherwise
    has already apologised to the person, so the update is failed at once.
    """

    def body() -> None:
        try:
            handled = async_to_sync(_feed)(telegram_update_payload(update_id=update_id))
        except TRANSIENT_ERRORS as error:
            telegram_update_note_error(
                update_id=update_id, error=f"{type(error).__name__}: {error}"
            )
            raise
        telegram_update_finish(update_id=update_id, handled=handled)

    # The update's own correlation id, whoever enqueued it (the webhook already sent it; long
    # polling and the sweeper did not); the tasks it enqueues carry it on.
    with bound_contextvars(correlation_id=update_correlation_id(update_id), update_id=update_id):
        work_run(
            self,
            row=TelegramUpdate.objects.filter(update_id=update_id),
            ready=Q(status=TelegramUpdate.Status.RECEIVED),
            body=body,
            give_up=lambda reason: _fail(update_id, reason),
            args=(update_id,),
            temporary=TRANSIENT_ERRORS,
            runs_counted=True,
            crashes_retry=False,
        )


def _fail(update_id: int, reason: str) -> None:
    logger.error("Update %s failed: %s", update_id, reason)
    telegram_update_fail(update_id=update_id, error=reason)


@shared_task(name="telegram_bot.tasks.resume_stalled_updates")
def resume_stalled_updates() -> int:
    """Beat job (the sweeper): stored updates nobody finished are enqueued again."""
    reserved = telegram_updates_reserve_stalled()
    for update_id, task_id in reserved:
        enqueue(process_update, update_id, task_id=task_id)
    if reserved:
        logger.warning("Sweeper resumed %d Telegram updates", len(reserved))
    return len(reserved)
