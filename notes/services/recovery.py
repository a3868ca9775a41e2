"""Recovery: stalled work resumed, failures recorded, failed notes tried again.

Nothing an owner sent is dropped: a note whose work keeps stopping becomes
``failed`` with the reason, its owner is told once, and the owner (a button),
staff (the admin) or ops (``retry_failed``) can send it back where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notes.lifecycle import note_move
from notes.models import Note, NoteStatus
from notes.services.pending import BEFORE_CONFIRMATION, NoteActionRefused, _locked_note
from secretary.models import User
from secretary.work import leases_reserve


@transaction.atomic
def note_fail(*, note_id: int, reason: str) -> Note | None:
    """The note's work kept failing: it is ``failed``, with why and where it stopped."""
    note = Note.objects.select_for_update(of=("self",)).filter(pk=note_id).first()
    if note is None or note.status in (NoteStatus.FAILED, NoteStatus.PUBLISHED):
        return None
    # The failed stage's work is over: its lease and count go; telling the owner is next.
    note_move(
        note,
        NoteStatus.FAILED,
        failed_from=note.status,
        last_error=reason[:2000],
        failure_reported_at=None,
        claimed_by="",
        claimed_until=None,
        attempts=0,
    )
    return note


def note_failure_reported(*, note_id: int) -> None:
    """The owner has been told (or cannot be): they are not told again."""
    Note.objects.filter(pk=note_id, failure_reported_at__isnull=True).update(
        failure_reported_at=timezone.now()
    )


def _send_back(note: Note) -> str:
    """A failed note goes back to the stage it failed in; returns that status."""
    status = NoteStatus.PUBLISHING if note.failed_from == NoteStatus.PUBLISHING else None
    if status is None or note.topic_id is None:
        status = NoteStatus.RECEIVED
    note_move(note, status, failed_from="", attempts=0, claimed_by="", claimed_until=None)
    _schedule(note)
    return status


def _schedule(note: Note) -> None:
    from notes.services.intake import note_schedule_processing
    from notes.services.publishing import note_schedule_publishing

    if note.status == NoteStatus.PUBLISHING:
        note_schedule_publishing(note=note)
    else:
        note_schedule_processing(note=note)


@transaction.atomic
def note_retry(*, owner: User, note_id: int) -> Note:
    """🔁 from the owner: a failed note of theirs is worked on again."""
    note = _locked_note(owner=owner, note_id=note_id)
    if note.status != NoteStatus.FAILED:
        raise NoteActionRefused(
            NoteActionRefused.FILED
            if note.status == NoteStatus.PUBLISHED
            else NoteActionRefused.BUSY
        )
    _send_back(note)
    return note


@transaction.atomic
def notes_retry_failed(
    *, note_ids: Iterable[int] | None = None, since: datetime | None = None
) -> list[int]:
    """Staff and ops: send failed notes back to work. Returns the ids sent back."""
    failed = Note.objects.select_for_update(skip_locked=True).filter(status=NoteStatus.FAILED)
    if note_ids is not None:
        failed = failed.filter(pk__in=list(note_ids))
    if since is not None:
        failed = failed.filter(updated_at__gte=since)
    sent_back = []
    for note in failed.order_by("pk"):
        _send_back(note)
        sent_back.append(note.pk)
    return sent_back


@dataclass
class Stalled:
    """What the sweeper found owed and reserved: ``(note id, task id)`` per kind of work."""

    prepare: list[tuple[int, str]] = field(default_factory=list)
    publish: list[tuple[int, str]] = field(default_factory=list)
    refresh: list[tuple[int, str]] = field(default_factory=list)
    unreported: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.prepare) + len(self.publish) + len(self.refresh) + len(self.unreported)


@transaction.atomic
def notes_reserve_stalled(*, unshown_previews: bool = True) -> Stalled:
    """Notes a worker owes work to but nobody is doing: reserved for the sweeper's tasks.

    Owed work is stalled when its lease ran out (the worker died), or when nobody took
    it within ``SWEEP_STALE_AFTER`` (the hand-off to the broker failed). A preview
    whose rendering or sending never finished counts too (``unshown_previews``: only
    where there is somewhere to show it), and so does a failure the owner was not told.
    """
    cutoff = timezone.now() - settings.SWEEP_STALE_AFTER
    stalled = Q(claimed_until__isnull=False) | Q(updated_at__lt=cutoff)
    notes = Note.objects.filter(stalled)
    # A refresh that died leaves the rendering empty (a note with words always renders to
    # something); a preview that was never sent leaves no message on record.
    unrendered = Q(rendered_text="") & (~Q(text="") | ~Q(transcript=""))
    unsent = Q(pending__resolved_at__isnull=True, pending__preview_message_id=None)
    waiting = notes.filter(status=NoteStatus.AWAITING_CONFIRMATION, owner__has_blocked_bot=False)
    return Stalled(
        prepare=leases_reserve(notes.filter(status__in=BEFORE_CONFIRMATION)),
        publish=leases_reserve(notes.filter(status=NoteStatus.PUBLISHING)),
        refresh=leases_reserve(
            waiting.filter(unrendered | unsent if unshown_previews else unrendered)
        ),
        unreported=list(
            Note.objects.filter(
                status=NoteStatus.FAILED,
                failure_reported_at__isnull=True,
                updated_at__lt=cutoff,
                owner__has_blocked_bot=False,
            ).values_list("pk", flat=True)[:500]
        ),
    )
