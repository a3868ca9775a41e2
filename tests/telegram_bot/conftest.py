"""The bot against a fake Bot API: updates are POSTed to the webhook as Telegram would."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ForumGroupFactory, TopicFactory
from tests.fakes.telegram import BOT_ID, TOKEN, FakeTelegram

DATA = Path(__file__).resolve().parents[1] / "data" / "telegram"
SECRET = "webhook-secret_for-tests"
ALICE_CHAT = 5550001
BOB_CHAT = 5550002
GROUP_CHAT = -1002000000001


def update(name: str, update_id: int | None = None, **message_changes: Any) -> dict[str, Any]:
    """A sample update from tests/data/telegram, with its message changed as given."""
    payload: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    payload = copy.deepcopy(payload)
    if update_id is not None:
        payload["update_id"] = update_id
    body_key = next(key for key in payload if key != "update_id")
    payload[body_key].update(message_changes)
    return payload


_next_update_id = iter(range(910_000, 999_999))


def private_text(text: str, *, message_id: int, chat_id: int = ALICE_CHAT, **extra: Any) -> dict:
    """A private text message from alice (or bob), with a fresh update id."""
    name = "private_english_text" if chat_id == BOB_CHAT else "private_text_formatted"
    payload = update(name, update_id=next(_next_update_id), message_id=message_id, text=text)
    payload["message"].pop("entities", None)
    payload["message"].update(extra)
    return payload


def press(data: str, *, message_id: int, user: str = "alice") -> dict[str, Any]:
    """A tap on an inline button with this callback data, under message ``message_id``."""
    payload = update("callback_query", update_id=next(_next_update_id), data=data)
    payload["callback_query"]["message"]["message_id"] = message_id
    if user == "bob":
        bob = {"id": BOB_CHAT, "is_bot": False, "first_name": "Ben", "language_code": "en"}
        payload["callback_query"]["from"] = bob
        payload["callback_query"]["message"]["chat"] = {
            "id": BOB_CHAT,
            "type": "private",
            "first_name": "Ben",
        }
    return payload


def bot_env(telegram: FakeTelegram, **extra: str | None) -> dict[str, str | None]:
    """The environment of a process of ours (worker, beat, uvicorn) pointed at the fake
    Bot API, with the local AI provider only."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": telegram.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AI_PROVIDERS": "local",
        "OPENAI_API_KEY": "",
        "GEMINI_API_KEY": "",
        # Bursts off, as in the ``telegram`` fixture; the burst tests turn them on.
        "NOTE_BURST_SECONDS": "0",
        **extra,
    }


def post_update(client, payload: dict[str, Any]):
    """POST an update to the webhook as Telegram does (with the secret); nothing run inline."""
    return client.post(
        "/telegram/webhook/",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )


@pytest.fixture
def telegram(settings):
    """The fake Bot API, with the project pointed at it."""
    with FakeTelegram() as fake:
        settings.TELEGRAM_BOT_TOKEN = TOKEN
        settings.TELEGRAM_API_BASE = fake.base_url
        settings.TELEGRAM_WEBHOOK_SECRET = SECRET
        settings.TELEGRAM_GROUP_ID = None
        settings.PUBLIC_URL = None
        settings.AI_PROVIDERS = ["local"]
        settings.OPENAI_API_KEY = ""
        settings.GEMINI_API_KEY = ""
        settings.TELEGRAM_ALBUM_WAIT = 0.0
        # The sample messages were sent seconds apart, so by default any two would join
        # into one note (a burst). Tests about something else keep one note per message;
        # tests/telegram_bot/test_bursts*.py run with the default window.
        settings.NOTE_BURST_SECONDS = 0
        fake.add_group(GROUP_CHAT)
        fake.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=True)
        fake.set_member(GROUP_CHAT, ALICE_CHAT, "creator")
        yield fake


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST an update to the webhook with the secret; run what it enqueues (inline)."""

    def post(payload: dict[str, Any] | str | bytes, *, secret: str | None = SECRET):
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/telegram/webhook/", data=body, content_type="application/json", headers=headers
            )

    return post


@pytest.fixture
def archive(alice):
    """Alice's forum group with topics whose descriptions make the right one obvious."""
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, title="Мой архив")
    topics = {
        "books": TopicFactory(
            group=group,
            thread_id=11,
            name="📚 Книги",
            description="Книги и статьи: что почитать, прочитать потом, цитаты, авторы",
            position=1,
        ),
        "shopping": TopicFactory(
            group=group,
            thread_id=12,
            name="🛒 Покупки",
            description="Список покупок: купить молоко, хлеб, продукты в магазине",
            position=2,
        ),
        "ideas": TopicFactory(
            group=group,
            thread_id=14,
            name="💡 Идеи",
            description="Идеи проектов, задумки, что сделать, придумать бота",
            position=3,
        ),
        "travel": TopicFactory(
            group=group,
            thread_id=15,
            name="✈️ Путешествия",
            description="Поездки, авиабилеты, отели, паспорт, визы, путешествия",
            position=4,
        ),
    }
    return group, topics
