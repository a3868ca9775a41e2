"""The embedded default a newcomer runs (SQLite, tasks inline) keeps the same promise.

The real app under uvicorn, an SQLite file, no Redis: Telegram may deliver one update
several times at once (a slow answer, a retry racing the first copy); each copy is
answered 200 and the owner gets exactly one preview.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fakes.telegram import TOKEN
from tests.telegram_bot.conftest import ALICE_CHAT, SECRET, private_text
from tests.web import running_uvicorn

ROUNDS = 20
COPIES = 5


@pytest.fixture
def embedded(telegram, tmp_path):
    env = {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": None,
        "CELERY_TASK_ALWAYS_EAGER": None,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": telegram.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AI_PROVIDERS": "local",
        "OPENAI_API_KEY": "",
        "GEMINI_API_KEY": "",
    }
    with running_uvicorn(env) as server:
        yield server


def test_one_update_delivered_five_times_at_once_gets_one_preview_every_time(telegram, embedded):
    url = f"{embedded.base_url}/telegram/webhook/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    with httpx.Client(timeout=60, trust_env=False) as client, ThreadPoolExecutor(COPIES) as pool:
        for round_ in range(ROUNDS):
            body = json.dumps(private_text(f"Заметка номер {round_}", message_id=100 + round_))
            answers = list(
                pool.map(
                    lambda copy: client.post(url, content=copy, headers=headers), [body] * COPIES
                )
            )
            assert [answer.status_code for answer in answers] == [200] * COPIES, embedded.log()

    previews = [call for call in telegram.calls("sendMessage") if call["chat_id"] == ALICE_CHAT]
    replied_to = sorted(call.params["reply_parameters"]["message_id"] for call in previews)
    assert replied_to == list(range(100, 100 + ROUNDS)), embedded.log()
    assert "database is locked" not in embedded.log()
