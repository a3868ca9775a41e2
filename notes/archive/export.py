"""Exporting an owner's notes: a Markdown vault (zip) or a JSON document.

Notes are read in chunks and written straight into the file, so an export of any size
needs the memory of one chunk. An export asked for while one runs joins it.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notes.archive.jsonformat import write_json_export
from notes.archive.markdown import note_markdown
from notes.archive.models import ExportFormat, ExportJob
from notes.archive.names import NameBook, safe_name
from notes.models import Note
from secretary.models import User
from topics.models import Topic

logger = logging.getLogger(__name__)

CHUNK = 500
# A running export nobody finished within this long (its worker died) no longer blocks one.
STALE_AFTER = timedelta(hours=2)
LINK_SALT = "notes.archive.download"

Progress = Callable[[int, int], None]
Download = Callable[[dict[str, Any]], bytes]


def owner_notes(owner: User) -> QuerySet[Note]:
    return Note.objects.filter(owner=owner).select_related("topic").order_by("created_at", "id")


def owner_topics(owner: User) -> QuerySet[Topic]:
    return Topic.objects.filter(group__owner=owner).select_related("group").order_by("id")


def _chunked(owner: User, total: int, progress: Progress | None) -> Iterator[Note]:
    done = 0
    for note in owner_notes(owner).iterator(chunk_size=CHUNK):
        yield note
        done += 1
        if progress is not None and done % CHUNK == 0:
            progress(done, total)
    if progress is not None:
        progress(done, total)


def notes_export(
    *,
    owner: User,
    format: str,
    out: IO[bytes],
    download: Download | None = None,
    progress: Progress | None = None,
) -> int:
    """Write every note of ``owner`` to ``out``; the number of notes written.

    With ``download`` (the archive port's) a Markdown vault also holds the files the
    bot may read (at most TELEGRAM_DOWNLOAD_LIMIT each); others stay referenced by link.
    """
    total = Note.objects.filter(owner=owner).count()
    notes = _chunked(owner, total, progress)
    language = getattr(getattr(owner, "preferences", None), "effective_language", owner.language)
    with translation.override(language):
        if format == ExportFormat.JSON:
            text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
            try:
                return write_json_export(text, owner=owner, topics=owner_topics(owner), notes=notes)
            finally:
                text.detach()  # ``out`` stays open: it is the caller's
        if format == ExportFormat.MARKDOWN:
            return _write_vault(out, notes, download)
    raise ValueError(f"unknown export format {format!r}")


def _write_vault(out: IO[bytes], notes: Iterator[Note], download: Download | None) -> int:
    folders, files = NameBook(), {}
    folder_of: dict[int | None, str] = {}
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as vault:
        for note in notes:
            if note.topic_id not in folder_of:
                name = note.topic.name if note.topic is not None else _("Unfiled")
                folder_of[note.topic_id] = folders.claim(safe_name(name, fallback=_("Topic")))
                files[note.topic_id] = NameBook()
            folder = folder_of[note.topic_id]
            title = note.title or (note.content.strip().splitlines() or [""])[0]
            stem = files[note.topic_id].claim(safe_name(title, fallback=_("Note %d") % note.pk))
            media = _save_media(vault, folder, stem, note, download) if download else []
            with vault.open(f"{folder}/{stem}.md", "w") as entry:
                entry.write(note_markdown(note, media=media).encode())
            count += 1
    return count


def _save_media(
    vault: zipfile.ZipFile, folder: str, stem: str, note: Note, download: Download
) -> list[tuple[str, str]]:
    saved = []
    for index, part in enumerate(note.files or [], start=1):
        size = int(part.get("file_size") or 0)
        if size > settings.TELEGRAM_DOWNLOAD_LIMIT:
            continue  # the Bot API will not hand it over: the link stays
        try:
            content = download(part)
        except Exception as error:  # a file Telegram no longer has: the note is still exported
            logger.info("File of note %s not exported: %s", note.pk, type(error).__name__)
            continue
        extension = _extension(part)
        name = f"{stem} {index}{extension}" if len(note.files) > 1 else f"{stem}{extension}"
        vault.writestr(f"{folder}/media/{name}", content)
        saved.append((str(part.get("file_name") or part.get("type") or name), f"media/{name}"))
    return saved


_EXTENSIONS = {"photo": ".jpg", "voice": ".ogg", "video": ".mp4", "video_note": ".mp4"}


def _extension(part: dict[str, Any]) -> str:
    original = Path(str(part.get("file_name") or "")).suffix
    if original and len(original) <= 10 and original[1:].isalnum():
        return original.lower()
    return _EXTENSIONS.get(str(part.get("type")), ".bin")


# -- the jobs behind /export ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportStart:
    job: ExportJob
    started: bool  # False: one was already running, and this is it


def export_job_start(
    *, owner: User, format: str, with_media: bool = False, chat_id: int | None = None
) -> ExportStart:
    """Start an export, or join the one already running for this owner."""
    if format not in ExportFormat.values:
        raise ValueError(f"unknown export format {format!r}")
    ExportJob.objects.filter(
        owner=owner, status=ExportJob.Status.RUNNING, created_at__lt=timezone.now() - STALE_AFTER
    ).update(status=ExportJob.Status.FAILED, error="abandoned", finished_at=timezone.now())
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                owner=owner, format=format, with_media=with_media, chat_id=chat_id
            )
    except IntegrityError:
        running = ExportJob.objects.get(owner=owner, status=ExportJob.Status.RUNNING)
        return ExportStart(running, started=False)
    return ExportStart(job, started=True)


def export_job_note_progress(*, job_id: int, message_id: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress_message_id=message_id)


def export_path(job: ExportJob) -> Path:
    extension = ".zip" if job.format == ExportFormat.MARKDOWN else ".json"
    return Path(settings.EXPORT_ROOT) / str(job.owner_id) / f"export-{job.pk}{extension}"


def export_download_name(job: ExportJob) -> str:
    """The name the owner's file gets."""
    day = (job.finished_at or job.created_at).date().isoformat()
    extension = ".zip" if job.format == ExportFormat.MARKDOWN else ".json"
    return f"secretary-notes-{day}{extension}"


def export_job_run(
    *, job_id: int, download: Download | None = None, progress: Progress | None = None
) -> ExportJob | None:
    """Write the export of a running job to its file. A job already finished (or gone) is
    returned as it is: a second run writes nothing."""
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.RUNNING:
        return job
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")

    def counted(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(notes_done=done, notes_total=total)
        if progress is not None:
            progress(done, total)

    try:
        with partial.open("wb") as out:
            count = notes_export(
                owner=job.owner,
                format=job.format,
                out=out,
                download=download if job.with_media else None,
                progress=counted,
            )
        partial.replace(path)
    except Exception as error:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    job.file_name, job.size, job.notes_done = path.name, path.stat().st_size, count
    job.save(update_fields=["status", "finished_at", "file_name", "size", "notes_done"])
    _forget_older_files(job)
    return job


def _forget_older_files(job: ExportJob) -> None:
    """One export file per owner is kept on disk: the newest."""
    for older in ExportJob.objects.filter(owner=job.owner, status=ExportJob.Status.DONE).exclude(
        pk=job.pk
    ):
        export_path(older).unlink(missing_ok=True)
    ExportJob.objects.filter(owner=job.owner).exclude(pk=job.pk).exclude(
        status=ExportJob.Status.RUNNING
    ).update(file_name="", size=0)


def export_fits_document(job: ExportJob) -> bool:
    return job.size <= settings.EXPORT_DOCUMENT_LIMIT


# -- the signed link -------------------------------------------------------------------------


class ExportLinkInvalid(Exception):
    """The link was not made by us, or not for this file."""


class ExportLinkExpired(ExportLinkInvalid):
    pass


def export_link_token(job: ExportJob) -> str:
    return signing.dumps({"j": job.pk, "o": job.owner_id}, salt=LINK_SALT, compress=True)


def export_link_url(job: ExportJob) -> str:
    """The signed, expiring download URL of a finished export (empty without PUBLIC_URL)."""
    if not settings.PUBLIC_URL:
        return ""
    return f"{settings.PUBLIC_URL.rstrip('/')}/archive/download/{export_link_token(job)}/"


def export_job_for_token(token: str) -> ExportJob:
    """The finished export a link points to; only for the owner it was made for."""
    try:
        claims = signing.loads(token, salt=LINK_SALT, max_age=settings.EXPORT_LINK_TTL)
    except signing.SignatureExpired:
        raise ExportLinkExpired(token) from None
    except signing.BadSignature:
        raise ExportLinkInvalid(token) from None
    if not isinstance(claims, dict) or not all(isinstance(claims.get(k), int) for k in "jo"):
        raise ExportLinkInvalid(token)
    job = ExportJob.objects.filter(
        pk=claims["j"], owner_id=claims["o"], status=ExportJob.Status.DONE
    ).first()
    if job is None or not job.file_name or not export_path(job).exists():
        raise ExportLinkInvalid(token)
    return job
