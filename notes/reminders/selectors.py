"""Reads of reminders: a note's, an owner's upcoming ones, and how a time is shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from django.db.models import QuerySet
from django.utils import translation

from notes.models import Note
from notes.reminders.models import Reminder, ReminderStatus
from secretary.models import Preferences, User

UPCOMING = (ReminderStatus.OFFERED, ReminderStatus.SCHEDULED)
LISTED = (ReminderStatus.SCHEDULED, ReminderStatus.UNDELIVERED)


def reminder_for_note(*, note: Note) -> Reminder | None:
    """The note's reminder while it can still be set or is set (not one long done)."""
    if note.pk is None:
        return None
    return (
        Reminder.objects.filter(note_id=note.pk)
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related("owner__preferences")
        .first()
    )


def reminders_upcoming(*, owner: User, limit: int = 50) -> QuerySet[Reminder]:
    """Set reminders not yet sent (and those kept undelivered), earliest first."""
    return (
        Reminder.objects.filter(owner=owner, status__in=LISTED)
        .select_related("note", "owner__preferences")
        .order_by("due_at", "id")[:limit]
    )


def reminder_when_text(at: datetime, *, preferences: Preferences) -> str:
    """ "пт, 11 дек., 10:00" / "Fri, 11 Dec, 10:00": in the owner's zone and the active
    language (the owner's, where a message is built for them)."""
    zone = ZoneInfo(preferences.time_zone or "UTC")
    locale = (translation.get_language() or preferences.effective_language or "en")[:2]
    return format_datetime(at, "EEE, d MMM, HH:mm", tzinfo=zone, locale=locale)
