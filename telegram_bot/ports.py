"""Telegram as the note pipeline's two ports: the private chat and the forum group.

The pipeline is synchronous; the Bot is async and belongs to one event loop. So a
``_Loop`` runs the Bot's calls on its loop from the pipeline's thread: inside a
handler it is the handler's own loop and Bot (the handler waits in ``sync_to_async``
meanwhile); in a task it is a loop of the task's own, in a thread, with one Bot for
the whole task, made on first use and closed at the end.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from django.utils import translation

from notes.models import Note, Reminder
from notes.ports import CreatedTopic, DeliveryError, Ports, Publication, View
from notes.services.publishing import PublicationPlan
from secretary.pacing import group_pace
from telegram_bot import gateway, screens, texts
from telegram_bot.client import (
    TelegramNotConfigured,
    bot_create,
    is_bot_removed,
    is_message_gone,
    is_thread_gone,
)
from telegram_bot.filed_edits import edit_refused_screen
from telegram_bot.formatting import message_link
from telegram_bot.reminders import reminder_screen

# A Bot call that takes longer than this is abandoned as a network failure.
CALL_TIMEOUT_SECONDS = 120


def delivery_error(error: TelegramAPIError, *, forbidden: str) -> DeliveryError:
    """What a Telegram error means to the pipeline. ``forbidden`` is what a 403 means where
    the call went (the owner blocked the bot; the bot was removed from the group)."""
    if isinstance(error, TelegramRetryAfter):
        return DeliveryError(DeliveryError.TEMPORARY, error.message, retry_after=error.retry_after)
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        return DeliveryError(DeliveryError.TEMPORARY, error.message)
    if "too many requests" in error.message.lower():  # a 429 without retry_after
        return DeliveryError(DeliveryError.TEMPORARY, error.message)
    if isinstance(error, TelegramForbiddenError):
        return DeliveryError(forbidden, error.message)
    if is_thread_gone(error):
        return DeliveryError(DeliveryError.TOPIC_GONE, error.message)
    if is_bot_removed(error):
        return DeliveryError(DeliveryError.ARCHIVE_GONE, error.message)
    if is_message_gone(error):
        return DeliveryError(DeliveryError.MESSAGE_GONE, error.message)
    message = error.message.lower()
    if "not enough rights" in message or "have no rights" in message:
        return DeliveryError(DeliveryError.NO_RIGHTS, error.message)
    if "topic_closed" in message:
        return DeliveryError(DeliveryError.TOPIC_CLOSED, error.message)
    return DeliveryError(DeliveryError.REFUSED, error.message)


class _Loop:
    """Runs the Bot's coroutines on the loop the Bot belongs to, from synchronous code."""

    def __init__(self, loop: asyncio.AbstractEventLoop, bot: Bot) -> None:
        self.loop, self.bot = loop, bot

    def run[T](
        self,
        make: Callable[[Bot], Coroutine[Any, Any, T]],
        *,
        forbidden: str = DeliveryError.ARCHIVE_GONE,
    ) -> T:
        future = asyncio.run_coroutine_threadsafe(make(self.bot), self.loop)
        try:
            return future.result(timeout=CALL_TIMEOUT_SECONDS)
        except TelegramAPIError as error:
            raise delivery_error(error, forbidden=forbidden) from error
        except TimeoutError:
            future.cancel()
            raise DeliveryError(DeliveryError.TEMPORARY, "Telegram did not answer") from None


class _OwnLoop:
    """A task's own loop in a thread, and its one Bot, both made when first needed."""

    def __init__(self) -> None:
        self._loop: _Loop | None = None
        self._thread: threading.Thread | None = None

    def get(self) -> _Loop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=loop.run_forever, name="telegram", daemon=True)
            self._thread.start()
            bot = asyncio.run_coroutine_threadsafe(_bot(), loop).result(timeout=10)
            self._loop = _Loop(loop, bot)
        return self._loop

    def close(self) -> None:
        if self._loop is None or self._thread is None:
            return
        loop = self._loop.loop
        asyncio.run_coroutine_threadsafe(self._loop.bot.session.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=10)
        loop.close()


async def _bot() -> Bot:
    return bot_create()  # in the loop, so that its session belongs to it


class TelegramDisplay:
    """The owner's private chat with the bot."""

    def __init__(self, loop: Callable[[], _Loop]) -> None:
        self._loop = loop

    def show(
        self,
        note: Note,
        view: View,
        *,
        shown_at: int | None = None,
        problem: DeliveryError | None = None,
        link: str = "",
        resend: bool = False,
        only_edit: bool = False,
    ) -> int | None:
        with translation.override(note.owner.preferences.effective_language):
            screen = _screen(note, view, problem=problem, link=link)
        try:
            loop = self._loop()
        except TelegramNotConfigured:
            return None  # nowhere to show it; the note waits in history
        return loop.run(
            lambda bot: gateway.show_screen(
                bot,
                chat_id=note.source_chat_id,
                screen=screen,
                current=shown_at,
                resend=resend,
                reply_to=note.source_message_id,
                only_edit=only_edit,
            ),
            forbidden=DeliveryError.OWNER_GONE,
        )

    def remind(self, reminder: Reminder, *, late: bool) -> int | None:
        """The reminder, in the owner's private chat (``notes.reminders.delivery``)."""
        screen = reminder_screen(reminder, late=late)
        try:
            loop = self._loop()
        except TelegramNotConfigured:
            return None
        chat_id = int(reminder.owner.telegram_id or reminder.note.source_chat_id)
        return loop.run(
            lambda bot: gateway.show_screen(bot, chat_id=chat_id, screen=screen),
            forbidden=DeliveryError.OWNER_GONE,
        )


