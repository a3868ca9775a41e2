"""Reminders in ``manage.py chat``: the offer under a preview, /remind, and the reminder."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notes.models import Note
from notes.reminders.models import Reminder, ReminderStatus
from notes.reminders.selectors import reminder_for_note, reminder_when_text
from notes.reminders.services import ReminderRefused, reminder_toggle
from secretary.models import User


def _when(reminder: Reminder) -> str:
    return reminder_when_text(reminder.due_at, preferences=reminder.owner.preferences)


def reminder_lines(note: Note) -> list[str]:
    """Under a preview: the offer (/remind sets it) or the reminder set."""
    reminder = reminder_for_note(note=note)
    if reminder is None:
        return []
    if reminder.status == ReminderStatus.SCHEDULED:
        return [_("⏰ Reminder set: %(when)s (/remind takes it off)") % {"when": _when(reminder)}]
    if reminder.status == ReminderStatus.OFFERED:
        return [_("⏰ Remind: %(when)s? /remind sets it") % {"when": _when(reminder)}]
    return []


def reminder_text(reminder: Reminder, *, late: bool) -> str:
    note = reminder.note
    lines = [f"⏰ {note.title or _('Reminder')}"]
    if note.content and note.content != note.title:
        lines.append(note.content[:300])
    if late:
        lines.append(
            _("⌛ Late: it was due %(when)s (the service was down).") % {"when": _when(reminder)}
        )
    return "\n".join(lines)


def reminder_toggle_for_note(*, owner: User, note_id: int | None) -> str:
    """/remind: the reminder offered for the note shown last is set (or taken off)."""
    reminder = reminder_for_note(note=Note(pk=note_id)) if note_id else None
    if reminder is None or reminder.owner_id != owner.pk:
        return _("The last note has no date to remind you of.")
    try:
        reminder = reminder_toggle(owner=owner, reminder_id=reminder.pk)
    except ReminderRefused:
        return _("This reminder can no longer be changed.")
    if reminder.status == ReminderStatus.SCHEDULED:
        return _("⏰ I will remind you %(when)s") % {"when": _when(reminder)}
    return _("Reminder not set")
