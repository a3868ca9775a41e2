"""Intake: what the owner sent becomes a stored note before any slow work starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from django.db import transaction

from notes.links import links_initial
from notes.models import OPEN_STATUSES, Note, NoteKind, NoteStatus
from secretary.models import User
from secretary.work import enqueue_on_commit


@dataclass(frozen=True)
class IncomingNote:
    """One message of the owner's, already parsed from Telegram's JSON."""

    chat_id: int
    message_id: int
    kind: str
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    forward_origin: dict[str, Any] | None = None
    media_group_id: str = ""


@dataclass(frozen=True)
class Receipt:
    note: Note
    created: bool  # False for a redelivered message and for a later part of an album
    parts: int  # files gathered so far: an album waits until no new part arrives


@transaction.atomic
def note_receive(*, owner: User, incoming: IncomingNote) -> Receipt:
    """Store the message as a note; idempotent per (chat, message).

    Parts of an album (same ``media_group_id``) are gathered into the note of
    the first part. Parts may arrive at the same instant on different workers:
    the owner's row is locked while the album's note is looked up or created,
    so they always land in one note.
    """
    existing = Note.objects.filter(
        source_chat_id=incoming.chat_id, source_message_id=incoming.message_id
    ).first()
    if existing is not None:
        structlog.contextvars.bind_contextvars(note_id=existing.pk)
        return Receipt(existing, created=False, parts=len(existing.files))
    if incoming.media_group_id:
        User.objects.select_for_update().only("pk").get(pk=owner.pk)  # one album at a time
        album = (
            Note.objects.select_for_update()
            .filter(source_chat_id=incoming.chat_id, media_group_id=incoming.media_group_id)
            .first()
        )
        if album is not None:
            _album_add_part(album, incoming)
            structlog.contextvars.bind_contextvars(note_id=album.pk)
            return Receipt(album, created=False, parts=len(album.files))
    note = Note.objects.create(
        owner=owner,
        source_chat_id=incoming.chat_id,
        source_message_id=incoming.message_id,
        media_group_id=incoming.media_group_id,
        kind=incoming.kind,
        text=incoming.text,
        entities=incoming.entities,
        files=incoming.files,
        forward_origin=incoming.forward_origin,
        link_metadata=links_initial(incoming.text, incoming.entities),
    )
    # The rest of this update's lines (its preview, the hand-off) name the note.
    structlog.contextvars.bind_contextvars(note_id=note.pk)
    return Receipt(note, created=True, parts=len(note.files))


def _album_add_part(album: Note, incoming: IncomingNote) -> None:
    known = {part.get("message_id") for part in album.files}
    new_files = [part for part in incoming.files if part.get("message_id") not in known]
    if not new_files:
        return
    album.files = sorted([*album.files, *new_files], key=lambda part: part["message_id"])
    fields = ["files", "updated_at"]
    if incoming.text and not album.text:
        album.text, album.entities = incoming.text, incoming.entities
        fields += ["text", "entities"]
    album.save(update_fields=fields)


def note_is_owed_work(note: Note) -> bool:
    """Stored but not yet prepared: processing the message again must resume it (the
    run that stored it may have died before it handed the note on)."""
    return note.status in (NoteStatus.RECEIVED, NoteStatus.ENRICHING, NoteStatus.CLASSIFYING)


def note_schedule_processing(
    *, note: Note, parts: int = 0, wait: float = 0, resend: bool = False
) -> None:
    """Classify, render and preview the note in the worker, once the transaction commits.

    ``parts`` and ``wait`` let an album settle: the task skips itself when more
    parts arrived after it was scheduled (their own task follows).
    """
    from notes.tasks import prepare_note

    kwargs: dict[str, Any] = {"parts": parts, **({"resend": True} if resend else {})}
    enqueue_on_commit(prepare_note, note.pk, kwargs=kwargs, countdown=wait)


def note_schedule_enrichment(*, note: Note, step: str) -> None:
    """One slow step of preparing the note (``pipeline.Enrichment``), on its own queue."""
    from notes.tasks import ENRICHMENT_TASKS

    enqueue_on_commit(ENRICHMENT_TASKS[step], note.pk)


@transaction.atomic
def note_update_from_edit(*, incoming: IncomingNote) -> Note | None:
    """The owner edited the original message: a note still open follows the edit.

    Returns the note to re-process, or None when there is none or it has been
    filed, cancelled or expired (once filed, the filed message is what counts).
    """
    note = (
        Note.objects.select_for_update()
        .filter(source_chat_id=incoming.chat_id, source_message_id=incoming.message_id)
        .first()
    )
    if note is None and incoming.media_group_id:
        note = (
            Note.objects.select_for_update()
            .filter(source_chat_id=incoming.chat_id, media_group_id=incoming.media_group_id)
            .first()
        )
    if note is None or note.status not in OPEN_STATUSES or note.status == NoteStatus.PUBLISHING:
        return None
    note.text, note.entities = incoming.text, incoming.entities
    if note.kind in (NoteKind.TEXT, NoteKind.LINK):
        note.kind = incoming.kind
    note.link_metadata = links_initial(incoming.text, incoming.entities)
    note.rendered_text = ""
    note.save(
        update_fields=["text", "entities", "kind", "link_metadata", "rendered_text", "updated_at"]
    )
    return note
