"""Notes arriving in private: every kind is stored first, then previewed."""

import pytest

from notes.models import Note, NoteKind, NoteStatus, PendingConfirmation
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI
from tests.telegram_bot.conftest import ALICE_CHAT, BOB_CHAT, private_text, update

pytestmark = pytest.mark.django_db


def preview_of(telegram):
    """The last preview the bot sent or edited in private."""
    calls = [c for c in telegram.calls("sendMessage", "editMessageText") if c["chat_id"] > 0]
    return calls[-1]


def test_a_text_note_gets_a_sign_of_life_then_a_preview_with_its_topic_and_why(
    telegram, deliver, archive
):
    deliver(private_text("Купить молоко и хлеб", message_id=70))

    assert telegram.methods() == ["setMessageReaction", "sendMessage"]
    [reaction] = telegram.calls("setMessageReaction")
    assert reaction.params == {
        "chat_id": ALICE_CHAT,
        "message_id": 70,
        "reaction": [{"type": "emoji", "emoji": "👀"}],
    }
    note = Note.objects.get()
    assert (note.kind, note.text, note.status) == (
        "text",
        "Купить молоко и хлеб",
        "awaiting_confirmation",
    )
    assert note.topic == archive[1]["shopping"]
    [preview] = telegram.calls("sendMessage")
    assert preview["chat_id"] == ALICE_CHAT
    assert preview["reply_parameters"]["message_id"] == 70
    assert "Купить молоко и хлеб" in preview["text"]
    assert "📂 Тема: «🛒 Покупки» · " in preview["text"]
    assert f"💬 {note.reason}" in preview["text"]
    assert preview.buttons == [
        ["✅ В «🛒 Покупки»"],
        ["📂 Другая тема", "✏️ Изменить"],
        ["❌ Отменить"],
    ]
    assert preview.callback_data == [
        f"note:{note.pk}:confirm",
        f"note:{note.pk}:pick",
        f"note:{note.pk}:edit",
        f"note:{note.pk}:cancel",
    ]
    pending = PendingConfirmation.objects.get(note=note)
    assert (pending.preview_chat_id, pending.preview_message_id) == (ALICE_CHAT, 1000)
    assert pending.is_open


def test_an_english_speaker_gets_an_english_preview(telegram, deliver, bob):
    deliver(update("private_english_text"))

    preview = preview_of(telegram)
    assert preview["chat_id"] == BOB_CHAT
    assert "No group is connected yet" in preview["text"]
    assert preview.buttons[:2] == [["📂 Another topic", "✏️ Edit"], ["❌ Cancel"]]
    [[offer]] = preview.buttons[2:]  # "… by Friday": a reminder is offered
    assert offer.startswith("⏰ Remind: Fri, ")
    assert offer.endswith(", 09:00")


def test_a_link_becomes_a_link_note_with_its_url(telegram, deliver, archive):
    deliver(update("private_text_with_link"))

    note = Note.objects.get()
    assert note.kind == NoteKind.LINK
    # No internet here: the page cannot be read, and the note goes on with the bare URL.
    assert note.link_metadata == [
        {"url": "https://habr.com/ru/articles/700000/", "status": "failed"}
    ]
    assert note.topic == archive[1]["books"]


def test_a_hidden_link_and_the_owners_formatting_are_kept(telegram, deliver, archive):
    deliver(update("private_text_formatted"))

    note = Note.objects.get()
    assert note.kind == NoteKind.LINK
    assert note.link_metadata == [{"url": "https://example.org/docs", "status": "failed"}]
    assert note.entities[0] == {"type": "bold", "offset": 0, "length": 5}
    assert '<a href="https://example.org/docs">docs</a>' in preview_of(telegram)["text"]


