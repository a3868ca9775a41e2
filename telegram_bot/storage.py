"""aiogram FSM storage on the database (``ConversationState``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from asgiref.sync import sync_to_async

from telegram_bot.services.conversations import (
    conversation_get,
    conversation_set_data,
    conversation_set_state,
)


class DatabaseStorage(BaseStorage):
    """Conversation state in the database, so that any replica can take the next update."""

    def __init__(self) -> None:
        self.key_builder = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await sync_to_async(conversation_set_state)(key=self._key(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _data = await sync_to_async(conversation_get)(key=self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await sync_to_async(conversation_set_data)(key=self._key(key), data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _state, data = await sync_to_async(conversation_get)(key=self._key(key))
        return data

    async def close(self) -> None:
        """Nothing to release: connections belong to Django."""
