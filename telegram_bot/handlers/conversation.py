"""Answers the bot waits for: the edited text of a note, the name of a new topic."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from asgiref.sync import sync_to_async

from notes.services.pending import NoteActionRefused, note_replace_text
from notes.services.pipeline import note_create_topic
from secretary.models import User
from telegram_bot import gateway, texts
from telegram_bot.handlers.states import EditNote, NewTopic
from topics.services import TopicCreateFailed

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)


@router.message(EditNote.waiting_text, F.text)
async def on_edited_text(message: Message, state: FSMContext, owner: User) -> None:
    note_id = (await state.get_data()).get("note_id")
    await state.clear()
    entities = [e.model_dump(mode="json", exclude_none=True) for e in message.entities or []]
    try:
        await sync_to_async(note_replace_text)(
            owner=owner, note_id=int(note_id or 0), text=message.text or "", entities=entities
        )
    except NoteActionRefused as refused:
        await gateway.reply(message, texts.refused_notice(refused.reason))


@router.message(NewTopic.waiting_name, F.text)
async def on_topic_name(message: Message, state: FSMContext, owner: User) -> None:
    note_id = (await state.get_data()).get("note_id")
    try:
        await sync_to_async(note_create_topic)(
            owner=owner, note_id=int(note_id or 0), name=message.text or "", resend=True
        )
    except ValueError:
        await gateway.reply(message, texts.topic_name_invalid_text())
        return  # still waiting for a usable name
    except TopicCreateFailed as failed:
        await gateway.reply(message, texts.topic_create_failed_text(failed))
    except NoteActionRefused as refused:
        await gateway.reply(message, texts.refused_notice(refused.reason))
    await state.clear()


@router.message(EditNote.waiting_text)
@router.message(NewTopic.waiting_name)
async def on_not_text(message: Message) -> None:
    await gateway.reply(message, texts.text_expected_text())
