"""The AI layer: one interface over the providers ``openai``, ``gemini`` and ``local``.

Pure: it takes plain data (``NoteContext``, ``RenderContext``, ``AudioInput``)
and returns plain data; the services in ``notes.services`` load notes and
store the outcome. SDKs are imported only when a provider is actually called.
"""

from notes.ai.chain import classify_note, preview_note, render_note, transcribe_voice
from notes.ai.types import (
    Alternative,
    AudioInput,
    ClassificationResult,
    Example,
    LinkInfo,
    NoteContext,
    RenderContext,
    RenderedNote,
    TopicInfo,
    Transcript,
    Usage,
)

__all__ = [
    "Alternative",
    "AudioInput",
    "ClassificationResult",
    "Example",
    "LinkInfo",
    "NoteContext",
    "RenderContext",
    "RenderedNote",
    "TopicInfo",
    "Transcript",
    "Usage",
    "classify_note",
    "preview_note",
    "render_note",
    "transcribe_voice",
]
