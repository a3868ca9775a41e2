"""The one Dispatcher of a process, built from one Router per feature.

It holds no event loop or session of its own (the Bot passed to ``feed_update``
does), so one instance serves every loop: each Celery task, each inline run.
"""

from __future__ import annotations

from functools import cache

from aiogram import Dispatcher

from telegram_bot.archive import handlers as archive
from telegram_bot.handlers import (
    bursts,
    commands,
    conversation,
    errors,
    fallback,
    groups,
    intake,
    note_actions,
    reminders,
    search,
)
from telegram_bot.middlewares import OwnerMiddleware, PortsMiddleware
from telegram_bot.storage import DatabaseStorage


@cache
def dispatcher() -> Dispatcher:
    dp = Dispatcher(storage=DatabaseStorage())
    dp.update.outer_middleware(PortsMiddleware())
    dp.update.outer_middleware(OwnerMiddleware())
    # Order matters: commands win over a waiting conversation, which wins over a new note.
    dp.include_routers(
        search.router,  # before commands: their catch-all answers unknown commands
        reminders.router,  # before commands: /reminders is not an unknown command
        archive.router,
        commands.router,
        conversation.router,
        note_actions.router,
        bursts.router,
        intake.router,
        groups.router,
        fallback.router,
        errors.router,
    )
    return dp


def allowed_updates() -> list[str]:
    """Exactly the update types the handlers listen to (for setWebhook and getUpdates)."""
    return dispatcher().resolve_used_update_types()
