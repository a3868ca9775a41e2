"""The Mini App's Reminders screen in Chromium: the list, another time, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import NoteStatus, Reminder, ReminderStatus
from secretary.models import Preferences
from tests.factories import NoteFactory
from tests.webapp.test_browser_screens import serious_violations

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


def _scheduled(alice, title, hours=3):
    return Reminder.objects.create(
        owner=alice,
        note=NoteFactory(owner=alice, title=title, status=NoteStatus.PUBLISHED),
        due_at=timezone.now() + timedelta(hours=hours),
        status=ReminderStatus.SCHEDULED,
    )


def test_a_notes_reminder_is_shown_on_its_page_and_reminders_are_reached_from_history(
    open_miniapp, telegram, alice
):
    Preferences.objects.filter(user=alice).update(time_zone="Europe/Moscow")
    reminder = _scheduled(alice, "Позвонить юристу")
    reminder.due_at = datetime(2030, 3, 4, 7, 30, tzinfo=UTC)  # 10:30 in Moscow
    reminder.save(update_fields=["due_at"])
    plain = NoteFactory(owner=alice, title="Без напоминания", status=NoteStatus.PUBLISHED)

    page, problems = open_miniapp(f"#history/{reminder.note_id}")

    shown = page.get_by_test_id("note-reminder")
    expect(shown).to_contain_text("2030")
    expect(shown).to_contain_text("10:30")
    assert serious_violations(page) == []
    page.get_by_test_id("note-reminder-change").click()
    expect(page.get_by_test_id(f"reminder-{reminder.pk}")).to_have_class("item item-focus")

    page.goto(page.url.split("#")[0] + f"#history/{plain.pk}")
    expect(page.get_by_test_id("note-status")).to_be_visible()
    expect(page.get_by_test_id("note-reminder")).to_have_count(0)

    page.goto(page.url.split("#")[0] + "#history")
    page.get_by_test_id("history-reminders").click()
    expect(page.get_by_test_id("reminders")).to_contain_text("Позвонить юристу")
    assert problems.errors == []


def test_settings_set_the_reminder_mode_and_offer_the_devices_time_zone(
    open_miniapp, telegram, alice
):
    Preferences.objects.filter(user=alice).update(time_zone="Pacific/Chatham")

    page, problems = open_miniapp("#settings")

    device = page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(page.get_by_test_id("settings-reminder-ask")).to_be_checked()
    assert not page.evaluate("() => Telegram.WebApp.MainButton.isVisible")  # nothing changed
    assert serious_violations(page) == []

    page.get_by_test_id("settings-reminder-always").check()
    offer = page.get_by_test_id("settings-time-zone-device")
    expect(offer).to_contain_text(device)
    offer.click()
    expect(page.get_by_test_id("settings-time-zone")).to_have_value(device)
    assert page.evaluate("() => Telegram.WebApp.MainButton.isVisible")
    page.evaluate("() => Telegram.WebApp.MainButton.press()")

    expect(page.get_by_test_id("toast").last).to_have_text("Сохранено")
    saved = Preferences.objects.get(user=alice)
    assert (saved.reminder_mode, saved.time_zone) == ("always", device)
    expect(page.get_by_test_id("settings-time-zone-device")).to_have_count(0)  # the same now
    assert problems.errors == []
