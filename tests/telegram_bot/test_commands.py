"""manage.py set_webhook, delete_webhook, webhook_info and runbot against the fake Bot API."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from telegram_bot.models import TelegramUpdate
from tests.fakes.telegram import TOKEN
from tests.telegram_bot.conftest import ALICE_CHAT, SECRET, update

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HANDLED = ["callback_query", "edited_message", "inline_query", "message", "my_chat_member"]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_set_webhook_points_telegram_at_the_public_url_and_sets_the_menus(telegram, settings):
    settings.PUBLIC_URL = "https://secretary.example.org"

    output = run("set_webhook", "--drop-pending")

    [webhook] = telegram.calls("setWebhook")
    assert webhook.params == {
        "url": "https://secretary.example.org/telegram/webhook/",
        "secret_token": SECRET,
        "allowed_updates": HANDLED,
        "drop_pending_updates": True,
    }
    menus = telegram.calls("setMyCommands")
    assert [(m.get("language_code"), m["scope"]["type"]) for m in menus] == [
        (None, "all_private_chats"),
        (None, "all_group_chats"),
        ("en", "all_private_chats"),
        ("en", "all_group_chats"),
        ("ru", "all_private_chats"),
        ("ru", "all_group_chats"),
    ]
    [menu_button] = telegram.calls("setChatMenuButton")
    assert menu_button.params == {
        "menu_button": {
            "type": "web_app",
            "text": "App",
            "web_app": {"url": "https://secretary.example.org/webapp/"},
        }
    }
    russian = {c["command"]: c["description"] for c in menus[4]["commands"]}
    assert russian["topics"] == "Темы вашей группы"
    assert russian["find"] == "Найти заметки"
    assert russian["reminders"] == "Ближайшие напоминания"
    assert russian["export"] == "Все заметки одним файлом"
    assert menus[5]["commands"] == [
        {"command": "connect", "description": "Подшивать мои заметки в эту группу"}
    ]
    assert "Webhook set to https://secretary.example.org/telegram/webhook/" in output


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"PUBLIC_URL": None}, "PUBLIC_URL is not set"),
        ({"PUBLIC_URL": "http://secretary.example.org"}, "PUBLIC_URL must be https"),
        ({"TELEGRAM_WEBHOOK_SECRET": ""}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        ({"TELEGRAM_WEBHOOK_SECRET": "with spaces"}, "TELEGRAM_WEBHOOK_SECRET may only use"),
    ],
)
def test_set_webhook_says_what_is_missing_in_one_line(telegram, settings, changes, message):
    settings.PUBLIC_URL = "https://secretary.example.org"
    for name, value in changes.items():
        setattr(settings, name, value)

    with pytest.raises(CommandError, match=message):
        run("set_webhook")

    assert telegram.requests == []


def test_a_bad_token_is_reported_by_what_telegram_said(telegram, settings):
    settings.PUBLIC_URL = "https://secretary.example.org"
    telegram.fail_next(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})

    with pytest.raises(CommandError, match="Telegram refused: Unauthorized"):
        run("set_webhook")


def test_delete_webhook_and_webhook_info(telegram):
    run("delete_webhook", "--drop-pending")
    info = run("webhook_info")

    assert telegram.calls("deleteWebhook")[0].params == {"drop_pending_updates": True}
    assert "pending updates: 3" in info
    assert "last error: Wrong response from the webhook: 503 Service Unavailable" in info


def test_runbot_feeds_polled_updates_through_the_webhooks_path(
    telegram, django_capture_on_commit_callbacks
):
    telegram.updates = [update("private_start"), update("private_sticker")]

    with django_capture_on_commit_callbacks(execute=True):
        output = run("runbot", "--once", "--timeout", "0")

    assert telegram.methods()[:9] == [
        "deleteWebhook",
        "getMe",
        *["setMyCommands"] * 6,
        "getUpdates",
    ]
    assert telegram.calls("getUpdates")[0].params == {"timeout": 0, "allowed_updates": HANDLED}
    assert set(TelegramUpdate.objects.values_list("update_id", "status")) == {
        (900001, "processed"),
        (900012, "processed"),
    }
    answers = [c["text"] for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]
    assert answers[0].startswith("Здравствуйте, Анна!")
    assert answers[1].startswith("Стикеры — не заметки")
    assert "2 update(s) received." in output


def test_runbot_without_a_token_says_so(settings):
    settings.TELEGRAM_BOT_TOKEN = ""

    with pytest.raises(CommandError, match="TELEGRAM_BOT_TOKEN is not set"):
        run("runbot", "--once")


def test_runbot_works_on_the_embedded_default_sqlite_and_inline_tasks(telegram, tmp_path):
    """No PostgreSQL, no Redis: a newcomer's laptop with a bot token."""
    telegram.updates = [update("private_start")]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": telegram.base_url,
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120)

    result = subprocess.run(
        [*manage, "runbot", "--once", "--timeout", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "1 update(s) received." in result.stdout
    [greeting] = telegram.calls("sendMessage")
    assert greeting["text"].startswith("Здравствуйте, Анна!")
    assert TOKEN not in result.stdout + result.stderr
