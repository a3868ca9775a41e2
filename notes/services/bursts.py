"""Bursts: messages sent together (a comment and the posts it forwards) are one note.

The rule: a private message sent within ``NOTE_BURST_SECONDS`` of the owner's latest
note (Telegram's send time, to the second) joins that note while nobody has acted on
it: it is still being prepared, or its preview waits untouched (no topic chosen). A
message sent later, a voice message, or a file that cannot share an album with the
note's files starts a note of its own.

The decision is made in ``note_receive``'s transaction, holding the owner's row lock:
parts that arrive at the same moment on different processes are decided one after the
other, so they land in one note and none is lost. Each part keeps what its message
said (``NotePart``); the note's text, entities, files and kind are composed from the
parts in message order, each forward under a line naming where it came from.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import transaction

from notes.ai.templates import forward_origin_link
from notes.links import links_initial, note_link_previews
from notes.models import Note, NoteKind, NotePart, NoteStatus
from notes.services.pending import REPLACED_ANALYSIS, NoteActionRefused, _awaiting, _set_status
from notes.services.processing import SPOKEN_KINDS, note_topic_chosen_by_owner
from secretary.models import User

if TYPE_CHECKING:
    from notes.services.intake import IncomingNote

JOINABLE_STATUSES = (
    NoteStatus.RECEIVED,
    NoteStatus.ENRICHING,
    NoteStatus.CLASSIFYING,
    NoteStatus.AWAITING_CONFIRMATION,
)
# Telegram posts at most ten files as one album, and mixes only photos with videos.
ALBUM_LIMIT = 10
_MIXABLE = {"photo", "video"}
ORIGIN_MARK = "↪️ "
PART_SEPARATOR = "\n\n"


class Message(Protocol):
    """What a note is made of: an incoming message, or a part split off a joined note."""

    @property
    def chat_id(self) -> int: ...
    @property
    def message_id(self) -> int: ...
    @property
    def media_group_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def entities(self) -> list[dict[str, Any]]: ...
    @property
    def files(self) -> list[dict[str, Any]]: ...
    @property
    def forward_origin(self) -> dict[str, Any] | None: ...
    @property
    def sent_at(self) -> datetime | None: ...


def note_create_from_message(*, owner: User, message: Message, **fields: Any) -> Note:
    """A new note of one message (its links still to be read)."""
    return Note.objects.create(
        owner=owner,
        source_chat_id=message.chat_id,
        source_message_id=message.message_id,
        media_group_id=message.media_group_id,
        kind=message.kind,
        text=message.text,
        entities=message.entities,
        files=message.files,
        forward_origin=message.forward_origin,
        link_metadata=links_initial(message.text, message.entities),
        last_sent_at=message.sent_at,
        **fields,
    )


def bursts_enabled() -> bool:
    return settings.NOTE_BURST_SECONDS > 0


def note_burst_target(*, owner: User, incoming: IncomingNote) -> Note | None:
    """The note ``incoming`` joins, if any (locked). Call holding the owner's row lock."""
    if not bursts_enabled() or incoming.sent_at is None or incoming.kind in SPOKEN_KINDS:
        return None
    latest = (
        Note.objects.select_for_update(of=("self",))
        .filter(owner=owner, source_chat_id=incoming.chat_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.last_sent_at is None:
        return None
    window = timedelta(seconds=settings.NOTE_BURST_SECONDS)
    if abs(incoming.sent_at - latest.last_sent_at) > window:
        return None
    return latest if note_accepts_part(latest, incoming.files) else None


def note_of_message(*, chat_id: int, message_id: int) -> Note | None:
    """The note a message of the owner's became (its first message, or a part of it)."""
    note = Note.objects.filter(source_chat_id=chat_id, source_message_id=message_id).first()
    if note is None:
        note = Note.objects.filter(parts__chat_id=chat_id, parts__message_id=message_id).first()
    return note


def note_accepts_part(note: Note, files: list[dict[str, Any]]) -> bool:
    """Nobody acted on the note yet, and the part's files can be filed with its own."""
    if note.status not in JOINABLE_STATUSES or note.kind in SPOKEN_KINDS:
        return False
    if note.status == NoteStatus.AWAITING_CONFIRMATION and note_topic_chosen_by_owner(note):
        return False
    together = [*note.files, *files]
    if len(together) > ALBUM_LIMIT and files:
        return False
    types = {str(part.get("type")) for part in together}
    return len(types) <= 1 or types <= _MIXABLE


@transaction.atomic
def note_join(*, note: Note, incoming: IncomingNote) -> int:
    """Add the message to the note (locked by the caller); how many it holds now."""
    parts = list(note.parts.all())
    if not parts:
        parts.append(_part_of_note(note))
    parts.append(
        NotePart.objects.create(
            note=note,
            chat_id=incoming.chat_id,
            message_id=incoming.message_id,
            media_group_id=incoming.media_group_id,
            kind=incoming.kind,
            text=incoming.text,
            entities=incoming.entities,
            files=incoming.files,
            forward_origin=incoming.forward_origin,
            sent_at=incoming.sent_at,
        )
    )
    note_compose(note=note, parts=parts)
    return len(parts)


def _part_of_note(note: Note) -> NotePart:
    """The note's first message, as a part, when a second one joins it."""
    return NotePart.objects.create(
        note=note,
        chat_id=note.source_chat_id,
        message_id=note.source_message_id,
        media_group_id=note.media_group_id,
        kind=note.kind,
        text=note.text,
        entities=note.entities,
        files=note.files,
        forward_origin=note.forward_origin,
        sent_at=note.last_sent_at,
    )


def note_compose(*, note: Note, parts: list[NotePart]) -> None:
    """The note's words, files and kind from its parts, in the order they were sent.

    What the AI made of the earlier words is kept until the note is prepared again
    (the preview shows the new words meanwhile).
    """
    parts = sorted(parts, key=lambda part: part.message_id)
    text, entities = composed_text(parts)
    files = [file for part in parts for file in part.files]
    note.text, note.entities, note.files = text, entities, files
    note.kind = _composed_kind(parts, files)
    note.forward_origin = parts[0].forward_origin if len(parts) == 1 else None
    note.link_metadata = _links_kept(note.link_metadata, links_initial(text, entities))
    sent = [part.sent_at for part in parts if part.sent_at is not None]
    note.last_sent_at = max(sent) if sent else note.last_sent_at
    note.message_count = len(parts)
    note.rendered_text = ""
    note.save(
        update_fields=[
            "text",
            "entities",
            "files",
            "kind",
            "forward_origin",
            "link_metadata",
            "last_sent_at",
            "message_count",
            "rendered_text",
            "updated_at",
        ]
    )


def composed_text(parts: list[NotePart]) -> tuple[str, list[dict[str, Any]]]:
    """The parts' words one after another; a forward under "↪️ <its origin>"."""
    text, entities = "", []
    for part in parts:
        header, header_entities = (
            _origin_header(part.forward_origin) if len(parts) > 1 else ("", [])
        )
        if not header and not part.text.strip():
            continue
        if text:
            text += PART_SEPARATOR
        base = _utf16(text)
        entities += [{**entity, "offset": entity["offset"] + base} for entity in header_entities]
        base += _utf16(header)
        entities += [
            {**entity, "offset": int(entity.get("offset", 0)) + base}
            for entity in part.entities or []
        ]
        text += header + part.text
    return text, entities


def _origin_header(origin: dict[str, Any] | None) -> tuple[str, list[dict[str, Any]]]:
    if not origin:
        return "", []
    name, url = forward_origin_link(origin)
    name = name or "…"
    entity: dict[str, Any] = {"offset": _utf16(ORIGIN_MARK), "length": _utf16(name)}
    entity.update({"type": "text_link", "url": url} if url else {"type": "bold"})
    return f"{ORIGIN_MARK}{name}\n", [entity]


def _composed_kind(parts: list[NotePart], files: list[dict[str, Any]]) -> str:
    if files:
        return next(part.kind for part in parts if part.files)
    if len(parts) == 1:
        return parts[0].kind
    if any(part.forward_origin for part in parts):
        return NoteKind.FORWARD
    return NoteKind.LINK if any(part.kind == NoteKind.LINK for part in parts) else NoteKind.TEXT


def _links_kept(before: Any, now: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
    """The links of the new words, with what was already read of them kept."""
    read = {preview.url: preview.as_dict() for preview in note_link_previews(before)}
    return [read.get(entry["url"], entry) for entry in now] if now else None


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def note_part_edited(*, incoming: IncomingNote) -> Note | None:
    """A part of a burst was edited while its note is open: the note's words follow.

    Returns the note (locked; its words changed only while it is open), or None when
    the message is no part of a note. Call inside a transaction.
    """
    part = (
        NotePart.objects.select_for_update()
        .filter(chat_id=incoming.chat_id, message_id=incoming.message_id)
        .first()
    )
    if part is None:
        return None
    note = Note.objects.select_for_update(of=("self",)).get(pk=part.note_id)
    if note.status not in JOINABLE_STATUSES:
        return note  # filed, cancelled or expired: the filed message is what counts
    part.text, part.entities = incoming.text, incoming.entities
    part.save(update_fields=["text", "entities"])
    note_compose(note=note, parts=list(note.parts.all()))
    return note


@transaction.atomic
def note_split(*, owner: User, note_id: int) -> list[Note]:
    """✂️: a note of several messages becomes one note per message.

    The first message keeps the note (and its preview, shown again); each other one
    becomes a new note with a preview of its own. Only while the preview waits.
    """
    from notes.services.intake import note_schedule_processing

    note, _pending = _awaiting(owner=owner, note_id=note_id)
    parts = sorted(note.parts.all(), key=lambda part: part.message_id)
    if len(parts) < 2:
        raise NoteActionRefused(NoteActionRefused.BUSY)
    first, rest = parts[0], parts[1:]
    NotePart.objects.filter(note=note).delete()
    notes = [note]
    for part in rest:
        notes.append(note_create_from_message(owner=owner, message=part))
    _set_status(
        note,
        note.status,
        source_message_id=first.message_id,
        media_group_id=first.media_group_id,
        kind=first.kind,
        text=first.text,
        entities=first.entities,
        files=first.files,
        forward_origin=first.forward_origin,
        link_metadata=_links_kept(note.link_metadata, links_initial(first.text, first.entities)),
        last_sent_at=first.sent_at,
        message_count=1,
        **REPLACED_ANALYSIS,
    )
    for each in notes:
        note_schedule_processing(note=each)
    return notes
