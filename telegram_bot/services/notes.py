"""What the bot shows of a note that is only the bot's business: its buttons' screens.

The note pipeline itself (preparing, publishing, undo, expiry) is ``notes.services.pipeline``;
these build the screens a tap shows in place (the preview again, the topic list).
"""

from __future__ import annotations

from notes.services.pending import note_check_awaiting
from secretary.models import User
from telegram_bot import screens


def note_preview(*, owner: User, note_id: int) -> screens.Screen:
    """The preview of a note still waiting (refused otherwise), to show it again."""
    return screens.preview_screen(note_check_awaiting(owner=owner, note_id=note_id))


def note_topic_picker(*, owner: User, note_id: int, page: int) -> screens.Screen:
    note = note_check_awaiting(owner=owner, note_id=note_id)
    return screens.Screen("", screens.topic_picker_keyboard(note, page))
