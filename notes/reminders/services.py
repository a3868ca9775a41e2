"""Reminders: offered from a note's words, set, moved, cancelled, done.

A reminder is offered when a note is prepared (``reminder_offer``, the pipeline's one
call into this room) and set with one tap. Every surface (the bot's buttons, the Mini
App, the terminal) changes it through these services; a set reminder is handed to its
eta task when the change commits, and the due check (``delivery``) is the safety net.

Times are instants (aware, stored in UTC): a change of the owner's time zone keeps
each reminder's instant and only changes how it is shown.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.reminders.finding import reminder_time_find
from notes.reminders.models import Reminder, ReminderStatus
from secretary.models import Preferences, ReminderMode, User
from secretary.services import preferences_forget
from secretary.work import enqueue_on_commit

# Farther than this is refused: a typo ("2062"), not a plan.
MAX_AHEAD = timedelta(days=5 * 365 + 1)
TOMORROW_AT = time(9, 0)
DEFAULT_ZONE = "UTC"
# Inline (no broker) only a reminder this close gets a timer of its own.
INLINE_ETA_MAX = 60.0
# Statuses a tap can still change the time of.
CHANGEABLE = (
    ReminderStatus.OFFERED,
    ReminderStatus.SCHEDULED,
    ReminderStatus.SENT,
    ReminderStatus.DONE,
    ReminderStatus.UNDELIVERED,
)


class ReminderRefused(Exception):
    """The reminder cannot be changed so; ``reason`` is a code the surfaces translate."""

    GONE = "gone"  # not the owner's, deleted, or cancelled with its note
    PAST = "past"
    TOO_FAR = "too_far"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def owner_zone(preferences: Preferences) -> ZoneInfo:
    return ZoneInfo(preferences.time_zone or "UTC")


def reminder_check_time(*, at: datetime, now: datetime | None = None) -> None:
    """A reminder's time must be ahead, and at most five years ahead."""
    now = now or timezone.now()
    if at <= now:
        raise ReminderRefused(ReminderRefused.PAST)
    if at - now > MAX_AHEAD:
        raise ReminderRefused(ReminderRefused.TOO_FAR)


def reminder_offer(*, note: Note, auto_filed: bool = False) -> Reminder | None:
    """The moment the note speaks of, offered (or set, or not, for an auto-filed note by
    the owner's ``reminder_mode``). A reminder the owner already set or changed stays."""
    preferences = note.owner.preferences
    if auto_filed and preferences.reminder_mode == ReminderMode.NEVER:
        return None
    existing = Reminder.objects.filter(note=note).first()
    if existing is not None and existing.status != ReminderStatus.OFFERED:
        return existing
    found = reminder_time_find(note.content, now=timezone.now(), zone=owner_zone(preferences))
    if found is None or found.at - timezone.now() > MAX_AHEAD:
        if existing is not None:
            existing.delete()  # an edit took the date out
        return None
    status = ReminderStatus.OFFERED
    asks = existing.asks_time_zone if existing else _first_offer_in_default_zone(preferences)
    if auto_filed and preferences.reminder_mode == ReminderMode.ALWAYS:
        status = ReminderStatus.SCHEDULED
    reminder, _ = Reminder.objects.update_or_create(
        note=note,
        defaults={
            "owner": note.owner,
            "due_at": found.at,
            "phrase": found.phrase[:200],
            "status": status,
            "asks_time_zone": asks,
        },
    )
    if status == ReminderStatus.SCHEDULED:
        _schedule(reminder)
    return reminder


def _first_offer_in_default_zone(preferences: Preferences) -> bool:
    """Asked once: the first offer while the zone is still the default says which it is."""
    if preferences.time_zone_confirmed or preferences.time_zone != DEFAULT_ZONE:
        return False
    Preferences.objects.filter(pk=preferences.pk).update(time_zone_confirmed=True)
    transaction.on_commit(lambda: preferences_forget(user_id=preferences.user_id))
    return True


def _locked(*, owner: User, reminder_id: int) -> Reminder:
    reminder = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("note", "owner__preferences")
        .filter(pk=reminder_id, owner=owner)
        .first()
    )
    if reminder is None or reminder.status == ReminderStatus.CANCELLED:
        raise ReminderRefused(ReminderRefused.GONE)
    return reminder


