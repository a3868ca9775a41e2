"""Forget me (/forget, manage.py forget_owner, the admin), and the retention of payloads."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notes.archive.forget import owner_forget
from notes.archive.models import ExportJob
from notes.models import FilingExample, Note, PendingConfirmation
from secretary.models import Preferences, User
from telegram_bot.archive.callbacks import ForgetCallback
from telegram_bot.archive.tasks import prune_update_payloads
from telegram_bot.models import ConversationState, TelegramUpdate
from tests.factories import (
    FilingExampleFactory,
    ForumGroupFactory,
    NoteFactory,
    PendingConfirmationFactory,
    PreferencesFactory,
    TelegramUpdateFactory,
    TopicFactory,
)
from tests.telegram_bot.conftest import ALICE_CHAT, BOB_CHAT, press, private_text
from topics.models import ForumGroup, Topic

pytestmark = pytest.mark.django_db

SECRET_TEXT = "пароль от сейфа 1234"


def message_update(user_id: int) -> dict:
    return {"message": {"from": {"id": user_id}, "chat": {"id": user_id}, "text": SECRET_TEXT}}


@pytest.fixture
def everything(alice, bob, settings, tmp_path):
    """Alice and Bob each with a bit of everything the product keeps."""
    settings.EXPORT_ROOT = tmp_path
    for owner, chat in ((alice, ALICE_CHAT), (bob, BOB_CHAT)):
        PreferencesFactory(user=owner)
        group = ForumGroupFactory(owner=owner, chat_id=-1000 - chat)
        topic = TopicFactory(group=group)
        FilingExampleFactory(note__owner=owner, owner=owner, topic=topic, note__text=SECRET_TEXT)
        PendingConfirmationFactory(note__owner=owner)
        NoteFactory(owner=owner, topic=topic, text=SECRET_TEXT)
        TelegramUpdateFactory(payload=message_update(chat))
        TelegramUpdateFactory(
            kind="callback_query", payload={"callback_query": {"from": {"id": chat}}}
        )
        ConversationState.objects.create(key=f"fsm:7000001:{chat}:{chat}:default", state="x")
        job = ExportJob.objects.create(
            owner=owner, format="json", status="done", file_name="f.json", size=2
        )
        (tmp_path / str(owner.pk)).mkdir()
        (tmp_path / str(owner.pk) / f"export-{job.pk}.json").write_text("{}")
    return tmp_path


def holdings(owner_id: int, telegram_id: int) -> dict[str, int]:
    return {
        "notes": Note.objects.filter(owner_id=owner_id).count(),
        "pending": PendingConfirmation.objects.filter(note__owner_id=owner_id).count(),
        "examples": FilingExample.objects.filter(owner_id=owner_id).count(),
        "preferences": Preferences.objects.filter(user_id=owner_id).count(),
        "groups": ForumGroup.objects.filter(owner_id=owner_id).count(),
        "topics": Topic.objects.filter(group__owner_id=owner_id).count(),
        "updates": TelegramUpdate.objects.filter(
            payload__contains=json.loads(json.dumps(message_update(telegram_id)))
        ).count()
        + TelegramUpdate.objects.filter(payload__callback_query__from__id=telegram_id).count(),
        "states": ConversationState.objects.filter(key__contains=f":{telegram_id}:").count(),
        "exports": ExportJob.objects.filter(owner_id=owner_id).count(),
    }


def test_forgetting_deletes_everything_of_the_owner_and_nothing_of_others(
    alice, bob, everything, caplog
):
    bobs_before = holdings(bob.pk, BOB_CHAT)
    alice_pk = alice.pk

    with caplog.at_level(logging.INFO, logger="notes.archive.forget"):
        counts = owner_forget(owner=alice)

    assert set(holdings(alice_pk, ALICE_CHAT).values()) == {0}
    assert not User.objects.filter(pk=alice_pk).exists()
    assert list((everything / str(alice_pk)).iterdir()) == []
    assert holdings(bob.pk, BOB_CHAT) == bobs_before
    assert counts["notes.Note"] == 3
    assert counts["notes.PendingConfirmation"] == 1
    assert counts["notes.FilingExample"] == 1
    assert counts["telegram_bot.TelegramUpdate"] == 2
    assert counts["telegram_bot.ConversationState"] == 1
    assert counts["topics.ForumGroup"] == 1
    assert counts["secretary.Preferences"] == 1
    [line] = [record.getMessage() for record in caplog.records]
    assert line.startswith(f"Owner {alice_pk} forgotten: ")
    assert "notes.Note=3" in line
    assert SECRET_TEXT not in line


def test_forget_is_confirmed_twice_in_the_chat_and_reports_counts(
    telegram, deliver, alice, everything
):
    deliver(private_text("/forget", message_id=400))
    [question] = telegram.calls("sendMessage")
    assert question["text"].startswith("Я удалю всё, что храню о вас")
    assert question.buttons == [["🗑 Да, удалить всё"], ["Оставить данные"]]
    asked = max(mid for chat, mid in telegram.messages if chat == ALICE_CHAT)

    deliver(press(ForgetCallback(step=1).pack(), message_id=asked))
    [again] = telegram.calls("editMessageText")
    assert again["text"] == "Точно? Отменить это будет нельзя."
    assert again.buttons == [["🗑 Удалить навсегда"], ["Оставить данные"]]
    assert Note.objects.filter(owner=alice).exists()

    deliver(press(ForgetCallback(step=2).pack(), message_id=asked))
    done = telegram.calls("editMessageText")[-1]["text"]
    assert done.startswith("Готово: я вас забыл.")
    assert "Заметки: 3" in done
    assert "Сообщения, уже подшитые в вашу группу, остались там" in done
    assert not Note.objects.filter(source_chat_id=ALICE_CHAT).exists()
    assert not User.objects.filter(telegram_id=ALICE_CHAT).exists()
    assert telegram.calls("deleteMessage", "deleteMessages") == []
    # The updates of the conversation itself are forgotten too.
    assert not TelegramUpdate.objects.filter(payload__message__from__id=ALICE_CHAT).exists()


def test_keep_my_data_deletes_nothing(telegram, deliver, alice, everything):
    deliver(private_text("/forget", message_id=400))
    asked = max(mid for chat, mid in telegram.messages if chat == ALICE_CHAT)

    deliver(press(ForgetCallback(step=0).pack(), message_id=asked))

    assert telegram.calls("editMessageText")[-1]["text"] == "Ничего не удалено."
    assert Note.objects.filter(owner=alice).count() == 3


def test_the_command_wants_yes_and_reports_counts(alice, everything):
    with pytest.raises(CommandError, match="add --yes to confirm"):
        call_command("forget_owner", str(ALICE_CHAT))
    assert Note.objects.filter(owner=alice).exists()
    with pytest.raises(CommandError, match="no owner with Telegram id 42"):
        call_command("forget_owner", "42", "--yes")

    out = io.StringIO()
    call_command("forget_owner", str(ALICE_CHAT), "--yes", stdout=out)

    assert "Notes: 3" in out.getvalue()
    assert "Messages already posted into the forum group stay there." in out.getvalue()
    assert not Note.objects.filter(source_chat_id=ALICE_CHAT).exists()


def test_the_admin_asks_first_then_forgets_and_exports_on_request(
    admin_client, alice, bob, everything
):
    url = "/admin/secretary/user/"
    asked = admin_client.post(url, {"action": "forget_owners", "_selected_action": [alice.pk]})
    assert asked.status_code == 200
    assert b"Forget these owners?" in asked.content
    assert Note.objects.filter(owner=alice).exists()

    exported = admin_client.post(url, {"action": "export_markdown", "_selected_action": [bob.pk]})
    assert exported.status_code == 200
    vault = zipfile.ZipFile(io.BytesIO(b"".join(exported.streaming_content)))
    assert len(vault.namelist()) == 3

    admin_client.post(
        url, {"action": "forget_owners", "_selected_action": [alice.pk], "confirmed": "yes"}
    )
    assert not User.objects.filter(pk=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()


def test_retention_empties_old_processed_payloads_and_keeps_the_rest(settings):
    settings.UPDATE_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    processed_old = TelegramUpdateFactory(status="processed", payload=message_update(1))
    ignored_old = TelegramUpdateFactory(status="ignored", payload=message_update(1))
    failed_old = TelegramUpdateFactory(status="failed", payload=message_update(1))
    waiting_old = TelegramUpdateFactory(status="received", payload=message_update(1))
    processed_new = TelegramUpdateFactory(status="processed", payload=message_update(1))
    TelegramUpdate.objects.exclude(pk=processed_new.pk).update(received_at=old)

    assert prune_update_payloads() == 2
    assert prune_update_payloads() == 0

    payloads = dict(TelegramUpdate.objects.values_list("pk", "payload"))
    assert payloads[processed_old.pk] == payloads[ignored_old.pk] == {}
    for kept in (failed_old, waiting_old, processed_new):
        assert payloads[kept.pk] == message_update(1)
    assert TelegramUpdate.objects.count() == 5  # the rows stay: redeliveries are still known
