"""The Mini App's Reminders screen in Chromium: the list, another time, cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import NoteStatus, Reminder, ReminderStatus
from tests.factories import NoteFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_the_owner_moves_a_reminder_and_cancels_another(open_miniapp, telegram, alice):
    first, second = (
        Reminder.objects.create(
            owner=alice,
            note=NoteFactory(owner=alice, title=title, status=NoteStatus.PUBLISHED),
            due_at=timezone.now() + timedelta(hours=hours),
            status=ReminderStatus.SCHEDULED,
        )
        for title, hours in (("Позвонить маме", 2), ("Оплатить интернет", 5))
    )

    page, problems = open_miniapp(f"#reminders/{first.pk}")

    expect(page.get_by_test_id("reminders")).to_contain_text("Позвонить маме")
    expect(page.get_by_test_id("reminders")).to_contain_text("Оплатить интернет")
    expect(page.get_by_test_id(f"reminder-save-{first.pk}")).to_have_text("Сохранить")

    page.get_by_test_id(f"reminder-time-{first.pk}").fill("2031-01-15T10:30")
    page.get_by_test_id(f"reminder-save-{first.pk}").click()
    expect(page.get_by_test_id(f"reminder-when-{first.pk}")).to_contain_text("2031")
    moved = Reminder.objects.get(pk=first.pk).due_at
    assert (moved.year, moved.month, moved.day) == (2031, 1, 15)

    page.get_by_test_id(f"reminder-time-{second.pk}").fill("2040-01-01T10:00")
    page.get_by_test_id(f"reminder-save-{second.pk}").click()  # more than 5 years ahead
    expect(page.locator("body")).to_contain_text("не дальше чем на 5 лет")
    assert Reminder.objects.get(pk=second.pk).due_at.year != 2040

    page.get_by_test_id(f"reminder-cancel-{second.pk}").click()
    expect(page.get_by_test_id(f"reminder-{second.pk}")).to_have_count(0)
    assert Reminder.objects.get(pk=second.pk).status == ReminderStatus.CANCELLED
    assert problems.errors == []
