"""Nothing lost when a worker, Redis or PostgreSQL goes down: real processes, real faults.

Each test runs a real Celery worker (and beat, for the sweeper) on real Redis and
PostgreSQL, drives the bot by POSTing updates to the webhook, and breaks something
the way production breaks: SIGKILL of the whole worker, a Redis server stopped and
started again, the worker's database connections terminated. The sweeper's timings
are shortened (a 3 s lease, stale after 2 s, a sweep every second); the defaults give
the same guarantees on a minute's scale (see the README's "Reliability").
"""

from contextlib import ExitStack

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from notes.models import Note, NoteStatus, PendingConfirmation
from telegram_bot.models import TelegramUpdate
from tests.fakes.telegram_rules import telegram_error
from tests.services import private_redis
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    GROUP_CHAT,
    SECRET,
    bot_env,
    post_update,
    press,
    private_text,
)
from tests.web import running_uvicorn
from tests.worker import _test_database_url, killable_worker, running_beat, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RESUME_WITHIN = 120  # seconds: "within two minutes of the broker and a worker being back"
ITEMS = ["молоко", "хлеб", "сыр", "яйца", "масло", "кофе"]


def process_env(telegram, **extra):
    return bot_env(
        telegram,
        TELEGRAM_ALBUM_WAIT="0",
        WORK_LEASE="3s",
        SWEEP_STALE_AFTER="2s",
        **extra,
    )


def sweep_every_second():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(task__endswith="resume_stalled_notes").update(
        interval=every_second, last_run_at=None
    )
    PeriodicTask.objects.filter(task__endswith="resume_stalled_updates").update(
        interval=every_second, last_run_at=None
    )


def previews(telegram):
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]


def group_posts(telegram):
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]


def all_previewed(count):
    def check():
        shown = PendingConfirmation.objects.filter(
            note__status=NoteStatus.AWAITING_CONFIRMATION, preview_message_id__isnull=False
        ).count()
        return Note.objects.count() == count and shown == count

    return check


SENT = 1795700000  # Telegram's send time of the first note


def note_texts(count, first_message_id):
    """Notes sent a minute apart (so none joins another as a burst)."""
    return [
        private_text(
            f"Купить {ITEMS[n % len(ITEMS)]} в магазине",
            message_id=first_message_id + n,
            date=SENT + 60 * n,
        )
        for n in range(count)
    ]


def burst(first_message_id):
    """A comment and the two posts it forwards, sent within a second: one note."""
    origin = {
        "type": "channel",
        "chat": {"id": -1001111111111, "title": "Путешествуй дёшево", "type": "channel"},
        "message_id": 4321,
        "date": SENT - 3600,
    }
    sent = SENT + 3600
    return [
        private_text("Посмотреть перед поездкой", message_id=first_message_id, date=sent),
        *(
            private_text(text, message_id=first_message_id + n, date=sent, forward_origin=origin)
            for n, text in ((1, "Ереван: отели у Каскада"), (2, "Ереван: где поесть хаш"))
        ),
    ]


def test_a_worker_killed_while_preparing_and_while_publishing_loses_and_doubles_nothing(
    telegram, archive, client, tmp_path
):
    sweep_every_second()
    env = process_env(telegram)
    env.pop("NOTE_BURST_SECONDS")  # the default window: the burst below is one note
    with killable_worker(env) as worker, running_beat(tmp_path, env):
        # A preview is held at Telegram; the worker is killed while it waits for it.
        telegram.stall_next(7, match="sendMessage", drop_if_gone=True)
        for payload in [*note_texts(6, 200), *burst(210)]:
            assert post_update(client, payload).status_code == 200
        telegram.wait_held("sendMessage", timeout=30)
        worker.kill()
        worker.start()

        wait_for(all_previewed(7), timeout=RESUME_WITHIN)
        assert sorted(c["reply_parameters"]["message_id"] for c in previews(telegram)) == [
            *range(200, 206),
            210,
        ]  # every note previewed, none twice
        joined = Note.objects.get(source_message_id=210)
        assert joined.message_count == 3  # no part of the burst lost
        assert "хаш" in joined.text
        assert "Каскада" in joined.text

        # The same while the confirmed notes are posted into the group.
        telegram.stall_next(7, match="sendMessage", drop_if_gone=True)
        for pending in PendingConfirmation.objects.all():
            tap = press(f"note:{pending.note_id}:confirm", message_id=pending.preview_message_id)
            assert post_update(client, tap).status_code == 200
        telegram.wait_held("sendMessage", timeout=30)
        worker.kill()
        worker.start()

        wait_for(
            lambda: Note.objects.filter(status=NoteStatus.PUBLISHED).count() == 7,
            timeout=RESUME_WITHIN,
        )
    posted = group_posts(telegram)
    assert len(posted) == 7  # filed exactly once each
    assert any("хаш" in post["text"] and "Каскада" in post["text"] for post in posted)
    ids = [note.published_message_ids for note in Note.objects.all()]
    assert all(len(message_ids) == 1 for message_ids in ids)
    assert not TelegramUpdate.objects.exclude(status=TelegramUpdate.Status.PROCESSED).exists()


