"""Celery tasks of the notes app. Thin: they take ids, lease the note, call services.

Every task that works on a note runs under ``secretary.work.work_run``: one worker at a
time (a lease), temporary failures waited out, and a note whose work keeps stopping
turned into a failed note whose owner is told.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from celery import Task, shared_task
from django.db import transaction
from django.db.models import Q
from structlog.contextvars import bound_contextvars

from notes.models import Note, NoteStatus
from notes.ports import DeliveryError, ports_opened
from notes.services import pipeline
from notes.services.expiry import notes_expire
from notes.services.pending import BEFORE_CONFIRMATION
from notes.services.pipeline import PACING_SLEEP_MAX, Enrichment
from notes.services.recovery import note_fail, note_failure_reported, notes_reserve_stalled
from secretary.pacing import bulk_pace
from secretary.work import enqueue, enqueue_on_commit, work_run

logger = logging.getLogger(__name__)

# A run that finds another worker on the note comes back this much later.
BUSY_RETRY_SECONDS = 1.0
# One run of expired previews lasts about this long (well within the task time limit).
PREVIEW_RUN_SECONDS = 20.0


def _on_note(
    task: Task,
    note_id: int,
    statuses: tuple[str, ...],
    body: Callable[[], object],
    kwargs: dict[str, object] | None = None,
    when_busy: float | None = BUSY_RETRY_SECONDS,
    waits_run_out: Callable[[str], None] | None = None,
) -> None:
    """Work on one note under its lease, with the ports of this task open around it."""

    def run() -> None:
        with ports_opened():
            body()

    with bound_contextvars(note_id=note_id):  # every line of the note's work names it
        work_run(
            task,
            row=Note.objects.filter(pk=note_id),
            ready=Q(status__in=statuses),
            body=run,
            give_up=lambda reason: _fail(note_id, reason),
            args=(note_id,),
            kwargs=kwargs,
            when_busy=when_busy,
            waits_run_out=waits_run_out,
        )


def _fail(note_id: int, reason: str) -> None:
    if note_fail(note_id=note_id, reason=reason) is not None:
        logger.error("Note %s failed: %s", note_id, reason)
        enqueue_on_commit(report_note_failure, note_id)


@shared_task(name="notes.tasks.expire_pending_confirmations")
def expire_pending_confirmations() -> int:
    """Beat job: expire every pending confirmation past its TTL; their previews say so."""
    note_ids = notes_expire()
    if note_ids:
        logger.info("Expired %d pending confirmations", len(note_ids))
    return len(note_ids)


@shared_task(name="notes.tasks.previews_mark_expired", bind=True)
def show_expired_previews(self: Task, note_ids: list[int], turn_taken: bool = False) -> int:
    """The expired notes' previews say so, each edit at the bulk pace: a pass over
    thousands is spread over minutes in short runs, not sent in a burst Telegram would
    refuse. A run that must wait long for its turn lets the worker go and comes back."""
    shown = 0
    run_until = time.monotonic() + PREVIEW_RUN_SECONDS
    with ports_opened():
        for index, note_id in enumerate(note_ids):
            rest = note_ids[index:]
            if time.monotonic() > run_until and not self.request.is_eager:
                enqueue(self, rest)  # a run stays short; the next one takes the rest
                return shown
            wait = 0.0 if turn_taken else bulk_pace()
            turn_taken = False
            if wait > PACING_SLEEP_MAX and not self.request.is_eager:
                # The turn is kept for when the run is back.
                enqueue(self, rest, kwargs={"turn_taken": True}, countdown=wait)
                return shown
            time.sleep(wait)
            shown += pipeline.notes_show_expired(note_ids=[note_id])
    return shown


@shared_task(name="notes.tasks.note_process", bind=True, max_retries=None)
def prepare_note(self: Task, note_id: int, parts: int = 0, resend: bool = False) -> None:
    """Transcribe, classify, render, then preview the note (or file it at once)."""
    statuses = (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION)
    body = lambda: pipeline.note_prepare(note_id=note_id, parts=parts, resend=resend)  # noqa: E731
    _on_note(self, note_id, statuses, body, kwargs={"parts": parts, "resend": resend})


@shared_task(name="notes.tasks.note_transcribe", bind=True, max_retries=None)
def transcribe_note(self: Task, note_id: int) -> None:
    """Speech to text (the transcription queue); then the note is prepared again."""
    body = lambda: pipeline.note_enrich(note_id=note_id, step=Enrichment.TRANSCRIPT)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.ENRICHING,), body)


@shared_task(name="notes.tasks.note_fetch_links", bind=True, max_retries=None)
def fetch_note_links(self: Task, note_id: int) -> None:
    """Link previews (the links queue); then the note is prepared again."""
    body = lambda: pipeline.note_enrich(note_id=note_id, step=Enrichment.LINKS)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.ENRICHING,), body)


ENRICHMENT_TASKS = {Enrichment.TRANSCRIPT: transcribe_note, Enrichment.LINKS: fetch_note_links}


@shared_task(name="notes.tasks.note_refresh_preview", bind=True, max_retries=None)
def refresh_preview(self: Task, note_id: int, resend: bool = False) -> None:
    """Render the note for its (new) topic and show the preview again."""
    body = lambda: pipeline.note_refresh(note_id=note_id, resend=resend)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.AWAITING_CONFIRMATION,), body, kwargs={"resend": resend})


@shared_task(name="notes.tasks.note_publish", bind=True, max_retries=None)
def publish_note(self: Task, note_id: int) -> None:
    """Post a confirmed note into its topic. Waits that never end (a 429 after another)
    send the note back to pending, with a notice."""

    def waits_run_out(reason: str) -> None:
        with ports_opened():
            problem = DeliveryError(DeliveryError.TEMPORARY, "Too Many Requests")
            pipeline.note_publish_gave_up(note_id=note_id, problem=problem)

    # Another worker publishing it is left to finish: nothing is posted twice.
    body = lambda: pipeline.note_publish(note_id=note_id)  # noqa: E731
    _on_note(
        self,
        note_id,
        (NoteStatus.PUBLISHING,),
        body,
        when_busy=None,
        waits_run_out=waits_run_out,
    )


@shared_task(name="notes.tasks.note_publish_addition", bind=True, max_retries=None)
def publish_note_addition(self: Task, note_id: int, message_id: int) -> None:
    """Post a reply the owner added to a filed note, as a reply under it in its topic."""
    from notes.services.replies import note_publish_addition

    body = lambda: note_publish_addition(note_id=note_id, message_id=message_id)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.PUBLISHED,), body, kwargs={"message_id": message_id})


@shared_task(name="notes.tasks.note_follow_filed_edit", bind=True, max_retries=None)
def follow_filed_edit(self: Task, note_id: int) -> None:
    """The owner edited a filed note's message: the filed messages follow the edit."""
    from notes.services.edits import note_follow_filed_edit

    body = lambda: note_follow_filed_edit(note_id=note_id)  # noqa: E731
    _on_note(self, note_id, (NoteStatus.PUBLISHED,), body)


