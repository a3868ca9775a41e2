"""The history shows every part of a note that got additions: a reply added to a filed note
is one of its parts in the Mini App's note detail and in the admin (read-only)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from notes.models import Note, NoteKind, PendingConfirmation
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, SECRET, press, private_text
from tests.webapp.initdata import signed_init_data, tma

pytestmark = pytest.mark.django_db

SENT = 1795700100


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    def post(payload):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/telegram/webhook/",
                data=json.dumps(payload),
                content_type="application/json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )

    return post


def reply_to_bot(text: str, *, message_id: int, to: int) -> dict:
    chat = {"id": ALICE_CHAT, "type": "private", "first_name": "Анна"}
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Secretary"}
    answered = {"message_id": to, "date": SENT, "chat": chat, "from": bot, "text": "…"}
    return private_text(text, message_id=message_id, date=SENT + 60, reply_to_message=answered)


@pytest.fixture
def note_with_a_reply(settings, telegram, archive, deliver) -> Note:
    """Filed through the webhook, then a reply to the bot's "filed" message added to it."""
    settings.NOTE_BURST_SECONDS = 2.0
    deliver(private_text("Купить молоко и хлеб", message_id=120, date=SENT))
    note = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))
    deliver(reply_to_bot("и ещё сыр", message_id=121, to=preview_id))
    posts = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert [post["text"] for post in posts][-1] == "и ещё сыр"  # posted into the topic
    return Note.objects.get(pk=note.pk)


def test_the_note_detail_lists_its_parts_in_order_with_the_reply_after_filing(
    client, note_with_a_reply
):
    response = client.get(f"/api/v1/notes/{note_with_a_reply.pk}/", headers=tma(signed_init_data()))

    assert response.status_code == 200
    parts = response.json()["parts"]
    assert [(p["message_id"], p["kind"], p["excerpt"], p["after_filing"]) for p in parts] == [
        (120, NoteKind.TEXT, "Купить молоко и хлеб", False),
        (121, NoteKind.TEXT, "и ещё сыр", True),
    ]
    assert parts[0]["sent_at"].startswith("2026-11-26")  # SENT, as Telegram dated it
    assert parts[1]["added_at"] >= response.json()["published_at"]


def test_a_note_of_one_message_has_no_parts(client, settings, telegram, archive, deliver):
    deliver(private_text("Купить молоко", message_id=130, date=SENT))
    note = Note.objects.get()

    response = client.get(f"/api/v1/notes/{note.pk}/", headers=tma(signed_init_data()))

    assert response.json()["parts"] == []


def test_the_admin_shows_the_parts_read_only(admin_client, note_with_a_reply):
    page = admin_client.get(reverse("admin:notes_note_change", args=[note_with_a_reply.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Купить молоко и хлеб" in html
    assert "и ещё сыр" in html
    assert 'name="parts-0-text"' not in html  # shown, not editable
    assert 'name="parts-TOTAL_FORMS"' in html
    assert html.index("Купить молоко и хлеб") < html.rindex("и ещё сыр")
