"""✂️ under the preview of a note made of several messages: one note per message."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from asgiref.sync import sync_to_async

from notes.services.bursts import note_split
from notes.services.pending import NoteActionRefused
from secretary.models import User
from telegram_bot import gateway, texts
from telegram_bot.bursts import split_notice
from telegram_bot.callbacks import NoteAction, NoteCallback

router = Router(name=__name__)


@router.callback_query(NoteCallback.filter(F.action == NoteAction.SPLIT))
async def on_split(query: CallbackQuery, callback_data: NoteCallback, owner: User) -> None:
    """Each message gets its own preview from the worker; this one shows the first."""
    try:
        notes = await sync_to_async(note_split)(owner=owner, note_id=callback_data.note_id)
    except NoteActionRefused as refused:
        await gateway.answer_tap(query, texts.refused_notice(refused.reason))
        return
    await gateway.answer_tap(query, split_notice(len(notes)))