def _schedule(reminder: Reminder) -> None:
    from notes.reminders.tasks import send_reminder_when_due

    eta = max(0.0, (reminder.due_at - timezone.now()).total_seconds())
    if send_reminder_when_due.app.conf.task_always_eager and eta > INLINE_ETA_MAX:
        return  # inline, a timer thread for hours is no plan: runbot and chat check due ones
    enqueue_on_commit(send_reminder_when_due, reminder.pk, countdown=eta)


def _set(reminder: Reminder, *, at: datetime) -> Reminder:
    reminder_check_time(at=at)
    reminder.due_at = at
    reminder.status = ReminderStatus.SCHEDULED
    # sent_message_id stays: the last reminder sent, whose buttons may still be tapped
    reminder.sent_at, reminder.sent_late = None, False
    reminder.claimed_by, reminder.claimed_until = "", None
    reminder.attempts, reminder.last_error = 0, ""
    reminder.save()
    _schedule(reminder)
    return reminder


@transaction.atomic
def reminder_toggle(*, owner: User, reminder_id: int) -> Reminder:
    """⏰ in the preview: an offered reminder is set, a set one is offered again."""
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    if reminder.status == ReminderStatus.SCHEDULED:
        reminder.status = ReminderStatus.OFFERED
        reminder.save(update_fields=["status", "updated_at"])
        return reminder
    if reminder.status != ReminderStatus.OFFERED:
        raise ReminderRefused(ReminderRefused.GONE)
    return _set(reminder, at=reminder.due_at)


@transaction.atomic
def reminder_later(*, owner: User, reminder_id: int) -> Reminder:
    """⏰ +1 h: an hour after the set time, or after now once it has been sent."""
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    if reminder.status not in CHANGEABLE:
        raise ReminderRefused(ReminderRefused.GONE)
    base = reminder.due_at
    if reminder.status not in (ReminderStatus.OFFERED, ReminderStatus.SCHEDULED):
        base = timezone.now()
    return _set(reminder, at=max(base, timezone.now()) + timedelta(hours=1))


@transaction.atomic
def reminder_tomorrow(*, owner: User, reminder_id: int) -> Reminder:
    """Tomorrow at 9:00 in the owner's zone."""
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    if reminder.status not in CHANGEABLE:
        raise ReminderRefused(ReminderRefused.GONE)
    zone = owner_zone(reminder.owner.preferences)
    tomorrow = timezone.now().astimezone(zone).date() + timedelta(days=1)
    return _set(reminder, at=datetime.combine(tomorrow, TOMORROW_AT, tzinfo=zone))


@transaction.atomic
def reminder_reschedule(*, owner: User, reminder_id: int, at: datetime) -> Reminder:
    """Another time (the Mini App): ahead, at most five years ahead."""
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    if reminder.status not in CHANGEABLE:
        raise ReminderRefused(ReminderRefused.GONE)
    return _set(reminder, at=at)


@transaction.atomic
def reminder_cancel(*, owner: User, reminder_id: int) -> Reminder:
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    reminder.status = ReminderStatus.CANCELLED
    reminder.save(update_fields=["status", "updated_at"])
    return reminder


@transaction.atomic
def reminder_done(*, owner: User, reminder_id: int) -> Reminder:
    """✅ under a sent reminder."""
    reminder = _locked(owner=owner, reminder_id=reminder_id)
    reminder.status = ReminderStatus.DONE
    reminder.save(update_fields=["status", "updated_at"])
    return reminder


def reminders_cancel_for_note(*, note_id: int) -> int:
    """The note was cancelled: its reminder goes with it (deleting a note deletes it)."""
    return Reminder.objects.filter(
        note_id=note_id, status__in=(ReminderStatus.OFFERED, ReminderStatus.SCHEDULED)
    ).update(status=ReminderStatus.CANCELLED, updated_at=timezone.now())


def time_zone_confirm(*, owner: User) -> None:
    """The owner was asked once about the default time zone; not again."""
    Preferences.objects.filter(user=owner).update(time_zone_confirmed=True)
    transaction.on_commit(lambda: preferences_forget(user_id=owner.pk))


# A cancelled note's reminder is never sent, whatever raced with the cancel.
NOTE_GONE_STATUSES = (NoteStatus.CANCELLED,)
