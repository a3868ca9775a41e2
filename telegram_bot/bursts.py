"""What the bot shows of a note that is more than one plain message: how many messages it
holds (and ✂️ to split them), what it follows, and how big or long a file too big or too long
to read is."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notes.models import Note
from notes.services.transcription import note_audio_seconds
from notes.telegram_html import quote
from telegram_bot.callbacks import NoteAction, NoteCallback


def burst_line(note: Note) -> str:
    """How many messages the note holds (shown above them, in the order they were sent)."""
    count = note.message_count
    if count < 2:
        return ""
    return ngettext(
        "🧩 %(count)d message in one note, in the order sent",
        "🧩 %(count)d messages in one note, in the order sent",
        count,
    ) % {"count": count}


def follows_line(note: Note) -> str:
    """A reply to a note no longer open is a new note: it says which one it follows."""
    earlier = note.follows
    if earlier is None:
        return ""
    words = " ".join((earlier.title or earlier.content or "").split())
    start = words if len(words) <= 60 else f"{words[:59]}…"
    return _("↩️ Follows an earlier note: «%(start)s»") % {"start": quote(start)}


def split_button(note: Note) -> InlineKeyboardButton | None:
    """✂️ turns the note back into one note per message."""
    if note.message_count < 2:
        return None
    data = NoteCallback(note_id=note.pk, action=NoteAction.SPLIT).pack()
    return InlineKeyboardButton(text=_("✂️ Separately"), callback_data=data)


def split_notice(count: int) -> str:
    return ngettext("✂️ Split into %(count)d note", "✂️ Split into %(count)d notes", count) % {
        "count": count
    }


def file_size_line(note: Note) -> str:
    """A file too big to download is filed all the same; its size says why it is not read."""
    size = max((int(part.get("file_size") or 0) for part in note.files), default=0)
    return _("📦 The file is %(size)s; the bot can read files up to %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.TELEGRAM_DOWNLOAD_LIMIT),
    }


def too_long_line(note: Note) -> str:
    """No speech provider of the owner's takes a recording this long: filed all the same."""
    seconds = note_audio_seconds(note)
    if seconds is None:  # only its size is known
        size = max((int(part.get("file_size") or 0) for part in note.files), default=0)
        length = filesizeformat(size)
    elif seconds >= 60:
        length = _("%(minutes)d min") % {"minutes": round(seconds / 60)}
    else:
        length = _("%(seconds)d s") % {"seconds": round(seconds)}
    return _("🎙 The recording is too long to transcribe (%(length)s). You can still file it.") % {
        "length": length
    }
