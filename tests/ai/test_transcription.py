"""note_transcribe: speech to text through the chain's capable providers."""

from decimal import Decimal

import pytest

from notes.services.transcription import (
    TranscriptionFailed,
    TranscriptionUnavailable,
    note_transcribe,
)
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db

OGG = b"OggS\x00\x02fake-opus-voice"


def voice(alice):
    return NoteFactory(owner=alice, kind="voice", text="", files=[{"duration": 4}])


def test_openai_transcribes_a_voice_note_and_the_transcript_is_stored(
    alice, fake_openai, settings, chain
):
    chain("openai", "local")
    settings.OPENAI_STT_MODEL = "gpt-4o-mini-transcribe"
    note = voice(alice)

    text = note_transcribe(note=note, audio=OGG, filename="voice.ogg", mime_type="audio/ogg")

    assert text == "купить молоко и хлеб"
    note.refresh_from_db()
    assert note.transcript == text
    [request] = fake_openai.requests_to("/audio/transcriptions")
    assert request.form["model"] == "gpt-4o-mini-transcribe"
    assert request.form["file"].startswith("OggS")
    assert 'filename="voice.ogg"' in request.body.decode(errors="replace")


def test_gemini_takes_over_when_openai_fails(alice, fake_openai, fake_gemini, chain):
    chain("openai", "gemini")
    fake_openai.server_error_next(times=3)
    note = voice(alice)

    text = note_transcribe(note=note, audio=OGG, filename="voice.ogg", mime_type="audio/ogg")

    assert text == "позвонить маме вечером"
    [request] = fake_gemini.requests
    parts = request.json["contents"][0]["parts"]
    assert parts[0]["inlineData"]["data"] == "T2dnUwACZmFrZS1vcHVzLXZvaWNl"
    note.refresh_from_db()
    assert (note.input_tokens, note.output_tokens) == (900, 60)
    assert note.cost_usd == Decimal("0.000420")


def test_without_a_speech_provider_transcription_is_unavailable(alice, chain):
    chain("local")
    note = voice(alice)

    with pytest.raises(TranscriptionUnavailable):
        note_transcribe(note=note, audio=OGG, filename="voice.ogg", mime_type="audio/ogg")

    note.refresh_from_db()
    assert note.transcript == ""


def test_when_every_provider_fails_the_error_says_why(alice, fake_openai, fake_gemini, chain):
    chain("openai", "gemini")
    fake_openai.fail_next(400, {"error": {"message": "Audio file is too short", "type": "x"}})
    fake_gemini.answer_next('{"text": "", "language": "ru"}')
    note = voice(alice)

    with pytest.raises(TranscriptionFailed) as error:
        note_transcribe(note=note, audio=OGG, filename="voice.ogg", mime_type="audio/ogg")

    assert error.value.failures == {
        "openai": "ProviderError: HTTP 400: Audio file is too short",
        "gemini": "InvalidAnswer: empty transcription",
    }
    note.refresh_from_db()
    assert note.transcript == ""


def test_transcribe_voice_reports_text_language_and_duration(fake_openai, fake_gemini):
    from notes.ai import AudioInput, transcribe_voice

    by_openai = transcribe_voice(AudioInput(data=OGG, providers=("openai",)))
    by_gemini = transcribe_voice(AudioInput(data=OGG, duration=3.0, providers=("gemini",)))

    assert (by_openai.text, by_openai.duration, by_openai.provider) == (
        "купить молоко и хлеб",
        4.2,
        "openai",
    )
    assert (by_gemini.language, by_gemini.duration) == ("ru", 3.0)
