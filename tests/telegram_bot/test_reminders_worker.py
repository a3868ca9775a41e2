"""Reminders delivered by real processes: a worker's eta task, two beats at once, a worker
SIGKILLed mid-send, and a worker coming back after downtime. Exactly once, none lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import NoteStatus, Reminder, ReminderStatus
from notes.reminders.services import reminder_toggle
from secretary.services import periodic_tasks_sync
from tests.factories import NoteFactory, UserFactory
from tests.telegram_bot.conftest import bot_env
from tests.worker import killable_worker, running_beat, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def process_env(telegram, **extra):
    return bot_env(telegram, WORK_LEASE="3s", REMINDERS_RATE="30", **extra)


def beat_every_second():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    periodic_tasks_sync()
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(task="notes.reminders.send_due_reminders").update(
        interval=every_second, last_run_at=None
    )
    PeriodicTask.objects.exclude(task="notes.reminders.send_due_reminders").update(enabled=False)


def due_reminders(count, *, owners=1, ago=timedelta(seconds=1)):
    people = [UserFactory(telegram_id=5_560_000 + n) for n in range(owners)]
    reminders = []
    for n in range(count):
        note = NoteFactory(
            owner=people[n % owners], text=f"Напоминание номер {n}", status=NoteStatus.PUBLISHED
        )
        reminders.append(
            Reminder.objects.create(
                owner=note.owner,
                note=note,
                due_at=timezone.now() - ago + timedelta(milliseconds=n),
                status=ReminderStatus.SCHEDULED,
            )
        )
    return reminders


def accepted(telegram):
    """The reminders Telegram accepted (a call the fake dropped is not among them)."""
    return [
        message["text"]
        for message in telegram.messages.values()
        if str(message.get("text", "")).startswith("⏰")
    ]


def all_sent(count):
    return lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() == count


def test_a_set_reminder_is_sent_by_the_workers_eta_task_when_due(telegram):
    owner = UserFactory(telegram_id=5_560_100)
    note = NoteFactory(owner=owner, text="Позвонить маме", status=NoteStatus.PUBLISHED)
    with killable_worker(process_env(telegram)):
        reminder = Reminder.objects.create(
            owner=owner,
            note=note,
            due_at=timezone.now() + timedelta(seconds=3),
            status=ReminderStatus.OFFERED,
        )
        reminder_toggle(owner=owner, reminder_id=reminder.pk)  # set: its eta task is queued
        wait_for(all_sent(1), timeout=30)
    sent = Reminder.objects.get()
    assert sent.sent_at is not None
    assert sent.sent_at >= sent.due_at
    assert (sent.sent_at - sent.due_at).total_seconds() < 3
    assert len(accepted(telegram)) == 1


def test_two_beats_at_once_send_each_due_reminder_once_in_due_order(telegram, tmp_path):
    reminders = due_reminders(30, owners=5)
    beat_every_second()
    env = process_env(telegram)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with (
        killable_worker(env, concurrency=2),
        running_beat(tmp_path / "one", env),
        running_beat(tmp_path / "two", env),
    ):
        wait_for(all_sent(30), timeout=90)
    texts = accepted(telegram)
    assert sorted(texts) == sorted(set(texts))  # none twice
    assert len(texts) == 30
    order = list(Reminder.objects.order_by("sent_at").values_list("pk", flat=True))
    assert order == [r.pk for r in reminders]


def test_a_worker_killed_mid_send_sends_each_reminder_once_and_loses_none(telegram, tmp_path):
    due_reminders(3)
    beat_every_second()
    env = process_env(telegram)
    with killable_worker(env) as worker, running_beat(tmp_path, env):
        telegram.stall_next(6, match="sendMessage", drop_if_gone=True)
        telegram.wait_held("sendMessage", timeout=90)
        worker.kill()
        worker.start()
        wait_for(all_sent(3), timeout=120)
    assert len(telegram.dropped_calls("sendMessage")) == 1  # the one the kill cut off
    assert len(accepted(telegram)) == 3


def test_reminders_due_while_everything_was_down_are_sent_marked_late(telegram, tmp_path):
    due_reminders(2, ago=timedelta(hours=2))
    beat_every_second()
    env = process_env(telegram)
    with killable_worker(env), running_beat(tmp_path, env):
        wait_for(all_sent(2), timeout=60)
    assert all("⌛" in text for text in accepted(telegram))
    assert Reminder.objects.filter(sent_late=True).count() == 2
