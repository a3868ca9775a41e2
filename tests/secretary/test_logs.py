"""Structured logs: JSON lines, one correlation id from the webhook to the last task, no secrets.

The in-process tests configure logging with ``LOG_FORMAT=json`` (``dictConfig`` of the
settings' LOGGING with the JSON formatter) and read what the root handler writes; the
worker tests read a real worker's output.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import re
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
import structlog
from django.conf import settings as django_settings

from notes.models import Note, PendingConfirmation
from notes.tasks import expire_pending_confirmations, resume_stalled_notes
from secretary import logs
from telegram_bot.models import TelegramUpdate
from tests.fakes.telegram import TOKEN
from tests.secretary.test_settings import run_settings
from tests.telegram_bot.conftest import (
    SECRET,
    archive,
    bot_env,
    post_update,
    private_text,
    telegram,
)
from tests.web import running_uvicorn
from tests.webapp.initdata import signed_init_data, tma
from tests.worker import _test_database_url, killable_worker, wait_for

__all__ = ["archive", "telegram"]  # the fixtures of the bot's tests

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
OPENAI_KEY = "sk-log-test-openai-key-0123456789"
GEMINI_KEY = "AIzaLogTestGeminiKey0123456789"


def json_lines(text: str) -> list[dict]:
    """Every line of ``text`` as JSON; a line that is not JSON fails the test."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def worker_lines(log: str) -> list[dict]:
    """The JSON lines of a worker's log (started ``--quiet``, as compose starts it: no
    banner); every line from its first log line on must be JSON."""
    lines = [line for line in log.splitlines() if line.strip() and not line.startswith("--- ")]
    first = next(i for i, line in enumerate(lines) if line.startswith('{"time": '))
    return [json.loads(line) for line in lines[first:]]


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return json_lines(self.text())


@pytest.fixture
def json_logs(settings) -> Iterator[Captured]:
    """Logging configured as in production (``LOG_FORMAT=json``), its output captured."""
    original = copy.deepcopy(django_settings.LOGGING)
    config: dict[str, Any] = copy.deepcopy(original)
    config["handlers"]["console"]["formatter"] = "json"
    settings.LOG_FORMAT = "json"
    settings.LOGGING = config
    logging.config.dictConfig(config)
    stream = io.StringIO()
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(stream)
    structlog.contextvars.clear_contextvars()
    try:
        yield Captured(stream)
    finally:
        structlog.contextvars.clear_contextvars()
        logging.config.dictConfig(original)


# -- the lines -----------------------------------------------------------------------------


def test_every_line_is_one_json_object_with_time_level_logger_message(json_logs):
    logging.getLogger("notes.example").warning("Note %s refused: %s", 7, "why")
    structlog.get_logger("django_structlog.example").info("request_finished", code=200)

    first, second = json_logs.lines()
    assert list(first)[:4] == ["time", "level", "logger", "message"]
    assert first["level"] == "warning"
    assert first["logger"] == "notes.example"
    assert first["message"] == "Note 7 refused: why"
    assert first["time"].endswith("Z")  # ISO, UTC
    assert first["correlation_id"] is None  # outside any request or task, and says so
    assert "event" not in first
    assert second["message"] == "request_finished"
    assert second["code"] == 200


