"""The webhook as the server serves it: ``secretary.asgi.application`` on its own path.

No middleware and no thread: the insert goes through psycopg's async pool (committed
on its own, so these tests use a transactional database) and the hand-off to the
broker through the publisher's thread. What reaches the broker is read off Redis.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from secretary import asyncdb
from secretary.asgi import application
from secretary.celery import app as celery_app
from secretary.work import publisher
from telegram_bot.models import TelegramUpdate
from tests.services import free_port
from tests.telegram_bot.conftest import SECRET, private_text, update

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "notes"  # where process_update goes


@pytest.fixture
def broker(telegram):
    """Tasks go to Redis (not inline); the queue starts empty and is emptied after."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE)
    celery_app.conf.task_always_eager = False
    yield client
    publisher.wait_idle(10)
    client.delete(QUEUE)
    client.close()


def handed_off(client: redis.Redis) -> list[tuple[str, Any]]:
    """(task name, args) of the messages waiting in the queue, oldest first."""
    assert publisher.wait_idle(10)
    messages = [json.loads(raw) for raw in reversed(client.lrange(QUEUE, 0, -1))]
    return [
        (message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0])
        for message in messages
    ]


async def _post_all(
    bodies: list[bytes], *, secret: str | None = SECRET, method: str = "POST"
) -> list[httpx.Response]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as http:
            return list(
                await asyncio.gather(
                    *(
                        http.request(method, "/telegram/webhook/", content=body, headers=headers)
                        for body in bodies
                    )
                )
            )
    finally:
        await asyncdb.pools_close()


def post(*payloads: dict[str, Any] | bytes, **options: Any) -> list[int]:
    """POST these bodies at once, the way Telegram does to a busy webhook; their statuses."""
    bodies = [p if isinstance(p, bytes) else json.dumps(p).encode() for p in payloads]
    return [response.status_code for response in asyncio.run(_post_all(bodies, **options))]


def test_simultaneous_copies_are_stored_once_and_handed_off_once(broker):
    notes = [private_text(f"Купить {n} яблок", message_id=100 + n) for n in range(12)]

    statuses = post(*(notes * 3))  # every update three times, all at once

    assert statuses == [200] * 36
    stored = TelegramUpdate.objects.order_by("update_id")
    assert [u.update_id for u in stored] == [n["update_id"] for n in notes]
    assert {u.status for u in stored} == {TelegramUpdate.Status.RECEIVED}
    assert stored[0].payload == notes[0]
    assert sorted(handed_off(broker)) == sorted(
        ("telegram_bot.tasks.process_update", [n["update_id"]]) for n in notes
    )


def test_the_task_carries_the_updates_correlation_id(broker):
    note = private_text("Позвонить маме", message_id=7)

    assert post(note) == [200]

    assert publisher.wait_idle(10)
    (raw,) = broker.lrange(QUEUE, 0, -1)
    assert json.loads(raw)["headers"]["log_correlation_id"] == f"tg-{note['update_id']}"


def test_an_update_type_nobody_handles_is_stored_as_ignored_and_not_handed_off(broker):
    poll = {"update_id": 4242, "poll": {"id": "1", "question": "?", "options": []}}

    assert post(poll) == [200]

    assert TelegramUpdate.objects.get().status == TelegramUpdate.Status.IGNORED
    assert handed_off(broker) == []


@pytest.mark.parametrize(
    ("body", "secret", "status"),
    [
        (json.dumps(update("private_start")).encode(), "not-the-secret", 401),
        (json.dumps(update("private_start")).encode(), None, 401),
        (b"{not json", SECRET, 400),
        (b"\xff\xfe", SECRET, 400),
        ('{"update_id": 5, "message": {}}'.encode("utf-16"), SECRET, 400),
        (b'{"update_id": "7"}', SECRET, 400),
        (b'{"update_id": true, "message": {}}', SECRET, 400),
        (b"[1, 2]", SECRET, 400),
        (b'{"update_id": 1, "message": {"text": "' + b"x" * (1024 * 1024) + b'"}}', SECRET, 413),
    ],
)
def test_what_is_not_a_telegram_update_is_refused_and_nothing_is_stored(
    broker, body, secret, status
):
    assert post(body, secret=secret) == [status]

    assert not TelegramUpdate.objects.exists()
    assert handed_off(broker) == []


def test_without_a_configured_secret_everything_is_refused(broker, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = ""

    assert post(update("private_start"), secret="") == [503]
    assert not TelegramUpdate.objects.exists()


def test_only_post_is_allowed(broker):
    response = asyncio.run(_post_all([b""], method="GET"))[0]

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_an_unreachable_database_answers_503_so_telegram_redelivers(broker, monkeypatch):
    database = connection.settings_dict
    monkeypatch.setitem(database, "PORT", str(free_port()))  # nothing listens there
    monkeypatch.setitem(database["OPTIONS"], "pool", {"timeout": 1})

    assert post(update("private_start")) == [503]

    monkeypatch.undo()
    assert not TelegramUpdate.objects.exists()
    assert handed_off(broker) == []


def test_connections_the_database_killed_are_replaced_and_the_update_stored(broker):
    async def two_updates_with_a_restart_between() -> list[object]:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as http:
            first = await http.post(
                "/telegram/webhook/", json=update("private_start"), headers=headers
            )
            # What a PostgreSQL restart does to the connections idle in the pool.
            killer = await psycopg.AsyncConnection.connect(**asyncdb._connection_kwargs())
            async with killer:
                cursor = await killer.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()",
                    [asyncdb.APPLICATION_NAME],
                )
                row = await cursor.fetchone()
                killed = row[0] if row else 0
            second = await http.post(
                "/telegram/webhook/", json=update("private_text_formatted"), headers=headers
            )
        await asyncdb.pools_close()
        return [first.status_code, killed >= 1, second.status_code]

    assert asyncio.run(two_updates_with_a_restart_between()) == [200, True, 200]
    assert TelegramUpdate.objects.count() == 2
