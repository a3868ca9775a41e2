"""The Telegram gateway: the one module that calls the Bot API. Async, given a Bot.

Screens in private, notes into forum topics, answers to taps, group checks, the
webhook and the command menus: everything the product asks of Telegram passes
here, on the Bot of the operation (one per task or update), so that there is one
place to read what is sent and one place for tests to hold against Telegram.
"""

from __future__ import annotations

import html
import io
import logging
import re
from pathlib import Path

import aiohttp
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import GetFile
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    ChatFullInfo,
    ForumTopic,
    FSInputFile,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    MenuButtonWebApp,
    Message,
    ReactionTypeEmoji,
    ReplyParameters,
    ResultChatMemberUnion,
    Update,
    User,
    WebAppInfo,
    WebhookInfo,
)

from notes.services.publishing import PublicationPlan
from telegram_bot.client import is_message_gone, is_not_modified
from telegram_bot.screens import Screen
from topics.models import GENERAL_THREAD_ID

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
    Returns the id of the message that now shows the screen. A screen whose HTML
    Telegram cannot parse is shown again as plain text: the owner sees their note.
    """
    try:
        return await _show_screen(bot, chat_id, screen, current, resend, reply_to, only_edit)
    except TelegramBadRequest as error:
        if "can't parse entities" not in error.message.lower():
            raise
        logger.warning("Screen in chat %s refused as HTML (%s): sent as text", chat_id, error)
        plain = Screen(html.unescape(_TAG_RE.sub("", screen.text)), screen.markup, parse=False)
        return await _show_screen(bot, chat_id, plain, current, resend, reply_to, only_edit)


_TAG_RE = re.compile(r"<[^>]*>")


async def _show_screen(
    bot: Bot,
    chat_id: int,
    screen: Screen,
    current: int | None,
    resend: bool,
    reply_to: int | None,
    only_edit: bool,
) -> int:
    parse_mode: Default | None = Default("parse_mode") if screen.parse else None
    if current is not None and not resend:
        try:
            await bot.edit_message_text(
                chat_id=chat_id,
                message_id=current,
                text=screen.text,
                reply_markup=screen.markup,
                parse_mode=parse_mode,
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
        chat_id=chat_id,
        text=screen.text,
        reply_markup=screen.markup,
        reply_parameters=reply,
        parse_mode=parse_mode,
    )
    if current is not None and resend:
        try:
            await bot.delete_message(chat_id=chat_id, message_id=current)
        except TelegramAPIError:
            logger.info("Old preview %s in chat %s was already gone", current, chat_id)
    return sent.message_id


def parts_left(plan: PublicationPlan, sent: list[int]) -> list[str]:
    """The text parts still to post, after the messages already sent (``sent``)."""
    media_messages = (len(plan.files) if plan.is_media else 0) if sent else 0
    follow_ups = plan.parts[1:] if plan.has_caption else plan.parts
    return follow_ups[max(0, len(sent) - media_messages) :]


# What Telegram answered for one message posted: its id, and the group's public @username.
Sent = tuple[int, str]


def _sent(message: Message) -> Sent:
    return message.message_id, message.chat.username or ""


async def send_part(bot: Bot, *, plan: PublicationPlan, part: str) -> Sent:
    message = await bot.send_message(
        chat_id=plan.chat_id,
        text=part,
        message_thread_id=plan.thread_id,
        reply_parameters=_reply(plan),
    )
    return _sent(message)


def _reply(plan: PublicationPlan) -> ReplyParameters | None:
    """An addition to a filed note answers its first message (still posted if it is gone)."""
    if plan.reply_to is None:
        return None
    return ReplyParameters(message_id=plan.reply_to, allow_sending_without_reply=True)


async def send_media(bot: Bot, plan: PublicationPlan) -> list[Sent]:
    """The note's file (a copy of the owner's message, with the rendered caption) or album."""
    caption = plan.parts[0] if plan.has_caption and plan.parts else None
    if plan.is_album:
        media = [
            _INPUT_MEDIA[part["type"]](
                media=part["file_id"], caption=caption if index == 0 else None
            )
            for index, part in enumerate(plan.files)
        ]
        messages = await bot.send_media_group(
            chat_id=plan.chat_id,
            media=media,
            message_thread_id=plan.thread_id,
            reply_parameters=_reply(plan),
        )
        return [_sent(message) for message in messages]
    try:
        copied = await bot.copy_message(
            chat_id=plan.chat_id,
            from_chat_id=plan.source_chat_id,
            message_id=plan.source_message_id,
            message_thread_id=plan.thread_id,
            caption=caption,
            reply_parameters=_reply(plan),
        )
        return [(copied.message_id, "")]  # copyMessage answers with the id alone
    except TelegramAPIError as error:
        if not is_message_gone(error):
            raise
    # The owner deleted their original message; the file itself is still on Telegram.
    return [_sent(await _send_file(bot, plan, caption))]


async def _send_file(bot: Bot, plan: PublicationPlan, caption: str | None) -> Message:
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
    return message


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


async def edit_posted(bot: Bot, *, chat_id: int, message_id: int, html: str, caption: bool) -> None:
    """A filed message's text or caption, changed (the same text again is no error)."""
    try:
        if caption:
            await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=html)
        else:
            await bot.edit_message_text(chat_id=chat_id, message_id=message_id, text=html)
    except TelegramAPIError as error:
        if not is_not_modified(error):
            raise


