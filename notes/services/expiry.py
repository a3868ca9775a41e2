"""Services that change notes. Interfaces (bot, API, admin, tasks) call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from notes.lifecycle import notes_move
from notes.models import Note, NoteStatus, PendingConfirmation
from secretary.work import enqueue_on_commit


@transaction.atomic
def pending_confirmations_expire(*, pending_ids: Iterable[int] | None = None) -> list[int]:
    """Expire open pending confirmations past their deadline, in one set-based pass.

    With ``pending_ids`` only those are expired, deadline or not (staff's
    "expire now"). Their notes become ``expired`` and stay in history to be
    re-filed; nothing is deleted. Rows another transaction holds are skipped and
    picked up next time. Returns the ids of the expired notes.
    """
    now = timezone.now()
    due = PendingConfirmation.objects.filter(resolved_at__isnull=True)
    if pending_ids is None:
        due = due.filter(expires_at__lte=now)
    else:
        due = due.filter(pk__in=list(pending_ids))
    rows = list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "note_id"))
    if not rows:
        return []
    pending_pks = [pk for pk, _ in rows]
    note_ids = [note_id for _, note_id in rows]
    PendingConfirmation.objects.filter(pk__in=pending_pks).update(
        resolved_at=now, resolution=PendingConfirmation.Resolution.EXPIRED
    )
    notes_move(Note.objects.filter(pk__in=note_ids), NoteStatus.EXPIRED)
    return note_ids


@transaction.atomic
def notes_expire(*, pending_ids: Iterable[int] | None = None) -> list[int]:
    """Expire what is due (or the given pending confirmations, staff's "expire now"), and
    have the owners' previews say so once this commits. Returns the expired notes' ids."""
    from notes.tasks import show_expired_previews

    note_ids = pending_confirmations_expire(pending_ids=pending_ids)
    if note_ids:
        enqueue_on_commit(show_expired_previews, note_ids)
    return note_ids
