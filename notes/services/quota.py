"""How fast one owner's notes are taken in: a note is always stored; past the owner's
rate it is prepared a little later, in order, never dropped."""

from __future__ import annotations

from django.conf import settings

from secretary.models import User
from secretary.pacing import pace

QUOTA_PERIOD_SECONDS = 60.0


def note_admission_wait(*, owner: User) -> float:
    """Seconds before the owner's newest note is prepared (0: at once). At most
    ``NOTE_RATE_LIMIT`` of an owner's notes a minute go through at once; the rest wait
    their turn (the bucket is shared by every process, as the groups' pacing is)."""
    return pace(f"owner:{owner.pk}", limit=settings.NOTE_RATE_LIMIT, period=QUOTA_PERIOD_SECONDS)
