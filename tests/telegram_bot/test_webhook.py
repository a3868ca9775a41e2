"""POST /telegram/webhook/: the secret, the body, dedupe, and answering fast."""

import json

import pytest
from django.db import OperationalError, connection

from notes.models import Note
from telegram_bot.models import TelegramUpdate
from tests.telegram_bot.conftest import private_text, update

pytestmark = pytest.mark.django_db


def test_a_wrong_secret_is_refused_and_nothing_is_stored(telegram, deliver):
    response = deliver(update("private_start"), secret="not-the-secret")

    assert response.status_code == 401
    assert not TelegramUpdate.objects.exists()
    assert telegram.requests == []


def test_a_missing_secret_is_refused_and_nothing_is_stored(telegram, deliver):
    response = deliver(update("private_start"), secret=None)

    assert response.status_code == 401
    assert not TelegramUpdate.objects.exists()


def test_without_a_configured_secret_the_webhook_refuses_everything(telegram, deliver, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = ""

    response = deliver(update("private_start"), secret="")

    assert response.status_code == 503
    assert not TelegramUpdate.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(telegram, deliver):
    assert deliver("{not json").status_code == 400
    assert deliver(b"\xff\xfe").status_code == 400
    assert not TelegramUpdate.objects.exists()


def test_json_without_an_integer_update_id_is_a_bad_request(telegram, deliver):
    assert deliver({"message": {}}).status_code == 400
    assert deliver({"update_id": "7"}).status_code == 400
    assert deliver({"update_id": True}).status_code == 400
    assert deliver([1, 2]).status_code == 400


def test_only_post_is_allowed(telegram, client):
    assert client.get("/telegram/webhook/").status_code == 405


def test_an_update_type_we_do_not_handle_is_acknowledged_and_ignored(telegram, deliver):
    payload = {"update_id": 77, "poll": {"id": "1", "question": "?", "options": []}}

    response = deliver(payload)

    assert response.status_code == 200
    stored = TelegramUpdate.objects.get(update_id=77)
    assert (stored.kind, stored.status) == ("poll", TelegramUpdate.Status.IGNORED)
    assert telegram.requests == []


def test_the_update_is_stored_then_processed(telegram, deliver, alice):
    response = deliver(update("private_start"))

    assert response.status_code == 200
    stored = TelegramUpdate.objects.get(update_id=900001)
    assert stored.kind == "message"
    assert stored.payload["message"]["text"] == "/start"
    assert stored.status == TelegramUpdate.Status.PROCESSED
    assert stored.attempts == 1


def test_a_redelivered_update_changes_nothing_and_sends_nothing_twice(
    telegram, deliver, alice, archive
):
    payload = private_text("Купить молоко и хлеб", message_id=70)

    first = deliver(payload)
    calls_after_first = telegram.methods()
    second = deliver(payload)

    assert (first.status_code, second.status_code) == (200, 200)
    assert telegram.methods() == calls_after_first
    assert calls_after_first.count("sendMessage") == 1
    assert Note.objects.count() == 1
    assert TelegramUpdate.objects.count() == 1


def test_a_group_message_nobody_handles_is_marked_ignored(telegram, deliver):
    payload = update("group_message_in_topic")
    del payload["message"]["reply_to_message"]

    deliver(payload)

    assert TelegramUpdate.objects.get().status == TelegramUpdate.Status.IGNORED


def test_when_the_database_is_down_telegram_is_told_to_redeliver(telegram, deliver):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server was lost")

    with connection.execute_wrapper(refuse):
        response = deliver(update("private_start"))

    assert response.status_code == 503
    assert telegram.requests == []


def test_the_webhook_answers_without_waiting_for_the_worker(telegram, client, alice):
    """With a broker the request only stores and enqueues; nothing reaches Telegram."""
    response = client.post(
        "/telegram/webhook/",
        data=json.dumps(update("private_start")),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "webhook-secret_for-tests"},
    )

    assert response.status_code == 200
    assert TelegramUpdate.objects.get().status == TelegramUpdate.Status.RECEIVED
    assert telegram.requests == []
