"""When a handler fails: the person is told briefly (no stack trace), the update is retried
or recorded as failed by the task."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import ErrorEvent
from django.db import OperationalError

from telegram_bot import texts

logger = logging.getLogger(__name__)
router = Router(name=__name__)

# Failures the task retries; the person hears nothing until the retries are spent.
TRANSIENT_ERRORS = (TelegramNetworkError, TelegramRetryAfter, TelegramServerError, OperationalError)


@router.errors()
async def on_error(event: ErrorEvent) -> object:
    if isinstance(event.exception, TRANSIENT_ERRORS):
        return UNHANDLED
    message = event.update.message or event.update.edited_message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        try:
            await message.answer(texts.something_went_wrong_text())
        except Exception:  # the apology is best effort; the original error matters
            logger.warning("Could not apologise in chat %s", message.chat.id)
    return UNHANDLED  # the task records the failure
