"""How long Telegram waits for the webhook's 200: store the update, enqueue its processing.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/webhook_latency.py

Starts uvicorn on a fresh SQLite database (or DATABASE_URL) with the broker at
REDIS_URL and POSTs 200 distinct text updates, one after another, as Telegram
does for one bot. No worker runs: what is measured is the request alone; the
queued tasks are purged afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8766
SECRET = "bench-secret"  # noqa: S105 - a throwaway secret for a loopback server
UPDATES = 200


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the webhook enqueues into the broker (use a db of your own).")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3",
            "TELEGRAM_BOT_TOKEN": "7000001:AAF4-bench-token",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        python = sys.executable
        migrate = [python, "manage.py", "migrate", "-v", "0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own commands
        server = subprocess.Popen(  # noqa: S603
            [python, "-m", "uvicorn", "secretary.asgi:application", "--port", str(PORT)],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "WARNING"},
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)
            timings = [_post(n) for n in range(UPDATES)]
        finally:
            server.terminate()
            server.wait(timeout=10)
            purge = [python, "-m", "celery", "-A", "secretary", "purge", "-f"]
            subprocess.run(purge, cwd=ROOT, env=env, capture_output=True, check=False)  # noqa: S603
    timings.sort()
    median, p95 = statistics.median(timings), timings[int(UPDATES * 0.95)]
    print(f"webhook (store + enqueue), {UPDATES} updates: median {median:.1f} ms, p95 {p95:.1f} ms")


def _post(n: int) -> float:
    update = json.loads((ROOT / "tests/data/telegram/private_text_formatted.json").read_text())
    update["update_id"] = 5_000_000 + n
    update["message"]["message_id"] = 10_000 + n
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/telegram/webhook/",
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback only
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