def test_a_forward_keeps_its_origin_and_the_preview_shows_it_once(telegram, deliver, archive):
    deliver(update("private_forward_from_channel"))
    deliver(update("private_forward_from_hidden_user"))

    channel, hidden = Note.objects.order_by("source_message_id")
    assert channel.kind == hidden.kind == NoteKind.FORWARD
    assert channel.forward_origin is not None
    assert channel.forward_origin["chat"]["username"] == "cheap_travel"
    assert hidden.forward_origin == {
        "type": "hidden_user",
        "date": 1795692800,
        "sender_user_name": "Мама",
    }
    channel_preview, hidden_preview = telegram.calls("sendMessage")
    link = '<a href="https://t.me/cheap_travel/4321">Путешествуй дёшево</a>'
    assert channel_preview["text"].count(link) == 1  # the topic's format shows it already
    assert hidden_preview["text"].count("Мама") == 1


def test_a_forward_into_a_topic_whose_format_hides_the_origin_still_shows_it(
    telegram, deliver, archive
):
    for topic in archive[1].values():
        topic.format_template = "{{ body }}"
        topic.save()

    deliver(update("private_forward_from_channel"))

    preview = telegram.calls("sendMessage")[0]
    assert (
        '↪️ Переслано: <a href="https://t.me/cheap_travel/4321">Путешествуй дёшево</a>'
        in preview["text"]
    )


def test_a_photo_with_a_caption_keeps_the_largest_size_and_the_caption(telegram, deliver, archive):
    deliver(update("private_photo_caption"))

    note = Note.objects.get()
    assert (note.kind, note.text) == (NoteKind.PHOTO, "Рецепт с пачки: блины на кефире")
    assert note.files == [
        {
            "type": "photo",
            "message_id": 6,
            "file_id": "AgACAgIAAxkBAAIBphotoLARGE",
            "file_unique_id": "AQADlarge",
            "file_size": 154320,
        }
    ]
    assert "📎 Фото" in preview_of(telegram)["text"]


def test_a_document_is_a_note_with_its_file_name(telegram, deliver, archive):
    deliver(update("private_document"))

    note = Note.objects.get()
    assert note.kind == NoteKind.DOCUMENT
    assert note.files[0]["file_name"] == "Счёт_ноябрь.pdf"
    assert "📎 Документ: Счёт_ноябрь.pdf" in preview_of(telegram)["text"]


def test_an_album_is_gathered_into_one_note_with_one_preview(telegram, deliver, archive):
    deliver(update("private_album_part1"))
    deliver(update("private_album_part2"))

    note = Note.objects.get()
    assert note.kind == NoteKind.PHOTO
    assert [part["file_id"] for part in note.files] == [
        "AgACAgIAAxkBAAIBalbum1",
        "AgACAgIAAxkBAAIBalbum2",
    ]
    assert note.text == "Квартира: до ремонта"
    assert telegram.methods().count("setMessageReaction") == 1
    assert telegram.methods().count("sendMessage") == 1  # later parts edit the same preview
    assert "📎 Альбом: 2 файла" in preview_of(telegram)["text"]


def test_a_voice_without_speech_recognition_says_so_and_can_still_be_filed(
    telegram, deliver, archive
):
    telegram.add_file("AwACAgIAAxkBAAIBHmdvoiceFILEID", b"OggS-voice")

    deliver(update("private_voice"))

    # Nothing to transcribe with: no "transcribing…", no download, straight to the preview.
    assert telegram.methods() == ["setMessageReaction", "sendMessage"]
    preview = preview_of(telegram)
    assert "Распознавание речи не настроено" in preview["text"]
    assert ["📂 Другая тема", "✏️ Изменить"] in preview.buttons
    note = Note.objects.get()
    assert (note.kind, note.transcript, note.status) == ("voice", "", "awaiting_confirmation")


