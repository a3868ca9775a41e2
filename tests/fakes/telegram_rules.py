"""How Telegram speaks and what it checks, for the fake Bot API (``tests.fakes.telegram``).

Error bodies, the HTML Telegram accepts in texts and captions, lengths as it
counts them, and request parameters decoded the way aiogram encodes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from tests.fakes.server import Request

# Parameters that are free text: never JSON-decoded, even when they look like numbers.
_TEXT_PARAMS = frozenset(
    {"text", "caption", "name", "secret_token", "callback_query_id", "file_id", "url", "title"}
)
_ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
    }
)  # fmt: skip
_TOKEN_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^<>]*)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|([<>&])")
_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


@dataclass
class Call:
    """One Bot API call: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]

    @property
    def callback_data(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        return [
            b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]


def telegram_error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML, or None when it parses."""
    stack: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        closing, tag, _attrs, entity, bare = match.groups()
        if bare:
            return f"can't parse entities: unexpected {bare!r} at offset {match.start()}"
        if entity:
            if not entity.startswith("#") and entity not in _NAMED_ENTITIES:
                return f"can't parse entities: unsupported entity &{entity};"
            continue
        tag = tag.lower()
        if tag not in _ALLOWED_TAGS:
            return f'can\'t parse entities: Unsupported start tag "{tag}"'
        if closing:
            if not stack or stack[-1] != tag:
                return f"can't parse entities: Can't find end tag corresponding to \"{tag}\""
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        return (
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return None


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length in UTF-16 code units after entity parsing, as Telegram counts it."""
    if parse_mode == "HTML":
        text = unescape(re.sub(r"<[^<>]+>", "", text))
    return len(text.encode("utf-16-le")) // 2


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_ADMIN_RIGHTS = (
    "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories", "can_send_welcome_messages",
    "can_pin_messages", "can_manage_topics",
)  # fmt: skip
_MEMBER_PERMISSIONS = (
    "is_member", "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
    "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages",
    "can_manage_topics",
)  # fmt: skip
ADMIN_RIGHTS_OFF = dict.fromkeys(_ADMIN_RIGHTS, False)
RESTRICTED_DEFAULTS = dict.fromkeys(_MEMBER_PERMISSIONS, True) | {"until_date": 0}


def method_of(request: Request) -> str | None:
    parts = request.path.strip("/").split("/")
    if len(parts) == 2 and parts[0].startswith("bot"):
        return parts[1]
    return None


def decoded(form: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in _TEXT_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def photo_object(file_id: str) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960}


def file_object(file_id: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", **extra}
