"""Setting the bot up with Telegram: webhook, command menus, long polling for development."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    WebhookInfo,
)
from asgiref.sync import sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from telegram_bot import gateway, keyboards, texts
from telegram_bot.dispatcher import allowed_updates
from telegram_bot.services.updates import telegram_update_receive

# What Telegram accepts as a webhook secret token.
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
COMMAND_LANGUAGES = ("en", "ru")


class SetupError(Exception):
    """The configuration cannot work; the message says what to set."""


def webhook_url() -> str:
    """PUBLIC_URL + /telegram/webhook/, checked: Telegram only calls https URLs."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise SetupError("TELEGRAM_BOT_TOKEN is not set")
    if not settings.PUBLIC_URL:
        raise SetupError("PUBLIC_URL is not set: the webhook needs the public https origin")
    if not settings.PUBLIC_URL.startswith("https://"):
        raise SetupError(f"PUBLIC_URL must be https for Telegram, got {settings.PUBLIC_URL}")
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not secret:
        raise SetupError("TELEGRAM_WEBHOOK_SECRET is not set: the webhook would refuse updates")
    if not SECRET_RE.fullmatch(secret):
        raise SetupError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256)")
    return settings.PUBLIC_URL + reverse("telegram_bot:webhook")


async def webhook_set(bot: Bot, *, url: str, drop_pending: bool) -> list[str]:
    """Point Telegram at the webhook and publish the command menus. Returns the update types."""
    updates = allowed_updates()
    await gateway.webhook_point(
        bot,
        url=url,
        secret=settings.TELEGRAM_WEBHOOK_SECRET,
        updates=updates,
        drop_pending=drop_pending,
    )
    await commands_set(bot)
    return updates


async def commands_set(bot: Bot) -> None:
    """The command menus: private chats and groups, in English (default) and Russian;
    and the menu button opens the Mini App when it is served (PUBLIC_URL)."""
    url = keyboards.webapp_url()
    if url:
        with translation.override("en"):
            await gateway.menu_button_publish(bot, text=texts.menu_button_text(), url=url)
    for language in (None, *COMMAND_LANGUAGES):
        code = language or "en"
        private = [BotCommand(command=c, description=d) for c, d in texts.commands(code)]
        group = [BotCommand(command=c, description=d) for c, d in texts.group_commands(code)]
        await gateway.commands_publish(bot, private, BotCommandScopeAllPrivateChats(), language)
        await gateway.commands_publish(bot, group, BotCommandScopeAllGroupChats(), language)


async def webhook_info(bot: Bot) -> WebhookInfo:
    return await gateway.webhook_state(bot)


async def poll(
    bot: Bot,
    *,
    poll_seconds: int,
    once: bool,
    say: Callable[[str], None],
    after_batch: Callable[[], Awaitable[object]] | None = None,
) -> int:
    """Long polling for development: every update goes the webhook's way (store, then process).

    A webhook and getUpdates exclude each other, so the webhook is removed first
    (pending updates are kept and fetched here); the command menus are set as
    set_webhook would. Returns how many updates came.
    """
    await gateway.webhook_remove(bot, drop_pending=False)
    me = await gateway.identity(bot)
    await commands_set(bot)
    say(f"Polling as @{me.username} (Ctrl+C to stop)")
    offset: int | None = None
    received = 0
    while True:
        updates = await gateway.updates_fetch(
            bot, offset=offset, poll_seconds=poll_seconds, allowed=allowed_updates()
        )
        for update in updates:
            payload = update.model_dump(mode="json", exclude_none=True, by_alias=True)
            await sync_to_async(telegram_update_receive)(payload=payload)
            offset = update.update_id + 1
            received += 1
        if after_batch is not None:
            await after_batch()
        if once:
            return received
