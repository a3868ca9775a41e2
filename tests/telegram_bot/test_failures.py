"""When handling an update fails: a short word to the person, a retry, a record."""

import pytest

from notes.models import Note, NoteStatus
from secretary.models import User
from telegram_bot.models import TelegramUpdate
from tests.fakes.telegram_rules import telegram_error
from tests.telegram_bot.conftest import ALICE_CHAT, private_text, update

pytestmark = pytest.mark.django_db


def test_a_handler_that_fails_apologises_briefly_and_the_failure_is_recorded(
    telegram, deliver, alice
):
    telegram.fail_next(400, telegram_error(400, "Bad Request: chat not found"), match="sendMessage")

    deliver(private_text("/help", message_id=30))

    apology = telegram.calls("sendMessage")[-1]
    assert apology["text"] == (
        "У меня что-то сломалось. Ваше сообщение сохранено; попробуйте, пожалуйста, позже."
    )
    stored = TelegramUpdate.objects.get()
    assert stored.status == TelegramUpdate.Status.FAILED
    assert "chat not found" in stored.error


def test_a_temporary_telegram_failure_is_retried(telegram, deliver, alice):
    telegram.fail_next(502, telegram_error(502, "Bad Gateway"), match="sendMessage", times=1)

    deliver(private_text("/help", message_id=30))

    stored = TelegramUpdate.objects.get()
    assert (stored.status, stored.attempts) == (TelegramUpdate.Status.PROCESSED, 2)
    assert len(telegram.calls("sendMessage")) == 2


def test_a_person_who_blocked_the_bot_is_marked_and_their_note_waits(telegram, deliver, archive):
    blocked = update("group_bot_added_as_admin")
    event = blocked["my_chat_member"]
    event["chat"] = {"id": ALICE_CHAT, "type": "private", "first_name": "Анна"}
    event["new_chat_member"] = {
        "status": "kicked",
        "user": event["new_chat_member"]["user"],
        "until_date": 0,
    }
    deliver(blocked)
    assert User.objects.get(telegram_id=ALICE_CHAT).has_blocked_bot

    telegram.kicked_from.add(ALICE_CHAT)  # Telegram answers 403 to anything sent to her
    deliver(private_text("Купить молоко и хлеб", message_id=70))

    note = Note.objects.get()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert User.objects.get(telegram_id=ALICE_CHAT).has_blocked_bot


def test_a_preview_telegram_fails_to_take_is_tried_again(telegram, deliver, archive):
    telegram.fail_next(502, telegram_error(502, "Bad Gateway"), match="sendMessage")

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    previews = [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]
    assert len(previews) == 2  # the first attempt got a 502
    assert Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION
