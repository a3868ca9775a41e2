"""The buttons under a note's preview and under its "filed" message."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from asgiref.sync import sync_to_async

from notes.models import Note
from notes.services.pending import (
    NoteActionRefused,
    note_check_awaiting,
    note_choose_topic,
    note_confirm,
)
from notes.services.pipeline import note_create_suggested_topic, note_dismiss, note_undo
from notes.services.recovery import note_retry
from secretary.models import User
from telegram_bot import gateway, texts
from telegram_bot.callbacks import NoteAction, NoteCallback, TopicChoiceCallback, TopicPageCallback
from telegram_bot.handlers.states import EditNote, NewTopic
from telegram_bot.services.notes import note_preview, note_topic_picker
from topics.services import TopicCreateFailed

router = Router(name=__name__)


async def _tap(query: CallbackQuery, service: Callable[..., Any], **kwargs: Any) -> Any:
    """Run the tap's service; a tap the note cannot take gets its notice and None back."""
    try:
        return await sync_to_async(service)(**kwargs)
    except NoteActionRefused as refused:
        await gateway.answer_tap(query, texts.refused_notice(refused.reason))
        return None


@router.callback_query(NoteCallback.filter(F.action == NoteAction.CONFIRM))
async def on_confirm(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    """The tap is answered first: publishing may take a while (inline, or rate limited)."""
    note = await _tap(query, note_check_awaiting, owner=owner, note_id=callback_data.note_id)
    if note is None:
        return
    await gateway.answer_tap(query, texts.filing_notice())
    # Another tap may have won the race meanwhile; the preview shows what became of it.
    with suppress(NoteActionRefused):
        await sync_to_async(note_confirm)(owner=owner, note_id=note.pk)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.CANCEL))
async def on_cancel(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    note = await _tap(query, note_dismiss, owner=owner, note_id=callback_data.note_id)
    if note is not None:
        await gateway.answer_tap(query)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.PICK))
@router.callback_query(TopicPageCallback.filter())
async def on_pick_topic(
    query: CallbackQuery, callback_data: NoteCallback | TopicPageCallback, owner: User
) -> None:
    page = callback_data.page if isinstance(callback_data, TopicPageCallback) else 0
    screen = await _tap(
        query, note_topic_picker, owner=owner, note_id=callback_data.note_id, page=page
    )
    if screen is not None:
        await gateway.edit_tapped(query, screen, keyboard_only=True)
        await gateway.answer_tap(query)


@router.callback_query(TopicChoiceCallback.filter())
async def on_topic_chosen(
    query: CallbackQuery, callback_data: TopicChoiceCallback, owner: User
) -> None:
    """The preview is rendered for the chosen topic by the worker, then edited."""
    note = await _tap(
        query,
        note_choose_topic,
        owner=owner,
        note_id=callback_data.note_id,
        topic_id=callback_data.topic_id,
    )
    if note is not None:
        await gateway.answer_tap(query)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.BACK))
async def on_back(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    screen = await _tap(query, note_preview, owner=owner, note_id=callback_data.note_id)
    if screen is not None:
        await gateway.edit_tapped(query, screen, keyboard_only=True)
        await gateway.answer_tap(query)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.EDIT))
@router.callback_query(NoteCallback.filter(F.action == NoteAction.NEW_TOPIC))
async def on_ask(
    query: CallbackQuery, callback_data: NoteCallback, owner: User, state: FSMContext
) -> None:
    """✏️ and ➕ wait for the owner's next message (the state survives any replica)."""
    note: Note | None = await _tap(
        query, note_check_awaiting, owner=owner, note_id=callback_data.note_id
    )
    if note is None:
        return
    if callback_data.action == NoteAction.EDIT:
        await state.set_state(EditNote.waiting_text)
        prompt = texts.edit_prompt()
    else:
        await state.set_state(NewTopic.waiting_name)
        prompt = texts.topic_name_prompt(str(note.classification.get("suggested_topic_name") or ""))
    await state.set_data({"note_id": note.pk})
    await gateway.answer_tap(query)
    await gateway.prompt_under_tap(query, prompt)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.SUGGESTED))
async def on_create_suggested(
    query: CallbackQuery, callback_data: NoteCallback, owner: User
) -> None:
    try:
        topic = await _tap(
            query, note_create_suggested_topic, owner=owner, note_id=callback_data.note_id
        )
    except ValueError:  # the AI suggested a name Telegram would refuse
        await gateway.answer_tap(query, texts.topic_name_invalid_notice(), alert=True)
        return
    except TopicCreateFailed as failed:
        await gateway.answer_tap(query, texts.topic_create_failed_notice(failed), alert=True)
        return
    if topic is not None:
        await gateway.answer_tap(query, texts.topic_created_notice(topic.name))


@router.callback_query(NoteCallback.filter(F.action == NoteAction.UNDO))
async def on_undo(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    note = await _tap(query, note_undo, owner=owner, note_id=callback_data.note_id)
    if note is not None:
        await gateway.answer_tap(query, texts.undone_notice())


@router.callback_query(NoteCallback.filter(F.action == NoteAction.RETRY))
async def on_retry(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    """The note goes back to work; its preview replaces this message when it is ready."""
    note = await _tap(query, note_retry, owner=owner, note_id=callback_data.note_id)
    if note is not None:
        await gateway.answer_tap(query, texts.retrying_notice())
