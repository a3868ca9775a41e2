from __future__ import annotations

import time
from typing import Any

from aiogram.exceptions import TelegramAPIError
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from structlog.contextvars import bound_contextvars

from notes.reminders.tasks import send_due_reminders
from notes.tasks import resume_stalled_notes
from secretary.celery import app as celery_app
from secretary.logs import new_correlation_id
from telegram_bot.client import bot_session
from telegram_bot.services.setup import poll
from telegram_bot.tasks import resume_stalled_updates


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
        sweep = _InlineSweeper() if celery_app.conf.task_always_eager else None
        if sweep is not None:
            await sweep()  # what a previous run left unfinished
        async with bot_session() as bot:
            return await poll(
                bot, poll_seconds=poll_seconds, once=once, say=self.stdout.write, after_batch=sweep
            )


class _InlineSweeper:
    """Without a broker there is no beat: polling runs the sweeper every SWEEP_INTERVAL."""

    def __init__(self) -> None:
        self._last = float("-inf")

    async def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last < settings.SWEEP_INTERVAL.total_seconds():
            return
        self._last = now
        # A beat job's correlation id; each update it resumes is correlated by its own
        # (``tg-<update_id>``, bound by process_update, as for the updates polling stores).
        with bound_contextvars(correlation_id=new_correlation_id("beat")):
            await sync_to_async(resume_stalled_updates)()
            await sync_to_async(resume_stalled_notes)()
            await sync_to_async(send_due_reminders.apply)()
