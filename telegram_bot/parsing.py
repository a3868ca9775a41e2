"""From a Telegram message to an ``IncomingNote``, or the reason it is not a note."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message

from notes.links import link_urls
from notes.models import NoteKind
from notes.services.intake import IncomingNote

REFUSE_STICKER = "sticker"
REFUSE_EMPTY = "empty"
REFUSE_UNSUPPORTED = "unsupported"

# The media a note can carry, in the order they are looked for on a message.
_MEDIA = (
    ("photo", NoteKind.PHOTO),
    ("video", NoteKind.VIDEO),
    ("document", NoteKind.DOCUMENT),
    ("audio", NoteKind.AUDIO),
    ("voice", NoteKind.VOICE),
    ("video_note", NoteKind.VIDEO_NOTE),
)
_FILE_FIELDS = ("file_id", "file_unique_id", "file_size", "file_name", "mime_type", "duration")


def incoming_from_message(message: Message) -> IncomingNote | str:
    """The note a private message carries, or one of the REFUSE_* reasons."""
    if message.sticker is not None:
        return REFUSE_STICKER
    text = message.text if message.text is not None else (message.caption or "")
    entities = message.entities if message.text is not None else message.caption_entities
    kind, files = _media(message)
    if kind is None:
        if message.text is None:
            return REFUSE_UNSUPPORTED
        if not text.strip():
            return REFUSE_EMPTY
        kind = NoteKind.TEXT
    dumped = [_dump(entity) for entity in entities or []]
    link = bool(link_urls(text, dumped))
    if kind == NoteKind.TEXT and message.forward_origin is not None:
        kind = NoteKind.FORWARD
    elif kind == NoteKind.TEXT and link:
        kind = NoteKind.LINK
    return IncomingNote(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=kind,
        text=text,
        entities=dumped,
        files=files,
        forward_origin=_dump(message.forward_origin) if message.forward_origin else None,
        media_group_id=message.media_group_id or "",
        sent_at=message.date,
        reply_to_message_id=message.reply_to_message.message_id
        if message.reply_to_message
        else None,
    )


def _media(message: Message) -> tuple[str | None, list[dict[str, Any]]]:
    for field, kind in _MEDIA:
        value = getattr(message, field)
        if not value:
            continue
        if field == "photo":
            value = max(value, key=lambda size: size.width * size.height)
        part = {"type": field, "message_id": message.message_id}
        for name in _FILE_FIELDS:
            if getattr(value, name, None) is not None:
                part[name] = getattr(value, name)
        if field == "audio" and value.title:
            part["title"] = value.title
        return kind, [part]
    return None, []


def _dump(value: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = value.model_dump(mode="json", exclude_none=True, by_alias=True)
    return dumped
