"""Every line the web server and the worker print is JSON, from their first to their last:
warnings (Python's, Celery's as root) go through logging, and the worker's banner is not
printed. Both start as production starts them: uvicorn with DEBUG off, the worker by
compose's start script (``compose/django/start-worker``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.services import free_port
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    SECRET,
    archive,
    bot_env,
    private_text,
    telegram,
)
from tests.web import running_uvicorn
from tests.worker import _test_database_url, wait_for

__all__ = ["archive", "telegram"]  # the fixtures of the bot's tests

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
START_WORKER = ROOT / "compose" / "django" / "start-worker"


def production_env(telegram, directory: Path) -> dict[str, str | None]:
    return {
        **bot_env(telegram),
        "DEBUG": None,  # off, as in production
        "SECRET_KEY": "log-test-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_FORMAT": None,  # the default without DEBUG: json
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONWARNINGS": "default",  # every warning shown, as a developer's shell may
        "PYTHONUNBUFFERED": "1",
        # Where compose's start script keeps the worker's metrics, and its port: free ones.
        "PROMETHEUS_MULTIPROC_DIR": str(directory / "metrics"),
        "CELERY_METRICS_PORT": str(free_port()),
        "CELERY_CONCURRENCY": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def not_json(log: str) -> list[str]:
    """The lines of ``log`` that are not one JSON object (the test harness's own excepted)."""
    wrong = []
    for line in log.splitlines():
        if not line.strip() or line.startswith("--- uvicorn on "):
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            wrong.append(line)
            continue
        if not isinstance(parsed, dict) or "message" not in parsed:
            wrong.append(line)
    return wrong


def test_the_web_server_and_the_worker_print_nothing_but_json(telegram, archive):
    directory = Path(tempfile.mkdtemp(prefix="all-json-"))
    env = production_env(telegram, directory)
    merged = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for key in (k for k, v in env.items() if v is None):
        merged.pop(key, None)
    worker_log = directory / "worker.log"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(
            ["sh", str(START_WORKER)],
            cwd=ROOT,
            env=merged,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: " ready." in worker_log.read_text(errors="replace"), timeout=60)
        with (
            running_uvicorn(env) as web,
            httpx.Client(base_url=web.base_url, timeout=30, trust_env=False) as http,
        ):
            assert http.get("/static/webapp/app.js").status_code in (200, 404)
            assert http.get("/no/such/page/").status_code == 404
            stored = http.post(
                "/telegram/webhook/",
                json=private_text("Купить молоко и хлеб", message_id=70),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert stored.status_code == 200
            wait_for(
                lambda: [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT],
                timeout=30,
            )
            web_log = web.log()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)  # a warm shutdown, and its lines
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=5)
        text = worker_log.read_text(errors="replace")
        shutil.rmtree(directory, ignore_errors=True)

    assert "Started server process" in web_log
    assert not_json(web_log) == []
    assert " ready." in text
    assert "Task telegram_bot.tasks.process_update" in text
    assert not_json(text) == []
