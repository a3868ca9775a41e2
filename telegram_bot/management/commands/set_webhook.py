from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telegram_bot.client import with_bot
from telegram_bot.services.setup import SetupError, webhook_set, webhook_url


class Command(BaseCommand):
    help = (
        "Point Telegram's webhook at PUBLIC_URL/telegram/webhook/ with the secret and the "
        "update types the bot handles; publish the command menus (en, ru)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--drop-pending", action="store_true", help="Discard updates Telegram still holds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url = webhook_url()
            updates = with_bot(
                lambda bot: webhook_set(bot, url=url, drop_pending=options["drop_pending"])
            )
        except SetupError as error:
            raise CommandError(str(error)) from None
        except TelegramAPIError as error:
            raise CommandError(f"Telegram refused: {error.message}") from None
        self.stdout.write(f"Webhook set to {url} for {', '.join(updates)}; commands set (en, ru).")