def test_a_voice_is_transcribed_into_its_preview(telegram, deliver, archive, settings, monkeypatch):
    telegram.add_file("AwACAgIAAxkBAAIBHmdvoiceFILEID", b"OggS-voice")
    with FakeOpenAI() as openai:
        monkeypatch.setenv("OPENAI_BASE_URL", openai.base_url)
        settings.OPENAI_API_KEY = OPENAI_KEY
        settings.AI_RETRY_BACKOFF = 0.01
        settings.AI_PROVIDERS = ["local"]
        archive[0].owner.preferences.ai_providers = "openai,local"
        archive[0].owner.preferences.save()
        openai.fail_next(500, {"error": {"message": "down"}}, times=5, match="/chat/")

        deliver(update("private_voice"))

        [stt] = openai.requests_to("/audio/transcriptions")
        assert stt.form["file"] == "OggS-voice"
    note = Note.objects.get()
    assert note.transcript == "купить молоко и хлеб"
    assert note.topic == archive[1]["shopping"]
    preview = preview_of(telegram)
    assert "купить молоко и хлеб" in preview["text"]
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]


def test_a_voice_too_big_to_download_is_kept_and_explained(telegram, deliver, archive, settings):
    settings.TELEGRAM_DOWNLOAD_LIMIT = 1000

    deliver(update("private_voice"))

    assert "getFile" not in telegram.methods()
    assert "🎙 Файл слишком большой для расшифровки (больше 1000" in preview_of(telegram)["text"]
    assert Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION


def test_a_video_note_is_a_note_too(telegram, deliver, archive):
    deliver(update("private_video_note"))

    note = Note.objects.get()
    assert note.kind == NoteKind.VIDEO_NOTE
    assert note.files[0]["file_id"] == "DQACAgIAAxkBAAIBvnoteFILEID"
    assert "📹 Видеосообщение, 12 с" in preview_of(telegram)["text"]


def test_a_sticker_gets_a_short_answer_and_is_not_a_note(telegram, deliver, alice):
    deliver(update("private_sticker"))

    assert telegram.methods() == ["sendMessage"]
    assert telegram.calls("sendMessage")[0]["text"].startswith("Стикеры — не заметки")
    assert not Note.objects.exists()


def test_an_empty_or_unsupported_message_gets_a_short_answer(telegram, deliver, alice):
    deliver(private_text("   ", message_id=80))
    location = private_text("x", message_id=81)
    del location["message"]["text"]
    location["message"]["location"] = {"latitude": 55.75, "longitude": 37.62}
    deliver(location)

    empty, unsupported = telegram.calls("sendMessage")
    assert empty["text"] == "Сообщение пустое — подшивать нечего."
    assert unsupported["text"].startswith("Такие сообщения я подшивать не умею.")
    assert not Note.objects.exists()


def test_editing_the_original_while_pending_updates_the_preview(telegram, deliver, archive):
    deliver(update("private_text_with_link"))
    telegram.reset()

    deliver(update("private_edited_text"))

    note = Note.objects.get()
    assert note.text.endswith("про индексы и VACUUM")
    assert telegram.methods() == ["editMessageText"]
    assert "про индексы и VACUUM" in telegram.calls("editMessageText")[0]["text"]


def test_editing_a_filed_note_with_no_message_on_record_updates_only_the_record(
    telegram, deliver, archive
):
    """Filed messages follow an edit (tests/telegram_bot/test_filed_edits.py); with none on
    record there is nothing to edit in the group."""
    deliver(update("private_text_with_link"))
    Note.objects.update(status=NoteStatus.PUBLISHED)
    telegram.reset()

    deliver(update("private_edited_text"))

    assert telegram.requests == []
    assert Note.objects.get().text.endswith("VACUUM")


def test_an_album_run_scheduled_before_the_last_part_steps_aside(telegram, archive, alice):
    """With a worker each part schedules a delayed run; only the last part's run previews."""
    from notes.tasks import prepare_note
    from tests.factories import NoteFactory

    note = NoteFactory(
        owner=alice,
        kind=NoteKind.PHOTO,
        media_group_id="album-1",
        files=[
            {"type": "photo", "file_id": "a", "message_id": 7},
            {"type": "photo", "file_id": "b", "message_id": 8},
        ],
    )

    prepare_note.delay(note.pk, parts=1)
    assert telegram.requests == []

    prepare_note.delay(note.pk, parts=2)
    assert "📎 Альбом: 2 файла" in preview_of(telegram)["text"]
