"""Commands in private: /start, /help, /topics, /settings, /cancel."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import translation

from secretary.models import User
from telegram_bot import gateway, keyboards, texts
from telegram_bot.callbacks import SettingsCallback
from telegram_bot.services.groups import (
    group_evaluate,
    preconfigured_group_claim,
    preconfigured_group_unclaimed,
    topics_overview,
)
from telegram_bot.services.owners import owner_mark_blocked_bot
from telegram_bot.services.preferences import owner_language, preferences_change, settings_screen

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)


@router.message(CommandStart())
async def on_start(message: Message, bot: Bot, owner: User, state: FSMContext) -> None:
    await state.clear()
    me = await gateway.identity(bot)
    await gateway.reply(
        message,
        texts.start_text(owner.first_name or owner.telegram_username),
        markup=keyboards.start_keyboard(me.username or ""),
    )
    if settings.TELEGRAM_GROUP_ID and await sync_to_async(preconfigured_group_unclaimed)():
        await _claim_preconfigured_group(message, bot, owner)


async def _claim_preconfigured_group(message: Message, bot: Bot, owner: User) -> None:
    """Single-owner install: the first admin of TELEGRAM_GROUP_ID to /start owns it."""
    chat_id = int(settings.TELEGRAM_GROUP_ID or 0)
    evaluation = await group_evaluate(bot, chat_id=chat_id, user_id=int(owner.telegram_id or 0))
    answer = await sync_to_async(preconfigured_group_claim)(owner=owner, evaluation=evaluation)
    if answer:
        await gateway.reply(message, answer)


@router.message(Command("help"))
async def on_help(message: Message) -> None:
    await gateway.reply(message, texts.help_text())


@router.message(Command("topics"))
async def on_topics(message: Message, owner: User) -> None:
    overview = await sync_to_async(topics_overview)(owner=owner)
    await gateway.reply(message, overview, keyboards.webapp_keyboard("topics"))


@router.message(Command("settings"))
async def on_settings(message: Message, owner: User) -> None:
    screen = await sync_to_async(settings_screen)(owner=owner)
    await gateway.reply(message, screen.text, screen.markup)


@router.callback_query(SettingsCallback.filter())
async def on_change_setting(
    query: CallbackQuery, callback_data: SettingsCallback, owner: User
) -> None:
    try:
        await sync_to_async(preferences_change)(
            owner=owner, field=callback_data.field, value=callback_data.value
        )
    except ValueError:
        await gateway.answer_tap(query)
        return
    # A new language counts from this answer on.
    language = await sync_to_async(owner_language)(owner=owner)
    with translation.override(language):
        screen = await sync_to_async(settings_screen)(owner=owner)
        await gateway.edit_tapped(query, screen)
        await gateway.answer_tap(query, texts.settings_saved_notice())


@router.message(Command("cancel"))
async def on_cancel(message: Message, state: FSMContext) -> None:
    waiting = await state.get_state()
    await state.clear()
    await gateway.reply(
        message, texts.cancelled_action_text() if waiting else texts.nothing_to_cancel_text()
    )


@router.my_chat_member(F.new_chat_member.status == ChatMemberStatus.KICKED)
async def on_bot_blocked(event: ChatMemberUpdated, owner: User) -> None:
    """The person blocked the bot: nothing is sent to them until they write again."""
    await sync_to_async(owner_mark_blocked_bot)(owner=owner)


@router.message(F.text.regexp(r"^/\w+"))
async def on_unknown_command(message: Message) -> None:
    await gateway.reply(message, texts.help_text())
