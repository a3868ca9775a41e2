"""The expiry job through a real Celery worker process on Redis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.tasks import expire_pending_confirmations
from tests.factories import PendingConfirmationFactory
from tests.worker import running_beat, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_expires_overdue_confirmations(alice):
    late = PendingConfirmationFactory(
        note__owner=alice, expires_at=timezone.now() - timedelta(minutes=5)
    )
    fresh = PendingConfirmationFactory(note__owner=alice)

    with running_worker():
        expire_pending_confirmations.delay()

        wait_for(lambda: Note.objects.get(pk=late.note_id).status == NoteStatus.EXPIRED)

    assert Note.objects.get(pk=fresh.note_id).status == NoteStatus.AWAITING_CONFIRMATION


def test_beat_schedules_the_expiry_job_declared_in_code(alice, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(name="Expire pending confirmations").update(
        interval=every_second, last_run_at=None
    )
    late = PendingConfirmationFactory(
        note__owner=alice, expires_at=timezone.now() - timedelta(minutes=5)
    )

    with running_worker(), running_beat(tmp_path):
        wait_for(lambda: Note.objects.get(pk=late.note_id).status == NoteStatus.EXPIRED, timeout=30)
