"""A recording longer (or bigger) than every speech provider of the owner takes is not sent
to them: the preview says so plainly, with its length, and the note is filed as a recording."""

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.fakes.gemini import API_KEY as GEMINI_KEY
from tests.fakes.gemini import FakeGemini
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, update

MB = 1024 * 1024
TOO_LONG = "🎙 Запись слишком длинная для расшифровки (42 мин). Её всё равно можно сохранить."


def voice(*, minutes: int, size: int, update_id: int = 931_001) -> dict:
    payload = update("private_voice", update_id=update_id)
    payload["message"]["voice"]["duration"] = minutes * 60
    payload["message"]["voice"]["file_size"] = size
    return payload


def last_private(telegram) -> str:
    shown = telegram.calls("sendMessage", "editMessageText")
    return [c for c in shown if c["chat_id"] == ALICE_CHAT][-1]["text"]


def use(archive, chain: str) -> None:
    archive[0].owner.preferences.ai_providers = chain
    archive[0].owner.preferences.save()


@pytest.fixture
def openai(settings, monkeypatch):
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        settings.OPENAI_API_KEY = OPENAI_KEY
        settings.OPENAI_STT_MODEL = "gpt-4o-mini-transcribe"
        yield server


@pytest.fixture
def gemini(settings, monkeypatch):
    with FakeGemini() as server:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.base_url)
        settings.GEMINI_API_KEY = GEMINI_KEY
        yield server


@pytest.mark.django_db
def test_a_42_minute_voice_is_not_sent_to_openai_and_is_filed_as_a_recording(
    telegram, deliver, archive, openai
):
    use(archive, "openai,local")

    deliver(voice(minutes=42, size=5 * MB))  # gpt-4o-mini-transcribe takes 1,400 s at most

    assert TOO_LONG in last_private(telegram)
    assert "Не получилось расшифровать" not in last_private(telegram)
    assert not openai.requests_to("/audio/transcriptions")
    assert "getFile" not in telegram.methods()  # nothing downloaded for nothing
    note = Note.objects.get()
    pending = PendingConfirmation.objects.get(note=note)
    books = archive[1]["books"]
    deliver(press(f"nt:{note.pk}:{books.pk}", message_id=pending.preview_message_id))
    deliver(press(f"note:{note.pk}:confirm", message_id=pending.preview_message_id))

    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    assert note.transcript == ""
    [copy] = telegram.calls("copyMessage")  # the recording itself, into the topic
    assert (copy["chat_id"], copy["message_thread_id"]) == (GROUP_CHAT, books.thread_id)


@pytest.mark.django_db
def test_a_voice_over_openai_upload_limit_is_too_long_for_it_even_when_short(
    telegram, deliver, archive, openai, settings
):
    settings.OPENAI_STT_MODEL = "whisper-1"  # no length limit, but 25 MB per upload
    settings.TELEGRAM_DOWNLOAD_LIMIT = 2000 * MB  # a local Bot API server reads it
    use(archive, "openai,local")

    deliver(voice(minutes=42, size=26 * MB))

    assert TOO_LONG in last_private(telegram)
    assert not openai.requests_to("/audio/transcriptions")


@pytest.mark.django_db
def test_the_english_owner_is_told_in_english(telegram, deliver, archive, openai):
    use(archive, "openai,local")
    archive[0].owner.preferences.language = "en"
    archive[0].owner.preferences.save()

    deliver(voice(minutes=42, size=5 * MB))

    assert "🎙 The recording is too long to transcribe (42 min). You can still file it." in (
        last_private(telegram)
    )


@pytest.mark.django_db
def test_whisper_takes_the_42_minutes_that_gpt_4o_refuses(
    telegram, deliver, archive, openai, settings
):
    settings.OPENAI_STT_MODEL = "whisper-1"
    use(archive, "openai,local")
    telegram.add_file("AwACAgIAAxkBAAIBHmdvoiceFILEID", b"OggS-long-voice")

    deliver(voice(minutes=42, size=5 * MB))

    assert len(openai.requests_to("/audio/transcriptions")) == 1
    assert Note.objects.get().transcript
    assert "слишком длинная" not in last_private(telegram)


@pytest.mark.django_db
def test_gemini_takes_what_openai_refuses_and_refuses_what_it_cannot_take_inline(
    telegram, deliver, archive, openai, gemini
):
    use(archive, "openai,gemini,local")
    telegram.add_file("AwACAgIAAxkBAAIBHmdvoiceFILEID", b"OggS-long-voice")

    deliver(voice(minutes=42, size=5 * MB))  # too long for gpt-4o-mini-transcribe only

    assert not openai.requests_to("/audio/transcriptions")
    assert gemini.requests_to("generateContent")
    assert Note.objects.get().transcript
    Note.objects.all().delete()
    gemini.reset()

    # Its base64 is over the 20 MB Gemini takes inline.
    deliver(voice(minutes=42, size=16 * MB, update_id=931_002))

    assert TOO_LONG in last_private(telegram)
    assert not gemini.requests_to("generateContent")
