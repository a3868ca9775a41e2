"""When a handler fails: the person is told briefly (no stack trace), the update is retried
or recorded as failed by the task."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import CallbackQuery, ErrorEvent
from asgiref.sync import sync_to_async
from django.db import OperationalError
from django.utils import translation

from telegram_bot import gateway, texts
from telegram_bot.services.owners import owner_resolve

logger = logging.getLogger(__name__)
router = Router(name=__name__)

# Failures the task retries; the person hears nothing until the retries are spent.
TRANSIENT_ERRORS = (TelegramNetworkError, TelegramRetryAfter, TelegramServerError, OperationalError)


@router.errors()
async def on_error(event: ErrorEvent) -> object:
    if isinstance(event.exception, TRANSIENT_ERRORS):
        return UNHANDLED
    if event.update.callback_query is not None:
        await _apologise_for_tap(event.update.callback_query)
        return UNHANDLED
    message = event.update.message or event.update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE or message.from_user is None:
        return UNHANDLED
    # The owner middleware's language ended with the failure; look it up again.
    _owner, language = await sync_to_async(owner_resolve)(
        telegram_user=message.from_user, create=False
    )
    try:
        with translation.override(language):
            await gateway.reply(message, texts.something_went_wrong_text())
    except Exception:  # the apology is best effort; the original error is what counts
        logger.warning("Could not apologise in chat %s", message.chat.id)
    return UNHANDLED  # the task records the failure


async def _apologise_for_tap(query: CallbackQuery) -> None:
    """The button's spinner stops, with a word, even when handling the tap failed."""
    _owner, language = await sync_to_async(owner_resolve)(
        telegram_user=query.from_user, create=False
    )
    try:
        with translation.override(language):
            await gateway.answer_tap(query, texts.something_went_wrong_notice())
    except Exception:  # already answered, or Telegram is down: the failure is recorded anyway
        logger.info("Could not answer the failed tap %s", query.id)
