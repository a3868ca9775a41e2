"""Support staff and the bot's tables in the admin."""

import pytest
from django.urls import reverse

from telegram_bot.models import TelegramUpdate
from tests.factories import TelegramUpdateFactory
from tests.telegram_bot.conftest import ALICE_CHAT, update

pytestmark = pytest.mark.django_db


def test_staff_can_process_a_failed_update_again(
    telegram, staff_client, alice, django_capture_on_commit_callbacks
):
    failed = TelegramUpdateFactory(
        update_id=77,
        payload=update("private_start", update_id=77),
        status=TelegramUpdate.Status.FAILED,
        error="TelegramNetworkError: timeout",
        attempts=4,
    )
    processed = TelegramUpdateFactory(status=TelegramUpdate.Status.PROCESSED)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:telegram_bot_telegramupdate_changelist"),
            {"action": "process_again", "_selected_action": [failed.pk, processed.pk]},
            follow=True,
        )

    assert "1 update queued for processing." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == ("processed", "", 5)
    [greeting] = telegram.calls("sendMessage")
    assert greeting["chat_id"] == ALICE_CHAT
    assert TelegramUpdate.objects.get(pk=processed.pk).attempts == 0
