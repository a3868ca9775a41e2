"""Intake: what the owner sent becomes a stored note before any slow work starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction

from notes.links import links_initial
from notes.models import OPEN_STATUSES, Note, NoteKind, NoteStatus
from notes.services.bursts import (
    JOINABLE_STATUSES,
    bursts_enabled,
    note_burst_target,
    note_create_from_message,
    note_join,
    note_of_message,
    note_part_edited,
)
from notes.services.edits import note_filed_edit_record
from notes.services.replies import ADDED, FOLLOWS, note_add_reply, note_replied_to
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
    sent_at: datetime | None = None  # when the owner sent it (a burst is decided by it)
    reply_to_message_id: int | None = None  # the message of their chat it replies to


@dataclass(frozen=True)
class Receipt:
    note: Note
    created: bool  # False for a redelivered message and for a later part of an album
    parts: int  # files gathered so far: an album waits until no new part arrives
    joined: bool = False  # a new message that joined an open note (a burst, an album, a reply)
    added: bool = False  # a reply to a filed note: posted under it by its own task


@transaction.atomic
def note_receive(*, owner: User, incoming: IncomingNote) -> Receipt:
    """Store the message as a note; idempotent per (chat, message).

    Parts of an album (same ``media_group_id``) are gathered into the note of
    the first part; a reply joins the note it answers (``notes.services.replies``);
    a message sent right after the previous one joins its note (a burst,
    ``notes.services.bursts``). Parts may arrive at the same instant on different
    workers: the owner's row is locked while the note they join is looked up or
    created, so they always land in one note. The update itself was stored before
    any of this (the webhook), so a crash here loses nothing: it is processed again.
    """
    existing = note_of_message(chat_id=incoming.chat_id, message_id=incoming.message_id)
    if existing is not None:
        structlog.contextvars.bind_contextvars(note_id=existing.pk)
        return Receipt(existing, created=False, parts=note_part_count(existing))
    follows = None
    if incoming.media_group_id or incoming.reply_to_message_id or bursts_enabled():
        User.objects.select_for_update().only("pk").get(pk=owner.pk)  # one owner's at a time
        receipt, follows = _joined(owner, incoming)
        if receipt is not None:
            structlog.contextvars.bind_contextvars(note_id=receipt.note.pk)
            return receipt
    note = note_create_from_message(owner=owner, message=incoming, follows=follows)
    # The rest of this update's lines (its preview, the hand-off) name the note.
    structlog.contextvars.bind_contextvars(note_id=note.pk)
    return Receipt(note, created=True, parts=len(note.files))


def _joined(owner: User, incoming: IncomingNote) -> tuple[Receipt | None, Note | None]:
    """The receipt of a message that joins a note (a reply, an album's part, a burst's),
    or the closed note a reply follows. Call holding the owner's row lock."""
    replied = None
    if incoming.reply_to_message_id:
        replied = note_replied_to(
            owner=owner, chat_id=incoming.chat_id, message_id=incoming.reply_to_message_id
        )
    if replied is not None:
        outcome = note_add_reply(note=replied, incoming=incoming)
        if outcome == FOLLOWS:
            return None, replied
        parts = note_part_count(replied)
        added = outcome == ADDED
        return Receipt(replied, created=False, parts=parts, joined=not added, added=added), None
    joined = _album_add(incoming) or _burst_join(owner, incoming)
    if joined is None:
        return None, None
    return Receipt(joined, created=False, parts=note_part_count(joined), joined=True), None


def note_part_count(note: Note) -> int:
    """What an album's or a burst's delayed run compares with (``note_prepare``'s parts)."""
    return max(len(note.files), note.message_count if note.message_count > 1 else 0)


def _album_add(incoming: IncomingNote) -> Note | None:
    """A later part of an album joins the album's note (which may be a burst's)."""
    if not incoming.media_group_id:
        return None
    album = (
        Note.objects.select_for_update()
        .filter(source_chat_id=incoming.chat_id, media_group_id=incoming.media_group_id)
        .first()
    ) or (
        Note.objects.select_for_update()
        .filter(parts__chat_id=incoming.chat_id, parts__media_group_id=incoming.media_group_id)
        .first()
    )
    if album is None:
        return None
    if album.message_count > 1:
        note_join(note=album, incoming=incoming)
    else:
        _album_add_part(album, incoming)
    return album


def _burst_join(owner: User, incoming: IncomingNote) -> Note | None:
    note = note_burst_target(owner=owner, incoming=incoming)
    if note is not None:
        note_join(note=note, incoming=incoming)
    return note


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
    """The owner edited the original message: a note still open follows the edit, and
    a filed note's messages in the group are edited (``notes.services.edits``).

    Returns the note to re-process, or None when there is none or it has been
    filed, cancelled or expired.
    """
    part_of = note_part_edited(incoming=incoming)
    if part_of is not None:
        if part_of.status == NoteStatus.PUBLISHED:
            note_filed_edit_record(note=part_of, incoming=incoming)
        return part_of if part_of.status in JOINABLE_STATUSES else None
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
    if note is not None and note.status == NoteStatus.PUBLISHED:
        note_filed_edit_record(note=note, incoming=incoming)  # the group's copy follows
        return None
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
