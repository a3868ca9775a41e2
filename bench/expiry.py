"""How long one beat pass takes to expire 10,000 overdue confirmations on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/secretary_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/expiry.py

The database named in DATABASE_URL is created if missing, migrated, and filled with
1,000 owners of 10 overdue confirmations each; it is dropped at the end. Measured in one
run, on the same rows:

- the beat pass (``expire_pending_confirmations``: one set-based statement, then the
  previews handed to the telegram queue), while four threads tap ✅ on overdue notes
  the whole time, as owners do; a tap and the pass never deadlock, and every note ends
  either expired or filed, never both;
- the baseline: the same expiry done row by row (lock, resolve, move, each its own
  transaction), as a naive job would, over the first BASELINE_ROWS rows (it is slow).

What reaches the broker is purged afterwards.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import create_database, drop_database, purge_broker, write_result

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

OWNERS = 1_000
PER_OWNER = 10
TAPPERS = 4
BASELINE_ROWS = 1_000


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (a PostgreSQL database of its own) and REDIS_URL.")
    create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        _seed()
        baseline, baseline_rows = _row_by_row()
        _seed()
        seconds, expired, taps = _beat_pass_under_taps()
        _check()
    finally:
        purge_broker()
        from django.db import connections

        connections.close_all()
        drop_database(url)
    rows = OWNERS * PER_OWNER
    print(f"expiry of {rows} overdue confirmations, PostgreSQL, {TAPPERS} owners tapping meanwhile")
    print(
        f"beat pass (set-based): {seconds * 1000:.0f} ms — {expired} expired, {taps} filed by taps"
    )
    whole = baseline / baseline_rows * rows
    print(
        f"baseline (row by row): {baseline * 1000:.0f} ms for {baseline_rows} rows, "
        f"so about {whole:.0f} s for {rows} ({whole / seconds:.0f}× the set-based pass)"
    )
    write_result(
        "expiry",
        "make bench (or: DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/expiry.py)",
        {
            "rows": rows,
            "tappers": TAPPERS,
            "set_based_ms": round(seconds * 1000),
            "expired": expired,
            "filed_by_taps": taps,
            "row_by_row_ms": round(baseline * 1000),
            "row_by_row_rows": baseline_rows,
            "row_by_row_estimate_s": round(whole),
        },
    )


def _seed() -> None:
    from django.utils import timezone

    from notes.models import Note, NoteStatus, PendingConfirmation
    from secretary.models import Preferences, User
    from topics.models import ForumGroup, Topic

    PendingConfirmation.objects.all().delete()
    Note.objects.all().delete()
    Topic.objects.all().delete()
    ForumGroup.objects.all().delete()
    User.objects.filter(username__startswith="bench-").delete()
    users = User.objects.bulk_create(
        User(username=f"bench-{n}", telegram_id=8_000_000 + n) for n in range(OWNERS)
    )
    Preferences.objects.bulk_create(
        Preferences(user=user) for user in users if not hasattr(user, "preferences")
    )
    groups = ForumGroup.objects.bulk_create(
        ForumGroup(chat_id=-1_009_000_000_000 - n, owner=user, title="Bench")
        for n, user in enumerate(users)
    )
    topics = Topic.objects.bulk_create(
        Topic(group=group, thread_id=10, name="Inbox", position=1) for group in groups
    )
    notes = Note.objects.bulk_create(
        Note(
            owner=user,
            source_chat_id=user.telegram_id or 0,
            source_message_id=m,
            kind="text",
            text=f"note {m}",
            status=NoteStatus.AWAITING_CONFIRMATION,
            topic=topic,
        )
        for user, topic in zip(users, topics, strict=True)
        for m in range(PER_OWNER)
    )
    overdue = timezone.now() - timedelta(minutes=5)
    PendingConfirmation.objects.bulk_create(
        PendingConfirmation(
            note=note,
            preview_chat_id=note.source_chat_id,
            preview_message_id=note.source_message_id + 1,
            expires_at=overdue,
        )
        for note in notes
    )


def _row_by_row() -> tuple[float, int]:
    from django.db import transaction
    from django.utils import timezone

    from notes.lifecycle import note_move
    from notes.models import Note, NoteStatus, PendingConfirmation

    ids = list(
        PendingConfirmation.objects.filter(resolved_at__isnull=True).values_list("pk", flat=True)
    )[:BASELINE_ROWS]
    started = time.perf_counter()
    for pk in ids:
        with transaction.atomic():
            pending = PendingConfirmation.objects.select_for_update().get(pk=pk)
            pending.resolved_at, pending.resolution = timezone.now(), "expired"
            pending.save(update_fields=["resolved_at", "resolution"])
            note = Note.objects.select_for_update().get(pk=pending.note_id)
            note_move(note, NoteStatus.EXPIRED)
    return time.perf_counter() - started, len(ids)


def _beat_pass_under_taps() -> tuple[float, int, int]:
    from django.db import connections

    from notes.models import Note
    from notes.services.pending import NoteActionRefused, note_confirm
    from notes.tasks import expire_pending_confirmations
    from secretary.models import User

    notes = list(Note.objects.values_list("pk", "owner_id"))
    owners = {user.pk: user for user in User.objects.select_related("preferences")}
    stop = threading.Event()
    taps = [0] * TAPPERS

    def tap(index: int) -> None:
        chooser = random.Random(index)  # noqa: S311 - a benchmark's choice, not a secret
        try:
            while not stop.is_set():
                note_id, owner_id = chooser.choice(notes)
                try:
                    note_confirm(owner=owners[owner_id], note_id=note_id)
                    taps[index] += 1
                except NoteActionRefused:
                    pass  # expired (or filed) already
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(TAPPERS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the taps are under way
    started = time.perf_counter()
    expired = expire_pending_confirmations.apply().get()
    seconds = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()
    # What a tap held during the pass is picked up by the next one (a minute later).
    expired += expire_pending_confirmations.apply().get()
    return seconds, expired, sum(taps)


def _check() -> None:
    from notes.models import Note, NoteStatus, PendingConfirmation

    rows = OWNERS * PER_OWNER
    expired = Note.objects.filter(status=NoteStatus.EXPIRED, pending__resolution="expired")
    filed = Note.objects.filter(status=NoteStatus.PUBLISHING, pending__resolution="confirmed")
    if expired.count() + filed.count() != rows:
        sys.exit(f"lost or doubled: {expired.count()} expired + {filed.count()} filed != {rows}")
    if PendingConfirmation.objects.filter(resolved_at__isnull=True).exists():
        sys.exit("confirmations left open")


if __name__ == "__main__":
    main()
