"""Links to messages in Telegram (t.me)."""

from __future__ import annotations


def message_link(
    *, chat_id: int, message_id: int, thread_id: int | None = None, username: str = ""
) -> str:
    """A t.me link to a message in a supergroup (public by username, private by id)."""
    if username:
        base = f"https://t.me/{username}"
    else:
        internal = str(chat_id).removeprefix("-100").lstrip("-")
        base = f"https://t.me/c/{internal}"
    if thread_id:
        return f"{base}/{thread_id}/{message_id}"
    return f"{base}/{message_id}"
