"""Nothing lost: stalled work is resumed by the sweeper, failures become a state people see.

These run inline (tasks eager); the same paths through real worker, Redis and
PostgreSQL faults are in ``test_faults.py``.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from notes.models import Note, NoteStatus, PendingConfirmation
from notes.tasks import resume_stalled_notes
from telegram_bot.models import TelegramUpdate
from telegram_bot.tasks import resume_stalled_updates
from tests.fakes.telegram_rules import telegram_error
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(minutes=10)


@pytest.fixture(autouse=True)
def _no_inline_waits(monkeypatch):
    """Inline retries sleep their backoff; these tests do not need to wait it out."""
    monkeypatch.setattr("secretary.retry.INLINE_WAIT_MAX", 0)


def previews(telegram):
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]


def stall(note_id, **changes):
    """Make the note look abandoned: last touched long ago, by a worker that is gone."""
    Note.objects.filter(pk=note_id).update(updated_at=timezone.now() - LONG_AGO, **changes)


def test_a_note_whose_worker_died_while_classifying_is_resumed_and_previewed(
    telegram, archive, alice
):
    from tests.factories import NoteFactory

    note = NoteFactory(owner=alice, text="Купить молоко и хлеб", status=NoteStatus.CLASSIFYING)
    stall(note.pk, claimed_by="dead-worker", claimed_until=timezone.now() - timedelta(seconds=1))

    assert resume_stalled_notes() == 1

    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert (note.claimed_by, note.claimed_until, note.attempts) == ("", None, 0)
    assert len(previews(telegram)) == 1
    assert resume_stalled_notes() == 0  # nothing owed any more


def test_a_note_another_worker_is_on_is_left_to_it(telegram, archive, alice):
    from tests.factories import NoteFactory

    note = NoteFactory(owner=alice, status=NoteStatus.CLASSIFYING)
    stall(note.pk, claimed_by="live-worker", claimed_until=timezone.now() + timedelta(seconds=20))

    assert resume_stalled_notes() == 0
    assert telegram.requests == []


def test_a_note_never_handed_to_a_worker_is_resumed_once_it_is_stale(telegram, archive, alice):
    from tests.factories import NoteFactory

    fresh = NoteFactory(owner=alice, text="Купить молоко", status=NoteStatus.RECEIVED)
    assert resume_stalled_notes() == 0  # its task may still be in the queue

    stall(fresh.pk)
    assert resume_stalled_notes() == 1
    assert Note.objects.get(pk=fresh.pk).status == NoteStatus.AWAITING_CONFIRMATION


def test_a_preview_that_was_never_sent_is_sent(telegram, deliver, archive):
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    PendingConfirmation.objects.filter(note=note).update(preview_message_id=None)
    stall(note.pk)
    telegram.reset()

    assert resume_stalled_notes() == 1

    assert len(previews(telegram)) == 1
    assert PendingConfirmation.objects.get(note=note).preview_message_id is not None


def test_publishing_resumes_after_the_parts_already_recorded(telegram, deliver, archive):
    long_text = "\n\n".join(f"Абзац {n}: " + "купить молоко и хлеб. " * 60 for n in range(6))
    deliver(private_text(long_text, message_id=70))
    note = Note.objects.get()
    _group, topics = archive
    # A run posted the first part, had it recorded, and died.
    PendingConfirmation.objects.filter(note=note).update(
        resolved_at=timezone.now(), resolution="confirmed"
    )
    stall(
        note.pk,
        status=NoteStatus.PUBLISHING,
        topic=topics["shopping"],
        published_message_ids=[5001],
    )
    telegram.reset()

    assert resume_stalled_notes() == 1

    note.refresh_from_db()
    posted = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert note.status == NoteStatus.PUBLISHED
    assert len(posted) >= 1
    assert note.published_message_ids == [5001, *range(1001, 1001 + len(posted))]
    assert "Абзац 0" not in posted[0]["text"]  # the recorded first part was not sent again


def test_each_message_is_recorded_as_soon_as_telegram_answers(telegram):
    from notes.ports import DeliveryError
    from notes.services.publishing import PublicationPlan
    from telegram_bot.ports import telegram_ports

    plan = PublicationPlan(
        note_id=1,
        chat_id=GROUP_CHAT,
        thread_id=12,
        topic_name="🛒 Покупки",
        kind="text",
        source_chat_id=ALICE_CHAT,
        source_message_id=70,
        parts=["первая", "вторая", "третья"],
    )
    telegram.stall_next(0, match="sendMessage", times=2)  # the first two go through
    telegram.fail_next(400, telegram_error(400, "Bad Request: stop"), match="sendMessage")
    records: list[list[int]] = []

    with telegram_ports() as ports, pytest.raises(DeliveryError) as refused:
        ports.archive.post(plan, records.append)

    assert records == [[1000], [1000, 1001]]
    assert refused.value.reason == DeliveryError.REFUSED


def test_a_stored_update_nobody_processed_is_processed_by_the_sweeper(telegram, archive, committed):
    from telegram_bot.services.updates import telegram_update_receive

    payload = private_text("Купить молоко и хлеб", message_id=70)
    TelegramUpdate.objects.create(
        update_id=payload["update_id"], kind="message", payload=payload, status="received"
    )
    TelegramUpdate.objects.update(received_at=timezone.now() - LONG_AGO)

    assert committed(resume_stalled_updates) == 1

    stored = TelegramUpdate.objects.get()
    assert (stored.status, stored.attempts) == (TelegramUpdate.Status.PROCESSED, 1)
    assert Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION
    assert len(previews(telegram)) == 1
    assert resume_stalled_updates() == 0
    assert telegram_update_receive(payload=payload) is False  # and Telegram's copy is a dupe


def test_a_rerun_of_an_update_whose_note_was_stored_resumes_that_note(
    telegram, deliver, archive, committed
):
    payload = private_text("Купить молоко и хлеб", message_id=70)
    deliver(payload)
    note = Note.objects.get()
    # The first run died after storing the note and before handing it on.
    Note.objects.filter(pk=note.pk).update(status=NoteStatus.RECEIVED)
    PendingConfirmation.objects.filter(note=note).delete()
    TelegramUpdate.objects.update(status=TelegramUpdate.Status.RECEIVED)
    telegram.reset()

    from telegram_bot.tasks import process_update

    committed(process_update.delay, payload["update_id"])

    assert Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION
    assert len(previews(telegram)) == 1


def fail_previews(telegram, times):
    telegram.fail_next(
        400, telegram_error(400, "Bad Request: unexpected"), match="sendMessage", times=times
    )


def test_a_note_failing_every_attempt_is_failed_and_the_owner_is_told_once(
    telegram, deliver, archive, settings
):
    settings.WORK_MAX_ATTEMPTS = 3
    fail_previews(telegram, times=3)  # every preparation's preview is refused

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    note = Note.objects.get()
    assert note.status == NoteStatus.FAILED
    assert note.failed_from == NoteStatus.AWAITING_CONFIRMATION  # its preview was refused
    assert "unexpected" in note.last_error
    assert note.failure_reported_at is not None
    told = previews(telegram)[-1]
    assert told["text"].endswith(
        "⚠️ Не получилось довести эту заметку до конца даже после нескольких попыток. "
        "Она сохранена: нажмите 🔁, чтобы попробовать ещё раз."
    )
    assert told.buttons == [["🔁 Попробовать ещё раз"]]

    Note.objects.filter(pk=note.pk).update(updated_at=timezone.now() - LONG_AGO)
    telegram.reset()
    assert resume_stalled_notes() == 0  # told once: the sweeper does not tell again
    assert telegram.requests == []


def test_the_retry_button_brings_a_failed_note_back_to_its_preview(
    telegram, deliver, archive, settings
):
    settings.WORK_MAX_ATTEMPTS = 2
    fail_previews(telegram, times=2)
    deliver(private_text("Купить молоко и хлеб", message_id=70))
    note = Note.objects.get()
    told_id = PendingConfirmation.objects.get(note=note).preview_message_id
    telegram.reset()

    deliver(press(f"note:{note.pk}:retry", message_id=told_id))

    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    [preview] = telegram.calls("editMessageText")
    assert preview["message_id"] == told_id
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Пробую ещё раз…"


def test_an_owner_who_cannot_be_told_leaves_the_failure_listed_for_staff(
    telegram, deliver, archive, settings
):
    settings.WORK_MAX_ATTEMPTS = 1
    fail_previews(telegram, times=10)  # the failure notice is refused as well

    deliver(private_text("Купить молоко и хлеб", message_id=70))

    note = Note.objects.get()
    assert note.status == NoteStatus.FAILED
    assert note.failure_reported_at is not None  # tried, not tried forever


def make_failed(alice, *, failed_from=NoteStatus.CLASSIFYING, **fields):
    from tests.factories import NoteFactory

    return NoteFactory(
        owner=alice,
        text="Купить молоко и хлеб",
        status=NoteStatus.FAILED,
        failed_from=failed_from,
        failure_reported_at=timezone.now(),
        last_error="RuntimeError: boom",
        **fields,
    )


def test_retry_failed_brings_failed_notes_back(telegram, archive, alice, capsys, committed):
    first, second = make_failed(alice), make_failed(alice)

    committed(call_command, "retry_failed")

    assert capsys.readouterr().out.strip() == "2 failed notes sent back to work, 0 updates queued"
    statuses = set(Note.objects.values_list("status", flat=True))
    assert statuses == {NoteStatus.AWAITING_CONFIRMATION}
    assert {first.pk, second.pk} == set(Note.objects.values_list("pk", flat=True))


def test_retry_failed_takes_one_note_or_a_window(telegram, archive, alice, committed):
    old, recent = make_failed(alice), make_failed(alice)
    Note.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=3))

    committed(call_command, "retry_failed", "--since", "1h")
    assert Note.objects.get(pk=old.pk).status == NoteStatus.FAILED
    assert Note.objects.get(pk=recent.pk).status == NoteStatus.AWAITING_CONFIRMATION

    committed(call_command, "retry_failed", "--note", str(old.pk))
    assert Note.objects.get(pk=old.pk).status == NoteStatus.AWAITING_CONFIRMATION


def test_retry_failed_resumes_publishing_where_it_failed(telegram, archive, alice, committed):
    _group, topics = archive
    note = make_failed(alice, failed_from=NoteStatus.PUBLISHING, topic=topics["shopping"])

    committed(call_command, "retry_failed", "--note", str(note.pk))

    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    [posted] = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert posted["message_thread_id"] == 12


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "soon"], "--since must be a duration like 90s, 15m, 1h or 7d, got 'soon'"),
        (["--note", "999999"], "note 999999 does not exist"),
    ],
)
def test_retry_failed_says_in_one_line_what_is_wrong(arguments, message, alice):
    with pytest.raises(CommandError, match=f"^{message}$"):
        call_command("retry_failed", *arguments)


def test_retry_failed_refuses_a_note_that_has_not_failed(alice):
    from tests.factories import NoteFactory

    note = NoteFactory(owner=alice, status=NoteStatus.PUBLISHED)
    with pytest.raises(CommandError, match="has not failed"):
        call_command("retry_failed", "--note", str(note.pk))


def test_retry_failed_processes_failed_updates_again(telegram, archive, capsys, committed):
    payload = private_text("Купить молоко и хлеб", message_id=70)
    TelegramUpdate.objects.create(
        update_id=payload["update_id"], kind="message", payload=payload, status="failed"
    )

    committed(call_command, "retry_failed")

    assert capsys.readouterr().out.strip() == "0 failed notes sent back to work, 1 updates queued"
    assert TelegramUpdate.objects.get().status == TelegramUpdate.Status.PROCESSED
    assert Note.objects.get().status == NoteStatus.AWAITING_CONFIRMATION


def test_staff_retry_failed_notes_from_the_admin(
    telegram, archive, alice, staff_client, django_capture_on_commit_callbacks
):
    failed = make_failed(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:notes_note_changelist"),
            {"action": "retry_failed", "_selected_action": [failed.pk]},
            follow=True,
        )

    assert "1 failed note sent back to work." in response.content.decode()
    assert Note.objects.get(pk=failed.pk).status == NoteStatus.AWAITING_CONFIRMATION
    assert len(previews(telegram)) == 1


def test_a_waiting_photo_without_words_is_not_refreshed_over_and_over(telegram, alice):
    from tests.factories import PendingConfirmationFactory

    pending = PendingConfirmationFactory(
        note__owner=alice, note__kind="photo", note__text="", note__rendered_text=""
    )
    stall(pending.note_id)

    assert resume_stalled_notes() == 0  # its empty rendering is what it renders to
