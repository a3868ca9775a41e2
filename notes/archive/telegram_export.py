"""Reading a Telegram Desktop export (JSON) as a stream of messages.

Both shapes: one chat's ``result.json`` ({"name", "type", "id", "messages": [...]}) and the
full export ({"chats": {"list": [{... "messages": [...]}]}, "left_chats": ...}). The file is
parsed event by event (ijson), one message built at a time, so memory stays bounded
whatever the file's size. The project's own JSON export is recognised here too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import ijson
from django.conf import settings

from notes.archive.jsonformat import FORMAT_NAME

# Where messages sit in either shape, and where their chat's fields are.
_MESSAGE_PREFIXES = {
    "messages.item": "",
    "chats.list.item.messages.item": "chats.list.item.",
    "left_chats.list.item.messages.item": "left_chats.list.item.",
}
_CHAT_PREFIXES = ("", "chats.list.item.", "left_chats.list.item.")
OWN_PREFIXES = ("topics.item", "notes.item")


class NotAnExport(Exception):
    """The file cannot be imported; ``reason`` says why in one line (a code, see REASONS)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


# Entity types of the export mapped to the Bot API's; "plain" is no entity.
_ENTITY_TYPES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strikethrough",
    "spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "link": "url",
    "text_link": "text_link",
    "mention": "mention",
    "mention_name": "text_mention",
    "hashtag": "hashtag",
    "cashtag": "cashtag",
    "bot_command": "bot_command",
    "email": "email",
    "phone": "phone_number",
    "blockquote": "blockquote",
    "custom_emoji": "custom_emoji",
}


@dataclass
class ChatInfo:
    export_id: int = 0
    name: str = ""
    type: str = ""


@dataclass(frozen=True)
class ExportMessage:
    """One message of the export, as the importer needs it."""

    chat: ChatInfo
    message_id: int
    date: datetime | None
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    forwarded_from: str = ""
    reply_to_message_id: int | None = None
    media: str = ""
    skip: str = ""  # why it is not a note: service, sticker, no_text, unknown


def check_file(path: Path) -> None:
    """Refuse at once what cannot be an export: missing, a folder, too big, a zip."""
    if not path.exists():
        raise NotAnExport("missing")
    if path.is_dir():
        candidate = path / "result.json"
        if candidate.exists():
            return check_file(candidate)
        raise NotAnExport("folder")
    if path.stat().st_size > settings.IMPORT_MAX_BYTES:
        raise NotAnExport("too_big")
    with path.open("rb") as head:
        start = head.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"PK\x03\x04") or zipfile.is_zipfile(path):
        raise NotAnExport("zip")
    if not start.startswith(b"{"):
        raise NotAnExport("not_json" if start[:1] not in (b"[", b'"') else "not_export")
    return None


def resolve(path: Path) -> Path:
    """A folder of an export stands for its result.json."""
    return path / "result.json" if path.is_dir() else path


def read_events(stream: IO[bytes]) -> Iterator[tuple[str, str, Any]]:
    """ijson's events; malformed JSON becomes NotAnExport("malformed")."""
    try:
        yield from ijson.parse(stream, use_float=True)
    except ijson.JSONError as error:
        raise NotAnExport("malformed", str(error)[:200]) from None


def is_own_export(path: Path) -> bool:
    """Whether the file is this project's own JSON export (its first key says so)."""
    with path.open("rb") as stream:
        for prefix, event, value in read_events(stream):
            if prefix == "" and event == "map_key":
                if value != "format":
                    return False
            elif prefix == "format":
                return event == "string" and value == FORMAT_NAME
    return False


def export_messages(stream: IO[bytes]) -> Iterator[ExportMessage]:
    """Every message of the export, in file order, each with its chat."""
    chat, builder, inside, seen = ChatInfo(), None, "", False
    for prefix, event, value in read_events(stream):
        if builder is not None:
            builder.event(event, value)
            if prefix == inside and event == "end_map":
                yield message_from(chat, builder.value)
                builder = None
            continue
        if prefix in _MESSAGE_PREFIXES and event == "start_map":
            builder, inside, seen = ijson.ObjectBuilder(), prefix, True
            builder.event(event, value)
        elif event == "start_map" and prefix in ("chats.list.item", "left_chats.list.item"):
            chat = ChatInfo()
        else:
            _chat_field(chat, prefix, event, value)
    if not seen:
        raise NotAnExport("not_export")


def _chat_field(chat: ChatInfo, prefix: str, event: str, value: Any) -> None:
    for base in _CHAT_PREFIXES:
        if prefix == f"{base}id" and event in ("number", "integer"):
            chat.export_id = int(value)
        elif prefix == f"{base}name" and event == "string":
            chat.name = value
        elif prefix == f"{base}type" and event == "string":
            chat.type = value


def message_from(chat: ChatInfo, raw: Any) -> ExportMessage:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int | float):
        return ExportMessage(chat, 0, None, "", skip="unknown")
    message_id, date = int(raw["id"]), _date(raw)

    def skipped(why: str, media: str = "") -> ExportMessage:
        return ExportMessage(chat, message_id, date, "", media=media, skip=why)

    kind = raw.get("type")
    if kind == "service":
        return skipped("service")
    if kind != "message":
        return skipped("unknown")
    if raw.get("media_type") == "sticker":
        return skipped("sticker")
    text, entities = text_and_entities(raw)
    media = str(raw.get("photo") or raw.get("file") or "")
    if not text.strip():
        return skipped("no_text", media)
    reply = raw.get("reply_to_message_id")
    return ExportMessage(
        chat,
        message_id,
        date,
        text=text,
        entities=entities,
        forwarded_from=str(raw.get("forwarded_from") or ""),
        reply_to_message_id=int(reply) if isinstance(reply, int | float) else None,
        media=media,
    )


def _date(raw: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw["date_unixtime"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(str(raw["date"])).replace(tzinfo=UTC)
    except (KeyError, ValueError):
        return None


def text_and_entities(raw: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The message's text and its entities in the Bot API's form (UTF-16 offsets).

    ``text_entities`` (newer exports) is used when present, else ``text`` (a string,
    or a list of strings and {"type", "text"} parts, as older exports write it)."""
    parts = raw.get("text_entities")
    if not isinstance(parts, list):
        text = raw.get("text")
        parts = text if isinstance(text, list) else [text] if isinstance(text, str) else []
    text, entities, offset = [], [], 0
    for part in parts:
        piece = part.get("text") if isinstance(part, dict) else part
        if not isinstance(piece, str):
            continue
        length = len(piece.encode("utf-16-le")) // 2
        kind = _ENTITY_TYPES.get(part.get("type", "")) if isinstance(part, dict) else None
        if kind and length:
            entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
            if kind == "text_link":
                entity["url"] = str(part.get("href") or "")
            elif kind == "pre" and part.get("language"):
                entity["language"] = str(part["language"])
            elif kind == "text_mention":
                user_id = int(part.get("user_id") or 0)
                entity["user"] = {"id": user_id, "is_bot": False, "first_name": piece}
            elif kind == "custom_emoji":
                entity["custom_emoji_id"] = str(part.get("document_id") or "0")
            if kind != "text_link" or entity["url"]:
                entities.append(entity)
        text.append(piece)
        offset += length
    return _clean("".join(text)), entities


def _clean(text: str) -> str:
    """NUL cannot be stored in a text column; everything else stays as written."""
    return text.replace("\x00", "\ufffd")
