"""The "already saved" line at the top of a preview."""

from __future__ import annotations

from notes.models import Note
from notes.search.messages import already_saved_text
from notes.search.selectors import note_earlier_copy, note_message_link
from notes.telegram_html import quote


def already_saved_line(note: Note) -> str:
    """The line at the top of a preview of a note filed before ("" when it was not),
    linking to the earlier message."""
    copy = note_earlier_copy(note)
    if copy is None:
        return ""
    text = quote(already_saved_text(copy))
    link = note_message_link(copy)
    return f'<a href="{quote(link)}">{text}</a>' if link else text
