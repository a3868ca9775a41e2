"""10,000 reminders due in the same minute, from 1,000 owners: once each, in due order,
at Telegram's pace, the first on time.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/secretary_bench_reminders \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/reminders.py [--count N]

The database is created, migrated, filled (the due reminders, and 40,000 sent ones as
history beside them) and dropped at the end; Telegram is the fake Bot API on loopback.
The reminders fall due spread over one minute starting 15 s after seeding. Two senders
run the due pass in a loop, as two workers' eta tasks and beat runs do (the pass is the
one both run; one of them sends at a time). Measured:

- every reminder sent once (the fake's sendMessage calls against the rows);
- the order: how many were sent before one due earlier (inversions);
- the pace: the most messages the fake received in any one second;
- the delay of each (sent minus due): its distribution, and the first one's;
- the due query's plan (EXPLAIN ANALYZE) with its partial index, and the baseline: the
  same query with the index dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    create_database,
    database_url,
    drop_database,
    percentiles,
    redis_url,
    write_result,
)
from bench.services import BenchTelegram
from tests.fakes.telegram import TOKEN

OWNERS = 1_000
HISTORY = 40_000
SPREAD_SECONDS = 60
LEAD_SECONDS = 15
SENDERS = 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    url = database_url("secretary_bench_reminders")
    os.environ.update(
        DATABASE_URL=url,
        REDIS_URL=redis_url(),
        DJANGO_SETTINGS_MODULE="secretary.settings",
        DEBUG="1",
        CELERY_TASK_ALWAYS_EAGER="1",
        TELEGRAM_BOT_TOKEN=TOKEN,
    )
    create_database(url, fresh=True)
    telegram = BenchTelegram()
    with telegram:
        os.environ["TELEGRAM_API_BASE"] = telegram.base_url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        try:
            result = _run(telegram, count)
        finally:
            from django.db import connections

            connections.close_all()
            drop_database(url)
    _print(result)
    write_result(
        "reminders",
        "make bench (or: BENCH_DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/reminders.py)",
        result,
    )


def _run(telegram: BenchTelegram, count: int) -> dict[str, object]:
    from django.conf import settings

    first_due = _seed(count)
    plan_indexed, plan_ms = _due_plan(first_due + timedelta(seconds=SPREAD_SECONDS))
    first_due = _due_from_now(first_due)
    started = time.monotonic()
    _send_all(count, timeout=count / settings.REMINDERS_RATE * 1.5 + 180)
    wall = time.monotonic() - started
    plan_seq, seq_ms = _due_plan(first_due + timedelta(seconds=SPREAD_SECONDS), drop_index=True)
    return {
        "reminders": count,
        "owners": OWNERS,
        "history_rows": HISTORY,
        "rate_setting": settings.REMINDERS_RATE,
        "senders": SENDERS,
        "wall_s": round(wall, 1),
        **_checks(telegram, count),
        "due_query_plan": plan_indexed,
        "due_query_ms": plan_ms,
        "baseline_due_query_plan_without_index": plan_seq,
        "baseline_due_query_ms_without_index": seq_ms,
    }


def _seed(count: int) -> datetime:
    from django.utils import timezone

    from notes.models import Note, NoteStatus, Reminder, ReminderStatus
    from secretary.models import Preferences, User

    users = User.objects.bulk_create(
        User(username=f"bench-{n}", telegram_id=8_100_000 + n) for n in range(OWNERS)
    )
    Preferences.objects.bulk_create(Preferences(user=user) for user in users)
    total = count + HISTORY
    notes = Note.objects.bulk_create(
        (
            Note(
                owner=users[n % OWNERS],
                source_chat_id=users[n % OWNERS].telegram_id or 0,
                source_message_id=n,
                kind="text",
                text=f"Bench reminder {n}",
                status=NoteStatus.PUBLISHED,
            )
            for n in range(total)
        ),
        batch_size=5_000,
    )
    now = timezone.now()
    first_due = now + timedelta(seconds=LEAD_SECONDS)
    chooser = random.Random(7)  # noqa: S311 - spread of due times, not a secret
    rows = []
    for n, note in enumerate(notes):
        if n < count:
            due = first_due + timedelta(seconds=chooser.uniform(0, SPREAD_SECONDS))
            if n == 0:
                due = first_due
            rows.append(
                Reminder(
                    owner_id=note.owner_id, note=note, due_at=due, status=ReminderStatus.SCHEDULED
                )
            )
        else:
            past = now - timedelta(days=chooser.uniform(1, 300))
            rows.append(
                Reminder(
                    owner_id=note.owner_id,
                    note=note,
                    due_at=past,
                    status=ReminderStatus.SENT,
                    sent_at=past,
                )
            )
    Reminder.objects.bulk_create(rows, batch_size=5_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notes_reminder")
    return first_due


def _due_from_now(first_due: datetime) -> datetime:
    """Seeding takes a while under load: the minute of due times starts LEAD_SECONDS from now."""
    from django.db.models import F
    from django.utils import timezone

    from notes.models import Reminder, ReminderStatus

    shift = timezone.now() + timedelta(seconds=LEAD_SECONDS) - first_due
    Reminder.objects.filter(status=ReminderStatus.SCHEDULED).update(due_at=F("due_at") + shift)
    return first_due + shift


def _due_plan(at: datetime, *, drop_index: bool = False) -> tuple[str, float]:
    from django.db import connection

    from notes.models import Reminder, ReminderStatus

    if drop_index:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS reminder_due_idx")
            cursor.execute(
                "UPDATE notes_reminder SET status = 'scheduled' WHERE id IN "
                "(SELECT id FROM notes_reminder WHERE status = 'sent' LIMIT 10000)"
            )
            cursor.execute("ANALYZE notes_reminder")
    query = (
        Reminder.objects.filter(status=ReminderStatus.SCHEDULED, due_at__lte=at)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:1]
    )
    plan = query.explain(analyze=True)
    took = float(plan.rsplit("Execution Time:", 1)[-1].split("ms")[0].strip())
    return plan, took


def _send_all(count: int, timeout: float) -> None:
    from django.db import connections

    from notes.models import Reminder, ReminderStatus
    from notes.ports import ports_opened
    from notes.reminders.delivery import reminders_send_due
    from notes.reminders.tasks import reminders_pace, reminders_spent

    deadline = time.monotonic() + timeout
    done = threading.Event()

    def sender() -> None:
        try:
            while not done.is_set() and time.monotonic() < deadline:
                begun = time.monotonic()
                with ports_opened():
                    sent = reminders_send_due(
                        pace=reminders_pace, spent=reminders_spent, run_seconds=20
                    ).sent
                if sent and os.environ.get("BENCH_VERBOSE"):
                    print(f"pass: {sent} sent in {time.monotonic() - begun:.2f} s")
                if not sent:
                    time.sleep(0.05)  # what an eta task firing at the due time would catch
        finally:
            connections.close_all()

    # Warm what a running worker has warm already (imports, locale data), as the worker
    # that runs the eta tasks has: not what is measured.
    from babel.dates import format_datetime
    from django.utils import timezone

    from telegram_bot import ports as _telegram_ports  # noqa: F401

    format_datetime(timezone.now(), "EEE", locale="en")
    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        if (
            Reminder.objects.filter(
                status=ReminderStatus.SENT, note__text__startswith="Bench"
            ).count()
            >= count + HISTORY
        ):
            break
        time.sleep(1)
    done.set()
    for thread in threads:
        thread.join()


def _checks(telegram: BenchTelegram, count: int) -> dict[str, object]:
    from notes.models import Reminder

    rows: list[tuple[datetime, datetime]] = [
        (due, sent)
        for due, sent in Reminder.objects.filter(
            sent_at__isnull=False, sent_message_id__isnull=False
        )
        .order_by("sent_at")
        .values_list("due_at", "sent_at")
        if sent is not None
    ]
    delays = [(sent - due).total_seconds() for due, sent in rows]
    inversions = sum(1 for (a, _), (b, _) in pairwise(rows) if b < a)
    moments = sorted(moment for moment, _ in telegram.sent)
    peak, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    first = min(rows, key=lambda row: row[0]) if rows else None
    return {
        "sent": len(rows),
        "send_calls": len(telegram.sent),
        "sent_once_each": len(rows) == count and len(telegram.sent) == count,
        "order_inversions": inversions,
        "peak_per_second": peak,
        "sustained_per_second": (
            round((len(moments) - 1) / (moments[-1] - moments[0]), 1) if len(moments) > 1 else None
        ),
        "first_delay_s": round((first[1] - first[0]).total_seconds(), 2) if first else None,
        "delay_s": percentiles(delays) | {"max": round(max(delays, default=0.0), 1)},
    }


def _print(result: dict[str, object]) -> None:
    print(
        f"{result['reminders']} reminders due within a minute, {result['owners']} owners: "
        f"{result['sent']} sent by {result['send_calls']} calls, "
        f"{result['order_inversions']} out of order, peak {result['peak_per_second']}/s, "
        f"sustained {result['sustained_per_second']}/s, "
        f"first {result['first_delay_s']} s late; delay {result['delay_s']}"
    )
    print(
        f"due query {result['due_query_ms']} ms with its index, "
        f"{result['baseline_due_query_ms_without_index']} ms without"
    )
    print(result["due_query_plan"])


if __name__ == "__main__":
    main()