def test_a_traceback_is_in_exception_and_secrets_are_blanked_everywhere(json_logs, settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.OPENAI_API_KEY = OPENAI_KEY
    settings.GEMINI_API_KEY = GEMINI_KEY
    structlog.contextvars.bind_contextvars(correlation_id="tg-1")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        logging.getLogger("aiohttp.client").exception("Request with key %s failed", OPENAI_KEY)
    logging.getLogger("x").info("quoted: %s", {"key": GEMINI_KEY})
    logging.getLogger("x").info("only the secret half: %s", TOKEN.split(":")[1])

    text = json_logs.text()
    for secret in (TOKEN, TOKEN.split(":")[1], OPENAI_KEY, GEMINI_KEY):
        assert secret not in text
    failure, quoted, half = json_logs.lines()
    assert failure["message"] == "Request with key <openai-api-key> failed"
    assert failure["level"] == "error"
    assert failure["correlation_id"] == "tg-1"
    assert failure["exception"].startswith("Traceback (most recent call last):")
    assert "/bot<bot-token>/sendMessage" in failure["exception"]
    assert "<gemini-api-key>" in quoted["message"]
    assert half["message"] == "only the secret half: <bot-token>"


def test_a_secret_is_blanked_as_json_escapes_it_too(json_logs, settings):
    settings.OPENAI_API_KEY = 'sk-odd"key\\with-quotes'
    logging.getLogger("x").info("key %s", settings.OPENAI_API_KEY)

    (line,) = json_logs.lines()
    assert line["message"] == "key <openai-api-key>"


def test_the_console_format_is_the_default_with_debug_and_json_without():
    code = "import logging\nlogging.getLogger('probe').warning('console-probe %s', 1)\n"
    debug = run_settings({"DEBUG": "1"}, code)
    assert debug.returncode == 0, debug.stderr
    (line,) = [line for line in debug.stderr.splitlines() if "console-probe" in line]
    assert not line.startswith("{")
    assert re.search(r"\[warning\s*\] console-probe 1\s+\[probe\]", line), line

    production = run_settings({"SECRET_KEY": "x" * 50}, code)
    assert production.returncode == 0, production.stderr
    (line,) = [line for line in production.stderr.splitlines() if "console-probe" in line]
    assert json.loads(line)["message"] == "console-probe 1"

    forced = run_settings({"DEBUG": "1", "LOG_FORMAT": "json"}, code)
    (line,) = [line for line in forced.stderr.splitlines() if "console-probe" in line]
    assert json.loads(line)["logger"] == "probe"


def test_an_unknown_log_format_stops_the_process_at_start():
    result = run_settings({"DEBUG": "1", "LOG_FORMAT": "xml"})
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or console" in result.stderr


# -- HTTP requests ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_gets_a_request_id_its_lines_and_its_response_carry(client, json_logs):
    response = client.get("/api/v1/me/")  # no init data: 401, logged as a warning

    assert response.status_code == 401
    request_id = response.headers["X-Request-ID"]
    assert UUID.fullmatch(request_id)
    lines = json_logs.lines()
    finished = next(line for line in lines if line["message"] == "request_finished")
    assert finished["request_id"] == request_id
    assert finished["code"] == 401
    assert finished["request"] == "GET /api/v1/me/"
    unauthorized = next(line for line in lines if line["logger"] == "django.request")
    assert unauthorized["message"] == "Unauthorized: /api/v1/me/"
    assert {line["correlation_id"] for line in lines} == {request_id}
    assert structlog.contextvars.get_contextvars() == {}  # nothing left for the next one


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["a1b2c3", "edge-proxy.7_Z", "x" * 64])
def test_a_valid_incoming_request_id_is_honoured(client, json_logs, given):
    response = client.get("/api/v1/me/", headers={"X-Request-ID": given})

    assert response.headers["X-Request-ID"] == given
    lines = json_logs.lines()
    assert lines
    assert {line["correlation_id"] for line in lines} == {given}
    assert {line["request_id"] for line in lines if "request_id" in line} == {given}


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["", "x" * 65, "two words", "id;rm -rf", "é-accent", "a/b"])
def test_an_invalid_incoming_request_id_is_replaced(client, json_logs, given):
    response = client.get("/api/v1/me/", headers={"X-Request-ID": given})

    request_id = response.headers["X-Request-ID"]
    assert request_id != given
    assert UUID.fullmatch(request_id)
    assert {line["correlation_id"] for line in json_logs.lines()} == {request_id}
    if given:
        assert given not in json_logs.text()


