"""The conversation when things go sideways: every tap answered, edits that really replace,
a chosen topic shown as chosen, Telegram's refusals told in the owner's language."""

import time

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from secretary.models import Preferences
from telegram_bot.models import TelegramUpdate
from tests.fakes.telegram_rules import telegram_error
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text

pytestmark = pytest.mark.django_db


def send_note(deliver, text="Купить молоко и хлеб", message_id=70):
    deliver(private_text(text, message_id=message_id))
    note = Note.objects.get(source_message_id=message_id)
    return note, PendingConfirmation.objects.get(note=note).preview_message_id


def tap(deliver, data, preview_id):
    return deliver(press(data, message_id=preview_id))


def answers(telegram):
    return telegram.calls("answerCallbackQuery")


def all_processed():
    return not TelegramUpdate.objects.exclude(status=TelegramUpdate.Status.PROCESSED).exists()


# -- 1. every tap is answered ---------------------------------------------------------------


def test_tapping_the_setting_already_chosen_is_answered(telegram, deliver, alice, archive):
    deliver(private_text("/settings", message_id=22))
    tap(deliver, "set:mode:always", 1000)
    telegram.reset()

    tap(deliver, "set:mode:always", 1000)  # Telegram: "message is not modified"

    assert telegram.methods() == ["editMessageText", "answerCallbackQuery"]
    assert all_processed()


def test_the_topic_list_tapped_twice_is_answered_both_times(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, f"note:{note.pk}:pick", preview_id)
    tap(deliver, f"note:{note.pk}:pick", preview_id)
    tap(deliver, f"note:{note.pk}:back", preview_id)
    tap(deliver, f"note:{note.pk}:back", preview_id)

    assert len(answers(telegram)) == 4
    assert all_processed()


def test_a_button_the_bot_does_not_know_is_answered(telegram, deliver, alice):
    tap(deliver, "old:format:42", 1000)

    [answer] = answers(telegram)
    assert answer["text"] == (
        "Эта кнопка из старого сообщения; отправьте /start, чтобы начать заново."
    )


