"""What the benchmarks share: their own database, the broker's purge, results on disk.

Every benchmark runs on loopback against the local PostgreSQL and Redis, on a database
of its own (created, migrated, dropped), and writes what it measured to
``bench/results/<name>.json``; ``bench/report.py`` turns those into the tables of
``docs/performance.md``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def write_result(name: str, command: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {"benchmark": name, "command": command, "machine": machine(), **result}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 (and the count) of ``samples``, in the samples' unit."""
    if not samples:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []

    def at(p: int) -> float:
        return round(cuts[p - 1] if cuts else ordered[0], 2)

    return {"count": len(ordered), "p50": at(50), "p95": at(95), "p99": at(99)}


def database_url(default_name: str) -> str:
    """BENCH_DATABASE_URL, never DATABASE_URL: the benchmark drops the database it names."""
    url = os.environ.get("BENCH_DATABASE_URL") or (
        f"postgres://postgres@127.0.0.1:5432/{default_name}"
    )
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database of the benchmark's own.")
    return url


def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        sys.exit("Set REDIS_URL to a Redis database of the benchmark's own (it is flushed).")
    return url


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_database(url: str, *, fresh: bool = False) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def purge_broker() -> None:
    from secretary.celery import app

    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)
