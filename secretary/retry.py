"""Retrying a Celery task later, with or without a broker."""

from __future__ import annotations

import time
from typing import Any

from celery import Task

# Inline mode blocks whoever runs the task (a request, runbot): never for long.
INLINE_WAIT_MAX = 5.0


def retry_later(
    task: Task,
    *,
    countdown: float,
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    task_id: str | None = None,
) -> None:
    """Run ``task`` again in ``countdown`` seconds, counting the attempt.

    With a broker the retry waits in the queue (this raises Celery's Retry).
    Inline (no broker) there is no queue to wait in: wait here, bounded, and
    run it again; Celery's own eager retry would neither wait nor work when
    eager errors propagate. The run keeps its task id (``task_id`` inline), which
    is what lets it take back the lease it held (``secretary.work``).
    """
    if task.request.is_eager:
        time.sleep(min(countdown, INLINE_WAIT_MAX))
        task.apply(args, kwargs, retries=task.request.retries + 1, task_id=task_id)
        return
    raise task.retry(countdown=countdown)
