"""Reminders in the chat: the ⏰ offer under a preview, the reminder itself, /reminders.

Small functions the note screens call (``offer_rows``, ``offer_lines``) so that the
preview's own code changes by a line or two; the rest is this module's own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.keyboard import InlineKeyboardBuilder
from django.utils.html import escape
from django.utils.translation import gettext as _

from notes.models import Note
from notes.reminders.models import Reminder, ReminderStatus
from notes.reminders.selectors import reminder_for_note, reminder_when_text, reminders_upcoming
from notes.reminders.services import ReminderRefused
from secretary.models import User
from telegram_bot.formatting import message_link

if TYPE_CHECKING:
    from telegram_bot.screens import Screen

# How much of the note's text the reminder repeats.
EXCERPT_CHARS = 300


class ReminderAction(StrEnum):
    TOGGLE = "t"  # ⏰ set / unset the offered reminder
    HOUR = "h"  # +1 h
    TOMORROW = "m"  # tomorrow 9:00
    DONE = "d"  # ✅ under the sent reminder
    CANCEL = "c"  # ✖ in /reminders


class ReminderCallback(CallbackData, prefix="rm"):
    reminder_id: int
    action: ReminderAction


def _button(text: str, reminder: Reminder, action: ReminderAction) -> InlineKeyboardButton:
    data = ReminderCallback(reminder_id=reminder.pk, action=action).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def _when(reminder: Reminder) -> str:
    return reminder_when_text(reminder.due_at, preferences=reminder.owner.preferences)


def _other_time_button(reminder: Reminder) -> InlineKeyboardButton | None:
    from telegram_bot.keyboards import webapp_url

    url = webapp_url(f"reminders/{reminder.pk}")
    if url is None:
        return None
    return InlineKeyboardButton(text=_("🕑 Other time"), web_app=WebAppInfo(url=url))


def change_row(reminder: Reminder) -> list[InlineKeyboardButton]:
    row = [
        _button(_("+1 h"), reminder, ReminderAction.HOUR),
        _button(_("Tomorrow 9:00"), reminder, ReminderAction.TOMORROW),
    ]
    other = _other_time_button(reminder)
    return [*row, other] if other else row


def offer_rows(note: Note) -> list[list[InlineKeyboardButton]]:
    """Under a preview (or a filed note): ⏰ toggle, and the changes of time once set."""
    reminder = reminder_for_note(note=note)
    if reminder is None or reminder.status not in (
        ReminderStatus.OFFERED,
        ReminderStatus.SCHEDULED,
    ):
        return []
    if reminder.status == ReminderStatus.SCHEDULED:
        toggle = _("✅ ⏰ Reminder: %(when)s") % {"when": _when(reminder)}
        return [[_button(toggle, reminder, ReminderAction.TOGGLE)], change_row(reminder)]
    offer = _("⏰ Remind: %(when)s") % {"when": _when(reminder)}
    return [[_button(offer, reminder, ReminderAction.TOGGLE)]]


def offer_lines(note: Note) -> list[str]:
    """The once-only question about the time zone, under the first offer in the default."""
    reminder = reminder_for_note(note=note)
    if reminder is None or not reminder.asks_time_zone:
        return []
    zone = reminder.owner.preferences.time_zone
    return [
        _(
            "🌍 Reminders use the time zone %(zone)s. Is that yours? "
            "Change it in the Mini App's settings."
        )
        % {"zone": escape(zone)}
    ]


def with_offer(markup: InlineKeyboardMarkup | None, note: Note) -> InlineKeyboardMarkup:
    """The tapped message's buttons with the reminder rows drawn anew."""
    rows = [
        row
        for row in (markup.inline_keyboard if markup else [])
        if not any((button.callback_data or "").startswith("rm:") for button in row)
        and not any(button.web_app and "reminders/" in button.web_app.url for button in row)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *offer_rows(note)])


def reminder_text(reminder: Reminder, *, late: bool) -> str:
    """The reminder itself: the note's title and the start of its text, and where it is."""
    note = reminder.note
    title = note.title or _("Reminder")
    body = (note.content or "").strip()
    if len(body) > EXCERPT_CHARS:
        body = body[: EXCERPT_CHARS - 1].rstrip() + "…"
    lines = [f"⏰ <b>{escape(title)}</b>"]
    if body and body != note.title:
        lines.append(escape(body))
    when = _when(reminder)
    if late:
        lines.append(_("⌛ Late: it was due %(when)s (the service was down).") % {"when": when})
    else:
        lines.append(_("🕑 %(when)s") % {"when": when})
    if note.published_chat_id and note.published_message_ids:
        link = message_link(
            chat_id=note.published_chat_id,
            message_id=int(note.published_message_ids[0]),
            thread_id=note.topic.thread_id if note.topic and not note.topic.is_general else None,
        )
        lines.append(_('<a href="%(link)s">The note in its topic</a>') % {"link": link})
    return "\n".join(lines)


def reminder_keyboard(reminder: Reminder) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        _button(_("✅ Done"), reminder, ReminderAction.DONE),
        _button(_("⏰ +1 h"), reminder, ReminderAction.HOUR),
        _button(_("Tomorrow"), reminder, ReminderAction.TOMORROW),
    )
    return builder.as_markup()


def reminder_screen(reminder: Reminder, *, late: bool) -> Screen:
    from telegram_bot.screens import Screen  # the note screens draw this module's rows

    return Screen(reminder_text(reminder, late=late), reminder_keyboard(reminder))


def reminders_list(*, owner: User) -> tuple[str, InlineKeyboardMarkup | None]:
    """/reminders: the upcoming ones, earliest first, each with ✖ to cancel it."""
    reminders = list(reminders_upcoming(owner=owner, limit=20))
    if not reminders:
        return _("No reminders set. A date in a note is offered as one in its preview."), None
    lines = [_("⏰ <b>Upcoming reminders</b>")]
    builder = InlineKeyboardBuilder()
    for number, reminder in enumerate(reminders, start=1):
        title = reminder.note.title or (reminder.note.content or "")[:60] or f"#{reminder.note_id}"
        mark = " " + _("(not delivered)") if reminder.status == ReminderStatus.UNDELIVERED else ""
        lines.append(f"{number}. {_when(reminder)} — {escape(title)}{mark}")
        builder.row(
            _button(_("✖ Cancel %(number)s") % {"number": number}, reminder, ReminderAction.CANCEL)
        )
    return "\n".join(lines), builder.as_markup()


def refused_notice(reason: str) -> str:
    match reason:
        case ReminderRefused.PAST:
            return _("That time has passed. Pick a later one.")
        case ReminderRefused.TOO_FAR:
            return _("A reminder can be at most 5 years ahead.")
    return _("This reminder is no longer there.")


def changed_notice(reminder: Reminder) -> str:
    match reminder.status:
        case ReminderStatus.SCHEDULED:
            return _("⏰ I will remind you %(when)s") % {"when": _when(reminder)}
        case ReminderStatus.DONE:
            return _("✅ Done")
        case ReminderStatus.CANCELLED:
            return _("Reminder cancelled")
    return _("Reminder not set")
