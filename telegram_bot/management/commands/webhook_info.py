from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telegram_bot.client import with_bot
from telegram_bot.services.setup import webhook_info


class Command(BaseCommand):
    help = "Show what Telegram knows about the webhook: URL, pending updates, the last error."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set")
        try:
            info = with_bot(webhook_info)
        except TelegramAPIError as error:
            raise CommandError(f"Telegram refused: {error.message}") from None
        self.stdout.write(f"url: {info.url or '(none: updates are fetched by polling)'}")
        self.stdout.write(f"pending updates: {info.pending_update_count}")
        self.stdout.write(f"allowed updates: {', '.join(info.allowed_updates or []) or 'all'}")
        if info.last_error_message:
            when = info.last_error_date.isoformat() if info.last_error_date else "?"
            self.stdout.write(f"last error: {info.last_error_message} (at {when})")
        else:
            self.stdout.write("last error: none")
