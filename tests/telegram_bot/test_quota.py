"""An owner sending many notes at once: each is saved and answered; past the rate the
preview comes later, and no note is dropped."""

import pytest

from notes.models import Note, NoteStatus
from tests.telegram_bot.conftest import ALICE_CHAT, private_text

pytestmark = pytest.mark.django_db


def replies(telegram, fragment: str) -> list:
    return [
        call
        for call in telegram.calls("sendMessage")
        if call["chat_id"] == ALICE_CHAT and fragment in call["text"]
    ]


def test_the_31st_note_in_a_minute_is_told_to_wait_and_still_filed(
    telegram, deliver, archive, monkeypatch
):
    started = []

    def timer(seconds, run, args):
        started.append((seconds, run, args))
        return _NotStarted()

    monkeypatch.setattr("secretary.work.threading.Timer", timer)
    for number in range(31):
        deliver(private_text(f"Купить продукт {number}", message_id=900 + number))

    told = replies(telegram, "Сразу много заметок")
    assert len(told) == 1  # only the 31st
    assert Note.objects.count() == 31  # every one saved
    assert Note.objects.filter(status=NoteStatus.AWAITING_CONFIRMATION).count() == 30
    # The 31st is prepared when its turn comes (inline: a timer), about a minute on.
    [(seconds, _run, (task, args, kwargs, _task_id))] = started
    assert task.name == "notes.tasks.note_process"
    assert 30 < seconds <= 61  # less the time the first 30 took to arrive
    task.apply(args, kwargs)  # its turn comes

    late = Note.objects.get(source_message_id=930)
    assert late.status == NoteStatus.AWAITING_CONFIRMATION


def test_the_limit_is_a_setting(telegram, deliver, archive, settings):
    settings.NOTE_RATE_LIMIT = 2
    for number in range(3):
        deliver(private_text(f"Купить продукт {number}", message_id=950 + number))

    assert len(replies(telegram, "Сразу много заметок")) == 1


class _NotStarted:
    daemon = False

    def start(self) -> None:
        """The test runs the timer's work itself."""
