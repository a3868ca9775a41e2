"""Telegram updates as they arrive: stored once, processed once."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from telegram_bot.models import TelegramUpdate

logger = logging.getLogger(__name__)

# The update types the dispatcher has handlers for (and set_webhook asks for).
HANDLED_UPDATE_TYPES = ("message", "edited_message", "callback_query", "my_chat_member")


def update_kind(payload: dict[str, Any]) -> str:
    """The update's type: its one field besides ``update_id``."""
    return next((key for key in payload if key != "update_id"), "")


@transaction.atomic
def telegram_update_receive(*, payload: dict[str, Any]) -> bool:
    """Store an update unless it is already stored; True when it is new.

    One INSERT … ON CONFLICT DO NOTHING on ``update_id``: of simultaneous copies
    exactly one inserts, the others see the conflict and change nothing. A new
    update of a handled type is processed by the worker once this commits; other
    types are stored as ignored, so Telegram gets its 200 and stops resending.
    """
    kind = update_kind(payload)
    handled = kind in HANDLED_UPDATE_TYPES
    status = TelegramUpdate.Status.RECEIVED if handled else TelegramUpdate.Status.IGNORED
    table = connection.ops.quote_name(TelegramUpdate._meta.db_table)
    field = TelegramUpdate._meta.get_field("payload")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - the table name comes from the model
            "(update_id, kind, payload, status, attempts, error, received_at) "
            "VALUES (%s, %s, %s, %s, 0, '', %s) "
            "ON CONFLICT (update_id) DO NOTHING RETURNING id",
            [
                payload["update_id"],
                kind[:32],
                field.get_db_prep_save(payload, connection),
                status,
                timezone.now(),
            ],
        )
        created = cursor.fetchone() is not None
    if created and handled:
        from telegram_bot.tasks import process_update

        update_id = payload["update_id"]
        transaction.on_commit(lambda: process_update.delay(update_id))
    return created


def telegram_update_claim(*, update_id: int) -> TelegramUpdate | None:
    """The stored update, if it still needs processing; counts the attempt."""
    with transaction.atomic():
        update = (
            TelegramUpdate.objects.select_for_update()
            .filter(update_id=update_id)
            .exclude(status__in=[TelegramUpdate.Status.PROCESSED, TelegramUpdate.Status.IGNORED])
            .first()
        )
        if update is None:
            return None
        update.attempts += 1
        update.save(update_fields=["attempts"])
    return update


def telegram_update_finish(*, update_id: int, handled: bool) -> None:
    status = TelegramUpdate.Status.PROCESSED if handled else TelegramUpdate.Status.IGNORED
    TelegramUpdate.objects.filter(update_id=update_id).update(
        status=status, error="", processed_at=timezone.now()
    )


def telegram_update_fail(*, update_id: int, error: str) -> None:
    TelegramUpdate.objects.filter(update_id=update_id).update(
        status=TelegramUpdate.Status.FAILED, error=error[:4000], processed_at=timezone.now()
    )


@transaction.atomic
def telegram_updates_retry(*, update_ids: list[int]) -> int:
    """Staff: process failed updates again (after fixing what failed). Returns how many."""
    from telegram_bot.tasks import process_update

    failed = list(
        TelegramUpdate.objects.select_for_update()
        .filter(update_id__in=update_ids, status=TelegramUpdate.Status.FAILED)
        .values_list("update_id", flat=True)
    )
    TelegramUpdate.objects.filter(update_id__in=failed).update(
        status=TelegramUpdate.Status.RECEIVED, error=""
    )
    for update_id in failed:
        transaction.on_commit(partial(process_update.delay, update_id))
    return len(failed)
