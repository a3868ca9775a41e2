"""Publishing: what a confirmed note becomes in the forum group, and the record of it.

The sending itself is the archive port's business (``notes.ports``, ``notes.services.pipeline``);
this module decides what to send — text parts or a copy of the media with the
rendered caption, or an album — and records what was sent, including a partial
send interrupted by a rate limit, so a retry never posts a part twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notes.models import Note, NoteKind, NoteStatus
from notes.services.pending import NoteActionRefused, _locked_note, _reopen, _set_status
from notes.services.processing import note_render_html
from notes.telegram_html import CAPTION_LIMIT, MESSAGE_LIMIT, quote, split_html
from secretary.models import User
from secretary.work import enqueue_on_commit
from topics.models import Topic

# Media that carries a caption; a video note cannot, its text follows it.
CAPTIONED_KINDS = (
    NoteKind.PHOTO,
    NoteKind.VIDEO,
    NoteKind.DOCUMENT,
    NoteKind.AUDIO,
    NoteKind.VOICE,
)
MEDIA_KINDS = (*CAPTIONED_KINDS, NoteKind.VIDEO_NOTE)


@dataclass(frozen=True)
class PublicationPlan:
    """Everything needed to post one note into its topic."""

    note_id: int
    chat_id: int
    thread_id: int | None  # None for the General topic
    topic_name: str
    kind: str
    source_chat_id: int
    source_message_id: int
    files: list[dict[str, Any]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # HTML; for media the first is the caption
    sent: list[int] = field(default_factory=list)  # message ids of an interrupted attempt
    publish_after: datetime | None = None  # its turn in the group's pacing, once it has one
    reply_to: int | None = None  # posted as a reply to this message (an addition to a note)

    @property
    def is_album(self) -> bool:
        return len(self.files) > 1

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS

    @property
    def has_caption(self) -> bool:
        return self.kind in CAPTIONED_KINDS

    @property
    def messages_left(self) -> int:
        """How many messages posting what is left takes (each part of an album is one)."""
        media = len(self.files) if self.is_media else 0
        texts = len(self.parts) - (1 if self.has_caption and self.parts else 0)
        return max(0, media + texts - len(self.sent))  # sent: the media first, then text


def note_schedule_publishing(*, note: Note) -> None:
    from notes.tasks import publish_note

    enqueue_on_commit(publish_note, note.pk)


def note_publication_plan(*, note_id: int) -> PublicationPlan | None:
    """What to send for a note being published; None if it is not being published."""
    note = Note.objects.select_related("topic__group", "owner__preferences").get(pk=note_id)
    topic = note.topic
    if note.status != NoteStatus.PUBLISHING or topic is None:
        return None
    markup = note.rendered_text or note_render_html(note=note)
    if note.kind in CAPTIONED_KINDS:
        parts = split_html(markup, limit=MESSAGE_LIMIT, first_limit=CAPTION_LIMIT)
    else:
        parts = split_html(markup, limit=MESSAGE_LIMIT)
    if not parts and note.kind not in MEDIA_KINDS:
        parts = [quote(note.content) or "…"]
    return PublicationPlan(
        note_id=note.pk,
        chat_id=topic.group.chat_id,
        thread_id=None if topic.is_general else topic.thread_id,
        topic_name=topic.name,
        kind=note.kind,
        source_chat_id=note.source_chat_id,
        # A burst's file may be another message than its first: the one copied is the file's.
        source_message_id=int((note.files or [{}])[0].get("message_id") or note.source_message_id),
        files=list(note.files),
        parts=parts,
        sent=[int(message_id) for message_id in note.published_message_ids],
        publish_after=note.publish_after,
    )


def note_publishing_wait(*, note_id: int, seconds: float) -> datetime:
    """The note's turn in its group's pacing is ``seconds`` away: it waits for it (a run
    that comes back, or the sweeper after a crash, keeps the turn)."""
    moment = timezone.now() + timedelta(seconds=seconds)
    Note.objects.filter(pk=note_id, status=NoteStatus.PUBLISHING).update(publish_after=moment)
    return moment


@transaction.atomic
def note_publishing_progress(*, note_id: int, message_ids: list[int]) -> None:
    """Part of the note is in the group; a retry continues after these messages."""
    Note.objects.filter(pk=note_id, status=NoteStatus.PUBLISHING).update(
        published_message_ids=message_ids, updated_at=timezone.now()
    )


@transaction.atomic
def note_mark_published(*, note_id: int, chat_id: int, message_ids: list[int]) -> Note | None:
    note = Note.objects.select_for_update(of=("self",)).filter(pk=note_id).first()
    if note is None or note.status != NoteStatus.PUBLISHING:
        return None
    _set_status(
        note,
        NoteStatus.PUBLISHED,
        published_chat_id=chat_id,
        published_message_ids=message_ids,
        published_at=timezone.now(),
        last_error="",
    )
    return note


@transaction.atomic
def note_check_undo(*, owner: User, note_id: int) -> Note:
    """↩️: the note may be taken back from the group (filed, within the undo window)."""
    note = _locked_note(owner=owner, note_id=note_id)
    if note.status != NoteStatus.PUBLISHED:
        reasons: dict[str, str] = {
            NoteStatus.CANCELLED: NoteActionRefused.CANCELLED,
            NoteStatus.EXPIRED: NoteActionRefused.EXPIRED,
        }
        reason = reasons.get(note.status, NoteActionRefused.BUSY)
        raise NoteActionRefused(reason)
    if note.published_at is None or (
        timezone.now() - note.published_at > settings.TELEGRAM_UNDO_WINDOW
    ):
        raise NoteActionRefused(NoteActionRefused.TOO_LATE)
    return note


@transaction.atomic
def note_unfile(*, owner: User, note_id: int) -> Note:
    """The note's messages are gone from the group: it waits for the owner again."""
    note = note_check_undo(owner=owner, note_id=note_id)
    _reopen(note)
    _set_status(
        note,
        NoteStatus.AWAITING_CONFIRMATION,
        published_chat_id=None,
        published_message_ids=[],
        published_at=None,
    )
    return note


# From history (filed, expired or cancelled) a note may be filed again elsewhere.
REFILABLE = (NoteStatus.PUBLISHED, NoteStatus.EXPIRED, NoteStatus.CANCELLED)


@transaction.atomic
def note_check_refile(*, owner: User, note_id: int, topic_id: int) -> tuple[Note, Topic]:
    """The note may be re-filed into the topic: the owner's, from history, a live topic."""
    note = _locked_note(owner=owner, note_id=note_id)
    if note.status not in REFILABLE:
        raise NoteActionRefused(NoteActionRefused.BUSY)
    topic = Topic.objects.select_related("group").filter(pk=topic_id).first()
    if topic is None or topic.group.owner_id != owner.pk or not topic.is_selectable:
        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    return note, topic


@transaction.atomic
def note_refile_record(*, owner: User, note_id: int, topic_id: int) -> Note:
    """The note (its old publication taken back) is filed into ``topic_id`` after commit."""
    from notes.services.classification import note_filing_record

    note, topic = note_check_refile(owner=owner, note_id=note_id, topic_id=topic_id)
    pending = _reopen(note)
    pending.resolved_at, pending.resolution = timezone.now(), "confirmed"
    pending.save(update_fields=["resolved_at", "resolution"])
    _set_status(
        note,
        NoteStatus.PUBLISHING,
        topic=topic,
        rendered_text="",
        published_chat_id=None,
        published_message_ids=[],
        published_at=None,
        last_error="",
    )
    note_filing_record(note=note, topic=topic)
    note_schedule_publishing(note=note)
    return note
