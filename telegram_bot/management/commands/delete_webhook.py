from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telegram_bot import gateway
from telegram_bot.client import with_bot


class Command(BaseCommand):
    help = "Remove Telegram's webhook (e.g. before polling with runbot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--drop-pending", action="store_true", help="Discard updates Telegram still holds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set")
        drop = options["drop_pending"]
        try:
            with_bot(lambda bot: gateway.webhook_remove(bot, drop_pending=drop))
        except TelegramAPIError as error:
            raise CommandError(f"Telegram refused: {error.message}") from None
        self.stdout.write("Webhook removed" + (", pending updates dropped." if drop else "."))
