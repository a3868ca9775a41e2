"""What the owner is told when an edit after filing cannot reach the filed message."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notes.models import Note
from telegram_bot.screens import Screen


def edit_refused_screen(note: Note) -> Screen:
    """Said once, under the owner's edited message: the group keeps the earlier words."""
    return Screen(
        _(
            "✏️ I could not change the filed message in the group: it was deleted, or I may "
            "no longer edit there. The new words are saved in your history."
        )
    )
