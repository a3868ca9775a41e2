"""Telegram updates as they arrive: stored once, processed once."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from secretary.metrics import UPDATES
from secretary.work import enqueue_on_commit, leases_reserve
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
            "(update_id, kind, payload, status, attempts, error, claimed_by, received_at) "
            "VALUES (%s, %s, %s, %s, 0, '', '', %s) "
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
    UPDATES.labels("duplicate" if not created else "stored" if handled else "ignored").inc()
    if created and handled:
        from telegram_bot.tasks import process_update

        # Once this commits the update is safe: a broker that cannot take the hand-off
        # is logged, and the sweeper enqueues the update again.
        enqueue_on_commit(process_update, payload["update_id"])
    return created


def telegram_update_payload(*, update_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = TelegramUpdate.objects.values_list("payload", flat=True).get(
        update_id=update_id
    )
    return payload


def telegram_update_finish(*, update_id: int, handled: bool) -> None:
    status = TelegramUpdate.Status.PROCESSED if handled else TelegramUpdate.Status.IGNORED
    TelegramUpdate.objects.filter(update_id=update_id).update(
        status=status, error="", processed_at=timezone.now()
    )


def telegram_update_fail(*, update_id: int, error: str) -> None:
    TelegramUpdate.objects.filter(update_id=update_id).update(
        status=TelegramUpdate.Status.FAILED, error=error[:4000], processed_at=timezone.now()
    )


def telegram_update_note_error(*, update_id: int, error: str) -> None:
    """A temporary failure: kept on the update while it waits for its next attempt."""
    TelegramUpdate.objects.filter(update_id=update_id).update(error=error[:4000])


@transaction.atomic
def telegram_updates_reserve_stalled() -> list[tuple[int, str]]:
    """Stored updates nobody finished processing, reserved for the sweeper's tasks.

    Stalled: the lease of the worker on it ran out, or nobody took it within
    ``SWEEP_STALE_AFTER`` (the hand-off to the broker failed). Returns
    ``(update_id, task id)`` pairs.
    """
    cutoff = timezone.now() - settings.SWEEP_STALE_AFTER
    stalled = TelegramUpdate.objects.filter(status=TelegramUpdate.Status.RECEIVED).filter(
        Q(claimed_until__isnull=False) | Q(received_at__lt=cutoff)
    )
    reserved = leases_reserve(stalled)
    update_ids = dict(
        TelegramUpdate.objects.filter(pk__in=[pk for pk, _ in reserved]).values_list(
            "pk", "update_id"
        )
    )
    return [(update_ids[pk], token) for pk, token in reserved]


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
        status=TelegramUpdate.Status.RECEIVED,
        error="",
        claimed_by="",
        claimed_until=None,
    )
    for update_id in failed:
        enqueue_on_commit(process_update, update_id)
    return len(failed)


def telegram_updates_failed(*, since: datetime | None = None) -> list[int]:
    """Ids of the updates whose processing failed (received since ``since``)."""
    failed = TelegramUpdate.objects.filter(status=TelegramUpdate.Status.FAILED)
    if since is not None:
        failed = failed.filter(received_at__gte=since)
    return list(failed.order_by("update_id").values_list("update_id", flat=True))
