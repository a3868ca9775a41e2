"""Conversation state (aiogram FSM) in the database: any replica sees it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from telegram_bot.models import ConversationState


def conversation_get(*, key: str) -> tuple[str | None, dict[str, Any]]:
    row = ConversationState.objects.filter(key=key).values_list("state", "data").first()
    if row is None:
        return None, {}
    state, data = row
    return state or None, dict(data or {})


@transaction.atomic
def conversation_set_state(*, key: str, state: str | None) -> None:
    _save(key, state=state or "")


@transaction.atomic
def conversation_set_data(*, key: str, data: dict[str, Any]) -> None:
    _save(key, data=data)


def _save(key: str, **values: Any) -> None:
    row, _ = ConversationState.objects.select_for_update().get_or_create(key=key)
    for field, value in values.items():
        setattr(row, field, value)
    if not row.state and not row.data:
        row.delete()  # an idle conversation leaves no row behind
        return
    row.save()
