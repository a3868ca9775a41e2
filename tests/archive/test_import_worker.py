"""An import sent to the bot survives its worker being killed mid-way: real Celery worker
and beat (the sweeper), SIGKILL of the whole worker, then a worker again. Nothing is lost
or doubled, and the owner gets one report."""

from __future__ import annotations

import json

import pytest

from notes.archive.importer import import_job_note_progress, import_job_start
from notes.archive.models import ImportJob
from notes.models import Note
from telegram_bot.archive.tasks import import_from_chat
from tests.telegram_bot.conftest import ALICE_CHAT, bot_env
from tests.worker import killable_worker, running_beat, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MESSAGES = 300
RESUME_WITHIN = 150


def export_file(path):
    messages = [
        {
            "id": n,
            "type": "message",
            "date_unixtime": str(1_600_000_000 + n * 60),
            "text": f"Купить молоко и хлеб, пункт {n}",
        }
        for n in range(1, MESSAGES + 1)
    ]
    path.write_text(
        json.dumps({"name": "Saved", "type": "saved_messages", "id": 1, "messages": messages})
    )
    return path


def sweep_imports_every_second():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name="Resume stalled imports",
        defaults={
            "task": "telegram_bot.archive.tasks.resume_stalled_imports",
            "interval": every_second,
            "last_run_at": None,
            "enabled": True,
        },
    )


def test_an_import_killed_mid_way_resumes_without_losing_or_doubling(
    telegram, archive, alice, tmp_path, settings
):
    sweep_imports_every_second()
    env = bot_env(telegram, WORK_LEASE="3s", SWEEP_STALE_AFTER="2s", EXPORT_ROOT=str(tmp_path))
    job = import_job_start(
        owner=alice, path=str(export_file(tmp_path / "result.json")), chat_id=ALICE_CHAT
    ).job
    import_job_note_progress(job_id=job.pk, message_id=777)

    with killable_worker(env) as worker, running_beat(tmp_path, env):
        import_from_chat.apply_async((job.pk,))
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).position >= 100, timeout=90)
        worker.kill()
        stopped_at = ImportJob.objects.get(pk=job.pk).position
        assert stopped_at < MESSAGES
        worker.start(timeout=120)  # a loaded machine starts a worker slowly

        wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE,
            timeout=RESUME_WITHIN,
        )

    job.refresh_from_db()
    assert (job.imported, job.already_present, job.position) == (MESSAGES, 0, MESSAGES)
    assert Note.objects.filter(owner=alice).count() == MESSAGES
    reports = [
        call["text"]
        for call in telegram.calls("editMessageText")
        if call["text"].startswith("Импортировано")
    ]
    assert reports == [
        f"Импортировано: {MESSAGES} заметок.\nЗаметки ждут в истории; в группу они не отправлены."
    ]
