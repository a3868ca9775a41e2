"""The note pipeline, for every surface: prepare, preview, publish, undo, re-file, expire.

The order of things lives here and only here. The outside is reached through the two
ports of the operation (``notes.ports``): the display where the owner sees the note,
and the archive where filed notes go. Database work goes through the other services
of ``notes``; nothing here runs inside a transaction while a port is called.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation

from notes.links import links_pending
from notes.models import Note, NoteStatus, PendingConfirmation
from notes.ports import DeliveryError, View, ports
from notes.reminders.services import reminder_offer, reminders_cancel_for_note
from notes.search.indexing import note_search_index
from notes.search.selectors import note_earlier_copy
from notes.services.history import note_remove
from notes.services.intake import (
    note_part_count,
    note_schedule_enrichment,
    note_schedule_processing,
)
from notes.services.links import note_fetch_link_previews
from notes.services.pending import (
    BEFORE_CONFIRMATION,
    NoteActionRefused,
    note_await_confirmation,
    note_cancel,
    note_check_awaiting,
    note_choose_topic,
    note_file_automatically,
    note_return_to_pending,
    preview_message_record,
)
from notes.services.processing import (
    note_classify_safely,
    note_mark_status,
    note_needs_transcript,
    note_render_html,
    note_should_file_automatically,
    note_suggested_topic_name,
    note_topic_chosen_by_owner,
    note_transcribe_audio,
    note_transcription_tried,
)
from notes.services.publishing import (
    PublicationPlan,
    note_check_refile,
    note_check_undo,
    note_mark_published,
    note_publication_plan,
    note_publishing_progress,
    note_publishing_wait,
    note_refile_record,
    note_unfile,
)
from notes.services.recovery import note_failure_reported
from notes.services.transcription import note_can_be_transcribed
from secretary.metrics import stage_timed
from secretary.models import User
from secretary.services import user_mark_unreachable
from secretary.work import Deferred, record_after_effect
from topics.models import Topic
from topics.selectors import group_for_owner
from topics.services import group_mark_bot_removed, topic_create, topic_mark_gone

logger = logging.getLogger(__name__)

# A turn this close is waited for in the run; a later one lets the worker go meanwhile.
PACING_SLEEP_MAX = 1.0


def _load(note_id: int) -> Note | None:
    return (
        Note.objects.select_related("owner__preferences", "topic__group").filter(pk=note_id).first()
    )


def _language(note: Note) -> str:
    return note.owner.preferences.effective_language


def _shown_at(note: Note) -> int | None:
    pending = PendingConfirmation.objects.filter(note=note).first()
    return pending.preview_message_id if pending and pending.preview_message_id else None


def note_show(
    note: Note,
    view: View,
    *,
    problem: DeliveryError | None = None,
    link: str = "",
    resend: bool = False,
) -> None:
    """Show the owner ``view`` of the note where they see it, and remember where that is.

    An owner who blocked the bot is marked and not bothered: the note waits for them.
    """
    current = _shown_at(note)
    try:
        with translation.override(_language(note)):
            shown = ports().display.show(
                note, view, shown_at=current, problem=problem, link=link, resend=resend
            )
    except DeliveryError as error:
        if error.temporary:
            raise
        if error.reason == DeliveryError.OWNER_GONE:
            user_mark_unreachable(user=note.owner)
            return
        raise
    if shown is not None and shown != current:
        record_after_effect(
            lambda: preview_message_record(
                note_id=note.pk, chat_id=note.source_chat_id, message_id=shown
            )
        )


# -- preparing and previewing ------------------------------------------------------------


def note_prepare(*, note_id: int, parts: int = 0, resend: bool = False) -> None:
    """Transcribe (spoken notes) and read its links, classify, render; then preview it or
    file it at once.

    Transcription and link previews are slow, so they are handed to their own queues
    (``note_enrich``) and the note comes back here when they are done. Idempotent: a
    note that moved on is left alone, and an album part's run steps aside when more
    parts arrived after it was scheduled.
    """
    note = _load(note_id)
    if note is None or note.status not in (*BEFORE_CONFIRMATION, NoteStatus.AWAITING_CONFIRMATION):
        return
    if parts and note_part_count(note) > parts:
        return  # more parts came: the run scheduled for the last one prepares the note
    first_run = note.status in BEFORE_CONFIRMATION
    with translation.override(_language(note)):
        if first_run and _enrichment_handed_off(note):
            return
        if not first_run and links_pending(note.link_metadata):
            with stage_timed("fetch_links"):
                note_fetch_link_previews(note_id=note_id)  # an edit brought new links
        if not note_mark_status(note_id=note_id, status=NoteStatus.CLASSIFYING, again=True):
            return
        if first_run or not note_topic_chosen_by_owner(note):
            with stage_timed("classify"):
                note = note_classify_safely(note_id=note_id)
        if note is None:
            return
        with stage_timed("render"):
            note_render_html(note=note)
        note = _load(note_id)
        if note is None:
            return
        note_search_index(note=note)  # its words are final now: findable, and compared
        auto = first_run and note_should_file_automatically(note) and not note_earlier_copy(note)
        reminder_offer(note=note, auto_filed=auto)
        if auto and note_file_automatically(note_id=note_id):
            return
        waiting = note_await_confirmation(note_id=note_id)
        if waiting is not None:
            note_show(waiting, View.AWAITING, resend=resend)


class Enrichment:
    """The slow steps before classification, each on a queue of its own."""

    TRANSCRIPT = "transcript"
    LINKS = "links"


def note_enrichment_owed(note: Note) -> str | None:
    """What the note still needs before it is classified, if anything."""
    if note_needs_transcript(note) and not note_transcription_tried(note):
        part = note.files[0] if note.files else {}
        too_big = (part.get("file_size") or 0) > settings.TELEGRAM_DOWNLOAD_LIMIT
        if not too_big and "file_id" in part and note_can_be_transcribed(note=note):
            return Enrichment.TRANSCRIPT
    if links_pending(note.link_metadata):
        return Enrichment.LINKS
    return None


def _enrichment_handed_off(note: Note) -> bool:
    """Hand the note to the step it still needs; "🎙 Transcribing…" shows meanwhile."""
    step = note_enrichment_owed(note)
    if step is None:
        return False
    if not note_mark_status(note_id=note.pk, status=NoteStatus.ENRICHING):
        return True  # it moved on meanwhile
    if step == Enrichment.TRANSCRIPT:
        note_show(note, View.TRANSCRIBING)
    note_schedule_enrichment(note=note, step=step)
    return True


def note_enrich(*, note_id: int, step: str) -> None:
    """Do one slow step (in its own queue's worker), then hand the note back to be prepared.

    Without a speech provider, or for a file too big to download, nothing is
    downloaded: the preview that follows says why there is no transcript. A link
    that cannot be read keeps its bare URL: the note never waits on a website.
    """
    note = _load(note_id)
    if note is None or note.status != NoteStatus.ENRICHING:
        return  # done by an earlier run, or the note moved on
    if step == Enrichment.TRANSCRIPT and note_enrichment_owed(note) == step:
        with translation.override(_language(note)), stage_timed("transcribe"):
            _transcribe(note)
    elif step == Enrichment.LINKS:
        with stage_timed("fetch_links"):
            note_fetch_link_previews(note_id=note_id)
    note_schedule_processing(note=note)


def _transcribe(note: Note) -> None:
    part = note.files[0]
    try:
        audio = ports().archive.download(part)
    except DeliveryError as error:
        if error.temporary:
            raise
        Note.objects.filter(pk=note.pk).update(
            last_error=f"transcription: download failed: {error.detail or error.reason}"[:2000]
        )
        return
    filename = part.get("file_name") or f"{part['type']}.{_extension(part)}"
    note_transcribe_audio(
        note=note,
        audio=audio,
        filename=filename,
        mime_type=part.get("mime_type") or "audio/ogg",
    )


def _extension(part: dict[str, object]) -> str:
    return {"voice": "ogg", "video_note": "mp4"}.get(str(part.get("type")), "bin")


def note_refresh(*, note_id: int, resend: bool = False) -> None:
    """The note changed (another topic, new text): render again and show the preview."""
    note = _load(note_id)
    if note is None or note.status != NoteStatus.AWAITING_CONFIRMATION:
        return
    with translation.override(_language(note)):
        with stage_timed("render"):
            note_render_html(note=note)
        note = _load(note_id)
        if note is not None:
            note_show(note, View.AWAITING, resend=resend)


def note_create_topic(*, owner: User, note_id: int, name: str, resend: bool = False) -> Topic:
    """➕: create a topic in the owner's group (through the archive) and use it for the note.

    Raises NoteActionRefused, ValueError (a name the archive refuses) or TopicCreateFailed.
    """
    note = note_check_awaiting(owner=owner, note_id=note_id)
    group = group_for_owner(owner=note.owner)
    if group is None:
        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    topic = topic_create(group=group, name=name)
    note_choose_topic(owner=owner, note_id=note_id, topic_id=topic.pk, resend=resend)
    return topic


def note_create_suggested_topic(*, owner: User, note_id: int) -> Topic:
    """➕ «Suggested»: create the topic the AI suggested and use it for the note."""
    note = note_check_awaiting(owner=owner, note_id=note_id)
    name = note_suggested_topic_name(note)
    if not name:
        raise NoteActionRefused(NoteActionRefused.NO_TOPIC)
    return note_create_topic(owner=owner, note_id=note_id, name=name)


def note_dismiss(*, owner: User, note_id: int) -> Note:
    """❌: the note is not filed (it stays in history); its preview says so."""
    note_cancel(owner=owner, note_id=note_id)
    reminders_cancel_for_note(note_id=note_id)
    note = _load(note_id)
    assert note is not None
    note_show(note, View.CANCELLED)
    return note


# -- publishing --------------------------------------------------------------------------


def note_publish(*, note_id: int) -> None:
    """Post the confirmed note into its topic; then the owner sees where it went.

    Each message is recorded the moment the archive accepts it: a run that dies
    midway resumes after what is recorded. A temporary failure is raised for the
    task to wait out; a deleted topic, a removed bot or a refusal sends the note
    back to pending and tells the owner why.
    """
    plan = note_publication_plan(note_id=note_id)
    if plan is None:
        return
    _wait_for_turn(plan)

    def progress(sent: list[int]) -> None:
        record_after_effect(lambda: note_publishing_progress(note_id=note_id, message_ids=sent))

    try:
        with stage_timed("publish"):
            publication = ports().archive.post(plan, progress)
    except DeliveryError as error:
        if error.temporary:
            raise  # the task waits it out
        _publish_failed(note_id, error)
        return
    published = note_mark_published(
        note_id=note_id, chat_id=plan.chat_id, message_ids=publication.message_ids
    )
    if published is not None:
        _report(note_id, View.FILED, link=publication.link)


def _wait_for_turn(plan: PublicationPlan) -> None:
    """Keep to the archive's pace (Telegram: 20 messages a minute per group): a note whose
    turn is later waits for it, its preview saying "filing…"; ``Deferred`` has the task
    come back then. A moment's wait is simply waited."""
    if plan.publish_after is not None:
        left = (plan.publish_after - timezone.now()).total_seconds()
        if left > 0:
            raise Deferred("waiting for its turn in the group", retry_after=left)
        return
    wait = ports().archive.pace(plan)
    if wait <= PACING_SLEEP_MAX:
        time.sleep(wait)
        return
    note_publishing_wait(note_id=plan.note_id, seconds=wait)
    _report(plan.note_id, View.FILING)
    raise Deferred("waiting for its turn in the group", retry_after=wait)


def _publish_failed(note_id: int, error: DeliveryError) -> None:
    note = _load(note_id)
    if note is None or note.topic is None:
        return
    if error.reason == DeliveryError.TOPIC_GONE:
        topic_mark_gone(topic_id=note.topic.pk)
    elif error.reason == DeliveryError.ARCHIVE_GONE:
        group_mark_bot_removed(chat_id=note.topic.group.chat_id)
    else:
        logger.warning("The archive refused note %s: %s", note_id, error)
    note_publish_gave_up(note_id=note_id, problem=error)


def note_publish_gave_up(*, note_id: int, problem: DeliveryError) -> None:
    """Publishing cannot finish: the note waits for the owner again, who is told why."""
    if note_return_to_pending(note_id=note_id, error=str(problem)) is None:
        return
    _report(note_id, View.AWAITING, problem=problem)


def _report(
    note_id: int, view: View, *, link: str = "", problem: DeliveryError | None = None
) -> None:
    note = _load(note_id)
    if note is None or note.owner.has_blocked_bot:
        return
    note_show(note, view, link=link, problem=problem)


def note_undo(*, owner: User, note_id: int) -> Note:
    """↩️: take the note's messages back from the archive; the note waits for a choice again."""
    note = note_check_undo(owner=owner, note_id=note_id)
    if note.published_chat_id is not None:
        ports().archive.delete(
            chat_id=note.published_chat_id,
            message_ids=[int(message_id) for message_id in note.published_message_ids],
        )
    note_unfile(owner=owner, note_id=note_id)
    refreshed = _load(note_id) or note
    note_show(refreshed, View.AWAITING)
    return refreshed


def note_refile(*, owner: User, note_id: int, topic_id: int) -> Note:
    """File a note from history (filed, expired or cancelled) into another topic.

    A filed note's messages are taken back from the archive first; then it is
    published into ``topic_id`` and the owner sees where it went, as for any filing.
    """
    note, _topic = note_check_refile(owner=owner, note_id=note_id, topic_id=topic_id)
    if note.status == NoteStatus.PUBLISHED and note.published_chat_id is not None:
        ports().archive.delete(
            chat_id=note.published_chat_id,
            message_ids=[int(message_id) for message_id in note.published_message_ids],
        )
    return note_refile_record(owner=owner, note_id=note_id, topic_id=topic_id)


def note_delete(*, owner: User, note_id: int) -> None:
    """🗑 from history. What was filed stays in the group (the archive is the owner's);
    the note's message in the chat loses its buttons. A busy note is refused."""
    shown_at = None
    pending = PendingConfirmation.objects.filter(note_id=note_id, note__owner=owner).first()
    if pending is not None:
        shown_at = pending.preview_message_id
    note = note_remove(owner=owner, note_id=note_id)
    if shown_at is None or note.owner.has_blocked_bot:
        return
    try:
        with translation.override(_language(note)):
            ports().display.show(note, View.DELETED, shown_at=shown_at, only_edit=True)
    except DeliveryError as error:
        logger.info("The message of deleted note %s was not changed: %s", note_id, error)


# -- failure and expiry ------------------------------------------------------------------


def note_show_failed(*, note_id: int) -> None:
    """Tell the owner, once, that the note could not be finished; 🔁 tries again."""
    note = _load(note_id)
    if note is None or note.status != NoteStatus.FAILED or note.failure_reported_at:
        return
    if not note.owner.has_blocked_bot:
        note_show(note, View.FAILED)
    note_failure_reported(note_id=note_id)


def notes_show_expired(*, note_ids: Iterable[int]) -> int:
    """The previews of expired notes say so (a preview the owner deleted stays deleted).

    Returns how many were shown. A preview that cannot be edited is skipped.
    """
    notes = (
        Note.objects.filter(pk__in=list(note_ids), status=NoteStatus.EXPIRED)
        .exclude(pending__preview_message_id=None)
        .select_related("owner__preferences", "topic__group", "pending")
    )
    display = ports().display
    shown = 0
    for note in notes:
        if note.owner.has_blocked_bot:
            continue
        try:
            with translation.override(_language(note)):
                display.show(
                    note, View.EXPIRED, shown_at=note.pending.preview_message_id, only_edit=True
                )
        except DeliveryError as error:
            logger.info("Preview of note %s not marked expired: %s", note.pk, error)
            continue
        shown += 1
    return shown
