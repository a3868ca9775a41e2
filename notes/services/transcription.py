"""Speech to text for voice, audio and video notes, through the owner's provider chain."""

from __future__ import annotations

from decimal import Decimal

from notes.ai import AudioInput, transcribe_voice
from notes.ai.chain import speech_providers
from notes.ai.errors import TranscriptionFailed, TranscriptionUnavailable
from notes.ai.providers.base import Provider
from notes.models import Note
from secretary.services import preferences_for

__all__ = [
    "TranscriptionFailed",
    "TranscriptionUnavailable",
    "note_audio_seconds",
    "note_can_be_transcribed",
    "note_too_long_to_transcribe",
    "note_transcribe",
]


def note_can_be_transcribed(*, note: Note) -> bool:
    """Whether the owner's chain has a speech-to-text provider with a key that takes a
    recording this long and this big: ask before downloading the audio, which is wasted
    otherwise."""
    return any(_takers(note))


def note_too_long_to_transcribe(note: Note) -> bool:
    """The owner has a speech provider, but none takes a recording this long (or big)."""
    providers = _speakers(note)
    return bool(providers) and not any(_takers(note, providers))


def note_audio_seconds(note: Note) -> float | None:
    """How long the recording is, as Telegram told."""
    return _duration(note)


def _speakers(note: Note) -> list[Provider]:
    return speech_providers(tuple(preferences_for(user=note.owner).provider_chain))


def _takers(note: Note, providers: list[Provider] | None = None) -> list[Provider]:
    seconds = _duration(note)
    sizes = [f["file_size"] for f in note.files or [] if isinstance(f, dict) and f.get("file_size")]
    size = int(max(sizes)) if sizes else None
    candidates = _speakers(note) if providers is None else providers
    return [p for p in candidates if p.takes_audio(seconds=seconds, size=size)]


def note_transcribe(*, note: Note, audio: bytes, filename: str, mime_type: str) -> str:
    """Transcribe ``audio`` with the chain's STT-capable providers; store and return the text.

    OpenAI uses ``OPENAI_STT_MODEL``; Gemini takes the audio as input. Raises
    ``TranscriptionUnavailable`` when no such provider has a key in the owner's
    chain, ``TranscriptionFailed`` (saying why) when all of them failed; the
    note is left as it was in both cases. Token usage and cost add to the note's.
    """
    preferences = preferences_for(user=note.owner)
    transcript = transcribe_voice(
        AudioInput(
            data=audio,
            filename=filename,
            mime_type=mime_type,
            language=preferences.effective_language,
            duration=_duration(note),
            providers=tuple(preferences.provider_chain),
        )
    )
    note.transcript = transcript.text
    note.input_tokens += transcript.usage.input_tokens
    note.output_tokens += transcript.usage.output_tokens
    note.cost_usd = Decimal(note.cost_usd) + transcript.cost_usd
    note.save(
        update_fields=["transcript", "input_tokens", "output_tokens", "cost_usd", "updated_at"]
    )
    return transcript.text


def _duration(note: Note) -> float | None:
    """Telegram tells a voice's duration; the note's file metadata may carry it."""
    for file in note.files or []:
        if isinstance(file, dict) and isinstance(file.get("duration"), int | float):
            return float(file["duration"])
    return None
