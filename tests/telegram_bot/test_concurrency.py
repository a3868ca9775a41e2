"""Copies of one update, and parts of one album, arriving at the same instant."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from notes.models import Note
from notes.services.intake import IncomingNote, note_receive
from notes.services.processing import note_classify_safely
from telegram_bot.models import TelegramUpdate
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI
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


def test_a_part_that_arrives_while_the_album_is_classified_is_not_lost(
    telegram, archive, alice, settings, monkeypatch
):
    """Classification saves the note it was given; what changed meanwhile must survive."""
    first = note_receive(owner=alice, incoming=album_part(7)).note
    with FakeOpenAI() as openai:
        monkeypatch.setenv("OPENAI_BASE_URL", openai.base_url)
        settings.OPENAI_API_KEY = OPENAI_KEY
        alice.preferences.ai_providers = "openai"
        alice.preferences.save()
        openai.stall_next(1.0, match="/chat/completions")  # the model takes a second
        arrival = threading.Timer(0.3, receive_in_thread, args=(alice, album_part(8)))

        arrival.start()
        note_classify_safely(note_id=first.pk)
        arrival.join()

    assert len(openai.requests_to("/chat/completions")) == 1
    assert [part["message_id"] for part in Note.objects.get().files] == [7, 8]


def album_part(message_id):
    return IncomingNote(
        chat_id=ALICE_CHAT,
        message_id=message_id,
        kind="photo",
        files=[{"type": "photo", "file_id": f"f{message_id}", "message_id": message_id}],
        media_group_id="album-9",
    )


def receive_in_thread(owner, incoming):
    try:
        note_receive(owner=owner, incoming=incoming)
    finally:
        connections.close_all()