async def delete_messages(bot: Bot, *, chat_id: int, message_ids: list[int]) -> None:
    """Delete the note's messages from the group; ones already gone do not matter."""
    if not message_ids:
        return
    try:
        await bot.delete_messages(chat_id=chat_id, message_ids=message_ids)
    except TelegramAPIError as error:
        if not is_message_gone(error):
            raise


# -- answering the person: taps, replies, prompts ------------------------------------------


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A message in the chat the person wrote in."""
    await message.answer(text, reply_markup=markup)


async def answer_tap(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner, with a short notice (or an alert) if there is one."""
    if alert:
        await query.answer(text, show_alert=True)
    else:
        await query.answer(text)


async def edit_tapped(query: CallbackQuery, screen: Screen, *, keyboard_only: bool = False) -> None:
    """The tapped message becomes ``screen`` (or only takes its buttons)."""
    if not isinstance(query.message, Message):
        return  # too old for Telegram to send along; nothing to edit
    try:
        if keyboard_only:
            await query.message.edit_reply_markup(reply_markup=screen.markup)
        else:
            await query.message.edit_text(screen.text, reply_markup=screen.markup)
    except TelegramAPIError as error:
        # A tap that changes nothing (the same setting again, 📂 twice), or a message the
        # owner deleted meanwhile: the screen is already right, or nowhere to be shown.
        if not (is_not_modified(error) or is_message_gone(error)):
            raise


async def prompt_under_tap(query: CallbackQuery, text: str) -> None:
    """A question under the tapped message (the next message answers it)."""
    if isinstance(query.message, Message):
        await query.message.answer(text)


# -- groups --------------------------------------------------------------------------------


async def chat_info(bot: Bot, chat_id: int) -> ChatFullInfo:
    return await bot.get_chat(chat_id=chat_id)


async def chat_member(bot: Bot, chat_id: int, user_id: int) -> ResultChatMemberUnion:
    return await bot.get_chat_member(chat_id=chat_id, user_id=user_id)


# -- setting the bot up ----------------------------------------------------------------------


async def identity(bot: Bot) -> User:
    return await bot.me()


async def webhook_point(
    bot: Bot, *, url: str, secret: str, updates: list[str], drop_pending: bool
) -> None:
    await bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=updates, drop_pending_updates=drop_pending
    )


