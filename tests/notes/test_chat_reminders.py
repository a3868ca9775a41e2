"""Reminders in ``manage.py chat``: the offer in the preview, /remind, and a reminder
printed when it falls due while the chat runs."""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import NoteStatus, Reminder, ReminderStatus
from notes.ports import Ports
from notes.reminders.inline import DueChecks
from notes.terminal import LocalArchive, TerminalDisplay
from tests.factories import NoteFactory, UserFactory
from tests.notes.test_chat import chat, embedded, user  # noqa: F401  (the fixtures)


def reminder_status(embedded_db, user_name):
    with sqlite3.connect(embedded_db.database) as connection:
        return connection.execute(
            """
            SELECT reminder.status FROM notes_reminder AS reminder
            JOIN secretary_user AS owner ON owner.id = reminder.owner_id
            WHERE owner.username = ?
            """,
            [f"terminal-{user_name}"],
        ).fetchall()


def test_the_preview_offers_the_reminder_and_slash_remind_sets_it(embedded, user):  # noqa: F811
    result = chat(embedded, "Купить молоко завтра в 10\n/remind\n", "--language", "ru", user=user)

    assert "⏰ Напомнить: " in result.stdout
    assert "/remind" in result.stdout
    assert "⏰ Напомню " in result.stdout
    assert reminder_status(embedded, user) == [("scheduled",)]


def test_slash_remind_without_a_date_says_so(embedded, user):  # noqa: F811
    result = chat(embedded, "Купить молоко\n/remind\n", "--language", "en", user=user)

    assert "The last note has no date to remind you of." in result.stdout
    assert reminder_status(embedded, user) == []


@pytest.mark.django_db
def test_a_reminder_due_while_the_chat_runs_is_printed_once():
    owner = UserFactory(telegram_id=None, username="terminal-someone")
    note = NoteFactory(owner=owner, text="Позвонить маме", status=NoteStatus.PUBLISHED)
    Reminder.objects.create(
        owner=owner,
        note=note,
        due_at=timezone.now() - timedelta(seconds=1),
        status=ReminderStatus.SCHEDULED,
    )
    out = io.StringIO()
    checks = DueChecks(Ports(TerminalDisplay(out), LocalArchive()))

    assert checks.check() == 1
    assert checks.check() == 0

    assert out.getvalue().count("⏰") == 1
    assert "Позвонить маме" in out.getvalue()
    assert Reminder.objects.get().status == ReminderStatus.SENT
