"""Copies of one update, and parts of one album, arriving at the same instant."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from notes.models import Note
from telegram_bot.models import TelegramUpdate
from tests.telegram_bot.conftest import ALICE_CHAT, SECRET, private_text, update

pytestmark = pytest.mark.django_db(transaction=True)


def post_together(payloads):
    """POST each payload from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(payloads))

    def post(payload):
        client = Client()
        barrier.wait()
        try:
            response = client.post(
                "/telegram/webhook/",
                data=json.dumps(payload),
                content_type="application/json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        return list(pool.map(post, payloads))


def test_ten_simultaneous_copies_of_an_update_make_one_note_and_one_preview(telegram, archive):
    payload = private_text("Купить молоко и хлеб", message_id=70)

    codes = post_together([payload] * 10)

    assert codes == [200] * 10
    assert TelegramUpdate.objects.count() == 1
    assert Note.objects.count() == 1
    previews = [call for call in telegram.calls("sendMessage") if call["chat_id"] == ALICE_CHAT]
    assert len(previews) == 1
    assert len(telegram.calls("setMessageReaction")) == 1


def test_album_parts_arriving_together_land_in_one_note(telegram, archive):
    codes = post_together([update("private_album_part1"), update("private_album_part2")])

    assert codes == [200, 200]
    note = Note.objects.get()
    assert [part["message_id"] for part in note.files] == [7, 8]
    previews = [call for call in telegram.calls("sendMessage") if call["chat_id"] == ALICE_CHAT]
    assert len(previews) == 1