async def webhook_state(bot: Bot) -> WebhookInfo:
    return await bot.get_webhook_info()


async def webhook_remove(bot: Bot, *, drop_pending: bool) -> None:
    await bot.delete_webhook(drop_pending_updates=drop_pending)


async def commands_publish(
    bot: Bot,
    commands: list[BotCommand],
    scope: BotCommandScopeAllPrivateChats | BotCommandScopeAllGroupChats,
    language: str | None,
) -> None:
    await bot.set_my_commands(commands, scope=scope, language_code=language)


async def menu_button_publish(bot: Bot, *, text: str, url: str) -> None:
    """The button beside the message field in every private chat opens the Mini App."""
    await bot.set_chat_menu_button(
        menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=url))
    )


async def updates_fetch(
    bot: Bot, *, offset: int | None, poll_seconds: int, allowed: list[str]
) -> list[Update]:
    return await bot.get_updates(offset=offset, timeout=poll_seconds, allowed_updates=allowed)


async def say(bot: Bot, chat_id: int, text: str) -> None:
    """A plain message to a chat (a hint in a group, a word to an owner)."""
    await bot.send_message(chat_id=chat_id, text=text)


async def reply_in_group(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """An answer in a group, as a reply to the message it answers."""
    await message.reply(text, reply_markup=markup)


async def topic_create(bot: Bot, *, chat_id: int, name: str) -> ForumTopic:
    return await bot.create_forum_topic(chat_id=chat_id, name=name)


async def topic_rename(bot: Bot, *, chat_id: int, thread_id: int, name: str) -> None:
    """editForumTopic; General is renamed with its own method. An unchanged name is fine."""
    try:
        if thread_id == GENERAL_THREAD_ID:
            await bot.edit_general_forum_topic(chat_id=chat_id, name=name)
        else:
            await bot.edit_forum_topic(chat_id=chat_id, message_thread_id=thread_id, name=name)
    except TelegramBadRequest as error:
        if "TOPIC_NOT_MODIFIED" not in error.message.upper():
            raise


# -- the doctor's questions (each with a short timeout: an operator is waiting) ----------


async def bot_info(bot: Bot, *, request_timeout: int) -> User:
    """getMe asked now (``bot.me()`` would answer from its cache): the token is checked."""
    return await bot.get_me(request_timeout=request_timeout)


async def webhook_info(bot: Bot, *, request_timeout: int) -> WebhookInfo:
    return await bot.get_webhook_info(request_timeout=request_timeout)


async def group_info(bot: Bot, chat_id: int, *, request_timeout: int) -> ChatFullInfo:
    return await bot.get_chat(chat_id=chat_id, request_timeout=request_timeout)


async def bot_member(bot: Bot, chat_id: int, *, request_timeout: int) -> ResultChatMemberUnion:
    """The bot's own chat member object in the group: its status and rights there."""
    return await bot.get_chat_member(
        chat_id=chat_id, user_id=bot.id, request_timeout=request_timeout
    )


# -- inline mode ---------------------------------------------------------------------------

# Short: a note filed a moment ago must show up in the next inline search.
INLINE_CACHE_SECONDS = 5


async def answer_inline(
    query: InlineQuery,
    results: list[InlineQueryResultArticle],
    *,
    next_offset: str = "",
    button: InlineQueryResultsButton | None = None,
) -> None:
    """Answer ``@bot words``: results only for the person who asked, cached briefly."""
    await query.answer(
        results,  # type: ignore[arg-type]
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,
        next_offset=next_offset,
        button=button,
    )


# -- files to the owner ----------------------------------------------------------------------


async def send_document(
    bot: Bot, *, chat_id: int, path: Path, filename: str, caption: str | None = None
) -> Message:
    """A file from disk as a document (a multipart upload, streamed from the file)."""
    return await bot.send_document(
        chat_id=chat_id, document=FSInputFile(path, filename=filename), caption=caption
    )
