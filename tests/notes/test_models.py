import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.factories import NoteFactory, PendingConfirmationFactory

pytestmark = pytest.mark.django_db


def test_a_second_note_from_the_same_source_message_is_rejected(alice):
    NoteFactory(owner=alice, source_chat_id=alice.telegram_id, source_message_id=7)

    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(owner=alice, source_chat_id=alice.telegram_id, source_message_id=7)


def test_the_same_message_id_in_another_chat_is_another_note(alice, bob):
    NoteFactory(owner=alice, source_chat_id=alice.telegram_id, source_message_id=7)
    NoteFactory(owner=bob, source_chat_id=bob.telegram_id, source_message_id=7)

    assert Note.objects.count() == 2


def test_confidence_outside_zero_to_one_is_rejected(alice):
    note = NoteFactory(owner=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(confidence=1.2)


def test_a_note_has_at_most_one_pending_confirmation(alice):
    pending = PendingConfirmationFactory(note__owner=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        PendingConfirmation.objects.create(note=pending.note, expires_at=timezone.now())


def test_a_resolved_pending_confirmation_must_say_how(alice):
    pending = PendingConfirmationFactory(note__owner=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        PendingConfirmation.objects.filter(pk=pending.pk).update(resolved_at=timezone.now())


def test_a_new_note_starts_as_received(alice):
    note = Note.objects.create(
        owner=alice, source_chat_id=alice.telegram_id, source_message_id=1, kind="text", text="x"
    )

    assert note.status == NoteStatus.RECEIVED
    assert note.content == "x"
