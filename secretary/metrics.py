"""The product's own Prometheus series, beside django-prometheus's.

Counters and histograms are bumped where things happen (the webhook, the pipeline's
stages, the AI chain, the Telegram session); what is better read than counted (queue
depth, confirmations waiting) is collected when ``/metrics`` is scraped.

The web process serves them at ``/metrics``. A Celery worker's pool processes cannot
share memory, so with ``PROMETHEUS_MULTIPROC_DIR`` set (the worker's start script sets
it) every process writes its samples there and the worker's main process serves their
sum on ``CELERY_METRICS_PORT`` (see ``worker_metrics_serve``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

_STAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)

UPDATES = Counter(
    "secretary_telegram_updates",
    "Telegram updates received: stored, duplicate, or rejected (by reason).",
    ["outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "secretary_webhook_seconds",
    "How long the webhook took to answer Telegram (read, check, store, hand off).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
NOTES_FINISHED = Counter(
    "secretary_notes_finished",
    "Notes that reached a final status, by status and kind.",
    ["status", "kind"],
)
STAGE_SECONDS = Histogram(
    "secretary_pipeline_stage_seconds",
    "How long each stage of the note pipeline took.",
    ["stage"],
    buckets=_STAGE_BUCKETS,
)
AI_CALLS = Counter(
    "secretary_ai_calls",
    "Calls to AI providers, by provider, operation and outcome (ok, failed, unavailable).",
    ["provider", "operation", "outcome"],
)
AI_SECONDS = Histogram(
    "secretary_ai_call_seconds",
    "How long AI provider calls took.",
    ["provider", "operation"],
    buckets=_STAGE_BUCKETS,
)
AI_TOKENS = Counter(
    "secretary_ai_tokens",
    "Tokens used, by provider, model and direction (input, output).",
    ["provider", "model", "direction"],
)
AI_COST = Counter(
    "secretary_ai_cost_usd",
    "Estimated AI cost in USD, by provider and model.",
    ["provider", "model"],
)
TELEGRAM_CALLS = Counter(
    "secretary_telegram_api_calls",
    "Bot API calls by method and outcome (ok, rate_limited, error).",
    ["method", "outcome"],
)


@contextmanager
def stage_timed(stage: str) -> Iterator[None]:
    """Time one pipeline stage (transcribe, fetch_links, classify, render, publish)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)


def ai_call_record(
    provider: str, operation: str, outcome: str, seconds: float, result: Any
) -> None:
    """One provider call: its outcome and latency, and for an answer its tokens and cost."""
    AI_CALLS.labels(provider, operation, outcome).inc()
    if outcome == "unavailable":
        return
    AI_SECONDS.labels(provider, operation).observe(seconds)
    usage = getattr(result, "usage", None)
    model = str(getattr(result, "model", "") or "")
    if usage is not None:
        AI_TOKENS.labels(provider, model, "input").inc(getattr(usage, "input_tokens", 0) or 0)
        AI_TOKENS.labels(provider, model, "output").inc(getattr(usage, "output_tokens", 0) or 0)
    cost = getattr(result, "cost_usd", None)
    if isinstance(cost, Decimal | float | int) and cost > 0:
        AI_COST.labels(provider, model).inc(float(cost))


class _ReadAtScrape(Collector):
    """Queue depth per queue (the broker's lists) and confirmations waiting for a tap."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """What it serves, without reading anything (registering must not touch the
        database or Redis: it happens while Django starts)."""
        yield GaugeMetricFamily("secretary_queue_depth", "", labels=["queue"])
        yield GaugeMetricFamily("secretary_pending_confirmations", "")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "secretary_queue_depth", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        for queue, waiting in _queue_depths().items():
            depth.add_metric([queue], waiting)
        yield depth
        pending = GaugeMetricFamily(
            "secretary_pending_confirmations", "Previews waiting for the owner's tap."
        )
        count = _pending_count()
        if count is not None:
            pending.add_metric([], count)
        yield pending


def _queue_depths() -> dict[str, int]:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        depths = {}
        for queue in settings.CELERY_TASK_QUEUES:
            # kombu keeps a queue as a list per priority step: the name, then name\x06\x16<n>.
            names = [queue.name, *(f"{queue.name}\x06\x16{step}" for step in range(1, 10))]
            depths[queue.name] = sum(int(client.llen(name)) for name in names)
        return depths
    except redis.RedisError as error:
        logger.warning("Queue depth not read: %s", error)
        return {}
    finally:
        client.close()


def _pending_count() -> int | None:
    from django.db import DatabaseError

    from notes.models import PendingConfirmation

    try:
        return PendingConfirmation.objects.filter(resolved_at__isnull=True).count()
    except DatabaseError as error:
        logger.warning("Pending confirmations not counted: %s", error)
        return None


_registered = False


def collectors_register() -> None:
    """Add what is read at scrape time to the web process's registry (once)."""
    global _registered
    if _registered:
        return
    from prometheus_client import REGISTRY

    REGISTRY.register(_ReadAtScrape())
    _registered = True


def worker_metrics_serve(port: int) -> None:
    """In a worker's main process: serve the sum of every pool process's samples."""
    from prometheus_client import multiprocess

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        logger.warning("CELERY_METRICS_PORT is set without PROMETHEUS_MULTIPROC_DIR: not served")
        return
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    start_http_server(port, registry=registry)
    logger.info("Worker metrics on port %s", port)
