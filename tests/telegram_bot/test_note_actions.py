"""The buttons under a preview: ✅ 📂 ➕ ✏️ ❌, and taps that come too late or from others."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import FilingExample, Note, NoteStatus, PendingConfirmation
from tests.factories import TopicFactory
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text, update
from topics.models import Topic

pytestmark = pytest.mark.django_db


def send_note(deliver, text="Купить молоко и хлеб", message_id=70):
    deliver(private_text(text, message_id=message_id))
    note = Note.objects.get(source_message_id=message_id)
    return note, PendingConfirmation.objects.get(note=note).preview_message_id


def tap(deliver, note, action, preview_id):
    return deliver(press(f"note:{note.pk}:{action}", message_id=preview_id))


def test_confirm_files_the_note_into_its_topic_and_the_preview_links_to_it(
    telegram, deliver, archive
):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "confirm", preview_id)

    [posted] = telegram.calls("sendMessage")
    assert posted.params["chat_id"] == GROUP_CHAT
    assert posted.params["message_thread_id"] == 12
    assert "Купить молоко и хлеб" in posted["text"]
    [filed] = telegram.calls("editMessageText")
    assert (filed["chat_id"], filed["message_id"]) == (ALICE_CHAT, preview_id)
    assert filed["text"].endswith(
        '✅ Подшито в «🛒 Покупки»: <a href="https://t.me/c/2000000001/12/1001">открыть</a>'
    )
    assert filed.buttons == [["↩️ Вернуть"]]
    assert telegram.calls("answerCallbackQuery")[0]["text"] == "Подшиваю…"
    note.refresh_from_db()
    assert (note.status, note.published_chat_id, note.published_message_ids) == (
        NoteStatus.PUBLISHED,
        GROUP_CHAT,
        [1001],
    )
    assert PendingConfirmation.objects.get(note=note).resolution == "confirmed"
    assert FilingExample.objects.get(note=note).topic == archive[1]["shopping"]


def test_a_note_for_the_general_topic_is_posted_without_a_thread(telegram, deliver, archive):
    general = TopicFactory(group=archive[0], thread_id=1, name="General", description="")
    note, preview_id = send_note(deliver)
    Note.objects.filter(pk=note.pk).update(topic=general)
    telegram.reset()

    tap(deliver, note, "confirm", preview_id)

    [posted] = telegram.calls("sendMessage")
    assert "message_thread_id" not in posted.params
    assert "https://t.me/c/2000000001/1001" in telegram.calls("editMessageText")[0]["text"]


def test_another_topic_shows_the_list_and_the_choice_renders_the_preview_anew(
    telegram, deliver, archive
):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "pick", preview_id)

    [listing] = telegram.calls("editMessageReplyMarkup")
    assert listing.buttons == [
        ["📚 Книги"],
        ["• 🛒 Покупки"],
        ["💡 Идеи"],
        ["✈️ Путешествия"],
        ["➕ Новая тема"],
        ["↩️ Назад"],
    ]
    books = archive[1]["books"]
    assert f"nt:{note.pk}:{books.pk}" in listing.callback_data

    deliver(press(f"nt:{note.pk}:{books.pk}", message_id=preview_id))
    preview = telegram.calls("editMessageText")[-1]
    assert preview.buttons[0] == ["✅ В «📚 Книги»"]
    assert "📂 Тема: «📚 Книги»" in preview["text"]

    tap(deliver, note, "confirm", preview_id)
    assert telegram.calls("sendMessage")[-1]["message_thread_id"] == 11
    example = FilingExample.objects.get(note=note)
    assert (example.topic, example.suggested_topic) == (books, archive[1]["shopping"])


def test_the_topic_list_pages_and_goes_back(telegram, deliver, archive):
    for n in range(6):
        TopicFactory(group=archive[0], thread_id=40 + n, name=f"Тема {n}", position=10 + n)
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "pick", preview_id)
    deliver(press(f"np:{note.pk}:1", message_id=preview_id))
    tap(deliver, note, "back", preview_id)

    first, second, back = telegram.calls("editMessageReplyMarkup")
    assert len(first.buttons) == 8 + 3
    assert first.buttons[8] == ["▶️"]
    assert second.buttons[:3] == [["Тема 4"], ["Тема 5"], ["◀️"]]
    assert back.buttons[0] == ["✅ В «🛒 Покупки»"]


def test_a_new_topic_is_asked_for_created_in_the_group_and_used(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "new", preview_id)
    [prompt] = telegram.calls("sendMessage")
    assert prompt["text"].startswith("Пришлите название новой темы")
    deliver(private_text("🎬 Кино", message_id=71))

    [created] = telegram.calls("createForumTopic")
    assert created.params == {"chat_id": GROUP_CHAT, "name": "🎬 Кино"}
    topic = Topic.objects.get(name="🎬 Кино")
    assert (topic.thread_id, topic.created_by_bot) == (500, True)
    preview = telegram.calls("sendMessage")[-1]
    assert preview.buttons[0] == ["✅ В «🎬 Кино»"]
    assert telegram.calls("deleteMessage")[0].params == {
        "chat_id": ALICE_CHAT,
        "message_id": preview_id,
    }
    assert not Note.objects.filter(source_message_id=71).exists()  # the name is not a note


def test_a_topic_name_telegram_would_refuse_is_asked_for_again(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    tap(deliver, note, "new", preview_id)
    telegram.reset()

    deliver(private_text("x" * 129, message_id=71))
    deliver(private_text("Кино", message_id=72))

    refusal = telegram.calls("sendMessage")[0]
    assert refusal["text"].startswith("Название темы — от 1 до 128 символов")
    assert [call["name"] for call in telegram.calls("createForumTopic")] == ["Кино"]


def test_the_suggested_new_topic_is_created_with_one_tap(telegram, deliver, archive):
    note, preview_id = send_note(deliver, text="Посмотреть фильм Дюна")
    Note.objects.filter(pk=note.pk).update(
        topic=None, classification={"suggested_topic_name": "🎬 Фильмы"}
    )
    tap(deliver, note, "back", preview_id)
    assert telegram.calls("editMessageReplyMarkup")[-1].buttons[0] == ["➕ Создать «🎬 Фильмы»"]
    telegram.reset()

    tap(deliver, note, "suggested", preview_id)

    assert telegram.calls("createForumTopic")[0]["name"] == "🎬 Фильмы"
    assert telegram.calls("answerCallbackQuery")[0]["text"] == "Тема «🎬 Фильмы» создана."
    assert telegram.calls("editMessageText")[-1].buttons[0] == ["✅ В «🎬 Фильмы»"]


def test_edit_replaces_the_text_with_the_next_message_and_shows_a_new_preview(
    telegram, deliver, archive
):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "edit", preview_id)
    assert telegram.calls("sendMessage")[0]["text"] == "Пришлите новый текст заметки (или /cancel)."
    deliver(private_text("Купить молоко, хлеб и <сыр>", message_id=71))

    note.refresh_from_db()
    assert note.text == "Купить молоко, хлеб и <сыр>"
    preview = telegram.calls("sendMessage")[-1]
    assert "Купить молоко, хлеб и &lt;сыр&gt;" in preview["text"]
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]
    assert ("deleteMessage", preview_id) == (
        "deleteMessage",
        telegram.calls("deleteMessage")[0]["message_id"],
    )
    assert PendingConfirmation.objects.get(note=note).preview_message_id != preview_id


def test_cancel_keeps_the_note_in_history_and_says_so(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "cancel", preview_id)

    [cancelled] = telegram.calls("editMessageText")
    assert cancelled["text"].endswith("❌ Отменено. Заметка осталась в истории.")
    assert cancelled.get("reply_markup") is None
    note.refresh_from_db()
    assert note.status == NoteStatus.CANCELLED
    assert "sendMessage" not in telegram.methods()


@pytest.mark.parametrize(
    ("status", "notice"),
    [
        (NoteStatus.PUBLISHED, "Эта заметка уже подшита."),
        (NoteStatus.CANCELLED, "Эта заметка отменена."),
        (NoteStatus.EXPIRED, "Время подтверждения истекло; заметка ждёт в истории."),
    ],
)
@pytest.mark.parametrize("action", ["confirm", "pick", "edit", "cancel", "new"])
def test_buttons_of_a_note_that_moved_on_only_answer_with_a_notice(
    telegram, deliver, archive, status, notice, action
):
    note, preview_id = send_note(deliver)
    Note.objects.filter(pk=note.pk).update(status=status)
    PendingConfirmation.objects.filter(note=note).update(
        resolved_at=timezone.now(), resolution="expired"
    )
    telegram.reset()

    tap(deliver, note, action, preview_id)

    assert telegram.methods() == ["answerCallbackQuery"]
    assert telegram.calls("answerCallbackQuery")[0]["text"] == notice
    assert Note.objects.get(pk=note.pk).status == status


def test_buttons_of_someone_elses_note_are_refused(telegram, deliver, archive, bob):
    note, preview_id = send_note(deliver)
    telegram.reset()

    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id, user="bob"))

    assert telegram.methods() == ["answerCallbackQuery"]
    assert telegram.calls("answerCallbackQuery")[0]["text"] == "This is not your note."
    assert Note.objects.get(pk=note.pk).status == NoteStatus.AWAITING_CONFIRMATION


def test_the_sample_button_of_an_unknown_note_changes_nothing(telegram, deliver, alice):
    deliver(update("callback_query"))

    [answer] = telegram.calls("answerCallbackQuery")
    assert answer.params == {
        "callback_query_id": "4382bfdwdsb323b2d9",
        "text": "Это не ваша заметка.",
    }
    assert telegram.methods() == ["answerCallbackQuery"]


def test_a_double_tap_on_confirm_files_the_note_once(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, note, "confirm", preview_id)
    tap(deliver, note, "confirm", preview_id)

    assert len([c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]) == 1
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Эта заметка уже подшита."


def test_a_preview_older_than_its_lifetime_cannot_be_confirmed(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    PendingConfirmation.objects.filter(note=note).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    from notes.tasks import expire_pending_confirmations

    expire_pending_confirmations.delay()
    telegram.reset()

    tap(deliver, note, "confirm", preview_id)

    assert telegram.calls("answerCallbackQuery")[0]["text"].startswith("Время подтверждения")
