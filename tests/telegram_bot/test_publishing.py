"""What a confirmed note becomes in the group, and what happens when Telegram says no."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus, PendingConfirmation
from secretary.models import ConfirmMode
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    GROUP_CHAT,
    press,
    private_text,
    update,
)
from topics.models import ForumGroup

pytestmark = pytest.mark.django_db


def confirm(deliver, note):
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))


def group_calls(telegram, *methods):
    return [call for call in telegram.calls(*methods) if call.get("chat_id") == GROUP_CHAT]


def test_a_rate_limit_is_waited_out_and_the_note_is_filed(telegram, deliver, archive):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    telegram.rate_limit_next("sendMessage", retry_after=1)

    started = time.monotonic()
    confirm(deliver, note)

    assert time.monotonic() - started >= 1  # inline mode waits retry_after itself
    assert len(group_calls(telegram, "sendMessage")) == 2
    note.refresh_from_db()
    assert (note.status, note.published_message_ids) == (NoteStatus.PUBLISHED, [1001])


def test_rate_limits_that_never_end_send_the_note_back_to_pending(
    telegram, deliver, archive, settings
):
    settings.TEMPORARY_RETRIES = 1
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    telegram.rate_limit_next("sendMessage", retry_after=0, times=5)

    confirm(deliver, note)

    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert PendingConfirmation.objects.get(note=note).is_open
    assert "⚠️ Telegram не принял заметку" in telegram.calls("editMessageText")[-1]["text"]


def test_a_deleted_topic_is_marked_gone_and_the_owner_picks_another(telegram, deliver, archive):
    _group, topics = archive
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    telegram.gone_threads.add((GROUP_CHAT, 12))

    confirm(deliver, note)

    topics["shopping"].refresh_from_db()
    assert topics["shopping"].is_gone
    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    told = telegram.calls("editMessageText")[-1]
    assert "⚠️ Темы «🛒 Покупки» больше нет в группе. Выберите другую." in told["text"]
    assert told.buttons[0] == ["📂 Другая тема", "✏️ Изменить"]  # no ✅ to a topic that is gone

    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:pick", message_id=preview_id))
    assert ["• 🛒 Покупки"] not in telegram.calls("editMessageReplyMarkup")[-1].buttons
    deliver(press(f"nt:{note.pk}:{topics['ideas'].pk}", message_id=preview_id))
    confirm(deliver, note)
    assert group_calls(telegram, "sendMessage")[-1]["message_thread_id"] == 14
    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED


def test_a_bot_removed_from_the_group_keeps_the_note_pending_and_tells_the_owner(
    telegram, deliver, archive
):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    telegram.kicked_from.add(GROUP_CHAT)

    confirm(deliver, note)

    assert not ForumGroup.objects.get(chat_id=GROUP_CHAT).bot_is_member
    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert PendingConfirmation.objects.get(note=note).is_open
    assert "⚠️ Меня больше нет в «Мой архив»" in telegram.calls("editMessageText")[-1]["text"]


def test_a_long_text_is_posted_in_parts_split_between_paragraphs(telegram, deliver, archive):
    paragraph = "Купить молоко и хлеб. " + "Ещё немного слов про продукты. " * 40
    deliver(private_text("\n\n".join([paragraph] * 6), message_id=70))
    note = Note.objects.get()

    confirm(deliver, note)

    parts = group_calls(telegram, "sendMessage")
    assert len(parts) == 2
    assert all(part["message_thread_id"] == 12 for part in parts)
    assert parts[1]["text"].startswith("Купить молоко и хлеб.")
    note.refresh_from_db()
    assert note.published_message_ids == [1001, 1002]


def test_a_photo_is_copied_with_the_rendered_caption(telegram, deliver, archive):
    deliver(update("private_photo_caption"))
    note = Note.objects.get()

    confirm(deliver, note)

    [copy] = group_calls(telegram, "copyMessage")
    assert copy.params["from_chat_id"] == ALICE_CHAT
    assert copy.params["message_id"] == 6
    topic = Note.objects.get().topic
    assert topic is not None
    assert copy.params["message_thread_id"] == topic.thread_id
    assert copy.params["parse_mode"] == "HTML"
    assert "блины на кефире" in copy["caption"]
    assert group_calls(telegram, "sendMessage") == []


def test_a_caption_longer_than_telegram_allows_continues_in_a_message(telegram, deliver, archive):
    caption = "Рецепт блинов на кефире.\n\n" + "Мука, яйца, кефир, сахар. " * 60
    deliver(update("private_photo_caption", caption=caption))
    note = Note.objects.get()

    confirm(deliver, note)

    [copy] = group_calls(telegram, "copyMessage")
    [rest] = group_calls(telegram, "sendMessage")
    assert len(copy["caption"]) <= 1024
    assert rest["message_thread_id"] == copy["message_thread_id"]
    assert Note.objects.get().published_message_ids == [1001, 1002]


def test_an_album_is_posted_as_an_album(telegram, deliver, archive):
    deliver(update("private_album_part1"))
    deliver(update("private_album_part2"))
    note = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    # "Квартира: до ремонта" fits none of the topics: the owner picks one, then ✅.
    deliver(press(f"nt:{note.pk}:{archive[1]['ideas'].pk}", message_id=preview_id))

    confirm(deliver, note)

    [album] = group_calls(telegram, "sendMediaGroup")
    assert [item["media"] for item in album["media"]] == [
        "AgACAgIAAxkBAAIBalbum1",
        "AgACAgIAAxkBAAIBalbum2",
    ]
    assert [item["type"] for item in album["media"]] == ["photo", "photo"]
    assert "Квартира: до ремонта" in album["media"][0]["caption"]
    assert "caption" not in album["media"][1]
    assert Note.objects.get().published_message_ids == [1001, 1002]


def test_a_photo_whose_original_was_deleted_is_sent_by_its_file(telegram, deliver, archive):
    deliver(update("private_photo_caption"))
    note = Note.objects.get()
    telegram.deleted.add((ALICE_CHAT, 6))

    confirm(deliver, note)

    [photo] = group_calls(telegram, "sendPhoto")
    assert photo["photo"] == "AgACAgIAAxkBAAIBphotoLARGE"
    assert "блины на кефире" in photo["caption"]
    assert Note.objects.get().status == NoteStatus.PUBLISHED


def test_a_public_group_gets_a_link_by_its_username(telegram, deliver, archive):
    telegram.add_group(GROUP_CHAT, username="anna_archive")
    deliver(private_text("Купить молоко и хлеб", message_id=70))

    confirm(deliver, Note.objects.get())

    assert (
        'href="https://t.me/anna_archive/12/1001"' in telegram.calls("editMessageText")[-1]["text"]
    )


def test_auto_file_posts_at_once_and_offers_undo(telegram, deliver, archive, alice):
    alice.preferences.confirm_mode = ConfirmMode.AUTO_ABOVE_THRESHOLD
    alice.preferences.auto_file_threshold = 0.3
    alice.preferences.save()

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    assert telegram.methods() == ["setMessageReaction", "sendMessage", "sendMessage"]
    posted, report = telegram.calls("sendMessage")
    assert (posted["chat_id"], posted["message_thread_id"]) == (GROUP_CHAT, 12)
    assert report["chat_id"] == ALICE_CHAT
    assert "✅ Подшито в «🛒 Покупки»" in report["text"]
    note = Note.objects.get()
    assert note.status == NoteStatus.PUBLISHED
    telegram.reset()

    deliver(press(f"note:{note.pk}:undo", message_id=1001))

    assert telegram.calls("deleteMessages")[0].params == {
        "chat_id": GROUP_CHAT,
        "message_ids": [1000],
    }
    preview = telegram.calls("editMessageText")[0]
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]
    assert telegram.calls("answerCallbackQuery")[0]["text"].startswith("Заметка возвращена")
    note.refresh_from_db()
    assert (note.status, note.published_message_ids) == (NoteStatus.AWAITING_CONFIRMATION, [])
    assert PendingConfirmation.objects.get(note=note).is_open


def test_undo_is_refused_after_five_minutes(telegram, deliver, archive):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    confirm(deliver, note)
    Note.objects.filter(pk=note.pk).update(published_at=timezone.now() - timedelta(minutes=6))
    telegram.reset()

    deliver(press(f"note:{note.pk}:undo", message_id=1000))

    assert telegram.methods() == ["answerCallbackQuery"]
    assert telegram.calls("answerCallbackQuery")[0]["text"] == "Отменить уже поздно."
    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED


def test_never_ask_files_everything_that_has_a_topic(telegram, deliver, archive, alice):
    alice.preferences.confirm_mode = ConfirmMode.NEVER_ASK
    alice.preferences.save()

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    assert Note.objects.get().status == NoteStatus.PUBLISHED


def test_the_owners_formatting_survives_into_the_filed_message(telegram, deliver, archive):
    deliver(update("private_text_formatted"))
    note = Note.objects.get()

    confirm(deliver, note)

    [posted] = group_calls(telegram, "sendMessage")
    assert "<b>Идея:</b>" in posted["text"]
    assert '<a href="https://example.org/docs">docs</a>' in posted["text"]


def test_a_voice_is_copied_with_its_transcript_as_the_caption(telegram, deliver, archive):
    deliver(update("private_voice"))
    note = Note.objects.get()
    Note.objects.filter(pk=note.pk).update(
        transcript="купить молоко и хлеб", topic=archive[1]["shopping"], rendered_text=""
    )

    confirm(deliver, note)

    [copy] = group_calls(telegram, "copyMessage")
    assert (copy["message_id"], copy["message_thread_id"]) == (4, 12)
    assert "купить молоко и хлеб" in copy["caption"]


def test_a_video_note_is_copied_and_its_words_follow_it(telegram, deliver, archive):
    deliver(update("private_video_note"))
    note = Note.objects.get()
    Note.objects.filter(pk=note.pk).update(
        transcript="идея: бот для счётчиков", topic=archive[1]["ideas"], rendered_text=""
    )

    confirm(deliver, note)

    [copy] = group_calls(telegram, "copyMessage")
    assert "caption" not in copy.params  # a video note cannot carry one
    [words] = group_calls(telegram, "sendMessage")
    assert "идея: бот для счётчиков" in words["text"]
    assert words["message_thread_id"] == copy["message_thread_id"] == 14