@pytest.mark.django_db
def test_mini_app_init_data_is_not_logged(client, json_logs, telegram):
    good = signed_init_data()
    assert client.get("/api/v1/me/", headers=tma(good)).status_code == 200
    bad = signed_init_data(token="1:other")
    assert client.get("/api/v1/me/", headers=tma(bad)).status_code == 401

    text = json_logs.text()
    assert "request_finished" in text
    for secret in (good, bad, good.split("hash=")[1], bad.split("hash=")[1], "auth_date="):
        assert secret not in text


# -- Celery inline ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_inline_task_keeps_its_callers_context_and_restores_it(json_logs):
    seen: list[dict] = []

    def expire() -> list[int]:
        seen.append(structlog.contextvars.get_contextvars())
        return []

    structlog.contextvars.bind_contextvars(correlation_id="caller-1", note_id=5)
    with mock.patch("notes.tasks.notes_expire", expire):
        expire_pending_confirmations.delay()

    (inside,) = seen
    assert inside["correlation_id"] == "caller-1"
    assert inside["note_id"] == 5
    assert inside["task"] == "notes.tasks.expire_pending_confirmations"
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "caller-1", "note_id": 5}


@pytest.mark.django_db
def test_an_inline_task_without_a_caller_context_gets_an_id_of_its_own(json_logs):
    seen: list[str | None] = []

    def expire() -> list[int]:
        seen.append(logs.correlation_id())
        return []

    with mock.patch("notes.tasks.notes_expire", expire):
        expire_pending_confirmations.delay()

    assert re.fullmatch(r"task-[0-9a-f]{8}", seen[0])
    assert structlog.contextvars.get_contextvars() == {}


def test_a_published_task_carries_the_correlation_id_in_its_headers():
    headers: dict[str, str] = {}
    logs._carry_correlation_id(headers=headers)
    assert headers == {}  # nothing to carry

    with structlog.contextvars.bound_contextvars(correlation_id="tg-42"):
        logs._carry_correlation_id(headers=headers)
    assert headers == {logs.CORRELATION_HEADER: "tg-42"}


# -- through a real worker --------------------------------------------------------------------


def worker_env(telegram):
    return bot_env(
        telegram,
        LOG_FORMAT="json",
        OPENAI_API_KEY=OPENAI_KEY,  # configured (not used: the local provider answers)
        GEMINI_API_KEY=GEMINI_KEY,
    )


