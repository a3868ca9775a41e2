"""A pending confirmation that expires: its preview says so, the note waits in history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus, PendingConfirmation
from notes.tasks import expire_pending_confirmations
from tests.telegram_bot.conftest import ALICE_CHAT, private_text

pytestmark = pytest.mark.django_db


def test_an_expired_preview_is_edited_to_say_so(
    telegram, deliver, archive, django_capture_on_commit_callbacks
):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    pending = PendingConfirmation.objects.get(note=note)
    PendingConfirmation.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    telegram.reset()

    with django_capture_on_commit_callbacks(execute=True):
        expire_pending_confirmations.delay()

    [edited] = telegram.calls("editMessageText")
    assert (edited["chat_id"], edited["message_id"]) == (ALICE_CHAT, pending.preview_message_id)
    assert "Купить молоко и хлеб" in edited["text"]
    assert edited["text"].endswith("⌛ Не подтверждено вовремя. Заметка ждёт в истории.")
    assert edited.get("reply_markup") is None
    assert Note.objects.get().status == NoteStatus.EXPIRED


def test_without_a_bot_token_expiry_still_works_and_sends_nothing(
    telegram, deliver, archive, settings, django_capture_on_commit_callbacks
):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    PendingConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    settings.TELEGRAM_BOT_TOKEN = ""
    telegram.reset()

    with django_capture_on_commit_callbacks(execute=True):
        expire_pending_confirmations.delay()

    assert Note.objects.get().status == NoteStatus.EXPIRED
    assert telegram.requests == []
