"""Pending confirmations: a note's preview from shown to filed, cancelled or expired.

Every tap arrives as a call here. The note row is locked (SELECT FOR UPDATE)
while its state is checked and changed, so two taps racing each other resolve
one after the other, and a tap on a preview whose note has moved on is refused
with a reason (``NoteActionRefused``) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from notes.lifecycle import note_move
from notes.models import Note, NoteStatus, PendingConfirmation
from secretary.models import User
from secretary.work import enqueue_on_commit
from topics.models import Topic

# What the AI made of a note's old words: gone when its words are replaced.
REPLACED_ANALYSIS: dict[str, Any] = {
    "rendered_text": "",
    "title": "",
    "tags": [],
    "reason": "",
    "confidence": None,
    "alternatives": [],
    "classification": {},
}

# A note in these states has not been shown for confirmation yet.
BEFORE_CONFIRMATION = (NoteStatus.RECEIVED, NoteStatus.ENRICHING, NoteStatus.CLASSIFYING)


class NoteActionRefused(Exception):
    """A tap the note cannot take now; ``reason`` selects the notice the owner sees."""

    FOREIGN = "foreign"
    FILED = "filed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    BUSY = "busy"
    NO_TOPIC = "no_topic"
    TOPIC_GONE = "topic_gone"
    TOO_LATE = "too_late"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_STATUS_REASONS: dict[str, str] = {
    NoteStatus.PUBLISHED: NoteActionRefused.FILED,
    NoteStatus.CANCELLED: NoteActionRefused.CANCELLED,
    NoteStatus.EXPIRED: NoteActionRefused.EXPIRED,
}


def _locked_note(*, owner: User, note_id: int) -> Note:
    note = (
        Note.objects.select_for_update(of=("self",))
        .select_related("topic__group", "owner__preferences")
        .filter(pk=note_id)
        .first()
    )
    if note is None or note.owner_id != owner.pk:
        raise NoteActionRefused(NoteActionRefused.FOREIGN)
    return note


def _open_pending(note: Note) -> PendingConfirmation | None:
    pending = PendingConfirmation.objects.filter(note=note).first()
    return pending if pending is not None and pending.is_open else None


def _awaiting(*, owner: User, note_id: int) -> tuple[Note, PendingConfirmation]:
    note = _locked_note(owner=owner, note_id=note_id)
    pending = _open_pending(note)
    if note.status != NoteStatus.AWAITING_CONFIRMATION or pending is None:
        raise NoteActionRefused(_STATUS_REASONS.get(note.status, NoteActionRefused.BUSY))
    return note, pending


@transaction.atomic
def note_check_awaiting(*, owner: User, note_id: int) -> Note:
    """The owner's note, if its preview still waits for a tap; else refused."""
    note, _pending = _awaiting(owner=owner, note_id=note_id)
    return note


def _resolve(pending: PendingConfirmation, resolution: str) -> None:
    pending.resolved_at = timezone.now()
    pending.resolution = resolution
    pending.save(update_fields=["resolved_at", "resolution"])


def _reopen(note: Note) -> PendingConfirmation:
    """The note waits again, with a fresh lifetime."""
    expires_at = timezone.now() + note.owner.preferences.effective_pending_ttl
    pending, created = PendingConfirmation.objects.get_or_create(
        note=note, defaults={"expires_at": expires_at}
    )
    if not created and not pending.is_open:
        pending.resolved_at, pending.resolution, pending.expires_at = None, "", expires_at
        pending.save(update_fields=["resolved_at", "resolution", "expires_at"])
    return pending


def _set_status(note: Note, status: str, **changes: Any) -> None:
    note_move(note, status, **changes)


def _locked(note_id: int) -> Note | None:
    return (
        Note.objects.select_for_update(of=("self",))
        .select_related("owner__preferences", "topic__group")
        .filter(pk=note_id)
        .first()
    )


@transaction.atomic
def note_await_confirmation(*, note_id: int) -> Note | None:
    """The prepared note waits for the owner's tap. None if it moved on meanwhile."""
    note = _locked(note_id)
    if note is None:
        return None
    if note.status not in (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION):
        return None
    _reopen(note)
    if note.status != NoteStatus.AWAITING_CONFIRMATION:
        _set_status(note, NoteStatus.AWAITING_CONFIRMATION)
    return note


