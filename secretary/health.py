"""Liveness and readiness probes.

``/healthz`` only says the process answers. ``/readyz`` checks what a request
needs: the database, and — when configured — Redis and the Celery broker.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHECK_TIMEOUT_SECONDS = 2


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker
    results = {name: _run(check) for name, check in checks.items()}
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


def _run(check: Callable[[], None]) -> dict[str, object]:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # a probe reports every failure, it never raises
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_database() -> None:
    """One query; raises what the database raises (also run by ``manage.py doctor``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    """A PING within the check timeout; raises what redis-py raises."""
    import redis

    client = redis.Redis.from_url(
        str(settings.REDIS_URL),
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    """One connection to the Celery broker (one retry at most); raises on failure."""
    from secretary.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