@shared_task(name="notes.tasks.note_report_failure", bind=True, max_retries=None)
def report_note_failure(self: Task, note_id: int) -> None:
    """Tell the owner, once, that a note could not be finished and can be tried again."""

    def body() -> None:
        with ports_opened():
            pipeline.note_show_failed(note_id=note_id)

    work_run(
        self,
        row=Note.objects.filter(pk=note_id),
        ready=Q(status=NoteStatus.FAILED, failure_reported_at__isnull=True),
        body=body,
        # The display kept refusing: the note stays failed and listed for staff.
        give_up=lambda reason: note_failure_reported(note_id=note_id),
        args=(note_id,),
    )


@shared_task(name="notes.tasks.resume_stalled_notes")
def resume_stalled_notes() -> int:
    """Beat job (the sweeper): notes whose work stalled are enqueued again, once each."""
    with transaction.atomic():
        stalled = notes_reserve_stalled()
    for task, reserved in (
        (prepare_note, stalled.prepare),
        (publish_note, stalled.publish),
        (refresh_preview, stalled.refresh),
    ):
        for note_id, task_id in reserved:
            enqueue(task, note_id, task_id=task_id)
    for note_id in stalled.unreported:
        enqueue(report_note_failure, note_id)
    if len(stalled):
        logger.warning(
            "Sweeper resumed notes: %d to prepare, %d to publish, %d previews, %d failures",
            len(stalled.prepare),
            len(stalled.publish),
            len(stalled.refresh),
            len(stalled.unreported),
        )
    return len(stalled)