@transaction.atomic
def preview_message_record(*, note_id: int, chat_id: int, message_id: int) -> None:
    """Remember where the note's preview (or its "filed" message) lives, to edit it later."""
    note = Note.objects.select_related("owner__preferences").get(pk=note_id)
    pending = PendingConfirmation.objects.filter(note=note).first()
    if pending is None:
        pending = _reopen(note)
    pending.preview_chat_id, pending.preview_message_id = chat_id, message_id
    pending.save(update_fields=["preview_chat_id", "preview_message_id"])


@transaction.atomic
def note_confirm(*, owner: User, note_id: int) -> Note:
    """✅: file the note into its topic. Publishing runs in the worker after commit.

    The owner's choice is remembered for later classifications, whether it
    confirms the suggestion or corrects it.
    """
    from notes.services.classification import note_filing_record
    from notes.services.publishing import note_schedule_publishing

    note, pending = _awaiting(owner=owner, note_id=note_id)
    topic = note.topic
    if topic is None:
        raise NoteActionRefused(NoteActionRefused.NO_TOPIC)
    if not topic.is_selectable or topic.group.owner_id != owner.pk:
        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    _resolve(pending, PendingConfirmation.Resolution.CONFIRMED)
    _set_status(note, NoteStatus.PUBLISHING, last_error="")
    note_filing_record(note=note, topic=topic)
    note_schedule_publishing(note=note)
    return note


@transaction.atomic
def note_cancel(*, owner: User, note_id: int) -> Note:
    """❌: the note is not filed; it stays in history."""
    note, pending = _awaiting(owner=owner, note_id=note_id)
    _resolve(pending, PendingConfirmation.Resolution.CANCELLED)
    _set_status(note, NoteStatus.CANCELLED)
    return note


@transaction.atomic
def note_choose_topic(*, owner: User, note_id: int, topic_id: int, resend: bool = False) -> Note:
    """📂: the owner picked another topic; the preview is re-rendered for it in the worker."""
    note, _pending = _awaiting(owner=owner, note_id=note_id)
    topic = Topic.objects.select_related("group").filter(pk=topic_id).first()
    if topic is None or topic.group.owner_id != owner.pk or not topic.is_selectable:
        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    # The owner's choice: the AI's confidence and reason were about its own suggestion.
    classification = {**(note.classification or {}), "chosen_by_owner": True}
    _set_status(
        note,
        note.status,
        topic=topic,
        rendered_text="",
        confidence=None,
        reason="",
        classification=classification,
    )
    note_schedule_refresh(note=note, resend=resend)
    return note


@transaction.atomic
def note_replace_text(
    *, owner: User, note_id: int, text: str, entities: list[dict[str, Any]]
) -> Note:
    """✏️: the owner's next message replaces the note's words; it is classified and
    rendered anew (what was replaced appears nowhere), and a new preview follows."""
    from notes.services.intake import note_schedule_processing

    note, _pending = _awaiting(owner=owner, note_id=note_id)
    _set_status(note, note.status, text=text, entities=entities, **REPLACED_ANALYSIS)
    note_schedule_processing(note=note, resend=True)
    return note


def note_schedule_refresh(*, note: Note, resend: bool = False) -> None:
    """Render the note for its topic and show the preview again, in the worker."""
    from notes.tasks import refresh_preview

    enqueue_on_commit(refresh_preview, note.pk, kwargs={"resend": resend})


@transaction.atomic
def note_file_automatically(*, note_id: int) -> bool:
    """Auto-file mode: file at once, without asking. False if the note moved on."""
    from notes.services.publishing import note_schedule_publishing

    note = _locked(note_id)
    if note is None or note.topic_id is None:
        return False
    if note.status not in (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION):
        return False
    pending = _reopen(note)
    _resolve(pending, PendingConfirmation.Resolution.CONFIRMED)
    _set_status(note, NoteStatus.PUBLISHING, last_error="")
    note_schedule_publishing(note=note)
    return True


@transaction.atomic
def note_return_to_pending(*, note_id: int, error: str) -> Note | None:
    """Publishing could not finish: the note waits for the owner again (fresh lifetime)."""
    note = _locked(note_id)
    if note is None or note.status != NoteStatus.PUBLISHING:
        return None
    _reopen(note)
    _set_status(
        note, NoteStatus.AWAITING_CONFIRMATION, last_error=error[:2000], published_message_ids=[]
    )
    return note
