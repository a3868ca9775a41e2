"""Sending to Telegram: screens in private, notes into forum topics. Async, given a Bot."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import GetFile
from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    ReactionTypeEmoji,
    ReplyParameters,
)

from notes.services.publishing import PublicationPlan
from telegram_bot.client import is_message_gone, is_not_modified
from telegram_bot.screens import Screen

logger = logging.getLogger(__name__)

_INPUT_MEDIA = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


async def sign_of_life(bot: Bot, message: Message) -> None:
    """👀 on the owner's message right away; "typing…" where reactions are not allowed."""
    try:
        await bot.set_message_reaction(
            chat_id=message.chat.id,
            message_id=message.message_id,
            reaction=[ReactionTypeEmoji(emoji="👀")],
        )
    except TelegramAPIError:
        try:
            await bot.send_chat_action(chat_id=message.chat.id, action="typing")
        except TelegramAPIError:
            logger.warning("No sign of life possible in chat %s", message.chat.id)


async def show_screen(
    bot: Bot,
    *,
    chat_id: int,
    screen: Screen,
    current: int | None = None,
    resend: bool = False,
    reply_to: int | None = None,
    only_edit: bool = False,
) -> int:
    """Show ``screen`` in place of message ``current`` (edited), or as a new message.

    With ``resend`` the new message goes to the bottom of the chat and the old
    one is deleted; with ``only_edit`` a message that is gone stays gone.
    Returns the id of the message that now shows the screen.
    """
    if current is not None and not resend:
        try:
            await bot.edit_message_text(
                chat_id=chat_id, message_id=current, text=screen.text, reply_markup=screen.markup
            )
            return current
        except TelegramAPIError as error:
            if is_not_modified(error) or (only_edit and is_message_gone(error)):
                return current
            if not is_message_gone(error):
                raise
    reply = (
        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
    )
    sent = await bot.send_message(
        chat_id=chat_id, text=screen.text, reply_markup=screen.markup, reply_parameters=reply
    )
    if current is not None and resend:
        try:
            await bot.delete_message(chat_id=chat_id, message_id=current)
        except TelegramAPIError:
            logger.info("Old preview %s in chat %s was already gone", current, chat_id)
    return sent.message_id


@dataclass
class SendResult:
    """What reached the group: message ids in order, and the error that stopped it."""

    sent: list[int] = field(default_factory=list)
    username: str = ""  # the group's public @username, for links
    error: TelegramAPIError | None = None


async def send_plan(
    bot: Bot,
    plan: PublicationPlan,
    on_sent: Callable[[list[int]], Awaitable[object]] | None = None,
) -> SendResult:
    """Post the note into its topic, continuing after parts an earlier attempt sent.

    ``on_sent`` is awaited with every message id so far each time Telegram answers,
    so that what reached the group is on record before anything else is sent.
    """
    result = SendResult(sent=list(plan.sent))

    async def sent(message_ids: list[int]) -> None:
        result.sent = [*result.sent, *message_ids]
        if on_sent is not None:
            await on_sent(list(result.sent))

    try:
        if plan.is_media and not result.sent:
            await sent(await _send_media(bot, plan))
        media_messages = (len(plan.files) if plan.is_media else 0) if result.sent else 0
        follow_ups = plan.parts[1:] if plan.has_caption else plan.parts
        for part in follow_ups[max(0, len(result.sent) - media_messages) :]:
            message = await bot.send_message(
                chat_id=plan.chat_id, text=part, message_thread_id=plan.thread_id
            )
            result.username = result.username or (message.chat.username or "")
            await sent([message.message_id])
    except TelegramAPIError as error:
        result.error = error
    return result


async def _send_media(bot: Bot, plan: PublicationPlan) -> list[int]:
    caption = plan.parts[0] if plan.has_caption and plan.parts else None
    if plan.is_album:
        media = [
            _INPUT_MEDIA[part["type"]](
                media=part["file_id"], caption=caption if index == 0 else None
            )
            for index, part in enumerate(plan.files)
        ]
        messages = await bot.send_media_group(
            chat_id=plan.chat_id, media=media, message_thread_id=plan.thread_id
        )
        return [message.message_id for message in messages]
    try:
        copied = await bot.copy_message(
            chat_id=plan.chat_id,
            from_chat_id=plan.source_chat_id,
            message_id=plan.source_message_id,
            message_thread_id=plan.thread_id,
            caption=caption,
        )
        return [copied.message_id]
    except TelegramAPIError as error:
        if not is_message_gone(error):
            raise
    # The owner deleted their original message; the file itself is still on Telegram.
    return [await _send_file(bot, plan, caption)]


async def _send_file(bot: Bot, plan: PublicationPlan, caption: str | None) -> int:
    part = plan.files[0]
    file_id, chat_id, thread = part["file_id"], plan.chat_id, plan.thread_id
    match part["type"]:
        case "photo":
            message = await bot.send_photo(
                chat_id, file_id, message_thread_id=thread, caption=caption
            )
        case "video":
            message = await bot.send_video(
                chat_id, file_id, message_thread_id=thread, caption=caption
            )
        case "audio":
            message = await bot.send_audio(
                chat_id, file_id, message_thread_id=thread, caption=caption
            )
        case "voice":
            message = await bot.send_voice(
                chat_id, file_id, message_thread_id=thread, caption=caption
            )
        case "video_note":
            message = await bot.send_video_note(chat_id, file_id, message_thread_id=thread)
        case _:
            message = await bot.send_document(
                chat_id, file_id, message_thread_id=thread, caption=caption
            )
    return message.message_id


class DownloadFailed(TelegramAPIError):
    """The file could not be fetched (its URL, which holds the token, is not repeated)."""


async def download(bot: Bot, file_id: str) -> bytes:
    """A file's content through getFile and the Bot API's file URL (TELEGRAM_API_BASE)."""
    buffer = io.BytesIO()
    try:
        await bot.download(file_id, destination=buffer)
    except aiohttp.ClientError as error:
        status = getattr(error, "status", "")
        raise DownloadFailed(GetFile(file_id=file_id), f"{type(error).__name__} {status}") from None
    return buffer.getvalue()


async def delete_messages(bot: Bot, *, chat_id: int, message_ids: list[int]) -> None:
    """Delete the note's messages from the group; ones already gone do not matter."""
    if not message_ids:
        return
    try:
        await bot.delete_messages(chat_id=chat_id, message_ids=message_ids)
    except TelegramAPIError as error:
        if not is_message_gone(error):
            raise
