"""Services that change notes. Interfaces (bot, API, admin, tasks) call these."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from notes.lifecycle import ALLOWED, can_move, notes_move
from notes.models import Note, NoteStatus, PendingConfirmation
from secretary.metrics import NOTES_FINISHED
from secretary.work import enqueue_on_commit


@transaction.atomic
def pending_confirmations_expire(*, pending_ids: Iterable[int] | None = None) -> list[int]:
    """Expire open pending confirmations past their deadline, in one set-based pass.

    With ``pending_ids`` only those are expired, deadline or not (staff's
    "expire now"). Their notes become ``expired`` and stay in history to be
    re-filed; nothing is deleted. A confirmation or note another transaction holds
    (a tap being answered) is skipped and picked up next time: both rows are locked
    together, in the order a tap locks them, so the two never deadlock. Returns the
    ids of the expired notes.
    """
    now = timezone.now()
    chosen = None if pending_ids is None else [int(pk) for pk in pending_ids]
    if connection.vendor == "postgresql":
        return _expire_in_one_statement(now, chosen)
    due = PendingConfirmation.objects.filter(resolved_at__isnull=True)
    due = due.filter(expires_at__lte=now) if chosen is None else due.filter(pk__in=chosen)
    rows = list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "note_id"))
    if not rows:
        return []
    PendingConfirmation.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        resolved_at=now, resolution=PendingConfirmation.Resolution.EXPIRED
    )
    note_ids = [note_id for _, note_id in rows]
    notes_move(Note.objects.filter(pk__in=note_ids), NoteStatus.EXPIRED)
    return note_ids


# PostgreSQL: lock what is due (skipping what a tap holds), resolve it and move its notes,
# in one statement. The notes that may become expired are the lifecycle's to say.
_EXPIRE_SQL = """
WITH due AS (
    SELECT pending.id AS pending_id, pending.note_id
    FROM {pending} AS pending JOIN {note} AS note ON note.id = pending.note_id
    WHERE pending.resolved_at IS NULL AND {which}
    FOR UPDATE OF note, pending SKIP LOCKED
), resolved AS (
    UPDATE {pending} AS pending SET resolved_at = %(now)s, resolution = %(expired)s
    FROM due WHERE pending.id = due.pending_id
    RETURNING pending.note_id
), moved AS (
    UPDATE {note} AS note SET status = %(status)s, updated_at = %(now)s
    FROM resolved WHERE note.id = resolved.note_id AND note.status = ANY(%(sources)s)
    RETURNING note.id, note.kind
)
SELECT resolved.note_id, moved.kind FROM resolved LEFT JOIN moved ON moved.id = resolved.note_id
"""


def _expire_in_one_statement(now: datetime, chosen: list[int] | None) -> list[int]:
    sql = _EXPIRE_SQL.format(
        pending=PendingConfirmation._meta.db_table,
        note=Note._meta.db_table,
        which="pending.expires_at <= %(now)s" if chosen is None else "pending.id = ANY(%(chosen)s)",
    )
    params = {
        "now": now,
        "chosen": chosen,
        "expired": PendingConfirmation.Resolution.EXPIRED,
        "status": NoteStatus.EXPIRED,
        "sources": [status for status in ALLOWED if can_move(status, NoteStatus.EXPIRED)],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, count in Counter(kind for _, kind in rows if kind).items():
        NOTES_FINISHED.labels(NoteStatus.EXPIRED, kind).inc(count)
    return [note_id for note_id, _ in rows]


@transaction.atomic
def notes_expire(*, pending_ids: Iterable[int] | None = None) -> list[int]:
    """Expire what is due (or the given pending confirmations, staff's "expire now"), and
    have the owners' previews say so once this commits. Returns the expired notes' ids."""
    from notes.tasks import show_expired_previews

    note_ids = pending_confirmations_expire(pending_ids=pending_ids)
    if note_ids:
        enqueue_on_commit(show_expired_previews, note_ids)
    return note_ids
