"""/export and /forget in the private chat."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from asgiref.sync import sync_to_async
from django.conf import settings

from notes.archive.export import export_job_note_progress, export_job_start
from notes.archive.forget import forget_report_lines, owner_forget
from notes.archive.importer import (
    ImportStart,
    import_file_path,
    import_job_cancel,
    import_job_note_progress,
    import_job_start,
)
from notes.archive.reports import refusal_text
from notes.archive.telegram_export import NotAnExport
from notes.telegram_html import quote
from secretary.models import User
from secretary.work import enqueue_on_commit
from telegram_bot import gateway
from telegram_bot.archive import texts
from telegram_bot.archive.callbacks import ExportCallback, ForgetCallback
from telegram_bot.archive.tasks import deliver_export, import_from_chat
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


# -- import ----------------------------------------------------------------------------------


def _import_document(message: Message) -> bool:
    """A document meant for import: named result.json, or sent with /import as caption."""
    document = message.document
    if document is None:
        return False
    named = (document.file_name or "").lower() == "result.json"
    return named or (message.caption or "").strip().lower().startswith("/import")


@router.message(Command("import"), F.text)
async def on_import_command(message: Message, owner: User) -> None:
    if (message.text or "").split()[1:2] == ["stop"]:
        stopped = await sync_to_async(import_job_cancel)(owner=owner)
        await gateway.reply(message, texts.import_stopped(stopped))
        return
    await gateway.reply(message, texts.import_help())


@router.message(F.document, _import_document)
async def on_import_document(message: Message, bot: Bot, owner: User) -> None:
    document = message.document
    assert document is not None
    if (document.file_size or 0) > settings.TELEGRAM_DOWNLOAD_LIMIT:
        await gateway.reply(message, texts.import_too_big(settings.TELEGRAM_DOWNLOAD_LIMIT))
        return
    try:
        content = await gateway.download(bot, document.file_id)
    except TelegramAPIError:
        await gateway.reply(message, texts.import_download_failed())
        return
    try:
        start = await sync_to_async(_import_start)(owner, document.file_unique_id, content)
    except NotAnExport as problem:
        await gateway.reply(message, quote(refusal_text(problem.reason)))
        return
    if not start.started:
        await gateway.reply(message, texts.import_already_running())
        return
    shown = await gateway.show_screen(
        bot, chat_id=message.chat.id, screen=Screen(texts.import_started())
    )
    await sync_to_async(_import_hand_over)(start.job.pk, shown)


def _import_start(owner: User, name: str, content: bytes) -> ImportStart:
    path = import_file_path(owner=owner, name=f"{name}.json")
    path.write_bytes(content)
    try:
        return import_job_start(owner=owner, path=str(path), chat_id=owner.telegram_id)
    except NotAnExport:
        path.unlink(missing_ok=True)
        raise


def _import_hand_over(job_id: int, message_id: int) -> None:
    import_job_note_progress(job_id=job_id, message_id=message_id)
    enqueue_on_commit(import_from_chat, job_id)
