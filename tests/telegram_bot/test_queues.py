"""Queues and pacing through real Celery worker processes on Redis, as in production:
slow work (speech, websites) never holds up a text note, and a burst of filings into one
group keeps to Telegram's pace without losing any."""

import time

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.website import FakeWebsite
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    GROUP_CHAT,
    bot_env,
    post_update,
    press,
    private_text,
    update,
)
from tests.worker import killable_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VOICE_FILE = "AwACAgIAAxkBAAIBHmdvoiceFILEID"
TRANSCRIPTION_SECONDS = 5.0


def private_previews(telegram, fragment: str) -> list:
    return [
        call
        for call in telegram.calls("sendMessage", "editMessageText")
        if call["chat_id"] == ALICE_CHAT and fragment in call["text"] and call.buttons
    ]


def voice(message_id: int, update_id: int) -> dict:
    return update("private_voice", update_id=update_id, message_id=message_id)


@pytest.fixture
def speech(telegram, fake_openai, archive):
    """Transcription by the fake OpenAI, slow: each request is held for a while."""
    telegram.add_file(VOICE_FILE, b"OggS-voice")
    archive[0].owner.preferences.ai_providers = "openai,local"
    archive[0].owner.preferences.save()
    fake_openai.transcript = "диктофонная заметка про отпуск"
    return fake_openai


def speech_env(telegram, openai) -> dict:
    return bot_env(
        telegram, OPENAI_API_KEY=OPENAI_KEY, OPENAI_BASE_URL=openai.base_url, AI_RETRY_BACKOFF="0"
    )


def test_a_text_note_is_not_held_up_by_long_transcriptions(telegram, speech, client):
    """Workers split by queue, as the compose file shows: two voices, each a long
    transcription, then a text note — its preview comes while both are still transcribing."""
    speech.stall_next(TRANSCRIPTION_SECONDS, times=2, match="/audio/transcriptions")
    env = speech_env(telegram, speech)
    with (
        killable_worker(env, queues="transcription") as _speech,
        killable_worker(env, queues="notes,telegram,links", redis_url=_speech.redis_url),
    ):
        post_update(client, voice(message_id=401, update_id=940_001))
        post_update(client, voice(message_id=402, update_id=940_002))
        wait_for(lambda: len(speech.requests_to("/audio/transcriptions")) >= 1 or None)
        sent = time.monotonic()
        post_update(client, private_text("Позвонить маме вечером", message_id=403))

        wait_for(lambda: private_previews(telegram, "Позвонить маме"), timeout=10)
        text_after = time.monotonic() - sent
        transcribed = {note.transcript for note in Note.objects.filter(kind="voice")}
        assert transcribed == {""}  # neither voice is transcribed yet

        wait_for(
            lambda: private_previews(telegram, "диктофонная заметка").__len__() == 2 or None,
            timeout=4 * TRANSCRIPTION_SECONDS,
        )
    assert text_after < TRANSCRIPTION_SECONDS / 2
    statuses = Note.objects.values_list("status", flat=True)
    assert list(statuses) == [NoteStatus.AWAITING_CONFIRMATION] * 3


def test_one_worker_serves_every_queue_by_default(telegram, speech, client, settings):
    """The default: one worker, no queues named. A link's page and a voice's words both
    come through it, and a long transcription leaves room for a text note."""
    speech.stall_next(TRANSCRIPTION_SECONDS, match="/audio/transcriptions")
    with FakeWebsite() as site:
        site.page("/paper", "<title>Как устроен сон</title><meta name=description content=Обзор>")
        env = speech_env(telegram, speech) | {"LINK_FETCH_ALLOWED_HOSTS": site.host_port}
        url = site.url("/paper")
        link = private_text(
            f"Почитать {url}",
            message_id=412,
            entities=[{"type": "url", "offset": 9, "length": len(url)}],
        )
        with killable_worker(env, concurrency=2):
            post_update(client, voice(message_id=411, update_id=940_011))
            wait_for(lambda: len(speech.requests_to("/audio/transcriptions")) >= 1 or None)
            post_update(client, link)

            [preview] = wait_for(lambda: private_previews(telegram, "Как устроен сон"))
            assert "Обзор" in preview["text"]
            assert Note.objects.get(kind="voice").transcript == ""  # still transcribing
            wait_for(lambda: private_previews(telegram, "диктофонная заметка"), timeout=20)


def test_a_burst_into_one_group_keeps_to_telegrams_pace_and_loses_nothing(
    telegram, archive, client
):
    """21 notes confirmed at once into one group that takes 20 messages per period (the
    fake refuses more, as Telegram does): 20 go at once, the 21st waits for its turn with
    "filing…" in its preview, and every note is filed exactly once."""
    period = 4
    telegram.group_flood_limit(20, period)
    env = bot_env(telegram, TELEGRAM_GROUP_RATE="20", TELEGRAM_GROUP_RATE_PERIOD=f"{period}s")
    count = 21
    with killable_worker(env, concurrency=2):
        for number in range(count):
            post_update(
                client, private_text(f"Купить продукт номер {number}", message_id=500 + number)
            )
        pending = wait_for(
            lambda: (
                rows
                if len(
                    rows := list(
                        PendingConfirmation.objects.exclude(preview_message_id=None).order_by(
                            "note__source_message_id"
                        )
                    )
                )
                == count
                else None
            ),
            timeout=60,
        )
        for row in pending:
            post_update(
                client, press(f"note:{row.note_id}:confirm", message_id=row.preview_message_id)
            )

        wait_for(
            lambda: Note.objects.filter(status=NoteStatus.PUBLISHED).count() == count or None,
            timeout=30,
        )
    posted = [call for call in telegram.calls("sendMessage") if call["chat_id"] == GROUP_CHAT]
    assert len(posted) == count  # none lost, none twice
    assert telegram.flood_refusals == 0  # never over the limit
    moments = telegram.group_post_times
    assert len(moments) == count
    assert moments[-1] - moments[0] >= period  # the 21st waited its turn
    filing = [
        call
        for call in telegram.calls("editMessageText")
        if call["chat_id"] == ALICE_CHAT and "⏳" in call["text"]
    ]
    assert len(filing) == 1  # only the one that had to wait said so
    assert not filing[0].buttons
    assert {note.published_message_ids.__len__() for note in Note.objects.all()} == {1}
