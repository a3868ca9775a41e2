"""The bot through a real Celery worker process on Redis, as in production."""

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    GROUP_CHAT,
    bot_env,
    post_update,
    press,
    private_text,
)
from tests.worker import running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_env(telegram):
    return bot_env(telegram)


def test_a_text_note_gets_its_preview_from_the_worker_and_is_filed(telegram, archive, client):
    with running_worker(worker_env(telegram)):
        assert (
            post_update(client, private_text("Купить молоко и хлеб", message_id=70)).status_code
            == 200
        )

        preview = wait_for(
            lambda: [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]
        )[0]
        assert telegram.methods()[0] == "setMessageReaction"
        assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]
        note = Note.objects.get()
        # Telegram has the preview; its id is on record a moment later.
        preview_id = wait_for(lambda: PendingConfirmation.objects.get(note=note).preview_message_id)

        telegram.rate_limit_next("sendMessage", retry_after=1)
        post_update(client, press(f"note:{note.pk}:confirm", message_id=preview_id))

        wait_for(lambda: Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED)
    attempts = [at for at, method in telegram.timeline if method == "sendMessage"][-2:]
    assert attempts[1] - attempts[0] >= 1.0  # the worker waited retry_after before retrying
    posted = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert [call["message_thread_id"] for call in posted] == [12, 12]  # refused once, then sent
    assert Note.objects.get().published_message_ids == [1001]
