"""The Mini App's one task: do an action the API answered 202 for (``webapp.actions``)."""

from __future__ import annotations

from celery import shared_task

from secretary.work import enqueue_on_commit
from webapp.actions import action_run

# Inline (no broker: the embedded install, the tests) the run still must not hold the
# request it was started from; ``enqueue`` gives a delayed inline run a thread of its own.
INLINE_DELAY_SECONDS = 0.01


@shared_task(name="webapp.tasks.run_action")
def run_action(action_id: str) -> None:
    action_run(action_id=action_id)


def action_enqueue(action_id: str) -> None:
    eager = bool(run_action.app.conf.task_always_eager)
    options = {"countdown": INLINE_DELAY_SECONDS} if eager else {}
    enqueue_on_commit(run_action, action_id, **options)
