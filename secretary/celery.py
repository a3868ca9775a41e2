"""The Celery application and the periodic jobs the product runs.

Periodic jobs are declared here, in code, and written into django-celery-beat's
tables by ``periodic_tasks_sync`` (run after every ``migrate``), so that beat
picks them up and staff can see, pause or re-time them in the admin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery import Celery

# Its signal receivers: the worker and beat log through Django's LOGGING, and every task
# carries the correlation id of the request, update or task that enqueued it.
from secretary import logs  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")

app = Celery("secretary")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["notes.reminders"])


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every_seconds: int
    description: str
    every_setting: str = ""  # a duration setting that gives the interval instead

    @property
    def interval_seconds(self) -> int:
        """The interval a new beat entry gets (staff may change it in the admin later)."""
        if not self.every_setting:
            return self.every_seconds
        from django.conf import settings

        return max(1, int(getattr(settings, self.every_setting).total_seconds()))


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="Expire pending confirmations",
        task="notes.tasks.expire_pending_confirmations",
        every_seconds=60,
        description="Pending confirmations past their TTL become expired; notes stay.",
    ),
    PeriodicJob(
        name="Resume stalled notes",
        task="notes.tasks.resume_stalled_notes",
        every_seconds=60,
        every_setting="SWEEP_INTERVAL",
        description=(
            "Notes whose preparation or publishing stopped (a worker died, the broker "
            "was down) are enqueued again; failures not yet told to their owner are told."
        ),
    ),
    PeriodicJob(
        name="Resume stalled Telegram updates",
        task="telegram_bot.tasks.resume_stalled_updates",
        every_seconds=60,
        every_setting="SWEEP_INTERVAL",
        description="Stored Telegram updates whose processing stopped are enqueued again.",
    ),
    PeriodicJob(
        name="Send due reminders",
        task="notes.reminders.send_due_reminders",
        every_seconds=60,
        description="Reminders due and not sent (downtime, a lost eta task) are sent, late.",
    ),
    PeriodicJob(
        name="Resume stalled imports",
        task="telegram_bot.archive.tasks.resume_stalled_imports",
        every_seconds=60,
        every_setting="SWEEP_INTERVAL",
        description="Imports sent to the bot whose worker stopped resume where they stopped.",
    ),
    PeriodicJob(
        name="Prune old update payloads",
        task="telegram_bot.archive.tasks.prune_update_payloads",
        every_seconds=24 * 60 * 60,
        description="Raw payloads of processed updates past UPDATE_RETENTION_DAYS are emptied.",
    ),
)
