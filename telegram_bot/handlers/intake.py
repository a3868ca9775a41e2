"""Notes arriving in private: stored first, a sign of life, then the worker takes over."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import Message
from asgiref.sync import sync_to_async
from django.conf import settings

from notes.services.intake import (
    note_is_owed_work,
    note_receive,
    note_schedule_processing,
    note_update_from_edit,
)
from notes.services.quota import note_admission_wait
from secretary.models import User
from telegram_bot import gateway, texts
from telegram_bot.gateway import sign_of_life
from telegram_bot.parsing import incoming_from_message

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)
router.edited_message.filter(F.chat.type == ChatType.PRIVATE)


@router.message()
async def on_note(message: Message, bot: Bot, owner: User) -> None:
    incoming = incoming_from_message(message)
    if isinstance(incoming, str):
        await gateway.reply(message, texts.refusal_text(incoming))
        return
    receipt = await sync_to_async(note_receive)(owner=owner, incoming=incoming)
    if receipt.added:
        await sign_of_life(bot, message)  # a reply to a filed note: its task posts it
        return
    if not (
        receipt.created
        or receipt.joined
        or incoming.media_group_id
        or note_is_owed_work(receipt.note)
    ):
        return  # the same message again: its note is already on its way
    # A part of an album waits a moment for the others, so the album gets one preview.
    wait = settings.TELEGRAM_ALBUM_WAIT if incoming.media_group_id else 0
    if receipt.joined:
        if not incoming.media_group_id:  # an album's one sign of life is on its first part
            await sign_of_life(bot, message)  # its note is prepared again, with it
    elif receipt.created:
        await sign_of_life(bot, message)
        # Past the owner's rate the note is kept and prepared later: they are told so.
        admission = await sync_to_async(note_admission_wait)(owner=owner)
        if admission > 0:
            await gateway.reply(message, texts.slow_down_text(admission))
            wait = max(wait, admission)
    await sync_to_async(note_schedule_processing)(note=receipt.note, parts=receipt.parts, wait=wait)


@router.edited_message()
async def on_note_edited(edited: Message) -> None:
    incoming = incoming_from_message(edited)
    if isinstance(incoming, str):
        return
    note = await sync_to_async(note_update_from_edit)(incoming=incoming)
    if note is not None:
        await sync_to_async(note_schedule_processing)(note=note)
