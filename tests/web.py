"""The real ASGI app under uvicorn, in a subprocess with an environment of the test's choosing."""

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
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.services import HOST, free_port, tail

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_SECONDS = 30.0
MIGRATE_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass
class Uvicorn:
    """A running ``uvicorn secretary.asgi:application`` on loopback."""

    base_url: str
    logfile: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


def _merged_env(env: Mapping[str, str | None]) -> dict[str, str]:
    """``env`` over ``os.environ``; a value of None removes the variable."""
    merged = dict(os.environ)
    for key, value in env.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _migrate_if_sqlite(env: dict[str, str], cwd: Path, logfile: Path) -> None:
    """Create the tables of an SQLite DATABASE_URL (the embedded default) before serving."""
    if not env.get("DATABASE_URL", "").strip().lower().startswith("sqlite:"):
        return
    with logfile.open("ab") as log:
        log.write(b"--- manage.py migrate ---\n")
        log.flush()
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=MIGRATE_TIMEOUT_SECONDS,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"migrate exited with {result.returncode}:\n{tail(logfile)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of its group
    process.wait(timeout=5)


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, logfile: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{tail(logfile)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"uvicorn did not answer /healthz within {READY_TIMEOUT_SECONDS} s:\n{tail(logfile)}"
    )


@contextmanager
def running_uvicorn(env: Mapping[str, str | None], *, cwd: Path = ROOT) -> Iterator[Uvicorn]:
    """Serve the app on a free loopback port with ``env`` (over ``os.environ``; None unsets).

    Waits until ``GET /healthz`` answers 200; an SQLite DATABASE_URL is migrated
    first. Output goes to a log file (``.log()``). Stopped (SIGTERM, then SIGKILL) at exit.
    """
    merged = _merged_env(env)
    directory = Path(tempfile.mkdtemp(prefix="uvicorn-"))
    logfile = directory / "uvicorn.log"
    process: subprocess.Popen[bytes] | None = None
    try:
        _migrate_if_sqlite(merged, cwd, logfile)
        port = free_port()
        with logfile.open("ab") as log:
            log.write(f"--- uvicorn on {HOST}:{port} ---\n".encode())
            log.flush()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "secretary.asgi:application",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                ],
                cwd=cwd,
                env=merged,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://{HOST}:{port}"
        _wait_healthy(process, base_url, logfile)
        yield Uvicorn(base_url=base_url, logfile=logfile, process=process)
    except BaseException:
        # The log goes with the temp dir: show it with the failure (pytest's captured stderr).
        sys.stderr.write(f"--- uvicorn log (tail) ---\n{tail(logfile)}\n")
        raise
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)
