"""Reminders: ⏰ under a preview, the buttons under a reminder, /reminders."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from asgiref.sync import sync_to_async

from notes.reminders.models import Reminder
from notes.reminders.services import (
    ReminderRefused,
    reminder_cancel,
    reminder_done,
    reminder_later,
    reminder_toggle,
    reminder_tomorrow,
)
from secretary.models import User
from telegram_bot import gateway
from telegram_bot.reminders import (
    ReminderAction,
    ReminderCallback,
    changed_notice,
    refused_notice,
    reminders_list,
    with_offer,
)
from telegram_bot.screens import Screen

router = Router(name=__name__)

SERVICES: dict[ReminderAction, Callable[..., Reminder]] = {
    ReminderAction.TOGGLE: reminder_toggle,
    ReminderAction.HOUR: reminder_later,
    ReminderAction.TOMORROW: reminder_tomorrow,
    ReminderAction.DONE: reminder_done,
    ReminderAction.CANCEL: reminder_cancel,
}


@router.message(Command("reminders"), F.chat.type == ChatType.PRIVATE)
async def on_reminders(message: Message, owner: User) -> None:
    text, markup = await sync_to_async(reminders_list)(owner=owner)
    await gateway.reply(message, text, markup)


def _tapped_after(
    reminder: Reminder, action: ReminderAction, message: Message | None, owner: User
) -> Screen | None:
    """What the tapped message's buttons become (None: leave the text, drop the buttons)."""
    if action == ReminderAction.CANCEL:
        text, markup = reminders_list(owner=owner)
        return Screen(text, markup)
    if message is None or message.message_id == reminder.sent_message_id:
        return None  # the reminder itself: its buttons have done their work
    return Screen("", with_offer(message.reply_markup, reminder.note))


@router.callback_query(ReminderCallback.filter())
async def on_reminder_tap(
    query: CallbackQuery, callback_data: ReminderCallback, owner: User
) -> None:
    service = SERVICES[callback_data.action]
    try:
        reminder = await sync_to_async(service)(owner=owner, reminder_id=callback_data.reminder_id)
    except ReminderRefused as refused:
        await gateway.answer_tap(query, refused_notice(refused.reason), alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    screen = await sync_to_async(_tapped_after)(reminder, callback_data.action, message, owner)
    if screen is None:
        await gateway.edit_tapped(query, Screen("", None), keyboard_only=True)
    elif screen.text:
        await gateway.edit_tapped(query, screen)
    else:
        await gateway.edit_tapped(query, screen, keyboard_only=True)
    await gateway.answer_tap(query, await sync_to_async(changed_notice)(reminder))
