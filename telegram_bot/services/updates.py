"""Telegram updates as they arrive: stored once, processed once."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

import psycopg
import psycopg_pool
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from secretary import asyncdb
from secretary.metrics import UPDATES
from secretary.work import enqueue_on_commit, leases_reserve, publisher
from telegram_bot.models import TelegramUpdate

logger = logging.getLogger(__name__)

# The update types the dispatcher has handlers for (and set_webhook asks for).
HANDLED_UPDATE_TYPES = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "inline_query",
)


def update_kind(payload: dict[str, Any]) -> str:
    """The update's type: its one field besides ``update_id``."""
    return next((key for key in payload if key != "update_id"), "")


@functools.cache
def _insert_statement() -> str:
    """One INSERT … ON CONFLICT DO NOTHING on ``update_id``, returning the new row's id."""
    table = connection.ops.quote_name(TelegramUpdate._meta.db_table)
    return (
        f"INSERT INTO {table} "  # noqa: S608 - the table name comes from the model
        "(update_id, kind, payload, status, attempts, error, claimed_by, received_at) "
        "VALUES (%s, %s, %s, %s, 0, '', '', %s) "
        "ON CONFLICT (update_id) DO NOTHING RETURNING id"
    )


def _arrival(payload: dict[str, Any]) -> tuple[str, bool]:
    """The update's kind, and whether it is of a type the worker handles."""
    kind = update_kind(payload)
    return kind[:32], kind in HANDLED_UPDATE_TYPES


def _status(handled: bool) -> str:
    return TelegramUpdate.Status.RECEIVED if handled else TelegramUpdate.Status.IGNORED


def _counted(*, created: bool, handled: bool) -> None:
    UPDATES.labels("duplicate" if not created else "stored" if handled else "ignored").inc()


@transaction.atomic
def telegram_update_receive(*, payload: dict[str, Any]) -> bool:
    """Store an update unless it is already stored; True when it is new.

    Of simultaneous copies exactly one inserts, the others see the conflict and
    change nothing. A new update of a handled type is processed by the worker once
    this commits; other types are stored as ignored, so Telegram gets its 200 and
    stops resending.
    """
    kind, handled = _arrival(payload)
    field = TelegramUpdate._meta.get_field("payload")
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_statement(),
            [
                payload["update_id"],
                kind,
                field.get_db_prep_save(payload, connection),
                _status(handled),
                timezone.now(),
            ],
        )
        created = cursor.fetchone() is not None
    _counted(created=created, handled=handled)
    if created and handled:
        from telegram_bot.tasks import process_update

        # Once this commits the update is safe: a broker that cannot take the hand-off
        # is logged, and the sweeper enqueues the update again.
        enqueue_on_commit(process_update, payload["update_id"])
    return created


async def telegram_update_receive_async(*, payload: dict[str, Any], body: str) -> bool:
    """``telegram_update_receive`` from the event loop, without a thread.

    ``body`` is the update's JSON as received (``payload`` parsed from it). On
    PostgreSQL the insert goes through psycopg's async pool in autocommit, so the row
    is committed when the statement returns; the hand-off is queued for the
    publisher's thread. A connection that broke since its last use (a database
    restart) is replaced, with the others idle in the pool, and the insert tried once
    more (it is idempotent: had the first one committed, the sweeper hands it off).
    Any other database's updates take one hop to the synchronous service, and so do
    all when tasks run inline (there is no broker to hand off to). A database failure
    raises ``DatabaseError``.
    """
    from telegram_bot.tasks import process_update

    if not asyncdb.available() or process_update.app.conf.task_always_eager:
        return await sync_to_async(_receive_in_thread)(payload)
    kind, handled = _arrival(payload)
    params = [payload["update_id"], kind, body, _status(handled), timezone.now()]
    for attempt in (1, 2):
        try:
            pool = await asyncdb.pool()
            async with pool.connection() as conn:
                cursor = await conn.execute(_insert_statement(), params)
                created = await cursor.fetchone() is not None
            break
        except psycopg.OperationalError as error:
            if attempt == 2 or isinstance(error, psycopg_pool.PoolTimeout):
                raise DatabaseError(str(error)) from error
            await pool.check()  # the others idle beside it are likely gone too
        except psycopg.Error as error:
            raise DatabaseError(str(error)) from error
    _counted(created=created, handled=handled)
    if created and handled:
        publisher.submit(process_update, payload["update_id"])
    return created


def _receive_in_thread(payload: dict[str, Any]) -> bool:
    """The synchronous service, with the thread's connection treated as a request's."""
    close_old_connections()
    try:
        return telegram_update_receive(payload=payload)
    finally:
        close_old_connections()


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
