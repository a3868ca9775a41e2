"""Taps nobody else handles (an old keyboard from an earlier version): answered all the same."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from telegram_bot import gateway, texts

router = Router(name=__name__)


@router.callback_query()
async def on_unknown_tap(query: CallbackQuery) -> None:
    await gateway.answer_tap(query, texts.outdated_button_notice())
