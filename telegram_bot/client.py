"""The one place the product builds a Bot and tells Telegram's errors apart.

A Bot owns an aiohttp session, which belongs to the event loop it was made in;
so every loop (a Celery task, a webhook request processed inline, ``runbot``)
makes its own Bot and closes it with the loop. Nothing here is global.
The token is part of every Bot API URL: never log URLs or the session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import TCPConnector
from asgiref.sync import async_to_sync
from django.conf import settings

from secretary.metrics import TELEGRAM_CALLS
from secretary.tls import client_context


class TelegramNotConfigured(Exception):
    """TELEGRAM_BOT_TOKEN is not set: nothing can be sent to Telegram."""


class _Session(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        # What AiohttpSession.__init__ sets (no proxy), with the process's TLS context
        # instead of a new one read from the CA bundle for every session.
        BaseSession.__init__(self, **kwargs)
        self._session = None
        self._connector_type = TCPConnector
        self._connector_init = {"ssl": client_context(), "limit": 100, "ttl_dns_cache": 3600}
        self._should_reset_connector = True
        self._proxy = None

    async def close(self) -> None:
        # aiohttp asks for a 250 ms pause after closing so that TLS connections
        # shut down cleanly. Over plain http (a Bot API server next door, the
        # test fake) there is no TLS to wait for, and every task would pay it.
        if self.api.base.startswith("http://"):
            if self._session is not None and not self._session.closed:
                await self._session.close()
            return
        await super().close()


class _Counted(BaseRequestMiddleware):
    """Every Bot API call counted by method and outcome (ok, rate_limited, error)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            TELEGRAM_CALLS.labels(name, "rate_limited").inc()
            raise
        except Exception:
            TELEGRAM_CALLS.labels(name, "error").inc()
            raise
        TELEGRAM_CALLS.labels(name, "ok").inc()
        return response


def telegram_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def bot_create() -> Bot:
    """A Bot for the running event loop; close its session when the loop is done."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise TelegramNotConfigured("TELEGRAM_BOT_TOKEN is not set")
    # A local server answers getFile with an absolute path, which aiogram reads directly.
    server = TelegramAPIServer.from_base(
        settings.TELEGRAM_API_BASE, is_local=settings.TELEGRAM_LOCAL_API
    )
    session = _Session(api=server)
    session.middleware(_Counted())
    return Bot(
        settings.TELEGRAM_BOT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@asynccontextmanager
async def bot_session() -> AsyncIterator[Bot]:
    bot = bot_create()
    try:
        yield bot
    finally:
        await bot.session.close()


def with_bot[T](operation: Callable[[Bot], Awaitable[T]]) -> T:
    """Run one Telegram operation from synchronous code, on a Bot made for it.

    From a plain thread (a Celery task) this runs in a fresh loop while database
    calls made with ``sync_to_async`` come back to the calling thread and its
    connection; called from inside a handler (via ``sync_to_async``) it runs on
    the handler's loop.
    """

    async def run() -> T:
        async with bot_session() as bot:
            return await operation(bot)

    return async_to_sync(run)()


def is_thread_gone(error: TelegramAPIError) -> bool:
    """The forum topic was deleted in the group."""
    return isinstance(error, TelegramBadRequest) and "thread not found" in error.message.lower()


def is_bot_removed(error: TelegramAPIError) -> bool:
    """The bot is no longer in the chat (kicked, left, the chat is gone)."""
    message = error.message.lower()
    if isinstance(error, TelegramForbiddenError):
        return True
    return isinstance(error, TelegramBadRequest) and (
        "chat not found" in message or "not a member" in message
    )


def is_not_modified(error: TelegramAPIError) -> bool:
    return isinstance(error, TelegramBadRequest) and "not modified" in error.message.lower()


def is_message_gone(error: TelegramAPIError) -> bool:
    """The message to edit, copy or delete no longer exists."""
    message = error.message.lower()
    return isinstance(error, TelegramBadRequest) and (
        ("message to" in message and "not found" in message) or "message can't be" in message
    )
