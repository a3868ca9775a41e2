"""Replies: a private message that answers a note adds to it.

It answers a note when it replies to the note's own message (or one of a burst's), to
the bot's preview of it, or to the bot's "filed" message (the same message, edited).
What happens depends on where the note is:

- still open (prepared or waiting for a tap): the message joins it, like a burst's
  part; the preview follows, classified again unless the owner chose the topic;
- filed: the message is recorded on the note and posted into the same topic as a
  reply to the filed message (``note_publish_addition``, in the worker);
- expired, cancelled or failed: the message starts a new note that says what it
  follows (``Note.follows``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import translation

from notes.models import Note, NotePart, NoteStatus, PendingConfirmation
from notes.ports import DeliveryError, View, ports
from notes.services.bursts import JOINABLE_STATUSES, note_join, note_of_message
from notes.services.publishing import CAPTIONED_KINDS, MEDIA_KINDS, PublicationPlan
from notes.telegram_html import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    entities_to_html,
    quote,
    split_html,
)
from secretary.models import User
from secretary.work import Deferred, enqueue_on_commit, record_after_effect

if TYPE_CHECKING:
    from notes.services.intake import IncomingNote

logger = logging.getLogger(__name__)

ADDED = "added"  # filed: posted as a reply in the topic
JOINED = "joined"  # open: part of the note now
FOLLOWS = "follows"  # closed: a new note that follows it


def note_replied_to(*, owner: User, chat_id: int, message_id: int) -> Note | None:
    """The owner's note shown by message ``message_id`` of their chat, if any (locked)."""
    note = note_of_message(chat_id=chat_id, message_id=message_id)
    if note is None:
        pending = (
            PendingConfirmation.objects.filter(
                preview_chat_id=chat_id, preview_message_id=message_id
            )
            .select_related("note")
            .first()
        )
        note = pending.note if pending is not None else None
    if note is None or note.owner_id != owner.pk:
        return None
    return Note.objects.select_for_update(of=("self",)).get(pk=note.pk)


def note_add_reply(*, note: Note, incoming: IncomingNote) -> str:
    """Add the reply to ``note`` (locked by the caller); what became of it (ADDED,
    JOINED, or FOLLOWS: the caller creates the new note, following ``note``)."""
    if note.status in JOINABLE_STATUSES:
        note_join(note=note, incoming=incoming)
        return JOINED
    if note.status == NoteStatus.PUBLISHED and note.published_message_ids:
        rendered = note.rendered_text
        note_join(note=note, incoming=incoming)
        addition = _addition_html(incoming.text, incoming.entities)
        note.rendered_text = "\n\n".join(part for part in (rendered, addition) if part)
        note.save(update_fields=["rendered_text", "updated_at"])
        _schedule_addition(note_id=note.pk, message_id=incoming.message_id)
        return ADDED
    return FOLLOWS


def _addition_html(text: str, entities: list[dict[str, object]]) -> str:
    return entities_to_html(text, entities) if text else ""


def _schedule_addition(*, note_id: int, message_id: int) -> None:
    from notes.tasks import publish_note_addition

    enqueue_on_commit(publish_note_addition, note_id, kwargs={"message_id": message_id})


# -- posting an addition (in the worker) ------------------------------------------------


def note_addition_plan(*, note_id: int, message_id: int) -> PublicationPlan | None:
    """What to post for a reply added to a filed note; None when there is nothing to."""
    note = Note.objects.select_related("topic__group").filter(pk=note_id).first()
    part = NotePart.objects.filter(note_id=note_id, message_id=message_id).first()
    if note is None or part is None or note.topic is None:
        return None
    if note.status != NoteStatus.PUBLISHED or not note.published_message_ids:
        return None
    sent = [int(message_id) for message_id in part.published_message_ids]
    if sent and set(sent) <= {int(each) for each in note.published_message_ids}:
        return None  # posted and recorded already
    markup = _addition_html(part.text, part.entities)
    if part.kind in CAPTIONED_KINDS:
        parts = split_html(markup, limit=MESSAGE_LIMIT, first_limit=CAPTION_LIMIT)
    else:
        parts = split_html(markup, limit=MESSAGE_LIMIT) or [quote(part.text) or "…"]
    return PublicationPlan(
        note_id=note.pk,
        chat_id=int(note.published_chat_id or note.topic.group.chat_id),
        thread_id=None if note.topic.is_general else note.topic.thread_id,
        topic_name=note.topic.name,
        kind=part.kind if part.files else "text",
        source_chat_id=part.chat_id,
        source_message_id=part.message_id,
        files=list(part.files) if part.kind in MEDIA_KINDS else [],
        parts=parts,
        sent=sent,
        reply_to=int(note.published_message_ids[0]),
    )


def note_publish_addition(*, note_id: int, message_id: int) -> None:
    """Post the reply into the note's topic as a reply to its filed message; record it
    on the note (so ↩️ takes it back too) and show the owner where it went."""
    from notes.services.pipeline import PACING_SLEEP_MAX, note_show

    plan = note_addition_plan(note_id=note_id, message_id=message_id)
    if plan is None:
        return
    wait = ports().archive.pace(plan)
    if wait > PACING_SLEEP_MAX:
        raise Deferred("waiting for its turn in the group", retry_after=wait)
    time.sleep(wait)

    def progress(sent: list[int]) -> None:
        record_after_effect(lambda: _part_progress(note_id, message_id, sent))

    try:
        publication = ports().archive.post(plan, progress)
    except DeliveryError as error:
        if error.temporary:
            raise
        logger.warning("The addition %s to note %s was refused: %s", message_id, note_id, error)
        return
    note = record_after_effect(
        lambda: _addition_recorded(note_id, message_id, publication.message_ids)
    )
    if note is not None and not note.owner.has_blocked_bot:
        with translation.override(note.owner.preferences.effective_language):
            note_show(note, View.FILED, link=publication.link)


def _part_progress(note_id: int, message_id: int, sent: list[int]) -> None:
    NotePart.objects.filter(note_id=note_id, message_id=message_id).update(
        published_message_ids=sent
    )


@transaction.atomic
def _addition_recorded(note_id: int, message_id: int, sent: list[int]) -> Note | None:
    note = (
        Note.objects.select_for_update(of=("self",))
        .select_related("owner__preferences", "topic__group")
        .filter(pk=note_id, status=NoteStatus.PUBLISHED)
        .first()
    )
    if note is None:
        return None
    known = [int(each) for each in note.published_message_ids]
    note.published_message_ids = [*known, *(each for each in sent if each not in known)]
    note.save(update_fields=["published_message_ids", "updated_at"])
    _part_progress(note_id, message_id, sent)
    return note
