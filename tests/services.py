"""Services a test owns outright: a private ``redis-server`` it may stop and start again.

Everything here listens on loopback only, waits a bounded time and is torn down
when the context manager exits, whether the test passed or not.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file ('' when it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class PrivateRedis:
    """A ``redis-server`` on ``127.0.0.1:port`` with no persistence, in its own temp dir."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.logfile = directory / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def ping(self, timeout: float = 0.5) -> bool:
        client = redis.Redis(
            host=HOST, port=self.port, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> PrivateRedis:
        """Start the server on ``self.port`` and wait until it answers PING."""
        if self.running:
            return self
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.logfile),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise RuntimeError(
                    f"redis-server on port {self.port} exited with {code}:\n{tail(self.logfile)}"
                )
            if self.ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"redis-server on port {self.port} did not answer PING within "
            f"{READY_TIMEOUT_SECONDS} s:\n{tail(self.logfile)}"
        )

    def stop(self) -> None:
        """Stop the server and wait for it to exit; the port then refuses connections."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A ``redis-server`` of the test's own on a free loopback port; stopped at exit."""
    directory = Path(tempfile.mkdtemp(prefix="private-redis-"))
    server: PrivateRedis | None = None
    try:
        for attempt in range(START_ATTEMPTS):
            server = PrivateRedis(directory)
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == START_ATTEMPTS - 1:
                    raise
        assert server is not None
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)
