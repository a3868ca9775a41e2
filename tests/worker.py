"""A real Celery worker process for tests, on the test database and real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from secretary.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30


def _test_database_url() -> str:
    """DATABASE_URL, pointed at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _worker_env(extra_env: dict[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": str(settings.REDIS_URL),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
        **(extra_env or {}),
    }


@contextmanager
def running_worker(extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """Start ``celery worker`` (prefork, one child), wait until it answers a ping, stop it after.

    The calling test must commit its data (``transactional_db``) for the worker to see it.
    """
    env = _worker_env(extra_env)
    hostname = f"test-worker-{os.getpid()}-{time.monotonic_ns()}@localhost"
    celery_app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "secretary",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            hostname,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_ready(process, hostname)
        previous = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            yield process
        finally:
            celery_app.conf.task_always_eager = previous
    finally:
        _stop(process)


@contextmanager
def running_beat(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Start ``celery beat`` with the database scheduler; stop it after."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "secretary",
            "beat",
            "--loglevel=INFO",
            "--pidfile",
            str(tmp_path / "beat.pid"),
        ],
        cwd=ROOT,
        env=_worker_env(None),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _wait_until_ready(process: subprocess.Popen[str], hostname: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"celery worker exited with {process.returncode}:\n{output}")
        if celery_app.control.ping(destination=[hostname], timeout=0.5):
            return
    process.kill()
    raise RuntimeError("celery worker did not become ready in time")


def wait_for(condition, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
