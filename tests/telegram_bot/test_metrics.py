"""The product's own Prometheus series: in the web process's /metrics after a note, and
served by a real worker for what its pool did."""

import socket
import urllib.request

import pytest
from prometheus_client import REGISTRY

from tests.telegram_bot.conftest import bot_env, post_update, private_text
from tests.worker import killable_worker, wait_for


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str, line_start: str) -> float:
    """The value of the first sample of a scrape that starts with ``line_start``."""
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.django_db
def test_one_note_shows_in_the_products_series(telegram, deliver, archive, client):
    before = {
        "stored": value("secretary_telegram_updates_total", outcome="stored"),
        "duplicate": value("secretary_telegram_updates_total", outcome="duplicate"),
        "classify": value("secretary_pipeline_stage_seconds_count", stage="classify"),
        "ai": value(
            "secretary_ai_calls_total", provider="local", operation="classify", outcome="ok"
        ),
        "sent": value("secretary_telegram_api_calls_total", method="SendMessage", outcome="ok"),
        "429": value(
            "secretary_telegram_api_calls_total", method="SendMessage", outcome="rate_limited"
        ),
    }
    note = private_text("Купить молоко и хлеб", message_id=801)

    deliver(note)
    deliver(note)  # Telegram delivers it again

    assert value("secretary_telegram_updates_total", outcome="stored") == before["stored"] + 1
    assert value("secretary_telegram_updates_total", outcome="duplicate") == before["duplicate"] + 1
    assert (
        value("secretary_pipeline_stage_seconds_count", stage="classify") == before["classify"] + 1
    )
    assert (
        value("secretary_ai_calls_total", provider="local", operation="classify", outcome="ok")
        == before["ai"] + 1
    )
    assert (
        value("secretary_telegram_api_calls_total", method="SendMessage", outcome="ok")
        == before["sent"] + 1
    )
    scrape = client.get("/metrics").content.decode()
    assert "secretary_pending_confirmations 1.0" in scrape
    assert 'secretary_queue_depth{queue="transcription"}' in scrape
    assert 'secretary_pipeline_stage_seconds_bucket{le="0.5",stage="classify"}' in scrape

    telegram.rate_limit_next("sendMessage", retry_after=1)
    deliver(private_text("Позвонить маме", message_id=802))

    assert (
        value("secretary_telegram_api_calls_total", method="SendMessage", outcome="rate_limited")
        == before["429"] + 1
    )


@pytest.mark.django_db
def test_a_note_filed_counts_by_final_status_and_kind(telegram, deliver, archive, committed):
    from notes.models import Note
    from notes.services.pending import note_confirm

    before = value("secretary_notes_finished_total", status="published", kind="text")
    deliver(private_text("Купить молоко и хлеб", message_id=803))
    note = Note.objects.get()

    committed(note_confirm, owner=note.owner, note_id=note.pk)

    assert value("secretary_notes_finished_total", status="published", kind="text") == before + 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_serves_what_its_pool_did(telegram, archive, client, tmp_path):
    port = free_port()
    env = bot_env(telegram, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), CELERY_METRICS_PORT=str(port))
    with killable_worker(env, concurrency=2):
        post_update(client, private_text("Купить молоко и хлеб", message_id=804))
        wait_for(lambda: [c for c in telegram.calls("sendMessage") if c["chat_id"] > 0])

        def scrape() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                return answer.read().decode()

        text = wait_for(
            lambda: (
                page
                if scraped(
                    page := scrape(), 'secretary_pipeline_stage_seconds_count{stage="classify"}'
                )
                else None
            )
        )
    assert scraped(text, 'secretary_pipeline_stage_seconds_count{stage="classify"}') == 1
    assert (
        scraped(text, 'secretary_telegram_api_calls_total{method="SendMessage",outcome="ok"}') >= 1
    )
    assert "secretary_ai_calls_total" in text


@pytest.mark.django_db
def test_a_rejected_webhook_call_is_counted_by_reason(telegram, client):
    before = value("secretary_telegram_updates_total", outcome="rejected:secret")

    answer = client.post(
        "/telegram/webhook/",
        data="{}",
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
    )

    assert answer.status_code == 401
    assert value("secretary_telegram_updates_total", outcome="rejected:secret") == before + 1
