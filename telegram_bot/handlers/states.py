"""Conversation states (stored by ``telegram_bot.storage.DatabaseStorage``)."""

from aiogram.fsm.state import State, StatesGroup


class EditNote(StatesGroup):
    waiting_text = State()


class NewTopic(StatesGroup):
    waiting_name = State()