def _screen(note: Note, view: View, *, problem: DeliveryError | None, link: str) -> screens.Screen:
    match view:
        case View.TRANSCRIBING:
            return screens.transcribing_screen(note)
        case View.FILING:
            return screens.filing_screen(note)
        case View.FILED:
            return screens.filed_screen(note, link)
        case View.CANCELLED:
            return screens.cancelled_screen(note)
        case View.EXPIRED:
            return screens.expired_screen(note)
        case View.FAILED:
            return screens.failed_screen(note)
        case View.DELETED:
            return screens.deleted_screen(note)
        case View.EDIT_REFUSED:
            return edit_refused_screen(note)
    return screens.preview_screen(note, notice=_notice(note, problem))


def _notice(note: Note, problem: DeliveryError | None) -> str:
    """Why publishing stopped, in the owner's words (Telegram's own text goes to the log
    and the note's error only)."""
    if problem is None:
        return ""
    topic = note.topic
    if topic is None:
        return texts.publish_refused_line()
    group = topic.group.title or str(topic.group.chat_id)
    match problem.reason:
        case DeliveryError.TOPIC_GONE:
            return texts.topic_gone_line(topic.name)
        case DeliveryError.ARCHIVE_GONE:
            return texts.bot_removed_line(group)
        case DeliveryError.NO_RIGHTS:
            return texts.publish_no_rights_line(group)
        case DeliveryError.TOPIC_CLOSED:
            return texts.topic_closed_line(topic.name)
        case DeliveryError.TEMPORARY:
            return texts.publish_busy_line()
    return texts.publish_refused_line()


class TelegramArchive:
    """The owner's forum group: one topic per category."""

    def __init__(self, loop: Callable[[], _Loop]) -> None:
        self._loop = loop

    def post(self, plan: PublicationPlan, on_sent: Callable[[list[int]], None]) -> Publication:
        loop = self._loop()
        sent = list(plan.sent)
        username = ""

        def record(messages: list[gateway.Sent]) -> None:
            nonlocal username
            sent.extend(message_id for message_id, _ in messages)
            username = username or next((name for _, name in messages if name), "")
            on_sent(list(sent))

        if plan.is_media and not sent:
            record(loop.run(lambda bot: gateway.send_media(bot, plan)))
        for part in gateway.parts_left(plan, sent):
            record([loop.run(functools.partial(gateway.send_part, plan=plan, part=part))])
        link = message_link(
            chat_id=plan.chat_id, message_id=sent[0], thread_id=plan.thread_id, username=username
        )
        return Publication(message_ids=sent, link=link)

    def edit(self, *, chat_id: int, message_id: int, html: str, caption: bool = False) -> None:
        self._loop().run(
            lambda bot: gateway.edit_posted(
                bot, chat_id=chat_id, message_id=message_id, html=html, caption=caption
            )
        )

    def pace(self, plan: PublicationPlan) -> float:
        return group_pace(plan.chat_id, count=plan.messages_left)

    def delete(self, *, chat_id: int, message_ids: list[int]) -> None:
        self._loop().run(
            lambda bot: gateway.delete_messages(bot, chat_id=chat_id, message_ids=message_ids)
        )

    def create_topic(self, *, chat_id: int, name: str) -> CreatedTopic:
        created = self._loop().run(
            lambda bot: gateway.topic_create(bot, chat_id=chat_id, name=name)
        )
        return CreatedTopic(created.message_thread_id, created.name, created.icon_color)

    def rename_topic(self, *, chat_id: int, thread_id: int, name: str) -> None:
        self._loop().run(
            lambda bot: gateway.topic_rename(bot, chat_id=chat_id, thread_id=thread_id, name=name)
        )

    def download(self, file: dict[str, Any]) -> bytes:
        return self._loop().run(lambda bot: gateway.download(bot, file["file_id"]))


@contextmanager
def telegram_ports() -> Iterator[Ports]:
    """``NOTE_PORTS``' default: Telegram, on a loop and a Bot of this operation's own."""
    own = _OwnLoop()
    try:
        yield Ports(display=TelegramDisplay(own.get), archive=TelegramArchive(own.get))
    finally:
        own.close()


def handler_ports(bot: Bot) -> Ports:
    """Telegram through the Bot and the loop of the handler that is running."""
    loop = _Loop(asyncio.get_running_loop(), bot)
    return Ports(display=TelegramDisplay(lambda: loop), archive=TelegramArchive(lambda: loop))
