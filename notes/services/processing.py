"""The slow middle of the pipeline: transcription, classification and rendering.

Called from the worker (``notes.tasks``), never from a request or a handler.
The AI layer (``notes.services.classification`` / ``transcription``) does the
thinking; this module moves the note through its statuses around it and makes
sure a failure leaves the note usable: without a topic the owner picks one,
without a rendering the owner's own words are filed.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from notes.lifecycle import notes_move
from notes.models import Note, NoteKind, NoteStatus
from notes.services.pending import BEFORE_CONFIRMATION
from notes.telegram_html import entities_to_html, quote
from secretary.models import ConfirmMode

logger = logging.getLogger(__name__)

SPOKEN_KINDS = (NoteKind.VOICE, NoteKind.AUDIO, NoteKind.VIDEO_NOTE)
# How a failed transcription's error starts (``note.last_error``).
TRANSCRIPTION_ERROR = "transcription"


class TranscriptOutcome(StrEnum):
    """Why a spoken note has no transcript (shown in its preview)."""

    DONE = "done"
    UNAVAILABLE = "unavailable"  # no speech-to-text provider configured
    FAILED = "failed"
    TOO_BIG = "too_big"
    TOO_LONG = "too_long"  # longer (or bigger) than every speech provider of the owner takes


def note_needs_transcript(note: Note) -> bool:
    return note.kind in SPOKEN_KINDS and not note.transcript and not note.text


def note_transcription_tried(note: Note) -> bool:
    """Transcription failed once already (its error is kept): the note goes on without."""
    return note.last_error.startswith(TRANSCRIPTION_ERROR)


def note_mark_status(*, note_id: int, status: str, again: bool = False) -> bool:
    """Move a note that is still being prepared to ``status``; False if it moved on.

    ``again``: a note already waiting for confirmation is prepared anew (its
    original was edited); while that runs its buttons answer "a moment please".
    """
    allowed = [*BEFORE_CONFIRMATION, *([NoteStatus.AWAITING_CONFIRMATION] if again else [])]
    return bool(notes_move(Note.objects.filter(pk=note_id, status__in=allowed), status))


def note_transcribe_audio(*, note: Note, audio: bytes, filename: str, mime_type: str) -> str:
    """Transcribe the spoken note; the outcome is what its preview says."""
    from notes.services.transcription import (
        TranscriptionFailed,
        TranscriptionUnavailable,
        note_transcribe,
    )

    try:
        note_transcribe(note=note, audio=audio, filename=filename, mime_type=mime_type)
    except TranscriptionUnavailable:
        return TranscriptOutcome.UNAVAILABLE
    except TranscriptionFailed as error:
        Note.objects.filter(pk=note.pk).update(last_error=f"{TRANSCRIPTION_ERROR}: {error}"[:2000])
        return TranscriptOutcome.FAILED
    return TranscriptOutcome.DONE


# What classification reads and writes. It saves the note it is given as a whole, while
# the note may change meanwhile (another part of an album arrives, the status moves):
# a note loaded with only these fields saves only these fields, and nothing else is lost.
CLASSIFICATION_FIELDS = (
    "owner",
    "kind",
    "text",
    "transcript",
    "link_metadata",
    "forward_origin",
    "topic",
    "ai_provider",
    "confidence",
    "reason",
    "alternatives",
    "classification",
    "title",
    "tags",
    "last_error",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "updated_at",
)


def note_classify_safely(*, note_id: int) -> Note | None:
    """Suggest a topic. Providers failing is the AI layer's business; a crash here
    must not strand the note, so it is logged and the owner picks the topic."""
    from notes.services.classification import note_classify

    note = Note.objects.only(*CLASSIFICATION_FIELDS).filter(pk=note_id).first()
    if note is None:
        return None
    try:
        note_classify(note=note)
    except Exception as error:
        logger.exception("Classification of note %s crashed", note_id)
        Note.objects.filter(pk=note_id).update(last_error=f"classification: {error}"[:2000])
    return Note.objects.select_related("owner__preferences", "topic__group").get(pk=note_id)


def note_render_html(*, note: Note) -> str:
    """The note as it will look in its topic (Telegram HTML), saved on the note.

    Without a topic, or if rendering fails, the owner's own words with their
    formatting are used: a note is never blocked by its rendering.
    """
    from notes.services.classification import note_render

    if note.topic is not None:
        try:
            return note_render(note=note, topic=note.topic).html
        except Exception:
            logger.exception("Rendering note %s for topic %s failed", note.pk, note.topic_id)
    markup = note_plain_html(note)
    Note.objects.filter(pk=note.pk).update(rendered_text=markup)
    note.rendered_text = markup
    return markup


def note_plain_html(note: Note) -> str:
    """The owner's own words with their formatting: what is shown and filed without a
    rendering."""
    if note.text:
        return entities_to_html(note.text, note.entities)
    return quote(note.transcript)


def note_should_file_automatically(note: Note) -> bool:
    """The owner's preferences say to file this one without asking."""
    if note.topic is None or not note.topic.is_selectable:
        return False
    preferences = note.owner.preferences
    if preferences.confirm_mode == ConfirmMode.NEVER_ASK:
        return True
    return (
        preferences.confirm_mode == ConfirmMode.AUTO_ABOVE_THRESHOLD
        and note.confidence is not None
        and note.confidence >= preferences.auto_file_threshold
    )


def note_suggested_topic_name(note: Note) -> str:
    """The new topic the AI suggested for a note it found no topic for ("" if none)."""
    if note.topic is not None:
        return ""
    return str((note.classification or {}).get("suggested_topic_name") or "").strip()[:128]


def note_format_notice(note: Note) -> str:
    """What the owner is told on the note whose rendering found its topic's format
    unusable (it fell back to the default): plain text, "" on every other note."""
    from notes.services.classification import FORMAT_REFUSAL
    from topics.formats import format_fallback_notice

    reason = str((note.classification or {}).get(FORMAT_REFUSAL) or "")
    if not reason or note.topic is None:
        return ""
    return format_fallback_notice(topic=note.topic.name, reason=reason)


def note_topic_chosen_by_owner(note: Note) -> bool:
    """The note's topic is the owner's choice (📂, ➕), not the AI's suggestion."""
    return bool((note.classification or {}).get("chosen_by_owner"))
