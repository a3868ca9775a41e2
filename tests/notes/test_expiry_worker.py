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


def test_expired_previews_are_edited_at_the_bulk_pace(alice):
    """25 previews expire at once; at 10 a second the worker spreads their edits over
    seconds (a run whose turn is later comes back then), and edits them all."""
    from tests.fakes.telegram import FakeTelegram
    from tests.telegram_bot.conftest import bot_env

    overdue = timezone.now() - timedelta(minutes=5)
    with FakeTelegram() as telegram:
        for _ in range(25):
            PendingConfirmationFactory(note__owner=alice, expires_at=overdue)
        env = bot_env(telegram, TELEGRAM_BULK_RATE="10")
        with running_worker(env):
            expire_pending_confirmations.delay()

            wait_for(lambda: len(telegram.calls("editMessageText")) == 25 or None, timeout=30)
    moments = sorted(at for at, method in telegram.timeline if method == "editMessageText")
    assert moments[-1] - moments[0] >= 1.8  # 10 at once, 10 a second later, then 5
    for first in moments:
        assert sum(1 for at in moments if first <= at < first + 0.95) <= 10
