"""Reminders in the chat, inline (the embedded mode): the offer, the toggle, delivery,
the reminder's buttons, /reminders, and what Telegram refuses."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from notes.models import Note, PendingConfirmation, Reminder, ReminderStatus
from notes.reminders.tasks import send_due_reminders
from secretary.models import Preferences
from tests.factories import NoteFactory
from tests.fakes.telegram_rules import telegram_error
from tests.telegram_bot.conftest import ALICE_CHAT, press, private_text

pytestmark = pytest.mark.django_db


def send_note(deliver, text, message_id=70):
    deliver(private_text(text, message_id=message_id))
    note = Note.objects.get(source_message_id=message_id)
    return note, PendingConfirmation.objects.get(note=note).preview_message_id


def moscow(alice):
    Preferences.objects.filter(user=alice).update(time_zone="Europe/Moscow")


def make_due(reminder, ago=timedelta(seconds=1)):
    Reminder.objects.filter(pk=reminder.pk).update(
        status=ReminderStatus.SCHEDULED, due_at=timezone.now() - ago
    )


def reminder_messages(telegram):
    return [c for c in telegram.calls("sendMessage") if c["text"].startswith("⏰")]


def test_a_note_with_a_date_is_offered_a_reminder_and_the_toggle_sets_it(
    telegram, deliver, archive, alice
):
    moscow(alice)
    note, preview_id = send_note(deliver, "Позвонить маме завтра в 10")

    [preview] = telegram.calls("sendMessage")
    [offer] = [b for row in preview.buttons for b in row if b.startswith("⏰")]
    assert offer.startswith("⏰ Напомнить: ")
    assert offer.endswith(", 10:00")
    reminder = Reminder.objects.get(note=note)
    assert reminder.status == ReminderStatus.OFFERED
    assert reminder.due_at.astimezone(reminder.due_at.tzinfo).hour in (7,)  # 10:00 MSK in UTC
    telegram.reset()

    deliver(press(f"rm:{reminder.pk}:t", message_id=preview_id))

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SCHEDULED
    [edited] = telegram.calls("editMessageReplyMarkup")
    assert edited.buttons[-2][0].startswith("✅ ⏰ Напоминание: ")
    assert edited.buttons[-1] == ["+1 ч", "Завтра в 9:00"]
    assert telegram.calls("answerCallbackQuery")[0]["text"].startswith("⏰ Напомню ")

    deliver(press(f"rm:{reminder.pk}:t", message_id=preview_id))  # and off again
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.OFFERED


def test_the_first_offer_in_the_default_zone_asks_about_it_once(telegram, deliver, archive):
    send_note(deliver, "Позвонить маме завтра в 10", message_id=71)
    send_note(deliver, "Встреча в пятницу в 15:00", message_id=72)

    first, second = telegram.calls("sendMessage")
    assert "🌍 Напоминания идут по часовому поясу UTC" in first["text"]
    assert "🌍" not in second["text"]


def test_a_note_without_a_date_offers_nothing(telegram, deliver, archive):
    send_note(deliver, "Купить 3 яйца и молоко")
    [preview] = telegram.calls("sendMessage")
    assert not [b for row in preview.buttons for b in row if "⏰" in b]
    assert not Reminder.objects.exists()


def test_a_due_reminder_is_sent_once_with_its_buttons_and_a_link_to_the_filed_note(
    telegram, deliver, archive, alice
):
    moscow(alice)
    note, preview_id = send_note(deliver, "Купить молоко и хлеб в магазине завтра в 10")
    reminder = Reminder.objects.get(note=note)
    deliver(press(f"rm:{reminder.pk}:t", message_id=preview_id))
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))
    make_due(reminder)
    telegram.reset()

    assert send_due_reminders.apply().get() == 1
    assert send_due_reminders.apply().get() == 0  # a second pass finds nothing to send

    [sent] = reminder_messages(telegram)
    assert sent["chat_id"] == ALICE_CHAT
    assert "Купить молоко и хлеб" in sent["text"]
    assert 'href="https://t.me/c/2000000001/' in sent["text"]
    assert "Опоздало" not in sent["text"]
    assert sent.buttons == [["✅ Готово", "⏰ +1 ч", "Завтра"]]
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_late) == (ReminderStatus.SENT, False)
    assert reminder.sent_message_id is not None


def test_a_reminder_due_long_ago_is_sent_marked_late(telegram, deliver, archive):
    note, _ = send_note(deliver, "Позвонить маме завтра в 10")
    reminder = Reminder.objects.get(note=note)
    make_due(reminder, ago=timedelta(hours=3))
    telegram.reset()

    send_due_reminders.apply()

    [sent] = reminder_messages(telegram)
    assert "⌛ Опоздало" in sent["text"]
    assert Reminder.objects.get(pk=reminder.pk).sent_late


def test_the_reminders_buttons_done_an_hour_later_and_tomorrow(telegram, deliver, archive):
    note, _ = send_note(deliver, "Позвонить маме завтра в 10")
    reminder = Reminder.objects.get(note=note)
    make_due(reminder)
    send_due_reminders.apply()
    message_id = Reminder.objects.get(pk=reminder.pk).sent_message_id

    deliver(press(f"rm:{reminder.pk}:h", message_id=message_id))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SCHEDULED
    in_an_hour = timezone.now() + timedelta(hours=1)
    assert abs((reminder.due_at - in_an_hour).total_seconds()) < 60

    make_due(reminder)
    send_due_reminders.apply()
    message_id = Reminder.objects.get(pk=reminder.pk).sent_message_id
    deliver(press(f"rm:{reminder.pk}:m", message_id=message_id))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SCHEDULED
    assert (reminder.due_at.hour, reminder.due_at.minute) == (9, 0)  # the owner's zone: UTC

    deliver(press(f"rm:{reminder.pk}:d", message_id=message_id))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    assert telegram.calls("editMessageReplyMarkup")[-1].buttons == []


def test_slash_reminders_lists_the_upcoming_ones_and_cancels_one(telegram, deliver, archive):
    first, _ = send_note(deliver, "Позвонить маме завтра в 10", message_id=71)
    send_note(deliver, "Стоматолог в пятницу в 15:00", message_id=72)
    Reminder.objects.update(status=ReminderStatus.SCHEDULED)
    telegram.reset()

    deliver(private_text("/reminders", message_id=73))

    [listing] = telegram.calls("sendMessage")
    assert "Ближайшие напоминания" in listing["text"]
    assert listing.buttons == [["✖ Отменить 1"], ["✖ Отменить 2"]]
    reminder = Reminder.objects.get(note=first)
    [(_, listed)] = [key for key in telegram.messages if "Ближайшие" in str(telegram.messages[key])]
    deliver(press(f"rm:{reminder.pk}:c", message_id=listed))

    assert Reminder.objects.get(note=first).status == ReminderStatus.CANCELLED
    [edited] = telegram.calls("editMessageText")
    assert edited.buttons == [["✖ Отменить 1"]]


def test_cancelling_the_note_cancels_its_reminder(telegram, deliver, archive):
    note, preview_id = send_note(deliver, "Позвонить маме завтра в 10")
    reminder = Reminder.objects.get(note=note)
    deliver(press(f"rm:{reminder.pk}:t", message_id=preview_id))

    deliver(press(f"note:{note.pk}:cancel", message_id=preview_id))

    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED


def test_an_owner_who_blocked_the_bot_keeps_the_reminder_undelivered_and_untried(
    telegram, deliver, archive, alice
):
    note, _ = send_note(deliver, "Позвонить маме завтра в 10")
    reminder = Reminder.objects.get(note=note)
    make_due(reminder)
    blocked = telegram_error(403, "Forbidden: bot was blocked by the user")
    telegram.fail_next(403, blocked, match="sendMessage", times=5)

    send_due_reminders.apply()
    send_due_reminders.apply()

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.UNDELIVERED
    assert len(telegram.requests_to("sendMessage")) == 2  # the preview, one try of the reminder
    alice.refresh_from_db()
    assert alice.has_blocked_bot


def test_a_rate_limit_is_waited_out_and_the_reminder_sent_after(telegram, deliver, archive):
    note, _ = send_note(deliver, "Позвонить маме завтра в 10")
    reminder = Reminder.objects.get(note=note)
    make_due(reminder)
    telegram.reset()
    telegram.rate_limit_next("sendMessage", retry_after=1)

    send_due_reminders.apply()

    assert len(reminder_messages(telegram)) == 2  # refused with a 429, then accepted
    accepted = [m for m in telegram.messages.values() if str(m.get("text", "")).startswith("⏰")]
    assert len(accepted) == 1
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


def test_settings_choose_what_auto_filed_notes_do_about_reminders(telegram, deliver, alice):
    deliver(private_text("/settings", message_id=80))
    [shown] = telegram.calls("sendMessage")
    assert ["• ⏰ Предлагать", "⏰ Всегда", "⏰ Никогда"] in shown.buttons

    deliver(press("set:rem:always", message_id=1000))

    assert Preferences.objects.get(user=alice).reminder_mode == "always"
    [edited] = telegram.calls("editMessageText")
    assert ["⏰ Предлагать", "• ⏰ Всегда", "⏰ Никогда"] in edited.buttons


def test_an_auto_filed_note_follows_always_and_never(telegram, deliver, archive, alice):
    Preferences.objects.filter(user=alice).update(
        confirm_mode="never", reminder_mode="always", time_zone_confirmed=True
    )
    deliver(private_text("Купить молоко и хлеб в магазине завтра в 10", message_id=81))
    assert Reminder.objects.get().status == ReminderStatus.SCHEDULED

    Preferences.objects.filter(user=alice).update(reminder_mode="never")
    cache.clear()
    deliver(private_text("Купить сыр в магазине завтра в 11", message_id=82))
    assert Reminder.objects.count() == 1


def test_a_time_more_than_five_years_ahead_is_refused(alice):
    from notes.reminders.services import ReminderRefused, reminder_reschedule

    note = NoteFactory(owner=alice, status="published")
    reminder = Reminder.objects.create(owner=alice, note=note, due_at=timezone.now())
    with pytest.raises(ReminderRefused) as refused:
        reminder_reschedule(
            owner=alice, reminder_id=reminder.pk, at=timezone.now() + timedelta(days=6 * 365)
        )
    assert refused.value.reason == ReminderRefused.TOO_FAR