def assert_no_secrets(text: str, *also: str) -> None:
    for secret in (TOKEN, TOKEN.split(":")[1], OPENAI_KEY, GEMINI_KEY, *also):
        assert secret not in text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_webhook_update_and_every_task_it_causes_share_one_correlation_id(
    telegram, archive, client, json_logs
):
    unique = f"milk-{uuid.uuid4().hex[:12]}"
    payload = private_text(f"Купить {unique} и хлеб", message_id=71)
    update_id = payload["update_id"]
    correlation = f"tg-{update_id}"
    with killable_worker(worker_env(telegram)) as worker:
        # Telegram refuses (429) the sign of life (the handler logs that it could not give
        # one) and the preview's first try (the note task waits and logs why).
        telegram.rate_limit_next("setMessageReaction", retry_after=1)
        telegram.rate_limit_next("sendChatAction", retry_after=1)
        telegram.rate_limit_next("sendMessage", retry_after=1)
        response = post_update(client, payload)
        assert response.status_code == 200

        note = wait_for(lambda: Note.objects.first())
        wait_for(lambda: PendingConfirmation.objects.filter(note=note, preview_message_id__gt=0))

        def finished() -> list[dict] | None:
            lines = worker_lines(worker.log())
            received = {line["task_id"] for line in lines if "received" in line["message"]}
            done = {line["task_id"] for line in lines if " succeeded in " in line["message"]}
            return lines if received and received == done else None

        lines = wait_for(finished)

        # A beat job, with no id of its own in its message, gets a fresh one.
        structlog.contextvars.clear_contextvars()
        beat_job = resume_stalled_notes.apply_async(
            headers={"periodic_task_name": "Resume stalled notes"}
        )
        beat_lines = wait_for(
            lambda: [
                line
                for line in worker_lines(worker.log())
                if line.get("task_id") == beat_job.id and "succeeded" in line["message"]
            ]
        )
        log = worker.log()

    # The web side: the request's lines say the update's id once it is parsed.
    finished_request = next(
        line for line in json_logs.lines() if line["message"] == "request_finished"
    )
    assert finished_request["correlation_id"] == correlation
    assert finished_request["update_id"] == update_id
    assert UUID.fullmatch(finished_request["request_id"])
    assert response.headers["X-Request-ID"] == finished_request["request_id"]

    # The worker side: every line of every task names the update, and only it.
    tasks = {line["task_id"]: line["task"] for line in lines if "task_id" in line}
    assert "telegram_bot.tasks.process_update" in tasks.values()
    assert "notes.tasks.note_process" in tasks.values()
    in_tasks = [line for line in lines if line["correlation_id"] is not None]
    assert {line["correlation_id"] for line in in_tasks} == {correlation}
    assert all("task_id" in line for line in in_tasks)
    ran = {line["task_id"] for line in in_tasks}
    assert set(tasks) == ran  # every task that was received ran with the update's id
    for line in lines:
        if line["correlation_id"] is None and "task_id" in line:
            # Celery writes "received" before the task runs, outside it: its task id ties it in.
            assert line["logger"] == "celery.worker.strategy", line

    # The lines of a note's work name the note (the refused preview, and the wait).
    note_work = [
        line
        for line in in_tasks
        if line["task"].startswith("notes.tasks.note_") and not line["logger"].startswith("celery")
    ]
    assert {line.get("note_id") for line in note_work} == {note.pk}
    assert any("temporary failure" in line["message"] for line in note_work)
    # process_update's own lines (its handler's, in their event loop) name the update; its
    # last line, the note stored meanwhile.
    update_run = [line for line in in_tasks if line["task"] == "telegram_bot.tasks.process_update"]
    handler = [line for line in update_run if not line["logger"].startswith("celery")]
    assert any("No sign of life possible" in line["message"] for line in handler)
    assert {line["update_id"] for line in handler} == {update_id}
    assert update_run[-1]["note_id"] == note.pk

    (beat_line,) = beat_lines
    assert re.fullmatch(r"beat-[0-9a-f]{8}", beat_line["correlation_id"])

    # Nothing secret, and not the message's text, in any line.
    assert_no_secrets(log, unique)
    assert_no_secrets(json_logs.text(), unique)
    assert TelegramUpdate.objects.get(update_id=update_id).status == TelegramUpdate.Status.PROCESSED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_under_uvicorn_the_request_id_and_the_update_id_reach_the_lines(telegram, archive):
    """The production server (ASGI, sync middleware and views in threads) keeps the context."""
    env = {**worker_env(telegram), "DATABASE_URL": _test_database_url(), "DEBUG": "1"}
    payload = private_text(f"Купить {uuid.uuid4().hex}", message_id=72)
    with (
        running_uvicorn(env) as web,
        httpx.Client(base_url=web.base_url, timeout=30, trust_env=False) as http,
    ):
        api = http.get("/api/v1/me/", headers={"X-Request-ID": "edge-123"})
        webhook = http.post(
            "/telegram/webhook/",
            json=payload,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        log = web.log()

    assert api.status_code == 401
    assert api.headers["X-Request-ID"] == "edge-123"
    assert webhook.status_code == 200
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    finished = [line for line in lines if line["message"] == "request_finished"]
    by_path = {line["request"]: line for line in finished}
    assert by_path["GET /api/v1/me/"]["correlation_id"] == "edge-123"
    assert by_path["GET /api/v1/me/"]["request_id"] == "edge-123"
    stored = by_path["POST /telegram/webhook/"]
    assert stored["correlation_id"] == f"tg-{payload['update_id']}"
    assert stored["request_id"] == webhook.headers["X-Request-ID"]
    assert_no_secrets(log, payload["message"]["text"])
