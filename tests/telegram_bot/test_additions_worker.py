"""Replies and edits after filing through a real Celery worker on Redis and PostgreSQL."""

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
from tests.telegram_bot.test_filed_edits import LONG, edited
from tests.telegram_bot.test_replies import SENT, reply
from tests.worker import killable_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def group_calls(telegram, *methods):
    return [c for c in telegram.calls(*methods) if c["chat_id"] == GROUP_CHAT]


def private_sent(telegram):
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]


def preview_id_of(note_id):
    return wait_for(
        lambda: (
            PendingConfirmation.objects.filter(note_id=note_id)
            .values_list("preview_message_id", flat=True)
            .first()
        )
    )


def test_replies_and_edits_follow_the_note_in_the_worker(telegram, archive, client):
    env = bot_env(telegram)
    env.pop("NOTE_BURST_SECONDS")  # the default window (these messages are minutes apart)
    with killable_worker(env):
        # A reply to a pending preview updates it.
        post_update(client, private_text("Купить молоко", message_id=500, date=SENT))
        note = wait_for(lambda: Note.objects.filter(status="awaiting_confirmation").first())
        preview_id = preview_id_of(note.pk)
        post_update(client, reply("и ещё хлеб", message_id=501, to=preview_id, from_bot=True))
        wait_for(lambda: Note.objects.get(pk=note.pk).message_count == 2)
        wait_for(
            lambda: any(
                c["message_id"] == preview_id and "и ещё хлеб" in c["text"]
                for c in telegram.calls("editMessageText")
            ),
            timeout=30,
        )
        assert Note.objects.count() == 1
        assert len(private_sent(telegram)) == 1

        # Filed: a reply is posted in the note's thread as a reply to the filed message.
        wait_for(lambda: Note.objects.get(pk=note.pk).status == "awaiting_confirmation")
        post_update(client, press(f"note:{note.pk}:confirm", message_id=preview_id))
        wait_for(lambda: Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED, 60)
        filed_id = Note.objects.get(pk=note.pk).published_message_ids[0]
        post_update(client, reply("и сыр", message_id=502, to=preview_id, from_bot=True))
        addition = wait_for(lambda: group_calls(telegram, "sendMessage")[1:], 60)[0]
        assert addition["reply_parameters"]["message_id"] == filed_id
        assert addition["message_thread_id"] == 12
        wait_for(lambda: len(Note.objects.get(pk=note.pk).published_message_ids) == 2)

        # An edit of the original after filing edits the filed message; a longer one adds parts.
        post_update(client, edited(LONG, message_id=500))
        wait_for(lambda: len(group_calls(telegram, "sendMessage")) == 3, 60)
        [edit] = group_calls(telegram, "editMessageText")
        assert edit["message_id"] == filed_id
        extra = group_calls(telegram, "sendMessage")[2]
        assert extra["reply_parameters"]["message_id"] == filed_id

        # Refused (deleted in the group): the owner is told once.
        told_before = len(private_sent(telegram))
        telegram.deleted.add((GROUP_CHAT, filed_id))
        post_update(client, edited("Купить молоко и хлеб", message_id=500))
        post_update(client, edited("Купить молоко, хлеб и сыр", message_id=500))
        wait_for(lambda: Note.objects.get(pk=note.pk).filed_edit == "refused", 60)
        wait_for(lambda: len(Note.objects.get(pk=note.pk).earlier_versions) == 3)
        wait_for(lambda: Note.objects.get(pk=note.pk).filed_edit == "refused", 60)
    told = private_sent(telegram)[told_before:]
    assert len(told) == 1
    assert told[0]["text"].startswith("✏️ Не удалось изменить сообщение в группе")
