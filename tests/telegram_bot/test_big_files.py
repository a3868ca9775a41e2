"""Files over the public Bot API's 20 MB download limit are filed all the same, by file_id."""

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    GROUP_CHAT,
    bot_env,
    post_update,
    press,
    update,
)
from tests.worker import killable_worker, wait_for

MB = 1024 * 1024


def big_document() -> dict:
    payload = update("private_document", update_id=930_001)
    payload["message"]["document"]["file_size"] = 25 * MB
    return payload


def big_voice() -> dict:
    payload = update("private_voice", update_id=930_002)
    payload["message"]["voice"]["file_size"] = 30 * MB
    payload["message"]["voice"]["duration"] = 3600
    return payload


def last_private(telegram) -> dict:
    shown = telegram.calls("sendMessage", "editMessageText")
    return [c for c in shown if c["chat_id"] == ALICE_CHAT][-1]


def confirm(send, note: Note) -> None:
    pending = PendingConfirmation.objects.get(note=note)
    send(press(f"note:{note.pk}:confirm", message_id=pending.preview_message_id))


@pytest.fixture
def speech(settings, monkeypatch, archive):
    """OpenAI can transcribe: only the size keeps the voice from it."""
    with FakeOpenAI() as openai:
        monkeypatch.setenv("OPENAI_BASE_URL", openai.base_url)
        settings.OPENAI_API_KEY = OPENAI_KEY
        archive[0].owner.preferences.ai_providers = "openai,local"
        archive[0].owner.preferences.save()
        yield openai


@pytest.mark.django_db
def test_a_25_mb_document_and_a_30_mb_voice_are_filed_without_get_file(
    telegram, deliver, archive, speech
):
    deliver(big_document())
    confirm(deliver, Note.objects.get(kind="document"))
    deliver(big_voice())
    voice = Note.objects.get(kind="voice")

    preview = last_private(telegram)["text"]
    assert "🎙 Файл слишком большой для расшифровки (больше 20,0\xa0МБ)" in preview
    assert "📦 Размер файла — 30,0\xa0МБ, а бот может прочитать файлы до 20,0\xa0МБ." in preview
    assert not speech.requests_to("/audio/transcriptions")
    confirm(deliver, voice)

    assert "getFile" not in telegram.methods()
    copies = telegram.calls("copyMessage")
    assert [(c["chat_id"], c["message_id"]) for c in copies] == [(GROUP_CHAT, 9), (GROUP_CHAT, 4)]
    assert set(Note.objects.values_list("status", flat=True)) == {NoteStatus.PUBLISHED}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_big_files_are_filed_by_the_worker_without_get_file(telegram, archive, client):
    with killable_worker(bot_env(telegram)):
        post_update(client, big_document())
        post_update(client, big_voice())
        wait_for(lambda: PendingConfirmation.objects.filter(preview_message_id__gt=0).count() == 2)
        wait_for(lambda: Note.objects.filter(status=NoteStatus.AWAITING_CONFIRMATION).count() == 2)
        wait_for(lambda: "📦 Размер файла — 30,0\xa0МБ" in last_private(telegram)["text"], 30)
        books = archive[1]["books"]
        for note in Note.objects.all():  # the local classifier finds no topic for them
            preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
            post_update(client, press(f"nt:{note.pk}:{books.pk}", message_id=preview_id))
        wait_for(lambda: Note.objects.filter(topic=books).count() == 2)
        for note in Note.objects.all():
            confirm(lambda payload: post_update(client, payload), note)
        wait_for(lambda: Note.objects.filter(status=NoteStatus.PUBLISHED).count() == 2, 60)
    assert "getFile" not in telegram.methods()
    assert sorted(c["message_id"] for c in telegram.calls("copyMessage")) == [4, 9]


@pytest.mark.django_db
def test_with_a_local_bot_api_server_a_24_mb_voice_is_read_from_its_path_and_transcribed(
    telegram, deliver, archive, speech, settings, tmp_path
):
    settings.TELEGRAM_LOCAL_API = True
    settings.TELEGRAM_DOWNLOAD_LIMIT = 2000 * MB  # the default with a local server
    telegram.serve_locally(tmp_path)
    telegram.add_file("AwACAgIAAxkBAAIBHmdvoiceFILEID", b"OggS-long-voice")
    payload = big_voice()  # over the public Bot API's 20 MB, within what OpenAI takes
    payload["message"]["voice"].update(file_size=24 * MB, duration=1200)

    deliver(payload)

    assert "getFile" in telegram.methods()
    [stt] = speech.requests_to("/audio/transcriptions")
    assert stt.form["file"] == "OggS-long-voice"  # read from the path getFile answered with
    assert (tmp_path / "voice" / "AwACAgIAAxkBAAIBHmdvoiceFILEID.oga").exists()
    note = Note.objects.get()
    assert note.transcript
    assert "📦" not in last_private(telegram)["text"]
