"""The owner's history: taking a note out of it for good."""

from __future__ import annotations

from django.db import transaction

from notes.models import WORKING_STATUSES, Note
from notes.services.pending import NoteActionRefused
from secretary.models import User


@transaction.atomic
def note_remove(*, owner: User, note_id: int) -> Note:
    """Delete the owner's note and what was learned from it; returns it as it was.

    A note a worker is busy with (being prepared or filed) is refused: it is about
    to change, and deleting it under the worker would lose what the owner asked for.
    """
    note = (
        Note.objects.select_for_update(of=("self",))
        .select_related("owner__preferences", "topic__group", "pending")
        .filter(pk=note_id, owner=owner)
        .first()
    )
    if note is None:
        raise NoteActionRefused(NoteActionRefused.FOREIGN)
    if note.status in WORKING_STATUSES:
        raise NoteActionRefused(NoteActionRefused.BUSY)
    Note.objects.filter(pk=note.pk).delete()  # the instance keeps its id for the display
    return note
