"""Keyboards of the bot's fixed messages (the note screens build theirs in ``screens``)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.keyboard import InlineKeyboardBuilder
from django.conf import settings
from django.utils.translation import gettext as _

from secretary.models import ConfirmMode, Language, Preferences, ReminderMode
from telegram_bot import texts
from telegram_bot.callbacks import SettingsCallback

# The admin rights asked for when the owner adds the bot to a group: topics are
# created and notes taken back (↩️ undo deletes the bot's own messages).
GROUP_ADMIN_RIGHTS = "manage_topics+delete_messages"


def add_to_group_url(bot_username: str) -> str:
    return f"https://t.me/{bot_username}?startgroup=connect&admin={GROUP_ADMIN_RIGHTS}"


def webapp_url(screen: str = "") -> str | None:
    """The Mini App (at one of its screens), when it is served where Telegram opens it:
    Telegram opens only https pages."""
    if not (settings.PUBLIC_URL or "").startswith("https://"):
        return None
    return f"{settings.PUBLIC_URL}/webapp/" + (f"#{screen}" if screen else "")


def webapp_keyboard(screen: str) -> InlineKeyboardMarkup | None:
    url = webapp_url(screen)
    if url is None:
        return None
    button = InlineKeyboardButton(text=texts.open_app_button(), web_app=WebAppInfo(url=url))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def start_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(text=texts.add_to_group_button(), url=add_to_group_url(bot_username))
    )
    url = webapp_url()
    if url:
        builder.row(InlineKeyboardButton(text=texts.open_app_button(), web_app=WebAppInfo(url=url)))
    return builder.as_markup()


def start_bot_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    url = f"https://t.me/{bot_username}?start=connect"
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=texts.start_bot_button(), url=url)]]
    )


def settings_keyboard(preferences: Preferences) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    languages = [("", texts.language_auto_label())]
    languages += [(value, str(label)) for value, label in Language.choices]
    builder.row(
        *[
            _choice(label, "lang", value, preferences.language == value)
            for value, label in languages
        ]
    )
    for value, label in ConfirmMode.choices:
        builder.row(_choice(str(label), "mode", value, preferences.confirm_mode == value))
    builder.row(*reminder_mode_choices(preferences))
    url = webapp_url("settings")
    if url:
        builder.row(InlineKeyboardButton(text=texts.open_app_button(), web_app=WebAppInfo(url=url)))
    return builder.as_markup()


def reminder_mode_choices(preferences: Preferences) -> list[InlineKeyboardButton]:
    """⏰ what an auto-filed note with a date does: offer (default), always set, never."""
    labels = {
        ReminderMode.ASK: _("⏰ Offer"),
        ReminderMode.ALWAYS: _("⏰ Always"),
        ReminderMode.NEVER: _("⏰ Never"),
    }
    return [
        _choice(label, "rem", value, preferences.reminder_mode == value)
        for value, label in labels.items()
    ]


def _choice(label: str, field: str, value: str, selected: bool) -> InlineKeyboardButton:
    text = f"• {label}" if selected else str(label)
    data = SettingsCallback(field=field, value=value or "auto").pack()
    return InlineKeyboardButton(text=text, callback_data=data)
