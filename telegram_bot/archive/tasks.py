"""Tasks of /export and of retention. Thin: they take ids and call the services."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from aiogram import Bot
from asgiref.sync import async_to_sync, sync_to_async
from celery import Task, shared_task
from django.conf import settings
from django.utils import translation

from notes.archive.export import (
    export_download_name,
    export_fits_document,
    export_job_run,
    export_link_url,
    export_path,
)
from notes.archive.importer import import_file_discard, import_job_run, imports_reserve_stalled
from notes.archive.models import ExportJob, ImportJob
from notes.archive.reports import import_report
from notes.telegram_html import quote
from secretary.work import BUSY, enqueue, lease_kept, lease_release, lease_take
from telegram_bot import gateway
from telegram_bot.archive import texts
from telegram_bot.archive.services import telegram_updates_prune
from telegram_bot.client import with_bot
from telegram_bot.screens import Screen

logger = logging.getLogger(__name__)

# The progress message is edited at most this often (Telegram: about one edit a second).
PROGRESS_EVERY_SECONDS = 2.0


def _job(job_id: int) -> ExportJob | None:
    return ExportJob.objects.select_related("owner__preferences").filter(pk=job_id).first()


def _language(job: ExportJob | ImportJob) -> str:
    preferences = getattr(job.owner, "preferences", None)
    return preferences.effective_language if preferences else job.owner.language


@shared_task(
    name="telegram_bot.archive.tasks.deliver_export", soft_time_limit=1800, time_limit=1900
)
def deliver_export(job_id: int) -> None:
    """Write the export and send it to the owner's chat: a document, or past the Bot API's
    50 MB a signed link. A job already finished is not sent again."""
    job = _job(job_id)
    if job is None or job.status != ExportJob.Status.RUNNING or job.chat_id is None:
        return
    with translation.override(_language(job)):
        with_bot(lambda bot: _deliver(bot, job))


async def _deliver(bot: Bot, job: ExportJob) -> None:
    chat_id, message_id = int(job.chat_id or 0), job.progress_message_id
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] < PROGRESS_EVERY_SECONDS or message_id is None:
            return
        last[0] = time.monotonic()
        screen = Screen(texts.export_progress(done, total))
        async_to_sync(gateway.show_screen)(
            bot, chat_id=chat_id, screen=screen, current=message_id, only_edit=True
        )

    def download(part: dict[str, Any]) -> bytes:
        return async_to_sync(gateway.download)(bot, str(part["file_id"]))

    try:
        done = await sync_to_async(export_job_run)(
            job_id=job.pk, download=download, progress=progress
        )
    except Exception:
        logger.exception("Export %s failed", job.pk)
        await _show(bot, chat_id, message_id, texts.export_failed())
        return
    if done is None or done.status != ExportJob.Status.DONE:
        return
    await _send(bot, chat_id, message_id, done)


async def _send(bot: Bot, chat_id: int, message_id: int | None, job: ExportJob) -> None:
    if export_fits_document(job):
        await gateway.send_document(
            bot,
            chat_id=chat_id,
            path=export_path(job),
            filename=export_download_name(job),
            caption=texts.export_ready(job.notes_done),
        )
        await _show(bot, chat_id, message_id, texts.export_ready(job.notes_done))
        return
    url = export_link_url(job)
    if url:
        text = texts.export_link(job.notes_done, job.size, url, settings.EXPORT_LINK_TTL)
    else:
        text = texts.export_too_big_no_link(job.notes_done, job.size)
    await _show(bot, chat_id, message_id, text)


async def _show(bot: Bot, chat_id: int, message_id: int | None, text: str) -> None:
    await gateway.show_screen(bot, chat_id=chat_id, screen=Screen(text), current=message_id)


@shared_task(name="telegram_bot.archive.tasks.prune_update_payloads")
def prune_update_payloads() -> int:
    """Beat job: raw payloads of processed updates past UPDATE_RETENTION_DAYS are emptied."""
    pruned = telegram_updates_prune()
    if pruned:
        logger.info("Pruned the payloads of %d processed updates", pruned)
    return pruned


# -- import of a document sent to the bot ------------------------------------------------------


@shared_task(
    name="telegram_bot.archive.tasks.import_from_chat",
    bind=True,
    soft_time_limit=3600,
    time_limit=3700,
)
def import_from_chat(self: Task, job_id: int) -> None:
    """Import the job's file under a lease, showing progress in the chat, then the report.
    A second run of a finished job does nothing; a run after a crash resumes."""
    rows = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING)
    token = self.request.id or uuid.uuid4().hex
    taken = lease_take(rows, token=token)
    if taken is None or taken == BUSY:
        return
    eager = bool(self.app.conf.task_always_eager)
    try:
        with lease_kept(rows, token=token, heartbeat=not eager):
            job = ImportJob.objects.select_related("owner__preferences").get(pk=job_id)
            with translation.override(_language(job)):
                with_bot(lambda bot: _import(bot, job))
    finally:
        lease_release(ImportJob.objects.filter(pk=job_id), token=token, done=True)


async def _import(bot: Bot, job: ImportJob) -> None:
    chat_id, message_id = int(job.chat_id or 0), job.progress_message_id
    last = [0.0]

    def progress(current: ImportJob) -> None:
        if time.monotonic() - last[0] < PROGRESS_EVERY_SECONDS or message_id is None:
            return
        last[0] = time.monotonic()
        screen = Screen(texts.import_progress(current.position, current.imported))
        async_to_sync(gateway.show_screen)(
            bot, chat_id=chat_id, screen=screen, current=message_id, only_edit=True
        )

    done = await sync_to_async(import_job_run)(job_id=job.pk, progress=progress)
    if done is not None and done.status != ImportJob.Status.RUNNING:
        await sync_to_async(import_file_discard)(done)
        report = await sync_to_async(import_report)(done)
        await _show(bot, chat_id, message_id, quote(report))


@shared_task(name="telegram_bot.archive.tasks.resume_stalled_imports")
def resume_stalled_imports() -> int:
    """Beat job (the sweeper): imports from the chat whose worker stopped are resumed."""
    reserved = imports_reserve_stalled()
    for job_id, task_id in reserved:
        enqueue(import_from_chat, job_id, task_id=task_id)
    if reserved:
        logger.warning("Sweeper resumed %d imports", len(reserved))
    return len(reserved)
