"""The note pipeline meets Telegram: prepare and preview, publish and report, undo, expiry.

Synchronous services called by tasks (and by handlers through ``sync_to_async``).
Database work goes through ``notes.services``; every exchange with Telegram goes
through ``with_bot``, outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import translation

from notes.models import Note, NoteStatus, PendingConfirmation
from notes.services.pending import (
    BEFORE_CONFIRMATION,
    NoteActionRefused,
    note_await_confirmation,
    note_cancel,
    note_check_awaiting,
    note_choose_topic,
    note_file_automatically,
    note_return_to_pending,
    preview_message_record,
)
from notes.services.processing import (
    note_classify_safely,
    note_mark_status,
    note_needs_transcript,
    note_render_html,
    note_should_file_automatically,
    note_transcribe_audio,
)
from notes.services.publishing import (
    note_check_undo,
    note_mark_published,
    note_publication_plan,
    note_publishing_progress,
    note_unfile,
)
from notes.services.recovery import note_failure_reported
from notes.services.transcription import note_can_be_transcribed
from secretary.models import User
from secretary.work import record_after_effect
from telegram_bot import delivery, screens, texts
from telegram_bot.client import (
    TelegramNotConfigured,
    is_bot_removed,
    is_thread_gone,
    telegram_configured,
    with_bot,
)
from telegram_bot.formatting import message_link
from telegram_bot.services.owners import owner_mark_blocked_bot
from topics.selectors import group_for_owner
from topics.services import group_mark_bot_removed, topic_create, topic_mark_gone

logger = logging.getLogger(__name__)


class PublishRetry(Exception):
    """Telegram asked to wait (429) or stumbled; publishing is retried after ``countdown``."""

    def __init__(self, countdown: int) -> None:
        super().__init__(countdown)
        self.countdown = countdown


def _load(note_id: int) -> Note | None:
    return (
        Note.objects.select_related("owner__preferences", "topic__group").filter(pk=note_id).first()
    )


def _language(note: Note) -> str:
    return note.owner.preferences.effective_language


def _show(note: Note, screen: screens.Screen, *, resend: bool = False) -> None:
    """Put the screen where the note's preview is (or send it), and remember where."""
    pending = PendingConfirmation.objects.filter(note=note).first()
    current = pending.preview_message_id if pending and pending.preview_message_id else None
    try:
        message_id = with_bot(
            lambda bot: delivery.show_screen(
                bot,
                chat_id=note.source_chat_id,
                screen=screen,
                current=current,
                resend=resend,
                reply_to=note.source_message_id,
            )
        )
    except TelegramForbiddenError:
        # The owner blocked the bot. The note waits; they see it when they come back.
        owner_mark_blocked_bot(owner=note.owner)
        return
    except TelegramNotConfigured:
        logger.warning("Note %s not shown: TELEGRAM_BOT_TOKEN is not set", note.pk)
        return
    if message_id != current:
        record_after_effect(
            lambda: preview_message_record(
                note_id=note.pk, chat_id=note.source_chat_id, message_id=message_id
            )
        )


# -- preparing and previewing ------------------------------------------------------------


def note_process(*, note_id: int, parts: int = 0) -> None:
    """Transcribe (spoken notes), classify, render; then preview it or file it at once.

    Idempotent: a note that moved on is left alone, and an album part's run
    steps aside when more parts arrived after it was scheduled.
    """
    note = _load(note_id)
    if note is None or note.status not in (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION):
        return
    if parts and len(note.files) > parts:
        return
    first_run = note.status in BEFORE_CONFIRMATION
    with translation.override(_language(note)):
        if first_run and note_needs_transcript(note):
            _transcribe(note)
        if not note_mark_status(note_id=note_id, status=NoteStatus.CLASSIFYING, again=True):
            return
        note = note_classify_safely(note_id=note_id)
        if note is None:
            return
        note_render_html(note=note)
        note = _load(note_id)
        if note is None:
            return
        auto = first_run and note_should_file_automatically(note)
        if auto and note_file_automatically(note_id=note_id):
            return
        waiting = note_await_confirmation(note_id=note_id)
        if waiting is not None:
            _show(waiting, screens.preview_screen(waiting))


