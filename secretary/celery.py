"""The Celery application and the periodic jobs the product runs.

Periodic jobs are declared here, in code, and written into django-celery-beat's
tables by ``periodic_tasks_sync`` (run after every ``migrate``), so that beat
picks them up and staff can see, pause or re-time them in the admin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")

app = Celery("secretary")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every_seconds: int
    description: str


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="Expire pending confirmations",
        task="notes.tasks.expire_pending_confirmations",
        every_seconds=60,
        description="Pending confirmations past their TTL become expired; notes stay.",
    ),
)
