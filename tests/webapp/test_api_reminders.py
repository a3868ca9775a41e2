"""The Mini App's reminders API: list, another time (refused clearly when past or too far),
cancel, a note's reminder, the reminder preference; another owner's are not found."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import NoteStatus, Reminder, ReminderStatus
from secretary.models import Preferences
from tests.factories import NoteFactory, UserFactory
from tests.webapp.test_api import api  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("telegram")]  # its token signs


@pytest.fixture
def alice_reminder(alice):
    note = NoteFactory(owner=alice, text="Позвонить маме", status=NoteStatus.PUBLISHED)
    return Reminder.objects.create(
        owner=alice,
        note=note,
        due_at=timezone.now() + timedelta(hours=2),
        status=ReminderStatus.SCHEDULED,
    )


def test_the_list_shows_the_owners_upcoming_reminders(api, alice_reminder):  # noqa: F811
    other = UserFactory(telegram_id=5_570_001)
    Reminder.objects.create(
        owner=other,
        note=NoteFactory(owner=other),
        due_at=timezone.now() + timedelta(hours=1),
        status=ReminderStatus.SCHEDULED,
    )

    answer = api("GET", "reminders/")

    assert answer.status_code == 200
    [shown] = answer.json()
    assert (shown["id"], shown["note_title"], shown["status"]) == (
        alice_reminder.pk,
        "Позвонить маме",
        "scheduled",
    )


def test_another_time_moves_it_and_bad_times_are_refused_with_a_field_error(
    api,  # noqa: F811
    alice_reminder,
):
    later = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    answer = api("PATCH", f"reminders/{alice_reminder.pk}/", {"due_at": later.isoformat()})
    assert answer.status_code == 200
    assert Reminder.objects.get().due_at == later

    too_far = timezone.now() + timedelta(days=6 * 365)
    answer = api("PATCH", f"reminders/{alice_reminder.pk}/", {"due_at": too_far.isoformat()})
    assert answer.status_code == 400
    assert "5" in str(answer.json())

    past = timezone.now() - timedelta(hours=1)
    answer = api("PATCH", f"reminders/{alice_reminder.pk}/", {"due_at": past.isoformat()})
    assert answer.status_code == 400
    assert api("PATCH", f"reminders/{alice_reminder.pk}/", {"due_at": "soon"}).status_code == 400
    assert Reminder.objects.get().due_at == later


def test_cancel_and_the_notes_reminder(api, alice_reminder):  # noqa: F811
    answer = api("GET", f"notes/{alice_reminder.note_id}/reminder/")
    assert answer.status_code == 200
    assert answer.json()["id"] == alice_reminder.pk

    assert api("DELETE", f"reminders/{alice_reminder.pk}/").status_code == 200
    assert Reminder.objects.get().status == ReminderStatus.CANCELLED
    assert api("DELETE", f"reminders/{alice_reminder.pk}/").status_code == 404
    assert api("GET", "reminders/").json() == []


def test_another_owners_reminder_is_not_found(api, alice_reminder):  # noqa: F811
    other = UserFactory(telegram_id=5_570_002)
    theirs = Reminder.objects.create(
        owner=other,
        note=NoteFactory(owner=other),
        due_at=timezone.now() + timedelta(hours=1),
        status=ReminderStatus.SCHEDULED,
    )
    assert api("DELETE", f"reminders/{theirs.pk}/").status_code == 404
    assert Reminder.objects.get(pk=theirs.pk).status == ReminderStatus.SCHEDULED


def test_the_reminder_preference_is_read_and_changed(api, alice):  # noqa: F811
    assert api("GET", "preferences/").json()["reminder_mode"] == "ask"
    assert api("PATCH", "preferences/", {"reminder_mode": "never"}).status_code == 200
    assert Preferences.objects.get(user=alice).reminder_mode == "never"
    assert api("PATCH", "preferences/", {"reminder_mode": "sometimes"}).status_code == 400
