"""The forum group: /connect, the bot's membership, upgrades, and learning topics."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import ChatMemberUpdated, Message
from asgiref.sync import sync_to_async

from secretary.models import User
from telegram_bot import gateway, keyboards, texts
from telegram_bot.services.groups import (
    bot_rights,
    group_connect,
    group_evaluate,
    group_membership_changed,
    group_other_owner,
    owner_still_admin,
)
from topics.services import group_migrate, topic_learn

router = Router(name=__name__)
GROUP_TYPES = {ChatType.GROUP, ChatType.SUPERGROUP}
router.message.filter(F.chat.type.in_(GROUP_TYPES))
router.my_chat_member.filter(F.chat.type.in_(GROUP_TYPES))


@router.message(Command("connect", "start"))
async def on_connect(message: Message, bot: Bot, owner: User | None) -> None:
    """/connect (or the /start a startgroup link sends): link the group to this admin."""
    if owner is None or owner.telegram_id is None or owner.has_blocked_bot:
        me = await gateway.identity(bot)
        await gateway.reply_in_group(
            message,
            texts.connect_needs_start_text(),
            keyboards.start_bot_keyboard(me.username or ""),
        )
        return
    current = await sync_to_async(group_other_owner)(chat_id=message.chat.id, user=owner)
    if current is not None and await owner_still_admin(bot, chat_id=message.chat.id, owner=current):
        # One person's archive: another admin may not take it over while its owner is there.
        await gateway.reply_in_group(
            message, texts.connected_to_someone_else_text(current.display_name)
        )
        return
    evaluation = await group_evaluate(
        bot, chat_id=message.chat.id, user_id=owner.telegram_id, chat=message.chat
    )
    linked = await sync_to_async(group_connect)(owner=owner, evaluation=evaluation)
    await gateway.reply_in_group(message, linked)


@router.my_chat_member()
async def on_bot_membership(event: ChatMemberUpdated) -> None:
    await sync_to_async(group_membership_changed)(
        chat_id=event.chat.id,
        title=event.chat.title or "",
        is_forum=bool(event.chat.is_forum),
        rights=bot_rights(event.new_chat_member),
    )


@router.message(F.migrate_to_chat_id)
async def on_migrated_away(message: Message) -> None:
    await sync_to_async(group_migrate)(
        old_chat_id=message.chat.id, new_chat_id=int(message.migrate_to_chat_id or 0)
    )


@router.message(F.migrate_from_chat_id)
async def on_migrated_here(message: Message) -> None:
    await sync_to_async(group_migrate)(
        old_chat_id=int(message.migrate_from_chat_id or 0), new_chat_id=message.chat.id
    )


@router.message(F.forum_topic_created)
async def on_topic_created(message: Message) -> None:
    created = message.forum_topic_created
    assert created is not None  # the filter above
    await sync_to_async(topic_learn)(
        chat_id=message.chat.id,
        group_title=message.chat.title or "",
        thread_id=int(message.message_thread_id or 0),
        name=created.name,
        icon_color=created.icon_color,
        icon_custom_emoji_id=created.icon_custom_emoji_id,
    )


@router.message(F.forum_topic_edited)
async def on_topic_edited(message: Message) -> None:
    edited = message.forum_topic_edited
    assert edited is not None
    await sync_to_async(topic_learn)(
        chat_id=message.chat.id,
        group_title=message.chat.title or "",
        thread_id=int(message.message_thread_id or 0),
        name=edited.name or "",
        icon_custom_emoji_id=edited.icon_custom_emoji_id,
    )


@router.message(F.forum_topic_closed)
@router.message(F.forum_topic_reopened)
async def on_topic_closed_or_reopened(message: Message) -> None:
    await sync_to_async(topic_learn)(
        chat_id=message.chat.id,
        group_title=message.chat.title or "",
        thread_id=int(message.message_thread_id or 0),
        is_closed=message.forum_topic_closed is not None,
    )


@router.message(F.is_topic_message, F.reply_to_message.forum_topic_created)
async def on_message_in_topic(message: Message) -> None:
    """A message in a topic quotes the topic's creation message, which carries its name."""
    reply = message.reply_to_message
    assert reply is not None  # the filter above
    assert reply.forum_topic_created is not None
    await sync_to_async(topic_learn)(
        chat_id=message.chat.id,
        group_title=message.chat.title or "",
        thread_id=int(message.message_thread_id or reply.message_id),
        name=reply.forum_topic_created.name,
        icon_color=reply.forum_topic_created.icon_color,
        rename=False,
    )
