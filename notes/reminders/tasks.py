"""Tasks of reminders. The eta task is the fast path; the beat job is the safety net.

Both run the same pass over the due reminders (``delivery.reminders_send_due``): the
row's lease decides who sends, so an eta task and a beat run, two beats, or a run
after a crash never send one reminder twice.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from notes.ports import ports_opened
from notes.reminders.delivery import Pass, reminders_send_due
from secretary.pacing import turn_spent, turn_wait
from secretary.work import enqueue

logger = logging.getLogger(__name__)

# One run lasts about this long (well within the task time limit); the next takes the rest.
RUN_SECONDS = 20.0
PACE_KEY = "reminders"


def reminders_pace() -> float:
    """Reminders to many owners go at ``REMINDERS_RATE`` in any second (below Telegram's
    about 30 in all, which is the margin). Each counts from when its send ended
    (``reminders_spent``), and the window is one second: one and a margin would bring
    the sustained pace down to two thirds of the setting."""
    return turn_wait(PACE_KEY, limit=settings.REMINDERS_RATE, period=1.0)


def reminders_spent() -> None:
    turn_spent(PACE_KEY, period=1.0)


def _run(task: Task) -> Pass:
    with ports_opened():
        done = reminders_send_due(
            pace=reminders_pace, spent=reminders_spent, run_seconds=RUN_SECONDS
        )
    if done.wait is not None:
        enqueue(send_due_reminders, countdown=done.wait)  # Telegram asked to wait
    elif done.sent and not task.request.is_eager:
        enqueue(send_due_reminders)  # the run ran out of time: the next takes the rest
    if done.sent:
        logger.info("Sent %d reminders", done.sent)
    return done


@shared_task(name="notes.reminders.send_reminder_when_due", bind=True)
def send_reminder_when_due(self: Task, reminder_id: int) -> int:
    """The eta task of one reminder: at its time, send what is due (it first of all)."""
    return _run(self).sent


@shared_task(name="notes.reminders.send_due_reminders", bind=True)
def send_due_reminders(self: Task) -> int:
    """Beat job, every minute: whatever is due and not sent (downtime, a lost eta task)."""
    return _run(self).sent
