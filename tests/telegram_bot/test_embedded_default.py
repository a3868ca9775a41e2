"""The embedded default a newcomer runs (SQLite, tasks inline) keeps the same promise.

The real app under uvicorn, an SQLite file, no Redis: Telegram may deliver one update
several times at once (a slow answer, a retry racing the first copy); each copy is
answered 200 and the owner gets exactly one preview.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.telegram_bot.conftest import ALICE_CHAT, SECRET, bot_env, private_text, update
from tests.web import running_uvicorn
from tests.worker import wait_for

ROUNDS = 20
COPIES = 5


def embedded_env(telegram, tmp_path, **extra):
    """SQLite, no Redis (tasks inline), the fake Bot API: what a newcomer runs."""
    return bot_env(
        telegram,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=None,
        CELERY_TASK_ALWAYS_EAGER=None,
        **extra,
    )


@pytest.fixture
def embedded(telegram, tmp_path):
    with running_uvicorn(embedded_env(telegram, tmp_path)) as server:
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


@pytest.fixture
def embedded_with_album_wait(telegram, tmp_path):
    with running_uvicorn(embedded_env(telegram, tmp_path, TELEGRAM_ALBUM_WAIT="1")) as server:
        yield server


def test_an_album_gets_one_preview_of_all_its_parts_inline_too(telegram, embedded_with_album_wait):
    url = f"{embedded_with_album_wait.base_url}/telegram/webhook/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    with httpx.Client(timeout=30, trust_env=False) as client:
        for part in ("private_album_part1", "private_album_part2"):
            assert client.post(url, json=update(part), headers=headers).status_code == 200
        wait_for(lambda: telegram.calls("sendMessage"), timeout=20)
        time.sleep(1.5)  # nothing more follows

    [preview] = [call for call in telegram.calls("sendMessage") if call["chat_id"] == ALICE_CHAT]
    assert "📎 Альбом: 2 файла" in preview["text"], embedded_with_album_wait.log()
    assert telegram.calls("editMessageText") == []  # not first one photo, then the album
