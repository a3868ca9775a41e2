"""Reminders go out in due order, at the configured pace, with two senders at once."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from notes.models import NoteStatus, Reminder, ReminderStatus
from notes.ports import ports_opened
from notes.reminders.delivery import reminders_send_due
from notes.reminders.tasks import reminders_pace, reminders_spent
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db(transaction=True)


def due_reminders(alice, count):
    now = timezone.now()
    return [
        Reminder.objects.create(
            owner=alice,
            note=NoteFactory(
                owner=alice, text=f"Reminder number {n:02d}", status=NoteStatus.PUBLISHED
            ),
            due_at=now - timedelta(minutes=1) + timedelta(seconds=n),
            status=ReminderStatus.SCHEDULED,
        )
        for n in range(count)
    ]


def sent_numbers(telegram):
    return [
        int(call["text"].split("Reminder number ")[1][:2])
        for call in telegram.calls("sendMessage")
        if "Reminder number" in call["text"]
    ]


def test_a_reminder_telegram_holds_back_is_not_overtaken_by_the_other_sender(telegram, alice):
    due_reminders(alice, 4)
    telegram.rate_limit_next("sendMessage", retry_after=1)

    with ports_opened():
        # The first sender's pass ends inside Telegram's wait: reminder 0 is held back.
        first = reminders_send_due(pace=lambda: 0.0, run_seconds=0.5)
        assert (first.sent, first.wait) == (0, 1)
        # The second sender, at once: nothing due after reminder 0 goes before it.
        second = reminders_send_due(pace=lambda: 0.0, run_seconds=5)
        assert second.sent == 0
        assert second.wait is not None  # back when it is free
        assert 0 < second.wait <= 1
        time.sleep(1.1)
        assert reminders_send_due(pace=lambda: 0.0, run_seconds=5).sent == 4

    assert sent_numbers(telegram) == [0, 0, 1, 2, 3]  # refused once, then all in order


def test_two_concurrent_senders_send_in_due_order_at_the_configured_pace(telegram, alice, settings):
    settings.REMINDERS_RATE = 10
    due_reminders(alice, 25)

    def sender():
        try:
            with ports_opened():
                while Reminder.objects.filter(status=ReminderStatus.SCHEDULED).exists():
                    reminders_send_due(pace=reminders_pace, spent=reminders_spent, run_seconds=1.0)
                    time.sleep(0.01)
        finally:
            connections.close_all()

    started = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    took = time.monotonic() - started

    assert sent_numbers(telegram) == list(range(25))  # each once, in due order
    moments = [at for at, method in telegram.timeline if method == "sendMessage"]
    assert max(sum(1 for m in moments if start <= m < start + 1.0) for start in moments) <= 10
    assert 1.4 <= took < 6  # 25 at 10 a second: the pace of the setting, not two thirds of it
