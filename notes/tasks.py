"""Celery tasks of the notes app. Thin: they take ids, lease the note, call services.

Every task that works on a note runs under ``secretary.work.work_run``: one worker at a
time (a lease), temporary failures waited out, and a note whose work keeps stopping
turned into a failed note whose owner is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from notes.models import Note, NoteStatus
from notes.services.expiry import pending_confirmations_expire
from notes.services.pending import BEFORE_CONFIRMATION
from notes.services.recovery import note_fail, note_failure_reported, notes_reserve_stalled
from secretary.work import Deferred, enqueue, enqueue_on_commit, work_run

logger = logging.getLogger(__name__)

# Telegram down, slow or rate limiting: the same run again later; the note keeps its
# state in the database meanwhile.
TELEGRAM_TEMPORARY = (TelegramNetworkError, TelegramServerError, TelegramRetryAfter)
# A run that finds another worker on the note comes back this much later.
BUSY_RETRY_SECONDS = 1.0


def _on_note(
    task: Task,
    note_id: int,
    statuses: tuple[str, ...],
    body: Callable[[], object],
    kwargs: dict[str, object] | None = None,
    when_busy: float | None = BUSY_RETRY_SECONDS,
) -> None:
    work_run(
        task,
        row=Note.objects.filter(pk=note_id),
        ready=Q(status__in=statuses),
        body=body,
        give_up=lambda reason: _fail(note_id, reason),
        args=(note_id,),
        kwargs=kwargs,
        temporary=TELEGRAM_TEMPORARY,
        when_busy=when_busy,
    )


def _fail(note_id: int, reason: str) -> None:
    if note_fail(note_id=note_id, reason=reason) is not None:
        logger.error("Note %s failed: %s", note_id, reason)
        enqueue_on_commit(note_report_failure, note_id)


@shared_task(name="notes.tasks.expire_pending_confirmations")
def expire_pending_confirmations() -> int:
    """Beat job: expire every pending confirmation past its TTL; their previews say so."""
    note_ids = pending_confirmations_expire()
    if note_ids:
        logger.info("Expired %d pending confirmations", len(note_ids))
        enqueue_on_commit(previews_mark_expired, note_ids)
    return len(note_ids)


@shared_task(name="notes.tasks.previews_mark_expired")
def previews_mark_expired(note_ids: list[int]) -> int:
    from telegram_bot.services.notes import previews_show_expired

    return previews_show_expired(note_ids=note_ids)


@shared_task(name="notes.tasks.note_process", bind=True, max_retries=None)
def note_process(self: Task, note_id: int, parts: int = 0) -> None:
    """Transcribe, classify, render, then preview the note (or file it at once)."""
    from telegram_bot.services.notes import note_process as process

    statuses = (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION)
    body = lambda: process(note_id=note_id, parts=parts)  # noqa: E731
    _on_note(self, note_id, statuses, body, kwargs={"parts": parts})


@shared_task(name="notes.tasks.note_refresh_preview", bind=True, max_retries=None)
def note_refresh_preview(self: Task, note_id: int, resend: bool = False) -> None:
    """Render the note for its (new) topic and show the preview again."""
    from telegram_bot.services.notes import note_refresh_preview as refresh

    body = lambda: refresh(note_id=note_id, resend=resend)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.AWAITING_CONFIRMATION,), body, kwargs={"resend": resend})


@shared_task(name="notes.tasks.note_publish", bind=True, max_retries=None)
def note_publish(self: Task, note_id: int) -> None:
    """Post a confirmed note into its topic; a 429 waits ``retry_after``, a bounded number
    of times, then the note goes back to pending."""
    from telegram_bot.services.notes import PublishRetry, note_publish_gave_up
    from telegram_bot.services.notes import note_publish as publish

    def body() -> None:
        try:
            publish(note_id=note_id)
        except PublishRetry as retry:
            if self.request.retries >= settings.TELEGRAM_PUBLISH_MAX_RETRIES:
                note_publish_gave_up(note_id=note_id, error="Too Many Requests")
                return
            raise Deferred("Telegram asked to wait", retry.countdown) from None

    # Another worker publishing it is left to finish: nothing is posted twice.
    _on_note(self, note_id, (NoteStatus.PUBLISHING,), body, when_busy=None)


@shared_task(name="notes.tasks.note_report_failure", bind=True, max_retries=None)
def note_report_failure(self: Task, note_id: int) -> None:
    """Tell the owner, once, that a note could not be finished and can be tried again."""
    from telegram_bot.services.notes import note_show_failed

    work_run(
        self,
        row=Note.objects.filter(pk=note_id),
        ready=Q(status=NoteStatus.FAILED, failure_reported_at__isnull=True),
        body=lambda: note_show_failed(note_id=note_id),
        # Telegram kept refusing: the note stays failed and listed for staff.
        give_up=lambda reason: note_failure_reported(note_id=note_id),
        args=(note_id,),
        temporary=TELEGRAM_TEMPORARY,
    )


@shared_task(name="notes.tasks.resume_stalled_notes")
def resume_stalled_notes() -> int:
    """Beat job (the sweeper): notes whose work stalled are enqueued again, once each."""
    from telegram_bot.client import telegram_configured

    with transaction.atomic():
        stalled = notes_reserve_stalled(unshown_previews=telegram_configured())
    for task, reserved in (
        (note_process, stalled.prepare),
        (note_publish, stalled.publish),
        (note_refresh_preview, stalled.refresh),
    ):
        for note_id, task_id in reserved:
            enqueue(task, note_id, task_id=task_id)
    for note_id in stalled.unreported:
        enqueue(note_report_failure, note_id)
    if len(stalled):
        logger.warning(
            "Sweeper resumed notes: %d to prepare, %d to publish, %d previews, %d failures",
            len(stalled.prepare),
            len(stalled.publish),
            len(stalled.refresh),
            len(stalled.unreported),
        )
    return len(stalled)
