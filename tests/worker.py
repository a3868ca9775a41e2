"""Real Celery processes for tests, on the test database and real Redis.

``killable_worker`` yields a ``Worker`` a test may ``kill()`` (SIGKILL of the whole
process group: nothing acknowledges anything) and ``start()`` again;
``running_worker`` is the plain "a worker runs during this block" form. Output goes
to a log file, never to an unread pipe that could fill up and block the process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from kombu import Connection

from secretary.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 15
KILL_TIMEOUT_SECONDS = 10
PING_TIMEOUT_SECONDS = 0.5


def _test_database_url() -> str:
    """DATABASE_URL, pointed at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _broker_url(extra_env: Mapping[str, str] | None, redis_url: str | None) -> str:
    url = redis_url or (extra_env or {}).get("REDIS_URL") or settings.REDIS_URL
    if not url:
        raise RuntimeError("a real Celery process needs Redis: set REDIS_URL or pass redis_url")
    return str(url)


def _worker_env(
    extra_env: Mapping[str, str] | None, redis_url: str | None = None
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
        **(extra_env or {}),
        "REDIS_URL": _broker_url(extra_env, redis_url),
    }


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _spawn(args: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen[bytes]:
    """Start ``args`` in a session (process group) of its own, output appended to ``logfile``."""
    with logfile.open("ab") as log:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # only another user's process could hold the id now
        return False
    return True


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process of ``process``'s group and wait until none is left."""
    pgid = process.pid  # a session leader's group id is its pid
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    process.wait(timeout=KILL_TIMEOUT_SECONDS)
    deadline = time.monotonic() + KILL_TIMEOUT_SECONDS
    while _group_alive(pgid):  # orphaned children are reaped by init
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes of group {pgid} survived SIGKILL")
        time.sleep(0.02)


def _stop_gracefully(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the main process, wait, then SIGKILL whatever is left of its group."""
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    _kill_group(process)


def _broker_answers(url: str) -> bool:
    """A quick, bounded check that Redis is up (kombu would retry a dead broker for long)."""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=PING_TIMEOUT_SECONDS, socket_timeout=PING_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _control_app(url: str) -> Celery:
    """A Celery app on the broker at ``url``, only for remote control (ping).

    ``app.control`` publishes through its own app's producer pool whatever
    ``connection=`` it is given, so pinging a worker on another broker than the
    settings' takes an app configured for that broker.
    """
    control = Celery("tests-worker-control", broker=url, set_as_current=False)
    control.conf.update(
        accept_content=celery_app.conf.accept_content,
        control_exchange=celery_app.conf.control_exchange,
        broker_transport_options=celery_app.conf.broker_transport_options,
    )
    return control


class Worker:
    """A ``celery worker`` (prefork) subprocess on the broker at ``redis_url``.

    ``start()`` waits until it answers a Celery ping on that broker; ``kill()`` is
    SIGKILL of its process group (main process and pool children); ``stop()`` is a
    warm shutdown, then SIGKILL. It can be started again after either.
    """

    def __init__(
        self,
        extra_env: Mapping[str, str] | None = None,
        *,
        redis_url: str | None = None,
        concurrency: int = 1,
        queues: str = "",
    ) -> None:
        self.env = _worker_env(extra_env, redis_url)
        self.redis_url = self.env["REDIS_URL"]
        self.concurrency = concurrency
        self.queues = queues  # comma-separated; every queue when empty, as in production
        self.directory = Path(tempfile.mkdtemp(prefix="celery-worker-"))
        self.logfile = self.directory / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.hostname = ""
        self.starts = 0
        self._control = _control_app(self.redis_url)

    # -- state -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pgid(self) -> int:
        """Process group of the current (or last) worker process."""
        if self.process is None:
            raise RuntimeError("the worker was never started")
        return self.process.pid

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def broker_connection(self) -> Connection:
        """A kombu connection to this broker: ``celery_app.send_task(name, connection=…)``."""
        return celery_app.connection_for_write(self.redis_url)

    def ping(self, timeout: float = PING_TIMEOUT_SECONDS) -> bool:
        """Whether this worker answers a Celery ping on its own broker."""
        if not self.hostname or not _broker_answers(self.redis_url):
            return False
        try:
            # A fresh connection each time: a reused one can miss the reply.
            with self._control.connection_for_write() as conn:
                replies = self._control.control.ping(
                    destination=[self.hostname], timeout=timeout, connection=conn
                )
        except Exception:  # a broker going away mid-ping is a "no"
            return False
        return bool(replies)

    def purge(self) -> int:
        """Discard the tasks waiting in this broker's queue."""
        if not _broker_answers(self.redis_url):
            raise RuntimeError(f"the broker at {self.redis_url} does not answer")
        with self.broker_connection() as conn:
            return int(celery_app.control.purge(connection=conn) or 0)

    # -- lifecycle ---------------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> Worker:
        """Start the worker (a fresh node name each time) and wait until it answers a ping."""
        if self.running:
            return self
        self.starts += 1
        self.hostname = f"test-worker-{os.getpid()}-{time.monotonic_ns()}@localhost"
        with self.logfile.open("ab") as log:
            log.write(f"--- start {self.starts}: {self.hostname} ---\n".encode())
        self.process = _spawn(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "secretary",
                "--quiet",  # as compose starts it: no banner, every line a log line
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                self.hostname,
                *([f"--queues={self.queues}"] if self.queues else []),
            ],
            self.env,
            self.logfile,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                _kill_group(self.process)
                raise RuntimeError(f"celery worker exited with {code}:\n{_log_tail(self.logfile)}")
            if self.ping():
                return self
            time.sleep(0.1)
        _kill_group(self.process)
        raise RuntimeError(
            f"celery worker did not answer a ping within {timeout} s:\n{_log_tail(self.logfile)}"
        )

    def kill(self) -> None:
        """SIGKILL the whole process group and wait until none of it is left."""
        if self.process is not None:
            _kill_group(self.process)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Warm shutdown (SIGTERM, waits for the running task), then SIGKILL of what is left."""
        if self.process is not None:
            _stop_gracefully(self.process, timeout)

    def close(self) -> None:
        """Stop the worker and remove its log directory."""
        try:
            self.stop()
        finally:
            self._control.close()
            shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def killable_worker(
    extra_env: Mapping[str, str] | None = None,
    redis_url: str | None = None,
    *,
    start: bool = True,
    concurrency: int = 1,
    queues: str = "",
) -> Iterator[Worker]:
    """A ``Worker`` (started unless ``start=False``) on an emptied queue; always cleaned up.

    While it runs, ``.delay()`` in the test process goes to the broker instead of
    running inline (to the settings' broker: for a private one, send through
    ``worker.broker_connection()``). The test must commit its data
    (``transactional_db``) for the worker to see it.
    """
    worker = Worker(extra_env, redis_url=redis_url, concurrency=concurrency, queues=queues)
    previous = celery_app.conf.task_always_eager
    try:
        worker.purge()
        if start:
            worker.start()
        celery_app.conf.task_always_eager = False
        yield worker
    except BaseException:
        # The log goes with the temp dir: show it with the failure (pytest's captured stderr).
        sys.stderr.write(f"--- celery worker log (tail) ---\n{_log_tail(worker.logfile)}\n")
        raise
    finally:
        celery_app.conf.task_always_eager = previous
        worker.close()


@contextmanager
def running_worker(extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``celery worker`` (prefork, one child), wait until it answers a ping, stop it after.

    The calling test must commit its data (``transactional_db``) for the worker to see it.
    """
    with killable_worker(extra_env) as worker:
        assert worker.process is not None
        yield worker.process


@contextmanager
def running_beat(
    tmp_path: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
    redis_url: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``celery beat`` with the database scheduler; stop it after.

    Its pid file and ``beat.log`` go to ``tmp_path`` (a temp dir, removed after, if None).
    """
    directory = tmp_path or Path(tempfile.mkdtemp(prefix="celery-beat-"))
    process = _spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "secretary",
            "beat",
            "--loglevel=INFO",
            "--pidfile",
            str(directory / "beat.pid"),
        ],
        _worker_env(extra_env, redis_url),
        directory / "beat.log",
    )
    try:
        yield process
    finally:
        try:
            _stop_gracefully(process, STOP_TIMEOUT_SECONDS)
        finally:
            if tmp_path is None:
                shutil.rmtree(directory, ignore_errors=True)


def wait_for(condition, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
