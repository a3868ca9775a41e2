"""/settings in the bot: the owner's language and confirmation mode."""

from __future__ import annotations

from django.utils import translation

from secretary.models import ConfirmMode, Language, Preferences, ReminderMode, User
from secretary.services import preferences_for, preferences_update
from telegram_bot import keyboards, texts
from telegram_bot.screens import Screen
from topics.selectors import group_for_owner


def settings_screen(*, owner: User) -> Screen:
    """The owner's settings with buttons to change them, in their (possibly new) language."""
    preferences = preferences_for(user=owner)
    with translation.override(preferences.effective_language):
        language = dict(Language.choices).get(preferences.language) or texts.language_auto_label()
        group = group_for_owner(owner=owner)
        text = texts.settings_text(
            language=str(language),
            confirm_mode_label=str(ConfirmMode(preferences.confirm_mode).label),
            threshold=preferences.auto_file_threshold,
            group=(group.title or str(group.chat_id)) if group else "",
        )
        return Screen(text, keyboards.settings_keyboard(preferences))


def preferences_change(*, owner: User, field: str, value: str) -> Preferences:
    """Change one setting from its button; ValueError for a value no button offers."""
    if field == "lang" and value in ("auto", *Language.values):
        return preferences_update(user=owner, language="" if value == "auto" else value)
    if field == "mode" and value in ConfirmMode.values:
        return preferences_update(user=owner, confirm_mode=value)
    if field == "rem" and value in ReminderMode.values:
        return preferences_update(user=owner, reminder_mode=value)
    raise ValueError(f"{field}={value}")


def owner_language(*, owner: User) -> str:
    """The language to speak to the owner in, as their preferences stand now."""
    return preferences_for(user=owner).effective_language
