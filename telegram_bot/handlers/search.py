"""Finding notes: /find (and /search) in private with ◀ ▶ pages, and inline mode."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineQuery, InlineQueryResultsButton, Message
from asgiref.sync import sync_to_async

from secretary.models import User
from telegram_bot import gateway
from telegram_bot.search import (
    FindPageCallback,
    find_expired_notice,
    find_key_recall,
    find_screen,
    inline_answer,
    inline_start_text,
)

router = Router(name=__name__)

# The deep link of the button shown to someone who has not started the bot yet.
INLINE_START_PARAMETER = "inline"


@router.message(F.chat.type == ChatType.PRIVATE, Command("find", "search"))
async def on_find(message: Message, command: CommandObject, owner: User) -> None:
    screen = await sync_to_async(find_screen)(owner=owner, text=command.args or "")
    await gateway.reply(message, screen.text, screen.markup)


@router.callback_query(FindPageCallback.filter())
async def on_find_page(
    query: CallbackQuery, callback_data: FindPageCallback, owner: User | None
) -> None:
    text = None
    if owner is not None:
        text = await sync_to_async(find_key_recall)(owner=owner, key=callback_data.key)
    if owner is None or text is None:
        await gateway.answer_tap(query, find_expired_notice(), alert=True)
        return
    screen = await sync_to_async(find_screen)(owner=owner, text=text, page=callback_data.page)
    await gateway.edit_tapped(query, screen)
    await gateway.answer_tap(query)


@router.inline_query()
async def on_inline_query(query: InlineQuery, owner: User | None) -> None:
    """``@bot words`` in any chat: the owner's own notes; nothing for a stranger but a
    button that starts the bot."""
    if owner is None:
        button = InlineQueryResultsButton(
            text=inline_start_text(), start_parameter=INLINE_START_PARAMETER
        )
        await gateway.answer_inline(query, [], button=button)
        return
    answer = await sync_to_async(inline_answer)(owner=owner, text=query.query, offset=query.offset)
    await gateway.answer_inline(query, answer.results, next_offset=answer.next_offset)
