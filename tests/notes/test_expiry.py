from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus, PendingConfirmation
from notes.services.expiry import pending_confirmations_expire
from notes.tasks import expire_pending_confirmations
from tests.factories import PendingConfirmationFactory

pytestmark = pytest.mark.django_db


def overdue(owner, minutes=1):
    return PendingConfirmationFactory(
        note__owner=owner, expires_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_the_task_expires_exactly_the_overdue_rows(alice, bob):
    late = [overdue(alice), overdue(bob, minutes=600)]
    fresh = PendingConfirmationFactory(note__owner=alice)
    already = overdue(alice)
    PendingConfirmation.objects.filter(pk=already.pk).update(
        resolved_at=timezone.now(), resolution=PendingConfirmation.Resolution.CONFIRMED
    )
    Note.objects.filter(pk=already.note_id).update(status=NoteStatus.PUBLISHED)

    assert expire_pending_confirmations.delay().get() == 2

    for pending in late:
        pending.refresh_from_db()
        assert pending.resolution == PendingConfirmation.Resolution.EXPIRED
        assert pending.resolved_at is not None
        assert Note.objects.get(pk=pending.note_id).status == NoteStatus.EXPIRED
    fresh.refresh_from_db()
    assert fresh.is_open
    assert Note.objects.get(pk=fresh.note_id).status == NoteStatus.AWAITING_CONFIRMATION
    already.refresh_from_db()
    assert already.resolution == PendingConfirmation.Resolution.CONFIRMED
    assert Note.objects.get(pk=already.note_id).status == NoteStatus.PUBLISHED


def test_expired_notes_are_kept_in_history(alice):
    pending = overdue(alice)

    pending_confirmations_expire()

    assert Note.objects.filter(pk=pending.note_id).exists()


def test_a_second_run_changes_nothing(alice):
    overdue(alice)

    assert len(pending_confirmations_expire()) == 1
    assert pending_confirmations_expire() == []


def test_staff_can_expire_chosen_confirmations_before_their_deadline(alice):
    chosen = PendingConfirmationFactory(note__owner=alice)
    other = PendingConfirmationFactory(note__owner=alice)

    assert pending_confirmations_expire(pending_ids=[chosen.pk]) == [chosen.note_id]

    other.refresh_from_db()
    assert other.is_open


def test_expiry_does_not_touch_a_note_that_moved_on(alice):
    pending = overdue(alice)
    Note.objects.filter(pk=pending.note_id).update(status=NoteStatus.PUBLISHING)

    pending_confirmations_expire()

    assert Note.objects.get(pk=pending.note_id).status == NoteStatus.PUBLISHING