def test_redis_stopped_while_the_webhook_stores_notes_loses_none_of_them(
    telegram, archive, tmp_path
):
    sweep_every_second()
    with ExitStack() as stack:
        redis = stack.enter_context(private_redis())
        env = process_env(telegram, REDIS_URL=redis.url, DATABASE_URL=_test_database_url())
        web = stack.enter_context(running_uvicorn({**env, "DEBUG": "1"}))
        stack.enter_context(killable_worker(env, redis_url=redis.url))
        stack.enter_context(running_beat(tmp_path, env, redis_url=redis.url))

        redis.stop()
        with httpx.Client(base_url=web.base_url, timeout=30, trust_env=False) as http:
            answers = [
                http.post(
                    "/telegram/webhook/",
                    json=payload,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                for payload in note_texts(10, 300)
            ]
        assert [answer.status_code for answer in answers] == [200] * 10, web.log()
        assert TelegramUpdate.objects.filter(status=TelegramUpdate.Status.RECEIVED).count() == 10
        # The hand-off (made beside the request) fails and is left to the sweeper.
        wait_for(lambda: "Broker refused" in web.log(), timeout=30)
        redis.start()

        wait_for(all_previewed(10), timeout=RESUME_WITHIN)
    assert len(previews(telegram)) == 10


WORKER_APPLICATION = "worker-under-test"


def terminate_worker_connections(application=WORKER_APPLICATION):
    """What a PostgreSQL restart does to a process's connections (they carry its name)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [application],
        )
        return cursor.fetchone()[0]


def test_the_webhooks_pooled_connections_killed_the_next_update_is_still_stored(telegram):
    """uvicorn keeps its pool between requests: dead connections are found out and replaced."""
    named = f"{_test_database_url()}?application_name=web-under-test"
    env = process_env(telegram, DATABASE_URL=named, DEBUG="1")
    with (
        running_uvicorn(env) as web,
        httpx.Client(base_url=web.base_url, timeout=30, trust_env=False) as http,
    ):
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        first, second = note_texts(2, 600)
        assert http.post("/telegram/webhook/", json=first, headers=headers).status_code == 200

        assert terminate_worker_connections("web-under-test") >= 1  # idle in its pool

        assert http.post("/telegram/webhook/", json=second, headers=headers).status_code == 200
    assert TelegramUpdate.objects.count() == 2


def test_the_workers_database_connections_killed_the_next_tasks_still_succeed(
    telegram, archive, client
):
    named = f"{_test_database_url()}?application_name={WORKER_APPLICATION}"
    with killable_worker(process_env(telegram, DATABASE_URL=named)):
        assert post_update(client, note_texts(1, 400)[0]).status_code == 200
        wait_for(all_previewed(1), timeout=30)

        # Between tasks (a prefork worker's pool is closed after each task, so there may be
        # nothing to kill) and, below, in the middle of one.
        terminate_worker_connections()
        assert post_update(client, note_texts(1, 401)[0]).status_code == 200
        wait_for(all_previewed(2), timeout=30)

        # The task's connection dies while Telegram holds the preview: the record of the
        # preview is written afterwards, on a fresh connection.
        telegram.stall_next(1.5, match="sendMessage", drop_if_gone=True)
        assert post_update(client, note_texts(1, 402)[0]).status_code == 200
        telegram.wait_held("sendMessage", timeout=30)
        assert terminate_worker_connections() >= 1
        wait_for(all_previewed(3), timeout=30)

    assert not TelegramUpdate.objects.exclude(status=TelegramUpdate.Status.PROCESSED).exists()
    assert len(previews(telegram)) == 3  # one each: the record survived the restart


def test_a_note_failing_every_attempt_is_failed_told_once_and_retry_failed_brings_it_back(
    telegram, archive, client, settings
):
    env = process_env(telegram, WORK_MAX_ATTEMPTS="2")
    refused = telegram_error(400, "Bad Request: unexpected")
    telegram.fail_next(400, refused, match="sendMessage", times=2)
    with killable_worker(env):
        assert post_update(client, note_texts(1, 500)[0]).status_code == 200

        wait_for(
            lambda: Note.objects.filter(
                status=NoteStatus.FAILED, failure_reported_at__isnull=False
            ).exists(),
            timeout=60,
        )
        [told] = [c for c in previews(telegram) if "🔁" in str(c.buttons)]
        assert told.buttons == [["🔁 Попробовать ещё раз"]]

        call_command("retry_failed")

        wait_for(all_previewed(1), timeout=30)
    note = Note.objects.get()
    assert (note.status, note.attempts) == (NoteStatus.AWAITING_CONFIRMATION, 0)
    assert len([c for c in previews(telegram) if "🔁" in str(c.buttons)]) == 1  # told once
