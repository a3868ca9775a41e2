"""Callback data of the bot's inline buttons: short prefixes, typed fields.

Telegram allows 64 bytes per button; ``note:42:confirm`` is how a preview's
✅ looks on the wire.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class NoteAction(StrEnum):
    CONFIRM = "confirm"  # ✅ file to the suggested (or chosen) topic
    PICK = "pick"  # 📂 show the topics
    EDIT = "edit"  # ✏️ the next message replaces the text
    CANCEL = "cancel"  # ❌
    NEW_TOPIC = "new"  # ➕ ask for a name, create the topic
    SUGGESTED = "suggested"  # ➕ create the topic the AI suggested
    BACK = "back"  # back from the topic list to the preview
    UNDO = "undo"  # ↩️ take a filed note back
    RETRY = "retry"  # 🔁 work on a failed note again
    SPLIT = "split"  # ✂️ one note per message of a burst


class NoteCallback(CallbackData, prefix="note"):
    note_id: int
    action: NoteAction


class TopicPageCallback(CallbackData, prefix="np"):
    """A page of the topic list shown for a note."""

    note_id: int
    page: int


class TopicChoiceCallback(CallbackData, prefix="nt"):
    note_id: int
    topic_id: int


class SettingsCallback(CallbackData, prefix="set"):
    field: str  # "lang" or "mode"
    value: str