def _transcribe(note: Note) -> None:
    """Show "🎙 Transcribing…" in the preview, then put the audio through speech-to-text.

    Without a speech provider, or for a file too big to download, nothing is
    downloaded: the preview that follows says why there is no transcript.
    """
    part = note.files[0] if note.files else {}
    too_big = (part.get("file_size") or 0) > settings.TELEGRAM_DOWNLOAD_LIMIT
    if too_big or "file_id" not in part or not note_can_be_transcribed(note=note):
        return
    note_mark_status(note_id=note.pk, status=NoteStatus.ENRICHING)
    _show(note, screens.transcribing_screen(note))
    try:
        audio = with_bot(lambda bot: delivery.download(bot, part["file_id"]))
    except TelegramAPIError as error:
        Note.objects.filter(pk=note.pk).update(
            last_error=f"transcription: download failed: {error.message}"[:2000]
        )
        return
    filename = part.get("file_name") or f"{part['type']}.{_extension(part)}"
    note_transcribe_audio(
        note=note,
        audio=audio,
        filename=filename,
        mime_type=part.get("mime_type") or "audio/ogg",
    )
    note.refresh_from_db()


def _extension(part: dict[str, object]) -> str:
    return {"voice": "ogg", "video_note": "mp4"}.get(str(part.get("type")), "bin")


def note_refresh_preview(*, note_id: int, resend: bool = False) -> None:
    """The note changed (another topic, new text): render again and show the preview."""
    note = _load(note_id)
    if note is None or note.status != NoteStatus.AWAITING_CONFIRMATION:
        return
    with translation.override(_language(note)):
        note_render_html(note=note)
        note = _load(note_id)
        if note is not None:
            _show(note, screens.preview_screen(note), resend=resend)


def note_preview(*, owner: User, note_id: int) -> screens.Screen:
    """The preview of a note still waiting (refused otherwise), to show it again."""
    return screens.preview_screen(note_check_awaiting(owner=owner, note_id=note_id))


def note_topic_picker(*, owner: User, note_id: int, page: int) -> screens.Screen:
    note = note_check_awaiting(owner=owner, note_id=note_id)
    return screens.Screen("", screens.topic_picker_keyboard(note, page))


def note_cancel_screen(*, owner: User, note_id: int) -> screens.Screen:
    note = note_cancel(owner=owner, note_id=note_id)
    return screens.cancelled_screen(_load(note.pk) or note)


def note_create_topic(*, owner: User, note_id: int, name: str, resend: bool) -> str:
    """➕: create a topic in the owner's group and file the note's preview under it.

    Raises NoteActionRefused, ValueError (a name Telegram refuses) or
    TopicCreateFailed. Returns the new topic's name.
    """
    note = note_check_awaiting(owner=owner, note_id=note_id)
    group = group_for_owner(owner=note.owner)
    if group is None:
        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    topic = topic_create(group=group, name=name)
    note_choose_topic(owner=owner, note_id=note_id, topic_id=topic.pk, resend=resend)
    return topic.name


def note_create_suggested_topic(*, owner: User, note_id: int) -> str:
    """➕ «Suggested»: create the topic the AI suggested and use it for the note."""
    note = note_check_awaiting(owner=owner, note_id=note_id)
    name = screens.suggested_name(note)
    if not name:
        raise NoteActionRefused(NoteActionRefused.NO_TOPIC)
    return note_create_topic(owner=owner, note_id=note_id, name=name, resend=False)


# -- publishing --------------------------------------------------------------------------


def note_publish(*, note_id: int) -> None:
    """Post the confirmed note into its topic; then the preview says where it went.

    Raises PublishRetry when Telegram asks to wait; a deleted topic or a removed
    bot sends the note back to pending and tells the owner.
    """
    plan = note_publication_plan(note_id=note_id)
    if plan is None:
        return
    # Each message is recorded the moment Telegram answers: a run that dies midway
    # is resumed from the first message not recorded, and nothing recorded is resent.
    record = sync_to_async(
        lambda note_id, message_ids: record_after_effect(
            lambda: note_publishing_progress(note_id=note_id, message_ids=message_ids)
        )
    )
    result = with_bot(
        lambda bot: delivery.send_plan(
            bot, plan, on_sent=lambda sent: record(note_id=note_id, message_ids=sent)
        )
    )
    error = result.error
    if error is None:
        published = note_mark_published(
            note_id=note_id, chat_id=plan.chat_id, message_ids=result.sent
        )
        if published is not None:
            link = message_link(
                chat_id=plan.chat_id,
                message_id=result.sent[0],
                thread_id=plan.thread_id,
                username=result.username,
            )
            _report(note_id, lambda note: screens.filed_screen(note, link))
        return
    if isinstance(error, TelegramRetryAfter):
        raise PublishRetry(error.retry_after)
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        raise PublishRetry(5)
    _publish_failed(note_id, error)


