"""The fault-injection harness itself, for real: private Redis, killable worker, uvicorn, fakes."""

from __future__ import annotations

import json
import os
import socket
import struct
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.tasks import expire_pending_confirmations
from secretary.celery import app as celery_app
from tests.factories import PendingConfirmationFactory
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.services import HOST, private_redis
from tests.web import running_uvicorn
from tests.worker import killable_worker, wait_for


def _refused(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp …
        if int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def test_a_private_redis_stops_and_starts_again_on_the_same_port():
    with private_redis() as server:
        port = server.port
        assert server.url == f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(server.url, socket_timeout=1)
        assert client.set("key", "value")
        server.stop()
        assert _refused(port)
        server.start()
        assert server.port == port
        assert redis.Redis.from_url(server.url, socket_timeout=1).ping()
        assert client.get("key") is None  # no persistence: a restart starts empty
    assert _refused(port)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killable_worker_on_a_private_redis_dies_whole_and_comes_back(alice):
    with private_redis() as server, killable_worker(redis_url=server.url) as worker:
        assert worker.ping()
        assert celery_app.control.ping(destination=[worker.hostname], timeout=0.5) == []
        pgid = worker.pgid
        assert len(_group_members(pgid)) >= 2  # the main process and its prefork child

        worker.kill()

        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
        assert not worker.ping()

        worker.start()
        assert worker.ping()
        assert worker.pgid != pgid
        late = PendingConfirmationFactory(
            note__owner=alice, expires_at=timezone.now() - timedelta(minutes=5)
        )
        with worker.broker_connection() as conn:
            celery_app.send_task(expire_pending_confirmations.name, connection=conn)
        wait_for(lambda: Note.objects.get(pk=late.note_id).status == NoteStatus.EXPIRED)
        last_pgid = worker.pgid
    with pytest.raises(ProcessLookupError):
        os.killpg(last_pgid, 0)


def test_uvicorn_serves_the_app_on_an_embedded_sqlite_database(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": ""}
    with running_uvicorn(env) as web:
        assert httpx.get(f"{web.base_url}/healthz", trust_env=False).status_code == 200
        ready = httpx.get(f"{web.base_url}/readyz", trust_env=False)
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) == {"database"}  # no Redis, tasks inline
        assert "manage.py migrate" in web.log()
        port = int(web.base_url.rsplit(":", 1)[1])
    assert database.exists()
    assert _refused(port)


def _send_message(port: int, *, reset: bool) -> socket.socket:
    body = json.dumps({"chat_id": 5550001, "text": "held"}).encode()
    head = (
        f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock = socket.create_connection((HOST, port), timeout=5)
    if reset:  # close with RST, as the kernel may when a process dies with unread data
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(head.encode() + body)
    return sock


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_a_stalled_request_whose_client_went_away_never_reaches_the_fake(reset):
    with FakeTelegram() as telegram:
        port = int(telegram.base_url.rsplit(":", 1)[1])
        telegram.stall_next(0.5, match="sendMessage", drop_if_gone=True)
        client = _send_message(port, reset=reset)
        telegram.wait_held("sendMessage")
        assert telegram.calls("sendMessage") == []  # held, not processed yet
        client.close()

        dropped = wait_for(lambda: telegram.dropped_calls("sendMessage"), timeout=5)

        assert dropped[0]["text"] == "held"
        assert telegram.calls() == []
        assert telegram.messages == {}
        assert telegram.timeline == []


def test_a_stalled_request_whose_client_waits_is_answered_and_recorded():
    with FakeTelegram() as telegram:
        telegram.stall_next(0.3, match="sendMessage", drop_if_gone=True)
        answer = httpx.post(
            f"{telegram.base_url}/bot{TOKEN}/sendMessage",
            json={"chat_id": 5550001, "text": "waited"},
            timeout=5,
            trust_env=False,
        )
        assert answer.json()["ok"] is True
        assert [call["text"] for call in telegram.calls("sendMessage")] == ["waited"]
        assert telegram.dropped_calls() == []