def test_a_tap_whose_handling_fails_is_still_answered(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    telegram.reset()
    refused = telegram_error(400, "Bad Request: something unexpected")
    telegram.fail_next(400, refused, match="editMessageReplyMarkup")

    tap(deliver, f"note:{note.pk}:pick", preview_id)

    [answer] = answers(telegram)
    assert answer["text"] == "У меня что-то сломалось; попробуйте, пожалуйста, ещё раз чуть позже."
    assert "Bad Request" not in answer["text"]


def test_confirm_is_answered_before_a_rate_limited_publication_is_waited_out(
    telegram, deliver, archive
):
    note, preview_id = send_note(deliver)
    telegram.rate_limit_next("sendMessage", retry_after=1)
    telegram.reset()
    started = time.monotonic()

    tap(deliver, f"note:{note.pk}:confirm", preview_id)

    since = [(at, method) for at, method in telegram.timeline if at >= started]
    methods = [method for _at, method in since]
    answered_at = next(at for at, method in since if method == "answerCallbackQuery")
    assert methods.index("answerCallbackQuery") < methods.index("sendMessage")
    assert answered_at - started < 1.0  # the spinner stops before the wait
    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED


# -- 2. an edit really replaces --------------------------------------------------------------


def test_an_edited_note_is_classified_and_rendered_anew(telegram, deliver, archive):
    note, preview_id = send_note(deliver, "Купить молоко и хлеб")
    tap(deliver, f"note:{note.pk}:edit", preview_id)
    telegram.reset()

    deliver(private_text("Забронировать отель и авиабилеты на поездку в Рим", message_id=71))

    note.refresh_from_db()
    preview = [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT][-1]
    assert note.topic.name == "✈️ Путешествия"
    assert "молоко" not in preview["text"]
    assert "молоко" not in note.title
    assert "молоко" not in note.rendered_text
    assert preview.buttons[0] == ["✅ В «✈️ Путешествия»"]

    tap(
        deliver,
        f"note:{note.pk}:confirm",
        PendingConfirmation.objects.get(note=note).preview_message_id,
    )
    [posted] = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert "молоко" not in posted["text"]
    assert posted["message_thread_id"] == 15


# -- 4. a topic the owner chose shows as theirs ------------------------------------------------


def test_a_topic_the_owner_picked_shows_as_their_choice(telegram, deliver, archive):
    _group, topics = archive
    note, preview_id = send_note(deliver)
    telegram.reset()

    tap(deliver, f"nt:{note.pk}:{topics['books'].pk}", preview_id)

    preview = telegram.calls("editMessageText")[-1]
    assert "📂 Тема: «📚 Книги» · выбрана вами" in preview["text"]
    assert "%" not in preview["text"]
    assert "💬" not in preview["text"]  # the AI's reason was about its own suggestion


# -- 5. Telegram's refusals in the owner's language ---------------------------------------------


def test_a_topic_telegram_refuses_to_create_is_explained_in_russian(telegram, deliver, archive):
    note, preview_id = send_note(deliver)
    tap(deliver, f"note:{note.pk}:new", preview_id)
    telegram.reset()
    refused = telegram_error(400, "Bad Request: not enough rights to create a topic")
    telegram.fail_next(400, refused, match="createForumTopic")

    deliver(private_text("Кино", message_id=71))

    [told] = telegram.calls("sendMessage")
    assert told["text"] == (
        "Мне нельзя создавать темы в «Мой архив»: дайте мне право управлять темами "
        "и попробуйте ещё раз."
    )
    assert "Bad Request" not in told["text"]


@pytest.mark.parametrize(
    ("description", "notice"),
    [
        (
            "Bad Request: not enough rights to send text messages to the chat",
            "⚠️ Telegram не принял заметку: мне нельзя писать в «Мой архив». Дайте мне право "
            "отправлять сообщения и нажмите ✅ ещё раз.",
        ),
        (
            "Bad Request: TOPIC_CLOSED",
            "⚠️ Тема «🛒 Покупки» закрыта в группе. Откройте её или выберите другую тему.",
        ),
        (
            "Bad Request: something Telegram says",
            "⚠️ Telegram не принял заметку. Попробуйте ещё раз или выберите другую тему.",
        ),
    ],
)
def test_a_refused_publication_is_explained_in_russian(
    telegram, deliver, archive, description, notice
):
    note, preview_id = send_note(deliver)
    telegram.fail_next(400, telegram_error(400, description), match="sendMessage")

    tap(deliver, f"note:{note.pk}:confirm", preview_id)

    text = telegram.calls("editMessageText")[-1]["text"]
    assert text.endswith(notice)
    assert "Bad Request" not in text
    assert description in Note.objects.get(pk=note.pk).last_error  # for staff, not the owner


def test_rate_limits_that_never_end_are_explained_in_russian(telegram, deliver, archive, settings):
    settings.TEMPORARY_RETRIES = 1
    note, preview_id = send_note(deliver)
    telegram.rate_limit_next("sendMessage", retry_after=0, times=5)

    tap(deliver, f"note:{note.pk}:confirm", preview_id)

    text = telegram.calls("editMessageText")[-1]["text"]
    assert text.endswith(
        "⚠️ Telegram не принял заметку: он сейчас перегружен. Нажмите ✅ ещё раз через минуту."
    )
    assert "Too Many Requests" not in text


# -- 6. smaller ones ---------------------------------------------------------------------------


def test_the_settings_toast_speaks_the_language_just_chosen(telegram, deliver, alice, archive):
    deliver(private_text("/settings", message_id=22))
    telegram.reset()

    tap(deliver, "set:lang:en", 1000)

    assert answers(telegram)[-1]["text"] == "Saved."
    assert Preferences.objects.get(user=alice).language == "en"


def test_a_preview_telegram_cannot_parse_is_shown_as_plain_text(telegram, deliver, archive):
    refused = telegram_error(400, "Bad Request: can't parse entities: unexpected end tag")
    telegram.fail_next(400, refused, match="sendMessage")

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    preview = [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT][-1]
    assert preview["text"].startswith("Купить молоко и хлеб")
    assert "parse_mode" not in preview.params
    assert "<" not in preview["text"]
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]
    note = Note.objects.get()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert PendingConfirmation.objects.get(note=note).preview_message_id is not None
