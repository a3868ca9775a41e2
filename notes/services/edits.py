"""An edit after filing follows the note into its topic.

When the owner edits the text or caption of a filed note's message, the note's record
takes the new words (the earlier ones kept in ``Note.earlier_versions``) and the worker
edits the filed messages, rendered again with the topic's template:

- the same number of messages: each is edited in place;
- more: the extra parts are posted as replies to the first filed message;
- fewer: the surplus messages are edited to a short marker, "(text moved above)".
  They are not deleted: deleting needs a right the bot may not have, and a reply
  someone made to them keeps its place.

When Telegram refuses (the message was deleted, the bot may no longer edit there) the
owner is told once, in their language; the record keeps the new words regardless.
The ↩️ undo window changes nothing: the note is filed, so its messages are edited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notes.links import links_initial
from notes.models import Note, NoteKind, NotePart, NoteStatus
from notes.ports import DeliveryError, View, ports
from notes.services.bursts import composed_text, note_compose
from notes.services.publishing import CAPTIONED_KINDS, MEDIA_KINDS, PublicationPlan
from notes.telegram_html import CAPTION_LIMIT, MESSAGE_LIMIT, entities_to_html, quote, split_html
from secretary.work import enqueue_on_commit, record_after_effect

if TYPE_CHECKING:
    from notes.services.intake import IncomingNote

logger = logging.getLogger(__name__)

DUE = "due"
REFUSED = "refused"


def note_filed_edit_record(*, note: Note, incoming: IncomingNote) -> None:
    """The owner edited a message of the filed ``note`` (locked by the caller): the record
    takes the new words, the earlier ones are kept, and the group's copy is edited in
    the worker. An edit that changes nothing is ignored."""
    earlier = {
        "text": note.text,
        "entities": note.entities,
        "rendered_text": note.rendered_text,
        "replaced_at": timezone.now().isoformat(),
    }
    part = NotePart.objects.filter(
        note=note, chat_id=incoming.chat_id, message_id=incoming.message_id
    ).first()
    if part is not None:
        if (part.text, part.entities) == (incoming.text, incoming.entities):
            return
        part.text, part.entities = incoming.text, incoming.entities
        part.save(update_fields=["text", "entities"])
        note_compose(note=note, parts=list(note.parts.all()))
        if part.published_message_ids:
            # A reply added after filing: the record follows, its own post stays as it was.
            note.earlier_versions = [*note.earlier_versions, earlier]
            note.save(update_fields=["earlier_versions", "updated_at"])
            return
    else:
        if (note.text, note.entities) == (incoming.text, incoming.entities):
            return
        note.text, note.entities = incoming.text, incoming.entities
        note.link_metadata = links_initial(incoming.text, incoming.entities)
        note.rendered_text = ""
    note.earlier_versions = [*note.earlier_versions, earlier]
    if note.published_message_ids:
        note.filed_edit = DUE if note.filed_edit != REFUSED else REFUSED + "+" + DUE
    note.save(
        update_fields=[
            "text",
            "entities",
            "link_metadata",
            "rendered_text",
            "earlier_versions",
            "filed_edit",
            "updated_at",
        ]
    )
    if note.published_message_ids:  # else nothing reached the group: the record is all
        from notes.tasks import follow_filed_edit

        enqueue_on_commit(follow_filed_edit, note.pk)


def note_follow_filed_edit(*, note_id: int) -> None:
    """Edit the filed messages to the note's new words (in the worker). Idempotent: a
    note with no edit due is left alone."""
    note = Note.objects.select_related("owner__preferences", "topic__group").get(pk=note_id)
    if note.status != NoteStatus.PUBLISHED or DUE not in note.filed_edit or note.topic is None:
        return
    version = len(note.earlier_versions)
    with translation.override(note.owner.preferences.effective_language):
        markup = _main_markup(note)
        try:
            extra = _edit_messages(note, markup)
        except DeliveryError as error:
            if error.temporary:
                raise
            told = note.filed_edit.startswith(REFUSED)
            logger.info("Filed messages of note %s not edited: %s", note_id, error)
            if not told and not note.owner.has_blocked_bot:
                ports().display.show(note, View.EDIT_REFUSED)
            record_after_effect(lambda: _edit_done(note_id, version, REFUSED, []))
            return
    record_after_effect(lambda: _edit_done(note_id, version, "", extra))


def _main_markup(note: Note) -> str:
    """The note rendered for its topic, without the replies added to it after filing
    (they were posted apart, under it); those follow in the record's rendering."""
    from notes.services.processing import note_render_html

    parts = list(note.parts.all())
    additions = [part for part in parts if part.published_message_ids]
    if not additions:
        return note_render_html(note=note)
    note.text, note.entities = composed_text([p for p in parts if not p.published_message_ids])
    markup = note_render_html(note=note)  # saves the rendering only, not these words
    whole = [markup, *(entities_to_html(p.text, p.entities) for p in additions if p.text)]
    Note.objects.filter(pk=note.pk).update(rendered_text="\n\n".join(whole))
    return markup


def _edit_messages(note: Note, markup: str) -> list[int]:
    """Edit each filed message of the note's main publication; returns new messages."""
    captioned = note.kind in CAPTIONED_KINDS
    if captioned:
        parts = split_html(markup, limit=MESSAGE_LIMIT, first_limit=CAPTION_LIMIT)
    else:
        parts = split_html(markup, limit=MESSAGE_LIMIT) or [quote(note.content) or "…"]
    filed = _main_messages(note)
    media = len(note.files) if note.kind in MEDIA_KINDS else 0
    archive, chat_id = ports().archive, int(note.published_chat_id or 0)
    # With media, the first message carries the caption; the text follows the files.
    if captioned and filed:
        caption = parts[0] if parts else ""
        archive.edit(chat_id=chat_id, message_id=filed[0], html=caption, caption=True)
        parts = parts[1:]
    texts = filed[media:]
    for message_id, part in zip(texts, parts, strict=False):
        archive.edit(chat_id=chat_id, message_id=message_id, html=part)
    for message_id in texts[len(parts) :]:
        archive.edit(chat_id=chat_id, message_id=message_id, html=quote(_("(text moved above)")))
    if len(parts) <= len(texts):
        return []
    plan = PublicationPlan(
        note_id=note.pk,
        chat_id=chat_id,
        thread_id=None if note.topic is None or note.topic.is_general else note.topic.thread_id,
        topic_name=note.topic.name if note.topic else "",
        kind=NoteKind.TEXT,
        source_chat_id=note.source_chat_id,
        source_message_id=note.source_message_id,
        parts=parts[len(texts) :],
        reply_to=filed[0],
    )
    return archive.post(plan, lambda sent: None).message_ids


def _main_messages(note: Note) -> list[int]:
    """The note's own filed messages (replies added to it are posted apart)."""
    additions = {
        int(message_id)
        for ids in note.parts.values_list("published_message_ids", flat=True)
        for message_id in ids
    }
    return [int(each) for each in note.published_message_ids if int(each) not in additions]


@transaction.atomic
def _edit_done(note_id: int, version: int, state: str, extra: list[int]) -> None:
    """Record the run's outcome; an edit that came meanwhile stays due (its task follows)."""
    note = Note.objects.select_for_update(of=("self",)).filter(pk=note_id).first()
    if note is None:
        return
    newer = len(note.earlier_versions) != version
    note.filed_edit = (state + "+" + DUE if state else DUE) if newer else state
    note.published_message_ids = [*note.published_message_ids, *extra]
    note.save(update_fields=["filed_edit", "published_message_ids", "updated_at"])
