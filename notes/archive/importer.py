"""Importing years of notes: a Telegram Desktop export, or this project's own JSON export.

Every message with text becomes a note through the pipeline's own services (stored by
``note_receive``, classified and rendered among the owner's topics) with its original
date, entities, forward origin and reply. The local provider classifies unless the owner
asks for the AI chain. A message is known by its chat and id, so a second import creates
nothing twice; progress is committed with each batch, so a crash resumes after the last
batch done. Imported notes wait in history (not posted into the group, not yet teaching
the classifier) until the owner files them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import ijson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notes.archive.jsonformat import NOTE_FIELDS, TOPIC_FIELDS
from notes.archive.models import ImportedMessage, ImportJob
from notes.archive.telegram_export import (
    OWN_PREFIXES,
    ExportMessage,
    NotAnExport,
    check_file,
    export_messages,
    is_own_export,
    read_events,
    resolve,
)
from notes.lifecycle import note_move
from notes.links import link_urls, links_initial
from notes.models import WORKING_STATUSES, Note, NoteKind, NoteStatus
from notes.services.classification import note_classify, note_render
from notes.services.intake import IncomingNote, note_receive
from secretary.models import User
from secretary.work import leases_reserve
from topics.models import ForumGroup, Topic

logger = logging.getLogger(__name__)

BATCH = 100
# Imported chats get source chat ids of their own, far from Telegram's (which stay above
# -10^13): one range per owner, so two owners importing the same group never meet.
IMPORT_ID_BASE = 2**61
FAILURES_KEPT = 100

Progress = Callable[[ImportJob], None]


def import_chat_id(owner: User, export_chat_id: int) -> int:
    return -(IMPORT_ID_BASE + (owner.pk % 2**20) * 2**40 + export_chat_id % 2**40)


@dataclass(frozen=True)
class ImportStart:
    job: ImportJob
    started: bool  # False: one was already running for this owner, and this is it


def import_job_start(
    *, owner: User, path: str, use_ai: bool = False, chat_id: int | None = None
) -> ImportStart:
    """Check the file and start an import of it (or return the one already running).

    Raises NotAnExport with the reason when the file cannot be an export."""
    full = Path(path).expanduser().resolve()
    check_file(full)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                owner=owner, path=str(full), use_ai=use_ai, chat_id=chat_id
            )
    except IntegrityError:
        return ImportStart(ImportJob.objects.get(owner=owner, status="running"), started=False)
    return ImportStart(job, started=True)


def imports_reserve_stalled() -> list[tuple[int, str]]:
    """For the sweeper: imports from the chat that are running but nobody holds."""
    stale = timezone.now() - settings.SWEEP_STALE_AFTER
    rows = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, chat_id__isnull=False, updated_at__lt=stale
    )
    return leases_reserve(rows)


def import_job_note_progress(*, job_id: int, message_id: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(progress_message_id=message_id)


def import_file_path(*, owner: User, name: str) -> Path:
    """Where a file sent to the bot for import is kept while it is imported."""
    folder = Path(settings.EXPORT_ROOT) / str(owner.pk) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def import_file_discard(job: ImportJob) -> None:
    """A finished import's file, if it was one sent to the bot (kept by us), is deleted."""
    uploads = (Path(settings.EXPORT_ROOT) / str(job.owner_id) / "imports").resolve()
    path = Path(job.path).resolve()
    if path.parent == uploads:
        path.unlink(missing_ok=True)


def import_job_cancel(*, owner: User) -> bool:
    """Stop the owner's running import after its current batch; what is in stays."""
    return bool(
        ImportJob.objects.filter(owner=owner, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.CANCELLED, finished_at=timezone.now()
        )
    )


def import_job_run(*, job_id: int, progress: Progress | None = None) -> ImportJob | None:
    """Import the job's file from where it stopped. A finished job is left as it is."""
    job = ImportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.RUNNING:
        return job
    path = resolve(Path(job.path))
    try:
        check_file(path)
        if is_own_export(path):
            _run(job, _restore_batches(job, path), progress)
        else:
            _run(job, _telegram_batches(job, path), progress)
    except NotAnExport as problem:
        _finish(job, ImportJob.Status.FAILED, error=problem.reason)
        job.refresh_from_db()
        return job
    if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).exists():
        _finish(job, ImportJob.Status.DONE)
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, status: str, error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )


