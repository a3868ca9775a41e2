from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telegram_bot.client import bot_session
from telegram_bot.services.setup import poll


class Command(BaseCommand):
    help = (
        "Run the bot by long polling (local development): updates go through the same "
        "store-then-process path as the webhook. Without REDIS_URL they are processed inline; "
        "with it, run a Celery worker too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=int, default=25, help="Long-poll seconds.")
        parser.add_argument("--once", action="store_true", help="Fetch one batch, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
        try:
            received = async_to_sync(self._run)(options["timeout"], options["once"])
        except TelegramAPIError as error:
            raise CommandError(f"Telegram refused: {error.message}") from None
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
            return
        self.stdout.write(f"{received} update(s) received.")

    async def _run(self, poll_seconds: int, once: bool) -> int:
        async with bot_session() as bot:
            return await poll(bot, poll_seconds=poll_seconds, once=once, say=self.stdout.write)
