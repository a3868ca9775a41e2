"""A note's life: every status change goes through here, and only the allowed ones happen.

```
received ─► enriching ─► classifying ─► awaiting_confirmation ─► publishing ─► published
   │            │             │            │   ▲  │  │  │            │  ▲         │
   └────────────┴─────────────┴────────────┼───┘  │  │  │            │  └─ undo ──┘
                                           │  edit │  │  └► expired ──┼─ re-file ─┐
                                           │       │  └──► cancelled ─┴───────────┤
   any working state ─► failed ─► back to where it failed (received or publishing)
```
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from notes.models import Note, NoteStatus
from secretary.metrics import NOTES_FINISHED

S = NoteStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ENRICHING, S.CLASSIFYING, S.AWAITING_CONFIRMATION, S.FAILED}),
    S.ENRICHING: frozenset({S.CLASSIFYING, S.AWAITING_CONFIRMATION, S.FAILED}),
    S.CLASSIFYING: frozenset({S.AWAITING_CONFIRMATION, S.PUBLISHING, S.FAILED}),
    S.AWAITING_CONFIRMATION: frozenset(
        {S.RECEIVED, S.CLASSIFYING, S.PUBLISHING, S.CANCELLED, S.EXPIRED, S.FAILED}
    ),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.AWAITING_CONFIRMATION, S.FAILED}),
    S.PUBLISHED: frozenset({S.AWAITING_CONFIRMATION, S.PUBLISHING}),  # undo, re-file
    S.CANCELLED: frozenset({S.PUBLISHING}),  # re-filed from history
    S.EXPIRED: frozenset({S.PUBLISHING}),
    S.FAILED: frozenset({S.RECEIVED, S.PUBLISHING}),  # retried
}


# Where a note's story ends (for now: a filed note may still be taken back).
FINAL = frozenset({S.PUBLISHED, S.CANCELLED, S.EXPIRED, S.FAILED})


class TransitionRefused(Exception):
    """A status change the lifecycle does not allow (a bug in the caller)."""


def can_move(current: str, status: str) -> bool:
    return status == current or status in ALLOWED.get(current, frozenset())


def note_move(note: Note, status: str, **changes: Any) -> None:
    """Move ``note`` (locked by the caller) to ``status``, saving ``changes`` with it.

    Staying in the same status only saves the changes.
    """
    if not can_move(note.status, status):
        raise TransitionRefused(f"note {note.pk}: {note.status} → {status}")
    if status == S.PUBLISHING and note.status != S.PUBLISHING:
        changes.setdefault("publish_after", None)  # each filing waits its own turn
    finishes = status in FINAL and note.status != status
    note.status = status
    for field, value in changes.items():
        setattr(note, field, value)
    note.save(update_fields=["status", *changes, "updated_at"])
    if finishes:
        NOTES_FINISHED.labels(status, note.kind).inc()


def notes_move(notes: QuerySet[Note], status: str, **changes: Any) -> int:
    """Set-based: move those of ``notes`` that may move to ``status``. Returns how many."""
    sources = [current for current in ALLOWED if can_move(current, status)]
    moving = notes.filter(status__in=sources).exclude(status=status)
    kinds = (
        Counter(dict(moving.values_list("kind").annotate(count=Count("pk")).order_by()))
        if status in FINAL
        else Counter()
    )
    moved = notes.filter(status__in=sources).update(
        status=status, updated_at=timezone.now(), **changes
    )
    for kind, count in kinds.items():
        NOTES_FINISHED.labels(status, kind).inc(count)
    return moved