Batch = Callable[[], None]


def _run(job: ImportJob, batches: Iterator[Batch], progress: Progress | None) -> None:
    for work in batches:
        with transaction.atomic():
            # The job's row is locked while the batch commits with its progress: a crash
            # loses the batch and its progress together, never one without the other.
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportJob.Status.RUNNING:
                return  # cancelled
            work()
        job.refresh_from_db()
        if progress is not None:
            progress(job)


def _chunks[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    try:
        for item in items:
            chunk.append(item)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except NotAnExport:
        if chunk:  # a file broken mid-way: what came before the break is imported
            yield chunk
        raise
    if chunk:
        yield chunk


# -- Telegram Desktop ------------------------------------------------------------------------


def _telegram_batches(job: ImportJob, path: Path) -> Iterator[Batch]:
    providers = None if job.use_ai else ("local",)
    with path.open("rb") as stream:
        messages = export_messages(stream)
        for _skipped in zip(range(job.position), messages, strict=False):
            pass  # done before the crash
        for chunk in _chunks(messages, 1 if job.use_ai else BATCH):
            yield partial(_import_messages, job, chunk, providers)


def _import_messages(
    job: ImportJob, messages: list[ExportMessage], providers: tuple[str, ...] | None
) -> None:
    imported = already = 0
    skipped: dict[str, int] = dict(job.skipped or {})
    failed: list[dict[str, Any]] = list(job.failed or [])
    for message in messages:
        if message.skip:
            skipped[message.skip] = skipped.get(message.skip, 0) + 1
            continue
        try:
            with transaction.atomic():
                created = _import_message(job.owner, message, providers)
        except Exception as error:  # one bad message must not stop the import
            logger.warning("Import %s: message %s failed", job.pk, message.message_id)
            if len(failed) < FAILURES_KEPT:
                failed.append(
                    {"chat": message.chat.name, "id": message.message_id, "why": _why(error)}
                )
            continue
        imported, already = imported + created, already + (not created)
    ImportJob.objects.filter(pk=job.pk).update(
        position=F("position") + len(messages),
        imported=F("imported") + imported,
        already_present=F("already_present") + already,
        skipped=skipped,
        failed=failed,
        updated_at=timezone.now(),
    )
    job.skipped, job.failed = skipped, failed


def _why(error: Exception) -> str:
    return type(error).__name__


def _import_message(owner: User, message: ExportMessage, providers: tuple[str, ...] | None) -> bool:
    origin: dict[str, Any] | None = None
    if message.forwarded_from:
        origin = {"type": "hidden_user", "sender_user_name": message.forwarded_from}
        if message.date is not None:
            origin["date"] = int(message.date.timestamp())
    kind = NoteKind.FORWARD if origin else NoteKind.TEXT
    if link_urls(message.text, message.entities):
        kind = NoteKind.LINK
    incoming = IncomingNote(
        chat_id=import_chat_id(owner, message.chat.export_id),
        message_id=message.message_id,
        kind=kind,
        text=message.text,
        entities=message.entities,
        forward_origin=origin,
    )
    receipt = note_receive(owner=owner, incoming=incoming)
    if not receipt.created:
        return False
    note = receipt.note
    if message.date is not None:
        Note.objects.filter(pk=note.pk).update(created_at=message.date)
        note.created_at = message.date
    ImportedMessage.objects.create(
        note=note,
        chat_name=message.chat.name[:255],
        export_chat_id=message.chat.export_id,
        message_id=message.message_id,
        reply_to_message_id=message.reply_to_message_id,
        media=message.media[:512],
    )
    note_classify(note=note, providers=providers)
    if note.topic is not None:
        note_render(note=note, topic=note.topic, providers=providers)
    # In history, waiting to be filed: the owner files (and so teaches) what they confirm.
    note_move(note, NoteStatus.AWAITING_CONFIRMATION)
    note_move(note, NoteStatus.EXPIRED)
    return True


# -- this project's own JSON export ----------------------------------------------------------


def _own_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """("topic", record) and ("note", record) in file order, one built at a time."""
    with path.open("rb") as stream:
        builder, inside = None, ""
        for prefix, event, value in read_events(stream):
            if builder is not None:
                builder.event(event, value)
                if prefix == inside and event == "end_map":
                    yield ("topic" if inside == "topics.item" else "note"), builder.value
                    builder = None
            elif prefix in OWN_PREFIXES and event == "start_map":
                builder, inside = ijson.ObjectBuilder(), prefix
                builder.event(event, value)


def _restore_batches(job: ImportJob, path: Path) -> Iterator[Batch]:
    topics: dict[int, Topic | None] = {}
    notes = (record for kind, record in _own_records_with_topics(job, path, topics))
    for _skipped in zip(range(job.position), notes, strict=False):
        pass
    for chunk in _chunks(notes, BATCH):
        yield partial(_restore_notes, job, chunk, topics)


def _own_records_with_topics(
    job: ImportJob, path: Path, topics: dict[int, Topic | None]
) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, record in _own_records(path):
        if kind == "topic":
            with transaction.atomic():
                topics[int(record["id"])] = _restore_topic(job.owner, record)
        else:
            yield kind, record


def _restore_topic(owner: User, record: dict[str, Any]) -> Topic | None:
    group_record = record.get("group") or {}
    chat_id = int(group_record.get("chat_id") or 0)
    group = ForumGroup.objects.filter(chat_id=chat_id).first()
    if group is None:
        group = ForumGroup.objects.create(
            chat_id=chat_id,
            title=str(group_record.get("title") or "")[:255],
            owner=owner,
            is_forum=True,
            linked_at=timezone.now(),
        )
    elif group.owner_id not in (None, owner.pk):
        return None  # someone else's group now: the notes come back without a topic
    fields = {field: record[field] for field in TOPIC_FIELDS if field in record}
    topic, _created = Topic.objects.get_or_create(
        group=group, thread_id=int(record["thread_id"]), defaults=fields
    )
    return topic


def _restore_notes(
    job: ImportJob, records: list[dict[str, Any]], topics: dict[int, Topic | None]
) -> None:
    imported = already = 0
    failed = list(job.failed or [])
    for record in records:
        try:
            with transaction.atomic():
                created = _restore_note(job.owner, record, topics)
        except Exception as error:
            if len(failed) < FAILURES_KEPT:
                failed.append({"chat": "", "id": record.get("id"), "why": _why(error)})
            continue
        imported, already = imported + created, already + (not created)
    ImportJob.objects.filter(pk=job.pk).update(
        position=F("position") + len(records),
        imported=F("imported") + imported,
        already_present=F("already_present") + already,
        failed=failed,
        updated_at=timezone.now(),
    )
    job.failed = failed


def _restore_note(owner: User, record: dict[str, Any], topics: dict[int, Topic | None]) -> bool:
    source = (int(record["source_chat_id"]), int(record["source_message_id"]))
    if Note.objects.filter(source_chat_id=source[0], source_message_id=source[1]).exists():
        return False
    fields = {field: record[field] for field in NOTE_FIELDS if record.get(field) is not None}
    if fields.get("status") in (*WORKING_STATUSES, NoteStatus.AWAITING_CONFIRMATION):
        fields["status"] = NoteStatus.EXPIRED  # its preview is gone: it waits in history
    fields.setdefault("link_metadata", links_initial(record.get("text") or "", None))
    topic_key = record.get("topic")
    note = Note.objects.create(
        owner=owner,
        topic=topics.get(int(topic_key)) if topic_key is not None else None,
        published_at=_parse(record.get("published_at")),
        **fields,
    )
    created = _parse(record.get("created_at"))
    if created is not None:
        Note.objects.filter(pk=note.pk).update(created_at=created)
    return True


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