def _publish_failed(note_id: int, error: TelegramAPIError) -> None:
    note = _load(note_id)
    if note is None or note.topic is None:
        return
    topic = note.topic
    with translation.override(_language(note)):
        if is_thread_gone(error):
            topic_mark_gone(topic_id=topic.pk)
            notice = texts.topic_gone_line(topic.name)
        elif is_bot_removed(error):
            group_mark_bot_removed(chat_id=topic.group.chat_id)
            notice = texts.bot_removed_line(topic.group.title or str(topic.group.chat_id))
        else:
            logger.warning("Telegram refused note %s: %s", note_id, error.message)
            notice = texts.publish_failed_line(error.message)
    note_publish_gave_up(note_id=note_id, error=error.message, notice=notice)


def note_publish_gave_up(*, note_id: int, error: str, notice: str = "") -> None:
    """Publishing cannot finish: the note waits for the owner again, who is told why."""
    note = note_return_to_pending(note_id=note_id, error=error)
    if note is None:
        return
    note = _load(note_id)
    if note is None:
        return
    with translation.override(_language(note)):
        notice = notice or texts.publish_failed_line(error)
        _show(note, screens.preview_screen(note, notice=notice))


def note_show_failed(*, note_id: int) -> None:
    """Tell the owner, once, that the note could not be finished; 🔁 tries again."""
    note = _load(note_id)
    if note is None or note.status != NoteStatus.FAILED or note.failure_reported_at:
        return
    if not note.owner.has_blocked_bot:
        with translation.override(_language(note)):
            _show(note, screens.failed_screen(note))
    note_failure_reported(note_id=note_id)


def _report(note_id: int, screen_for: Callable[[Note], screens.Screen]) -> None:
    note = _load(note_id)
    if note is None or note.owner.has_blocked_bot:
        return
    with translation.override(_language(note)):
        _show(note, screen_for(note))


def note_undo(*, owner: User, note_id: int) -> screens.Screen:
    """↩️: delete the note's messages from the group; the note waits for a choice again."""
    note = note_check_undo(owner=owner, note_id=note_id)
    if note.published_chat_id is not None:
        chat_id, message_ids = note.published_chat_id, [int(i) for i in note.published_message_ids]
        with_bot(
            lambda bot: delivery.delete_messages(bot, chat_id=chat_id, message_ids=message_ids)
        )
    note_unfile(owner=owner, note_id=note_id)
    refreshed = _load(note_id)
    return screens.preview_screen(refreshed or note)


# -- expiry ------------------------------------------------------------------------------


def previews_show_expired(*, note_ids: Iterable[int]) -> int:
    """Edit the previews of expired notes to say so. Returns how many were edited."""
    if not telegram_configured():
        return 0
    notes = (
        Note.objects.filter(pk__in=list(note_ids), status=NoteStatus.EXPIRED)
        .exclude(pending__preview_message_id=None)
        .select_related("owner__preferences", "topic__group", "pending")
    )
    edits = []
    for note in notes:
        if note.owner.has_blocked_bot:
            continue
        with translation.override(_language(note)):
            screen = screens.expired_screen(note)
        edits.append((note.pending.preview_chat_id or note.source_chat_id, note.pending, screen))
    if not edits:
        return 0

    async def edit_all(bot: Bot) -> int:
        edited = 0
        for chat_id, pending, screen in edits:
            try:
                await delivery.show_screen(
                    bot,
                    chat_id=chat_id,
                    screen=screen,
                    current=pending.preview_message_id,
                    only_edit=True,  # a preview the owner deleted is not sent again
                )
            except TelegramAPIError as error:
                logger.info("Preview of note %s not marked expired: %s", pending.note_id, error)
                continue
            edited += 1
        return edited

    return with_bot(edit_all)
