"""Bursts through real Celery worker processes on Redis and PostgreSQL, as in production."""

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from telegram_bot.models import TelegramUpdate
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, bot_env, post_update, press
from tests.telegram_bot.test_bursts import CHANNELS, SENT, forward, private_text
from tests.worker import killable_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def default_env(telegram):
    """The worker's environment with the burst window left at its default."""
    env = bot_env(telegram)
    env.pop("NOTE_BURST_SECONDS")
    return env


def previewed(count):
    def check():
        shown = PendingConfirmation.objects.filter(
            note__status=NoteStatus.AWAITING_CONFIRMATION, preview_message_id__isnull=False
        ).count()
        return Note.objects.count() == count and shown == count

    return check


def settled(telegram):
    """Every update processed and the last preview showing all four messages."""
    if TelegramUpdate.objects.exclude(status=TelegramUpdate.Status.PROCESSED).exists():
        return False
    shown = [
        c for c in telegram.calls("sendMessage", "editMessageText") if c["chat_id"] == ALICE_CHAT
    ]
    return bool(shown) and all(text in shown[-1]["text"] for _, _, text in CHANNELS)


def test_parts_processed_at_once_by_two_worker_processes_are_one_note_and_one_preview(
    telegram, archive, client
):
    payloads = [private_text("Вот что посмотреть в поездке", message_id=40, date=SENT)]
    payloads += [forward(index, message_id=41 + index) for index in range(3)]
    with killable_worker(default_env(telegram), concurrency=2):
        for payload in payloads:  # queued together: two processes take them at once
            assert post_update(client, payload).status_code == 200

        wait_for(previewed(1), timeout=60)
        wait_for(lambda: settled(telegram), timeout=60)
        note = Note.objects.get()
        assert note.message_count == 4
        assert sorted(note.parts.values_list("message_id", flat=True)) == [40, 41, 42, 43]
        sent = [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]
        assert len(sent) == 1  # one preview, edited as the parts joined

        pending = PendingConfirmation.objects.get(note=note)
        wait_for(lambda: Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION)
        post_update(client, press(f"note:{note.pk}:confirm", message_id=pending.preview_message_id))
        wait_for(lambda: Note.objects.get().status == NoteStatus.PUBLISHED, timeout=60)
    [posted] = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    order = [posted["text"].index("Вот что посмотреть")]
    order += [posted["text"].index(text) for _, _, text in CHANNELS]
    assert order == sorted(order)


def test_two_texts_twelve_seconds_apart_are_two_notes_in_the_worker(telegram, archive, client):
    with killable_worker(default_env(telegram)):
        post_update(client, private_text("Купить молоко", message_id=50, date=SENT))
        post_update(client, private_text("Идея: бот для счётчиков", message_id=51, date=SENT + 12))
        wait_for(previewed(2), timeout=60)
    assert [n.message_count for n in Note.objects.all()] == [1, 1]
