"""/export and /forget in the private chat."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from asgiref.sync import sync_to_async

from notes.archive.export import export_job_note_progress, export_job_start
from notes.archive.forget import forget_report_lines, owner_forget
from secretary.models import User
from secretary.work import enqueue_on_commit
from telegram_bot import gateway
from telegram_bot.archive import texts
from telegram_bot.archive.callbacks import ExportCallback, ForgetCallback
from telegram_bot.archive.tasks import deliver_export
from telegram_bot.screens import Screen

router = Router(name=__name__)
router.message.filter(F.chat.type == ChatType.PRIVATE)


def _buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


@router.message(Command("export"))
async def on_export(message: Message) -> None:
    markup = _buttons(
        [(texts.markdown_button(), ExportCallback(format="markdown").pack())],
        [(texts.markdown_media_button(), ExportCallback(format="markdown", media=True).pack())],
        [(texts.json_button(), ExportCallback(format="json").pack())],
    )
    await gateway.reply(message, texts.export_question(), markup)


@router.callback_query(ExportCallback.filter())
async def on_export_format(
    query: CallbackQuery, callback_data: ExportCallback, owner: User
) -> None:
    if not isinstance(query.message, Message) or callback_data.format not in ("markdown", "json"):
        await gateway.answer_tap(query)
        return
    start = await sync_to_async(export_job_start)(
        owner=owner,
        format=callback_data.format,
        with_media=callback_data.media,
        chat_id=query.message.chat.id,
    )
    if not start.started:
        await gateway.answer_tap(query, texts.export_already_running(), alert=True)
        return
    await gateway.edit_tapped(query, Screen(texts.export_progress(0, 0)))
    await gateway.answer_tap(query)
    await sync_to_async(_hand_over)(start.job.pk, query.message.message_id)


def _hand_over(job_id: int, message_id: int) -> None:
    export_job_note_progress(job_id=job_id, message_id=message_id)
    enqueue_on_commit(deliver_export, job_id)


@router.message(Command("forget"))
async def on_forget(message: Message) -> None:
    markup = _buttons(
        [(texts.forget_first_yes_button(), ForgetCallback(step=1).pack())],
        [(texts.forget_keep_button(), ForgetCallback(step=0).pack())],
    )
    await gateway.reply(message, texts.forget_question(), markup)


@router.callback_query(ForgetCallback.filter(F.step == 1))
async def on_forget_first_yes(query: CallbackQuery) -> None:
    markup = _buttons(
        [(texts.forget_final_yes_button(), ForgetCallback(step=2).pack())],
        [(texts.forget_keep_button(), ForgetCallback(step=0).pack())],
    )
    await gateway.edit_tapped(query, Screen(texts.forget_final_question(), markup))
    await gateway.answer_tap(query)


@router.callback_query(ForgetCallback.filter(F.step == 2))
async def on_forget_final_yes(query: CallbackQuery, owner: User) -> None:
    counts = await sync_to_async(owner_forget)(owner=owner)
    await gateway.edit_tapped(query, Screen(texts.forget_done(forget_report_lines(counts))))
    await gateway.answer_tap(query)


@router.callback_query(ForgetCallback.filter(F.step == 0))
async def on_forget_kept(query: CallbackQuery) -> None:
    await gateway.edit_tapped(query, Screen(texts.forget_kept()))
    await gateway.answer_tap(query)
