"""Middlewares of the dispatcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject
from aiogram.types import User as TelegramUser
from asgiref.sync import sync_to_async
from django.utils import translation

from notes.ports import ports_using
from telegram_bot.ports import handler_ports
from telegram_bot.services.owners import owner_resolve


class OwnerMiddleware(BaseMiddleware):
    """Resolve the person behind the update once, and speak their language.

    Handlers receive ``owner`` (a ``secretary.User`` or None) and run with the
    owner's language active, so every gettext in handlers and in the services
    they call answers in it.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        telegram_user: TelegramUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        owner, language = None, translation.get_language()
        if telegram_user is not None and not telegram_user.is_bot:
            private = chat is None or chat.type == ChatType.PRIVATE
            if getattr(event, "inline_query", None) is not None:
                private = False  # typing @bot in some chat does not make anyone a user
            owner, language = await sync_to_async(owner_resolve)(
                telegram_user=telegram_user, create=private
            )
        data["owner"] = owner
        with translation.override(language):
            return await handler(event, data)


class PortsMiddleware(BaseMiddleware):
    """The note pipeline's ports, for everything this update's handlers call: Telegram,
    through this update's Bot and loop (one Bot per update, inline tasks included)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        with ports_using(handler_ports(data["bot"])):
            return await handler(event, data)
